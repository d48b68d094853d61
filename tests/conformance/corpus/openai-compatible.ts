import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const GROQ =
  'https://console.groq.com/docs/errors (498 Flex Tier Capacity Exceeded, 429 with retry-after)';
const GROQ_RL = 'https://console.groq.com/docs/rate-limits (x-ratelimit-* headers, retry-after)';
const OPENROUTER =
  'https://openrouter.ai/docs/api-reference/errors (402, mid-stream errors, keep-alive comments)';
const VLLM =
  'vllm-project/vllm vllm/entrypoints/openai/protocol.py (ErrorResponse: object "error", message, type, code)';
const MISTRAL = 'https://docs.mistral.ai/api (401 {"message"} with request_id)';

const chunk = (content: string, finish: string | null = null) => ({
  id: 'gen-1730000000-abc',
  object: 'chat.completion.chunk',
  created: 1730000000,
  model: 'llama-3.1-8b-instant',
  choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }],
});

/** OpenAI-compatible servers: Groq's 498, OpenRouter's credits and stream errors, vLLM and Mistral shapes. */
export const COMPATIBLE_CASES: CorpusCase[] = [
  {
    id: 'groq-498-capacity-exceeded',
    vendor: 'openai-compatible',
    source: GROQ,
    check: 'completion',
    response: json(498, {
      error: {
        message: 'The flex tier is at capacity. Please try again later.',
        type: 'capacity_exceeded',
        code: 'capacity_exceeded',
      },
    }),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'groq-498-bare',
    vendor: 'openai-compatible',
    source: `${GROQ} (the status alone means capacity at Groq)`,
    check: 'completion',
    response: {
      status: 498,
      headers: { 'content-type': 'text/plain' },
      body: 'Flex Tier Capacity Exceeded',
    },
    expect: { ok: false, errorClass: 'overloaded', messageIncludes: ['capacity exceeded'] },
  },
  {
    id: 'groq-429-retry-after',
    vendor: 'openai-compatible',
    source: `${GROQ}; ${GROQ_RL}`,
    check: 'completion',
    response: json(
      429,
      {
        error: {
          message:
            'Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 6000, Requested 60. Please try again in 2s.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      },
      {
        'retry-after': '2',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '2s',
        'x-request-id': 'req_01jgroq',
      },
    ),
    expect: { ok: false, errorClass: 'rate_limited', retryAfterMs: 2000, requestId: 'req_01jgroq' },
  },
  {
    id: 'openrouter-402-insufficient-credits',
    vendor: 'openai-compatible',
    source: OPENROUTER,
    check: 'completion',
    response: json(402, {
      error: {
        code: 402,
        message:
          'This request requires more credits, or fewer max_tokens. You requested up to 1 tokens, but can only afford 0.',
      },
    }),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'openrouter-stream-error-after-200',
    vendor: 'openai-compatible',
    source: `${OPENROUTER} (error in a data line after HTTP 200, code = upstream status)`,
    check: 'completion',
    response: stream([
      ': OPENROUTER PROCESSING\n\n',
      sse({
        id: 'gen-1',
        object: 'chat.completion.chunk',
        error: { code: 502, message: 'Provider returned error' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
    ]),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'openrouter-stream-keepalive-comments',
    vendor: 'openai-compatible',
    source: `${OPENROUTER} (": OPENROUTER PROCESSING" comments)`,
    check: 'completion',
    response: stream([
      ': OPENROUTER PROCESSING\n\n',
      sse(chunk('Pong')),
      ': OPENROUTER PROCESSING\n\n',
      sse({
        ...chunk('', 'length'),
        usage: { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 },
      }),
      'data: [DONE]\n\n',
    ]),
    expect: { ok: true, tokens: { input: 7, output: 1 } },
  },
  {
    id: 'groq-models-list',
    vendor: 'openai-compatible',
    source: 'https://console.groq.com/docs/api-reference#models-list',
    check: 'models',
    response: json(200, {
      object: 'list',
      data: [
        {
          id: 'llama-3.1-8b-instant',
          object: 'model',
          created: 1693721698,
          owned_by: 'Meta',
          active: true,
          context_window: 131072,
        },
      ],
    }),
    expect: { ok: true },
  },
  {
    id: 'vllm-stream-usage-chunk',
    vendor: 'openai-compatible',
    source: `${VLLM} (ChatCompletionStreamResponse; stream_options.include_usage: a last chunk with empty choices and usage)`,
    check: 'completion',
    response: stream([
      sse(chunk('')),
      sse(chunk('Pong')),
      sse(chunk('', 'length')),
      sse({
        id: 'chatcmpl-vllm',
        object: 'chat.completion.chunk',
        created: 1730000000,
        model: 'llama-3.1-8b-instant',
        choices: [],
        usage: { prompt_tokens: 12, total_tokens: 13, completion_tokens: 1 },
      }),
      'data: [DONE]\n\n',
    ]),
    expect: { ok: true, tokens: { input: 12, output: 1 } },
  },
  {
    id: 'vllm-404-model-does-not-exist',
    vendor: 'openai-compatible',
    source: VLLM,
    check: 'completion',
    dep: { model: 'meta-llama/Llama-9' },
    response: json(404, {
      object: 'error',
      message: 'The model `meta-llama/Llama-9` does not exist.',
      type: 'NotFoundError',
      param: null,
      code: 404,
    }),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['meta-llama/Llama-9'] },
  },
  {
    id: 'vllm-400-bad-request',
    vendor: 'openai-compatible',
    source: VLLM,
    check: 'completion',
    response: json(400, {
      object: 'error',
      message:
        "This model's maximum context length is 2048 tokens. However, you requested 2049 tokens (2048 in the messages, 1 in the completion). Please reduce the length of the messages or completion.",
      type: 'BadRequestError',
      param: null,
      code: 400,
    }),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'mistral-401-request-id-in-body',
    vendor: 'openai-compatible',
    source: MISTRAL,
    check: 'models',
    response: json(401, {
      message: 'Unauthorized',
      request_id: 'f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8',
    }),
    expect: { ok: false, errorClass: 'auth', requestId: 'f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8' },
  },
];
