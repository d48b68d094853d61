import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const ERROR_CODES = 'https://platform.openai.com/docs/guides/error-codes (API errors table)';
const SDK_ERRORS =
  'openai/openai-node src/core/error.ts (APIError.generate by status; requestID from x-request-id)';
const SDK_RETRY =
  'openai/openai-node src/client.ts shouldRetry/retryRequest (x-should-retry, retry-after-ms, retry-after)';
const SDK_RETRY_TEST = 'openai/openai-node tests/client-behavior.test.ts (x-should-retry table)';
const SDK_STREAM =
  'openai/openai-node src/core/streaming.ts (data.error raises APIError) and tests/lib/ChatCompletionStream.test.ts (chunks)';
const RATE_LIMITS = 'https://platform.openai.com/docs/guides/rate-limits (x-ratelimit-* headers)';

const err = (message: string, type: string, code: string | null, param: string | null = null) => ({
  error: { message, type, param, code },
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-AbC123',
  object: 'chat.completion.chunk',
  created: 1730000000,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_0ba0d124f1',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage: null,
});
const usageChunk = {
  id: 'chatcmpl-AbC123',
  object: 'chat.completion.chunk',
  created: 1730000000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
};

/** OpenAI: errors by status, its retry and request-id headers, and healthy chunk streams. */
export const OPENAI_CASES: CorpusCase[] = [
  {
    id: 'openai-401-invalid-api-key',
    vendor: 'openai',
    source: `${ERROR_CODES}; ${SDK_ERRORS}`,
    check: 'models',
    response: json(
      401,
      err(
        'Incorrect API key provided: sk-proj-********************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
      { 'x-request-id': 'req_7b1f0c2a9e4d4b7f8a3c2d1e0f9a8b7c' },
    ),
    expect: {
      ok: false,
      errorClass: 'auth',
      requestId: 'req_7b1f0c2a9e4d4b7f8a3c2d1e0f9a8b7c',
      messageIncludes: ['HTTP 401 invalid_api_key', '[REDACTED]'],
    },
  },
  {
    id: 'openai-403-unsupported-region',
    vendor: 'openai',
    source: ERROR_CODES,
    check: 'completion',
    response: json(
      403,
      err(
        'Country, region, or territory not supported',
        'request_forbidden',
        'unsupported_country_region_territory',
      ),
    ),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'openai-429-rate-limit-retry-after-ms',
    vendor: 'openai',
    source: `${ERROR_CODES}; ${SDK_RETRY}; ${RATE_LIMITS}`,
    check: 'completion',
    response: json(
      429,
      err(
        'Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
        'requests',
        'rate_limit_exceeded',
      ),
      {
        'x-request-id': 'req_0c1d2e3f',
        'retry-after-ms': '20000',
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-limit-tokens': '40000',
        'x-ratelimit-remaining-tokens': '39990',
      },
    ),
    expect: {
      ok: false,
      errorClass: 'rate_limited',
      retryAfterMs: 20_000,
      resetResource: 'requests',
      requestId: 'req_0c1d2e3f',
      messageIncludes: ['retry after 20 s'],
    },
  },
  {
    id: 'openai-429-insufficient-quota',
    vendor: 'openai',
    source: ERROR_CODES,
    check: 'completion',
    response: json(
      429,
      err(
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      ),
    ),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'openai-429-engine-overloaded',
    vendor: 'openai',
    source: `${ERROR_CODES} ("429 - The engine is currently overloaded, please try again later")`,
    check: 'completion',
    response: json(
      429,
      err('The engine is currently overloaded, please try again later', 'server_error', null),
    ),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'openai-503-server-is-overloaded',
    vendor: 'openai',
    source: `${ERROR_CODES} (503 server_is_overloaded)`,
    check: 'completion',
    response: json(
      503,
      err(
        'Our servers are currently overloaded. Please try again later.',
        'service_unavailable_error',
        'server_is_overloaded',
      ),
    ),
    expect: { ok: false, errorClass: 'overloaded', messageIncludes: ['server_is_overloaded'] },
  },
  {
    id: 'openai-503-slow-down',
    vendor: 'openai',
    source: `${ERROR_CODES} ("503 - Slow Down")`,
    check: 'completion',
    response: json(
      503,
      err(
        'Slow Down: please reduce your request rate to its original level, maintain a consistent rate for at least 15 minutes, and then gradually increase it.',
        'server_error',
        null,
      ),
    ),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'openai-500-server-error-should-retry-false',
    vendor: 'openai',
    source: `${ERROR_CODES} (500); ${SDK_RETRY_TEST}`,
    check: 'completion',
    response: json(
      500,
      err(
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      ),
      { 'x-should-retry': 'false' },
    ),
    expect: { ok: false, errorClass: 'server_error', vendorRetry: false },
  },
  {
    id: 'openai-400-should-retry-true',
    vendor: 'openai',
    source: SDK_RETRY_TEST,
    check: 'completion',
    response: json(400, { error: { message: 'request failed' } }, { 'x-should-retry': 'true' }),
    expect: { ok: false, errorClass: 'bad_request', vendorRetry: true },
  },
  {
    id: 'openai-400-unsupported-parameter-param',
    vendor: 'openai',
    source: `${SDK_ERRORS} (param); ${ERROR_CODES}`,
    check: 'completion',
    response: json(
      400,
      err(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'invalid_request_error',
        'unsupported_parameter',
        'max_tokens',
      ),
    ),
    expect: {
      ok: false,
      errorClass: 'bad_request',
      messageIncludes: ['HTTP 400 unsupported_parameter (param max_tokens)'],
    },
  },
  {
    id: 'openai-404-model-not-found',
    vendor: 'openai',
    source: ERROR_CODES,
    check: 'completion',
    dep: { model: 'gpt-9' },
    response: json(
      404,
      err(
        'The model `gpt-9` does not exist or you do not have access to it.',
        'invalid_request_error',
        'model_not_found',
      ),
    ),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['gpt-9'] },
  },
  {
    id: 'openai-models-list',
    vendor: 'openai',
    source: 'openai/openai-node api_reference/openapi.transformed.yml (ListModelsResponse)',
    check: 'models',
    response: json(
      200,
      {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
          { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
        ],
      },
      { 'x-request-id': 'req_list' },
    ),
    expect: { ok: true },
  },
  {
    id: 'openai-stream-role-empty-content-usage',
    vendor: 'openai',
    source: `${SDK_STREAM}; https://platform.openai.com/docs/api-reference/chat/streaming (include_usage: last chunk with empty choices)`,
    check: 'completion',
    response: stream([
      sse(chunk({ role: 'assistant', content: '', refusal: null })),
      sse(chunk({ content: 'Pong' })),
      sse(chunk({}, 'length')),
      sse(usageChunk),
      'data: [DONE]\n\n',
    ]),
    expect: { ok: true, tokens: { input: 8, output: 1 } },
  },
  {
    id: 'openai-stream-tool-call-then-text',
    vendor: 'openai',
    source: 'openai/openai-node tests/lib/ChatCompletionStream.test.ts (tool_calls deltas)',
    check: 'completion',
    response: stream([
      sse(
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: 'call_abc',
              type: 'function',
              function: { name: 'ping', arguments: '' },
            },
          ],
        }),
      ),
      sse(chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] })),
      sse(chunk({ content: 'ok' })),
      sse(chunk({}, 'stop')),
      sse(usageChunk),
      'data: [DONE]\n\n',
    ]),
    expect: { ok: true, tokens: { input: 8, output: 1 } },
  },
  {
    id: 'openai-stream-error-after-200',
    vendor: 'openai',
    source: SDK_STREAM,
    check: 'completion',
    response: stream(
      [
        sse(chunk({ role: 'assistant', content: '' })),
        sse(
          err(
            'The server had an error while processing your request. Sorry about that!',
            'server_error',
            null,
          ),
        ),
      ],
      { 'x-request-id': 'req_streamfail' },
    ),
    expect: { ok: false, errorClass: 'server_error', requestId: 'req_streamfail' },
  },
];
