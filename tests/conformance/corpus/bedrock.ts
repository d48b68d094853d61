import { type CorpusCase, type EventStreamFrame, json } from './types.js';

// Sources
const SDK_ERRORS =
  'aws/aws-sdk-js-v3 clients/client-bedrock-runtime/src/models/errors.ts (exception names, originalStatusCode, originalMessage)';
const COMMON = 'https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html';
const TROUBLE =
  'https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html';
const CONVERSE =
  'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html (events and exceptions)';
const MODEL_ACCESS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html';

const REQUEST_ID = 'b2b4a6c8-1d3f-4e5a-8b7c-9d0e1f2a3b4c';

// AWS REST-JSON: the type in x-amzn-errortype, `{"message"}` in the body.
const awsError = (status: number, type: string, body: Record<string, unknown>) =>
  json(status, body, {
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': REQUEST_ID,
  });

const event = (type: string, body: Record<string, unknown>): EventStreamFrame => ({
  headers: { ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' },
  // Bedrock pads every event with a `p` field of random length.
  body: JSON.stringify({ ...body, p: 'abcdefghijklmnopqrstuvwxyzABCDEF' }),
});
const exception = (type: string, body: Record<string, unknown>): EventStreamFrame => ({
  headers: {
    ':message-type': 'exception',
    ':exception-type': type,
    ':content-type': 'application/json',
  },
  body: JSON.stringify(body),
});
const eventStream = (frames: EventStreamFrame[]) => ({
  status: 200,
  headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': REQUEST_ID },
  frames,
});
const metadata = (input: number, output: number) =>
  event('metadata', {
    usage: { inputTokens: input, outputTokens: output, totalTokens: input + output },
    metrics: { latencyMs: 312 },
  });

/** Bedrock: runtime and common AWS errors, model access, and every ConverseStream event kind. */
export const BEDROCK_CASES: CorpusCase[] = [
  {
    id: 'bedrock-403-access-denied-model-not-enabled',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (AccessDeniedException); ${TROUBLE}#ts-access-denied; ${MODEL_ACCESS}`,
    check: 'completion',
    response: awsError(403, 'AccessDeniedException', {
      message: "You don't have access to the model with the specified model ID.",
    }),
    expect: {
      ok: false,
      errorClass: 'auth',
      requestId: REQUEST_ID,
      messageIncludes: ['model access not granted in this account and region'],
    },
  },
  {
    id: 'bedrock-400-not-authorized',
    vendor: 'bedrock',
    source: `${COMMON} (NotAuthorized, HTTP 400)`,
    check: 'models',
    response: awsError(400, 'NotAuthorized', {
      message: 'You do not have permission to perform this action.',
    }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'bedrock-400-incomplete-signature',
    vendor: 'bedrock',
    source: `${COMMON} (IncompleteSignature, HTTP 400)`,
    check: 'completion',
    response: awsError(400, 'IncompleteSignature', {
      message: 'The request signature does not conform to AWS standards.',
    }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'bedrock-400-request-expired',
    vendor: 'bedrock',
    source: `${COMMON} (RequestExpired, HTTP 400)`,
    check: 'completion',
    response: awsError(400, 'RequestExpired', {
      message:
        'The request reached the service more than 15 minutes after the date stamp on the request.',
    }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'bedrock-403-unrecognized-client',
    vendor: 'bedrock',
    source: COMMON,
    check: 'completion',
    response: awsError(403, 'UnrecognizedClientException', {
      message: 'The security token included in the request is invalid.',
    }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'bedrock-429-throttling',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ThrottlingException); ${TROUBLE}#ts-throttling-exception`,
    check: 'completion',
    response: awsError(429, 'ThrottlingException', {
      message: 'Too many requests, please wait before trying again.',
    }),
    expect: { ok: false, errorClass: 'rate_limited', requestId: REQUEST_ID },
  },
  {
    id: 'bedrock-429-model-not-ready',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ModelNotReadyException: the SDK retries it)`,
    check: 'completion',
    response: awsError(429, 'ModelNotReadyException', {
      message: 'Model is not ready for inference. Wait and try your request again.',
    }),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'bedrock-424-model-error-original-status',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ModelErrorException.originalStatusCode, resourceName)`,
    check: 'completion',
    response: awsError(424, 'ModelErrorException', {
      message:
        'The system encountered an unexpected error during processing. Try your request again.',
      originalStatusCode: 500,
      resourceName: 'anthropic.claude-3-haiku-20240307-v1:0',
    }),
    expect: {
      ok: false,
      errorClass: 'server_error',
      messageIncludes: ['the model answered HTTP 500'],
    },
  },
  {
    id: 'bedrock-404-resource-not-found-eol',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ResourceNotFoundException); ${TROUBLE}#ts-resource-not-found`,
    check: 'completion',
    response: awsError(404, 'ResourceNotFoundException', {
      message:
        'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
    }),
    expect: { ok: false, errorClass: 'model_unavailable' },
  },
  {
    id: 'bedrock-400-invalid-model-identifier',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ValidationException); ${TROUBLE}#ts-validation-error`,
    check: 'completion',
    response: awsError(400, 'ValidationException', {
      message: 'The provided model identifier is invalid.',
    }),
    expect: { ok: false, errorClass: 'model_unavailable' },
  },
  {
    id: 'bedrock-400-malformed-input',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ValidationException); ${TROUBLE}#ts-validation-error`,
    check: 'completion',
    response: awsError(400, 'ValidationException', {
      message:
        'Malformed input request: #: required key [messages] not found, please reformat your input and try again.',
    }),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'bedrock-408-model-timeout',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ModelTimeoutException)`,
    check: 'completion',
    response: awsError(408, 'ModelTimeoutException', {
      message: 'Model has timed out in processing the request. Try your request again.',
    }),
    expect: { ok: false, errorClass: 'timeout' },
  },
  {
    id: 'bedrock-503-service-unavailable',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ServiceUnavailableException); ${TROUBLE}#ts-service-unavailable`,
    check: 'completion',
    response: awsError(503, 'ServiceUnavailableException', {
      message: 'Bedrock is unable to process your request.',
    }),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'bedrock-list-foundation-models',
    vendor: 'bedrock',
    source: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html',
    check: 'models',
    response: json(200, {
      modelSummaries: [
        {
          modelArn:
            'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          modelName: 'Claude 3 Haiku',
          providerName: 'Anthropic',
          inputModalities: ['TEXT', 'IMAGE'],
          outputModalities: ['TEXT'],
          responseStreamingSupported: true,
          modelLifecycle: { status: 'ACTIVE' },
        },
      ],
    }),
    expect: { ok: true },
  },
  {
    id: 'bedrock-stream-reasoning-then-text-metadata',
    vendor: 'bedrock',
    source: `${CONVERSE} (messageStart, contentBlockDelta.reasoningContent/text, messageStop, metadata)`,
    check: 'completion',
    response: eventStream([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { text: 'A short reply.' } },
      }),
      event('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { signature: 'EqoBCkgIARABGAIiQL' } },
      }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'Pong' } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('messageStop', { stopReason: 'max_tokens' }),
      metadata(8, 30),
    ]),
    expect: { ok: true, tokens: { input: 8, output: 30 } },
  },
  {
    id: 'bedrock-stream-tool-use-block',
    vendor: 'bedrock',
    source: `${CONVERSE} (contentBlockStart.start.toolUse, contentBlockDelta.delta.toolUse.input)`,
    check: 'completion',
    response: eventStream([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking.' } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockStart', {
        contentBlockIndex: 1,
        start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'ping' } },
      }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{}' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('messageStop', { stopReason: 'tool_use' }),
      metadata(40, 12),
    ]),
    expect: { ok: true, tokens: { input: 40, output: 12 } },
  },
  {
    id: 'bedrock-stream-model-stream-error-original',
    vendor: 'bedrock',
    source: `${SDK_ERRORS} (ModelStreamErrorException.originalStatusCode/originalMessage); ${CONVERSE}`,
    check: 'completion',
    response: eventStream([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Po' } }),
      exception('modelStreamErrorException', {
        message: 'An error occurred while streaming the response. Retry your request.',
        originalStatusCode: 429,
        originalMessage: 'Too many tokens, please wait before trying again.',
      }),
    ]),
    expect: {
      ok: false,
      errorClass: 'server_error',
      requestId: REQUEST_ID,
      messageIncludes: [
        'the model answered HTTP 429',
        'Too many tokens, please wait before trying again.',
      ],
    },
  },
  {
    id: 'bedrock-stream-throttling-exception',
    vendor: 'bedrock',
    source: CONVERSE,
    check: 'completion',
    response: eventStream([
      event('messageStart', { role: 'assistant' }),
      exception('throttlingException', {
        message: 'Too many requests, please wait before trying again.',
      }),
    ]),
    expect: { ok: false, errorClass: 'rate_limited' },
  },
  {
    id: 'bedrock-stream-service-unavailable-exception',
    vendor: 'bedrock',
    source: CONVERSE,
    check: 'completion',
    response: eventStream([
      exception('serviceUnavailableException', {
        message: 'Bedrock is unable to process your request.',
      }),
    ]),
    expect: { ok: false, errorClass: 'server_error' },
  },
];
