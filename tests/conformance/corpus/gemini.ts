import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const TROUBLE = 'https://ai.google.dev/gemini-api/docs/troubleshooting (backend error codes table)';
const SDK_STREAM =
  'googleapis/js-genai src/_api_client.ts processStreamResponse (a chunk that parses as {"error":{code,status}} raises ApiError with that code)';
const SDK_RETRY =
  'googleapis/js-genai src/_api_client.ts (DEFAULT_RETRY_HTTP_STATUS_CODES 408, 429, 500, 502, 503, 504)';
const RPC =
  'https://github.com/googleapis/googleapis google/rpc/error_details.proto (RetryInfo.retryDelay, QuotaFailure), body as quoted in googleapis/python-genai issue #2044';
const STREAM_DOC =
  'https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent (GenerateContentResponse chunks)';
const THINKING_DOC =
  'https://ai.google.dev/gemini-api/docs/thinking (thought: true parts, thoughtsTokenCount)';

const gError = (code: number, status: string, message: string, details?: unknown[]) => ({
  error: { code, message, status, ...(details ? { details } : {}) },
});
const candidate = (parts: unknown[], finishReason?: string) => ({
  candidates: [
    { content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}), index: 0 },
  ],
  modelVersion: 'gemini-2.0-flash',
  responseId: 'x1c9aPzQLYGx',
});
const usage = (prompt: number, candidates: number, thoughts?: number) => ({
  usageMetadata: {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + (thoughts ?? 0),
    ...(thoughts === undefined ? {} : { thoughtsTokenCount: thoughts }),
  },
});

