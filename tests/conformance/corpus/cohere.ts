import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const ERRORS_DOC = 'https://docs.cohere.com/reference/errors (status codes and example messages)';
const SDK_ERRORS =
  'cohere-ai/cohere-typescript src/Client.ts (status → BadRequestError … InvalidTokenError 498, ClientClosedRequestError 499, …)';
const STREAM_DOC = 'https://docs.cohere.com/v2/docs/streaming (v2 chat stream events)';
const REASONING_DOC = 'https://docs.cohere.com/v2/docs/reasoning (thinking content in the stream)';

const keyOk = json(200, { valid: true, organization_id: 'org-1', owner_id: 'user-1' });
const cohereError = (
  status: number,
  message: string,
  id = 'e0a7c2b4-5d6f-4a8b-9c0d-1e2f3a4b5c6d',
) => json(status, { id, message });
const ev = (type: string, body: Record<string, unknown>) => sse({ type, ...body }, type);
const messageEnd = (billedIn: number, billedOut: number) =>
  ev('message-end', {
    delta: {
      finish_reason: 'MAX_TOKENS',
      usage: {
        billed_units: { input_tokens: billedIn, output_tokens: billedOut },
        tokens: { input_tokens: 70, output_tokens: billedOut },
      },
    },
  });

/** Cohere: every status its SDK maps (498 and 499 included), the key check, and v2 stream events. */
export const COHERE_CASES: CorpusCase[] = [
  {
    id: 'cohere-401-invalid-api-token',
    vendor: 'cohere',
    source: `${ERRORS_DOC} (401); ${SDK_ERRORS}`,
    check: 'completion',
    response: cohereError(401, 'invalid api token'),
    expect: { ok: false, errorClass: 'auth', requestId: 'e0a7c2b4-5d6f-4a8b-9c0d-1e2f3a4b5c6d' },
  },
  {
    id: 'cohere-check-api-key-invalid',
    vendor: 'cohere',
    source: 'https://docs.cohere.com/reference/checkapikey',
    check: 'models',
    response: json(200, { valid: false }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'cohere-402-payment-required',
    vendor: 'cohere',
    // The docs describe the 402 without quoting a message: the body carries that description.
    source: `${ERRORS_DOC} (402: the account has reached its billing limit)`,
    check: 'completion',
    response: cohereError(402, 'the account has reached its billing limit'),
    expect: { ok: false, errorClass: 'rate_limited', reason: 'billing' },
  },
  {
    id: 'cohere-429-trial-key',
    vendor: 'cohere',
    source: `${ERRORS_DOC} (429); ${SDK_ERRORS} (TooManyRequestsError)`,
    check: 'completion',
    response: cohereError(
      429,
      'You are using a Trial key, which is limited to 40 API calls / minute.',
    ),
    expect: { ok: false, errorClass: 'rate_limited' },
  },
  {
    id: 'cohere-498-blocked-input',
    vendor: 'cohere',
    // Wording not quoted by the docs: the body carries their description of the 498.
    source: `${ERRORS_DOC} (498: the input or output holds a deny-listed token); ${SDK_ERRORS} (InvalidTokenError)`,
    check: 'completion',
    response: cohereError(498, 'blocked input or output: the request contains a deny-listed token'),
    expect: { ok: false, errorClass: 'bad_request', messageIncludes: ['deny-listed token'] },
  },
  {
    id: 'cohere-499-request-cancelled',
    vendor: 'cohere',
    source: `${ERRORS_DOC} (499 request cancelled, retry); ${SDK_ERRORS} (ClientClosedRequestError)`,
    check: 'completion',
    response: cohereError(499, 'request cancelled by user'),
    expect: { ok: false, errorClass: 'server_error', messageIncludes: ['cancelled'] },
  },
  {
    id: 'cohere-400-invalid-request',
    vendor: 'cohere',
    source: ERRORS_DOC,
    check: 'completion',
    response: cohereError(
      400,
      'invalid request: message must be at least 1 token long or tool results must be specified.',
    ),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'cohere-404-model-not-found',
    vendor: 'cohere',
    source: `${ERRORS_DOC} (404)`,
    check: 'completion',
    dep: { model: 'command-nightly-x' },
    response: cohereError(
      404,
      "model 'command-nightly-x' not found, make sure the correct model ID was used and that you have access to the model.",
    ),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['command-nightly-x'] },
  },
  {
    id: 'cohere-500-internal',
    vendor: 'cohere',
    source: `${ERRORS_DOC} (500); ${SDK_ERRORS} (InternalServerError)`,
    check: 'completion',
    response: cohereError(500, 'internal server error, this has been reported to our developers'),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'cohere-503-service-unavailable',
    vendor: 'cohere',
    source: `${SDK_ERRORS} (ServiceUnavailableError)`,
    check: 'completion',
    response: cohereError(503, 'service unavailable'),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'cohere-models-list',
    vendor: 'cohere',
    source:
      'https://docs.cohere.com/reference/list-models; https://docs.cohere.com/reference/checkapikey',
    check: 'models',
    routes: { '/v1/check-api-key': keyOk },
    response: json(200, {
      models: [
        {
          name: 'command-r-08-2024',
          endpoints: ['generate', 'chat', 'summarize'],
          finetuned: false,
          context_length: 128000,
        },
      ],
      next_page_token: '',
    }),
    expect: { ok: true },
  },
  {
    id: 'cohere-stream-v2-text',
    vendor: 'cohere',
    source: STREAM_DOC,
    check: 'completion',
    response: stream([
      ev('message-start', {
        id: '29f14a5a-11de-4cae-9800-25e4747408ea',
        delta: {
          message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
        },
      }),
      ev('content-start', {
        index: 0,
        delta: { message: { content: { type: 'text', text: '' } } },
      }),
      ev('content-delta', { index: 0, delta: { message: { content: { text: 'Pong' } } } }),
      ev('content-end', { index: 0 }),
      messageEnd(3, 1),
    ]),
    expect: { ok: true, tokens: { input: 3, output: 1 } },
  },
  {
    id: 'cohere-stream-v2-tool-plan-and-call',
    vendor: 'cohere',
    source: `${STREAM_DOC} (tool-plan-delta, tool-call-start/delta/end)`,
    check: 'completion',
    response: stream([
      ev('message-start', { id: 'f1', delta: { message: { role: 'assistant' } } }),
      ev('tool-plan-delta', { delta: { message: { tool_plan: 'I will ping.' } } }),
      ev('tool-call-start', {
        index: 0,
        delta: {
          message: {
            tool_calls: {
              id: 'ping_1',
              type: 'function',
              function: { name: 'ping', arguments: '' },
            },
          },
        },
      }),
      ev('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: '{}' } } } },
      }),
      ev('tool-call-end', { index: 0 }),
      ev('content-start', {
        index: 0,
        delta: { message: { content: { type: 'text', text: '' } } },
      }),
      ev('content-delta', { index: 0, delta: { message: { content: { text: 'ok' } } } }),
      ev('content-end', { index: 0 }),
      messageEnd(12, 9),
    ]),
    expect: { ok: true, tokens: { input: 12, output: 9 } },
  },
  {
    id: 'cohere-stream-v2-thinking-then-text',
    vendor: 'cohere',
    source: REASONING_DOC,
    check: 'completion',
    response: stream([
      ev('message-start', { id: 'f2', delta: { message: { role: 'assistant' } } }),
      ev('content-start', {
        index: 0,
        delta: { message: { content: { type: 'thinking', thinking: '' } } },
      }),
      ev('content-delta', {
        index: 0,
        delta: { message: { content: { thinking: 'Short answer.' } } },
      }),
      ev('content-end', { index: 0 }),
      ev('content-start', {
        index: 1,
        delta: { message: { content: { type: 'text', text: '' } } },
      }),
      ev('content-delta', { index: 1, delta: { message: { content: { text: 'Pong' } } } }),
      ev('content-end', { index: 1 }),
      messageEnd(3, 5),
    ]),
    expect: { ok: true, tokens: { input: 3, output: 5 } },
  },
];
