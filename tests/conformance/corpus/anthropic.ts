import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const ERRORS_DOC =
  'https://docs.anthropic.com/en/api/errors (HTTP errors, error shapes, request_id)';
const SDK_TYPES = 'anthropics/anthropic-sdk-typescript src/resources/shared.ts (ErrorType union)';
const SDK_ERROR =
  'anthropics/anthropic-sdk-typescript src/core/error.ts (requestID from request-id)';
const SDK_RETRY =
  'anthropics/anthropic-sdk-typescript src/client.ts shouldRetry (x-should-retry) and tests/index.test.ts (retry-after, retry-after-ms)';
const RATE_DOC =
  'https://docs.anthropic.com/en/api/rate-limits (anthropic-ratelimit-* headers, retry-after)';
const BASIC = 'anthropics/anthropic-sdk-typescript tests/lib/fixtures/basic_response.txt';
const TOOL_USE = 'anthropics/anthropic-sdk-typescript tests/lib/fixtures/tool_use_response.txt';
const THINKING =
  'https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking (streaming) and anthropics/anthropic-sdk-typescript src/resources/messages/messages.ts (ThinkingDelta, SignatureDelta)';

const error = (
  status: number,
  type: string,
  message: string,
  headers = {},
  requestId = 'req_011CSHoEeqs5C35K2UUqR7Fy',
) => json(status, { type: 'error', error: { type, message }, request_id: requestId }, headers);

const messageStart = (input: number) =>
  sse(
    {
      type: 'message_start',
      message: {
        id: 'msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-3-5-haiku-latest',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: input, output_tokens: 1 },
      },
    },
    'message_start',
  );
const ping = 'event: ping\ndata: {"type": "ping"}\n\n';
const messageDelta = (output: number) =>
  sse(
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: output },
    },
    'message_delta',
  );
const messageStop = sse({ type: 'message_stop' }, 'message_stop');
const blockStart = (index: number, block: Record<string, unknown>) =>
  sse({ type: 'content_block_start', index, content_block: block }, 'content_block_start');
const delta = (index: number, d: Record<string, unknown>) =>
  sse({ type: 'content_block_delta', index, delta: d }, 'content_block_delta');
const blockStop = (index: number) =>
  sse({ type: 'content_block_stop', index }, 'content_block_stop');