/** Gemini: status codes from the docs, RetryInfo, bare in-stream errors, and every chunk kind. */
export const GEMINI_CASES: CorpusCase[] = [
  {
    id: 'gemini-400-api-key-invalid',
    vendor: 'gemini',
    source: `${TROUBLE}; google/rpc ErrorInfo reason`,
    check: 'models',
    response: json(
      400,
      gError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]),
    ),
    expect: { ok: false, errorClass: 'auth', messageIncludes: ['API_KEY_INVALID'] },
  },
  {
    id: 'gemini-400-failed-precondition-location',
    vendor: 'gemini',
    source: `${TROUBLE} (400 FAILED_PRECONDITION)`,
    check: 'completion',
    response: json(
      400,
      gError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
    ),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'gemini-403-permission-denied',
    vendor: 'gemini',
    source: `${TROUBLE} (403 PERMISSION_DENIED)`,
    check: 'completion',
    response: json(
      403,
      gError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      ),
    ),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'gemini-404-model-not-found',
    vendor: 'gemini',
    source: `${TROUBLE} (404 NOT_FOUND)`,
    check: 'models',
    dep: { model: 'gemini-1.0-pro' },
    response: json(
      404,
      gError(
        404,
        'NOT_FOUND',
        'models/gemini-1.0-pro is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
      ),
    ),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['gemini-1.0-pro'] },
  },
  {
    id: 'gemini-429-resource-exhausted-retry-info',
    vendor: 'gemini',
    source: `${TROUBLE} (429 RESOURCE_EXHAUSTED); ${RPC}`,
    check: 'completion',
    response: json(
      429,
      gError(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric:
                  'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' },
                quotaValue: '15',
              },
            ],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              {
                description: 'Learn more about Gemini API quotas',
                url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' },
        ],
      ),
    ),
    expect: {
      ok: false,
      errorClass: 'rate_limited',
      retryAfterMs: 47_000,
      resetResource: 'requests',
      messageIncludes: ['retry after 47 s', 'RESOURCE_EXHAUSTED'],
    },
  },
  {
    id: 'gemini-429-vertex-array-wrapped',
    vendor: 'gemini',
    source:
      'https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429; array-wrapped body as quoted in google-gemini/gemini-cli issue #6454',
    check: 'completion',
    response: json(429, [
      gError(
        429,
        'RESOURCE_EXHAUSTED',
        'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
      ),
    ]),
    expect: { ok: false, errorClass: 'rate_limited', messageIncludes: ['Resource exhausted'] },
  },
  {
    id: 'gemini-500-internal',
    vendor: 'gemini',
    source: `${TROUBLE} (500 INTERNAL)`,
    check: 'completion',
    response: json(
      500,
      gError(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      ),
    ),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'gemini-503-unavailable-overloaded',
    vendor: 'gemini',
    source: `${TROUBLE} (503 UNAVAILABLE)`,
    check: 'completion',
    response: json(
      503,
      gError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
    ),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'gemini-504-deadline-exceeded',
    vendor: 'gemini',
    source: `${TROUBLE} (504 DEADLINE_EXCEEDED); ${SDK_RETRY}`,
    check: 'completion',
    response: json(
      504,
      gError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
    ),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'gemini-models-get',
    vendor: 'gemini',
    source: 'https://ai.google.dev/api/models#method:-models.get (Model resource)',
    check: 'models',
    response: json(200, {
      name: 'models/gemini-2.0-flash',
      version: '2.0',
      displayName: 'Gemini 2.0 Flash',
      inputTokenLimit: 1048576,
      outputTokenLimit: 8192,
      supportedGenerationMethods: ['generateContent', 'countTokens'],
    }),
    expect: { ok: true },
  },
  {
    id: 'gemini-stream-bare-error-500-after-data',
    vendor: 'gemini',
    source: SDK_STREAM,
    check: 'completion',
    response: stream([
      sse(candidate([{ text: 'Po' }])),
      `${JSON.stringify(gError(500, 'INTERNAL', 'An internal error has occurred.'))}\n`,
    ]),
    expect: {
      ok: false,
      errorClass: 'server_error',
      messageIncludes: ['INTERNAL', 'An internal error has occurred.'],
    },
  },
  {
    id: 'gemini-stream-bare-error-503-pretty-printed',
    vendor: 'gemini',
    source: `${SDK_STREAM}; Google APIs pretty-print error JSON over several lines`,
    check: 'completion',
    response: stream([
      `${JSON.stringify(gError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'), null, 2)}\n`,
    ]),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'gemini-stream-bare-error-429-between-events',
    vendor: 'gemini',
    source: SDK_STREAM,
    check: 'completion',
    response: stream([
      `${JSON.stringify(gError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'))}\n`,
      sse(candidate([{ text: 'never read' }], 'STOP')),
    ]),
    expect: { ok: false, errorClass: 'rate_limited' },
  },
  {
    id: 'gemini-stream-thought-then-text-usage',
    vendor: 'gemini',
    source: `${STREAM_DOC}; ${THINKING_DOC}`,
    check: 'completion',
    response: stream([
      sse(candidate([{ text: '**Answering briefly**\n\nA one-word reply fits.', thought: true }])),
      sse(candidate([{ text: 'Pong' }])),
      sse({ ...candidate([{ text: '' }], 'STOP'), ...usage(3, 1, 24) }),
    ]),
    expect: { ok: true, tokens: { input: 3, output: 25, reasoning: 24 } },
  },
  {
    id: 'gemini-stream-function-call-part-then-text',
    vendor: 'gemini',
    source: `${STREAM_DOC} (Part.functionCall)`,
    check: 'completion',
    response: stream([
      sse(candidate([{ functionCall: { name: 'ping', args: {} } }])),
      sse(candidate([{ text: 'ok' }])),
      sse({ ...candidate([{ text: '' }], 'STOP'), ...usage(5, 2) }),
    ]),
    expect: { ok: true, tokens: { input: 5, output: 2 } },
  },
  {
    id: 'gemini-stream-safety-ratings-max-tokens',
    vendor: 'gemini',
    source: `${STREAM_DOC} (safetyRatings, finishReason MAX_TOKENS)`,
    check: 'completion',
    response: stream([
      sse({
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'Pong' }] },
            finishReason: 'MAX_TOKENS',
            index: 0,
            safetyRatings: [
              { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
              { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
            ],
          },
        ],
        ...usage(3, 1),
        modelVersion: 'gemini-2.0-flash',
      }),
    ]),
    expect: { ok: true, tokens: { input: 3, output: 1 } },
  },
];