/** Anthropic: every documented error type, billing answers, and healthy streams of every block kind. */
export const ANTHROPIC_CASES: CorpusCase[] = [
  {
    id: 'anthropic-401-authentication-error',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_ERROR}`,
    check: 'models',
    response: error(401, 'authentication_error', 'invalid x-api-key', {
      'request-id': 'req_018EeWyXxfu5pfWkrYcMdjWG',
    }),
    expect: { ok: false, errorClass: 'auth', requestId: 'req_018EeWyXxfu5pfWkrYcMdjWG' },
  },
  {
    id: 'anthropic-403-permission-error',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES}`,
    check: 'completion',
    response: error(
      403,
      'permission_error',
      'Your API key does not have permission to use the specified resource.',
    ),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'anthropic-400-credit-balance-too-low',
    vendor: 'anthropic',
    source: `${ERRORS_DOC} (billing problems surface as 400 invalid_request_error)`,
    check: 'completion',
    response: error(
      400,
      'invalid_request_error',
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    ),
    expect: {
      ok: false,
      errorClass: 'rate_limited',
      reason: 'billing',
      requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
    },
  },
  {
    id: 'anthropic-400-specified-usage-limits',
    vendor: 'anthropic',
    source:
      'https://docs.anthropic.com/en/api/rate-limits (spend limits); API answer quoted in anthropics/claude-code issue #2127',
    check: 'completion',
    response: error(
      400,
      'invalid_request_error',
      'You have reached your specified API usage limits. You will regain access on 2025-07-01 at 00:00 UTC.',
    ),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'anthropic-429-spend-limit',
    vendor: 'anthropic',
    // Anthropic publishes no wording for the 429 form: this is the 400's documented wording on
    // the 429 status, so the test pins the status-independent rule, not an invented sentence.
    source: `${RATE_DOC} (spend limits enforced with 429, no retry-after)`,
    check: 'completion',
    response: error(
      429,
      'rate_limit_error',
      'You have reached your specified API usage limits. You will regain access on 2025-07-01 at 00:00 UTC.',
    ),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'anthropic-402-billing-error',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES}`,
    check: 'completion',
    response: error(402, 'billing_error', 'There is an issue with your payment method.'),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'anthropic-429-rate-limit-retry-after',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${RATE_DOC}; ${SDK_RETRY}; message as quoted in anthropics/claude-code issue #71670`,
    check: 'completion',
    response: error(
      429,
      'rate_limit_error',
      "This request would exceed your account's rate limit. Please try again later.",
      {
        'retry-after': '20',
        'x-should-retry': 'true',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'request-id': 'req_rl',
      },
    ),
    expect: {
      ok: false,
      errorClass: 'rate_limited',
      retryAfterMs: 20_000,
      vendorRetry: true,
      resetResource: 'requests',
      requestId: 'req_rl',
      messageIncludes: ['retry after 20 s'],
    },
  },
  {
    id: 'anthropic-529-overloaded',
    vendor: 'anthropic',
    source: `${ERRORS_DOC} (529 overloaded_error); ${SDK_RETRY}`,
    check: 'completion',
    response: error(529, 'overloaded_error', 'Overloaded', { 'x-should-retry': 'true' }),
    expect: { ok: false, errorClass: 'overloaded', vendorRetry: true },
  },
  {
    id: 'anthropic-404-not-found-model',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES}`,
    check: 'completion',
    dep: { model: 'claude-2.0' },
    response: error(404, 'not_found_error', 'model: claude-2.0'),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['claude-2.0'] },
  },
  {
    id: 'anthropic-413-request-too-large',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES}`,
    check: 'completion',
    response: error(
      413,
      'request_too_large',
      'Request exceeds the maximum allowed number of bytes.',
    ),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'anthropic-500-api-error',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES}`,
    check: 'completion',
    response: error(500, 'api_error', 'Internal server error'),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'anthropic-504-timeout-error',
    vendor: 'anthropic',
    source: `${ERRORS_DOC}; ${SDK_TYPES} (GatewayTimeoutError)`,
    check: 'completion',
    response: error(504, 'timeout_error', 'Request timed out'),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'anthropic-models-list',
    vendor: 'anthropic',
    source: 'https://docs.anthropic.com/en/api/models-list (ListResponse_ModelInfo)',
    check: 'models',
    response: json(200, {
      data: [
        {
          type: 'model',
          id: 'claude-3-5-haiku-latest',
          display_name: 'Claude Haiku 3.5',
          created_at: '2024-10-22T00:00:00Z',
        },
      ],
      has_more: false,
      first_id: 'claude-3-5-haiku-latest',
      last_id: 'claude-3-5-haiku-latest',
    }),
    expect: { ok: true },
  },
  {
    id: 'anthropic-stream-basic-with-ping',
    vendor: 'anthropic',
    source: BASIC,
    check: 'completion',
    response: stream([
      messageStart(11),
      blockStart(0, { type: 'text', text: '' }),
      ping,
      delta(0, { type: 'text_delta', text: 'Hello' }),
      delta(0, { type: 'text_delta', text: ' there' }),
      delta(0, { type: 'text_delta', text: '!' }),
      blockStop(0),
      messageDelta(6),
      messageStop,
    ]),
    expect: { ok: true, tokens: { input: 11, output: 6 } },
  },
  {
    id: 'anthropic-stream-tool-use',
    vendor: 'anthropic',
    source: TOOL_USE,
    check: 'completion',
    response: stream([
      messageStart(377),
      blockStart(0, { type: 'text', text: '' }),
      ping,
      delta(0, { type: 'text_delta', text: 'I' }),
      delta(0, { type: 'text_delta', text: "'ll check the current weather in Paris for you." }),
      blockStop(0),
      blockStart(1, {
        type: 'tool_use',
        id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn',
        name: 'get_weather',
        input: {},
      }),
      delta(1, { type: 'input_json_delta', partial_json: '' }),
      delta(1, { type: 'input_json_delta', partial_json: '{"location": "Paris"}' }),
      blockStop(1),
      messageDelta(65),
      messageStop,
    ]),
    expect: { ok: true, tokens: { input: 377, output: 65 } },
  },
  {
    id: 'anthropic-stream-thinking-then-text',
    vendor: 'anthropic',
    source: THINKING,
    check: 'completion',
    response: stream([
      messageStart(36),
      blockStart(0, { type: 'thinking', thinking: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'The user says ping; a short answer will do.' }),
      delta(0, {
        type: 'signature_delta',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      }),
      blockStop(0),
      blockStart(1, { type: 'text', text: '' }),
      delta(1, { type: 'text_delta', text: 'Pong.' }),
      blockStop(1),
      messageDelta(40),
      messageStop,
    ]),
    expect: { ok: true, tokens: { input: 36, output: 40 } },
  },
  {
    id: 'anthropic-stream-thinking-only-is-empty',
    vendor: 'anthropic',
    source: `${THINKING} (a 1-token budget can end inside the thinking block)`,
    check: 'completion',
    response: stream([
      messageStart(36),
      blockStart(0, { type: 'thinking', thinking: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'The' }),
      blockStop(0),
      messageDelta(1),
      messageStop,
    ]),
    expect: { ok: false, errorClass: 'bad_response', messageIncludes: ['raise maxTokens'] },
  },
  {
    id: 'anthropic-stream-overloaded-error-event',
    vendor: 'anthropic',
    source: 'https://docs.anthropic.com/en/docs/build-with-claude/streaming (error events)',
    check: 'completion',
    response: stream(
      [
        messageStart(11),
        ping,
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
      ],
      { 'request-id': 'req_stream_overloaded' },
    ),
    expect: { ok: false, errorClass: 'overloaded', requestId: 'req_stream_overloaded' },
  },
];
