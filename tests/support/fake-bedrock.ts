import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { embeddingSource, type FakeEmbedding } from './fake-embedding.js';
import {
  type FakeReply,
  type FakeRequest,
  jsonReply,
  type ReplyPart,
  startVendorFake,
  type VendorFake,
  type VendorFault,
} from './fake-http.js';

/** Options for {@link startFakeBedrock}. */
export interface FakeBedrockOptions {
  /** The region signatures must be scoped to. */
  region: string;
  /** SigV4 credentials the fake verifies signatures with. */
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, signed requests must carry it as `x-amz-security-token`. */
  sessionToken?: string;
  /** A Bedrock API key accepted as `Authorization: Bearer`. */
  apiKey?: string;
  /** Foundation model ids (default: a Claude Haiku and a Nova Micro id). */
  models?: string[];
  /** Embedding model ids InvokeModel serves (default {@link BEDROCK_EMBEDDING_MODELS}). */
  embeddingModels?: string[];
  /** The vector InvokeModel answers (default 1024 numbers, Titan v2's length; seed 1). */
  embedding?: FakeEmbedding;
}

/** A fake Bedrock; `setEmbedding` changes the vector embedding models answer. */
export type FakeBedrock = VendorFake & { setEmbedding(embedding: FakeEmbedding): void };

/** The default embedding model ids: Titan Text Embeddings V2 and two Cohere Embed models. */
export const BEDROCK_EMBEDDING_MODELS = [
  'amazon.titan-embed-text-v2:0',
  'cohere.embed-english-v3',
  'cohere.embed-v4:0',
] as const;

/**
 * One InvokeModel of an embedding model, in its family's shapes. Titan Text Embeddings V2
 * (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html):
 * `{inputText}` → `{embedding, inputTextTokenCount, embeddingsByType: {float}}`. Cohere Embed
 * (…/model-parameters-embed.html): `{texts, input_type, embedding_types?}` →
 * `{id, embeddings: {float: [[…]]}, response_type: "embeddings_by_type", texts}`, or
 * `embeddings: [[…]]` with `response_type: "embeddings_floats"` without embedding types.
 * Every InvokeModel answer carries `x-amzn-bedrock-input-token-count`.
 */
function invokeEmbedding(id: string, req: FakeRequest, vector: number[]): FakeReply {
  const headers = {
    'x-amzn-requestid': '2a0b6a56-fake',
    'x-amzn-bedrock-invocation-latency': '31',
    'x-amzn-bedrock-input-token-count': '12',
  };
  if (id.startsWith('amazon.titan-embed')) {
    if (typeof req.json?.inputText !== 'string') {
      return awsError(
        'ValidationException',
        'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.',
      );
    }
    return jsonReply(
      200,
      { embedding: vector, inputTextTokenCount: 12, embeddingsByType: { float: vector } },
      headers,
    );
  }
  const texts = req.json?.texts;
  if (!Array.isArray(texts) || typeof req.json?.input_type !== 'string') {
    return awsError(
      'ValidationException',
      'Malformed input request: #: required key [input_type] not found, please reformat your input and try again.',
    );
  }
  const byType = Array.isArray(req.json?.embedding_types);
  return jsonReply(
    200,
    {
      id: '5b2e0f7c-fake',
      embeddings: byType ? { float: texts.map(() => vector) } : texts.map(() => vector),
      response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
      texts,
    },
    headers,
  );
}

/** The default foundation model ids. */
export const BEDROCK_MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'amazon.nova-micro-v1:0',
] as const;

// Documented status per exception name.
const STATUS_OF: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

const NAME_OF: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

const MESSAGES: Readonly<Record<string, string>> = {
  ValidationException:
    'Malformed input request: #: required key [messages] not found, please reformat your input and try again.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  UnrecognizedClientException: 'The security token included in the request is invalid.',
  ResourceNotFoundException:
    'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
  ModelTimeoutException: 'Model has timed out in processing the request. Try your request again.',
  ModelErrorException:
    'The system encountered an unexpected error during processing. Try your request again.',
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready for inference. Wait and try your request again.',
  InternalServerException: 'The server encountered an internal error while processing the request.',
  ServiceUnavailableException: 'Bedrock is unable to process your request.',
};

/** An AWS REST-JSON error: `{"message"}` with the type in `x-amzn-errortype`. */
function awsError(name: string, message?: string, status?: number): FakeReply {
  return jsonReply(
    status ?? STATUS_OF[name] ?? 400,
    { message: message ?? MESSAGES[name] ?? name },
    {
      'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': '2a0b6a56-fake',
    },
  );
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function amzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
}

/** Verifies the request's credentials as Bedrock would; undefined when they are good. */
async function verify(
  req: FakeRequest,
  opts: FakeBedrockOptions,
  port: number,
): Promise<FakeReply | undefined> {
  const auth = req.headers.authorization;
  if (auth === undefined)
    return awsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (auth.startsWith('Bearer ')) {
    return opts.apiKey !== undefined && auth.slice(7) === opts.apiKey
      ? undefined
      : awsError(
          'UnrecognizedClientException',
          'Authentication failed: Please make sure your API Key is valid.',
        );
  }
  const m = AUTHORIZATION.exec(auth);
  if (!m)
    return awsError(
      'InvalidSignatureException',
      'Authorization header requires a valid Credential, SignedHeaders and Signature.',
    );
  const [, accessKeyId, , region, service, signedHeaders = '', signature] = m;
  if (accessKeyId !== opts.accessKeyId) return awsError('UnrecognizedClientException');
  if (service !== 'bedrock') {
    return awsError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: 'bedrock'.`,
    );
  }
  if (region !== opts.region) {
    return awsError('InvalidSignatureException', `Credential should be scoped to a valid region.`);
  }
  if (
    opts.sessionToken !== undefined &&
    req.headers['x-amz-security-token'] !== opts.sessionToken
  ) {
    return awsError('UnrecognizedClientException');
  }
  const signingDate = amzDate(req.headers['x-amz-date']);
  if (signingDate === undefined) return awsError('InvalidSignatureException', 'missing x-amz-date');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = req.headers[name] ?? '';
  const query: Record<string, string> = {};
  for (const [name, value] of req.url.searchParams) query[name] = value;
  const signer = new SignatureV4({
    service: 'bedrock',
    region: opts.region,
    credentials: {
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      ...(opts.sessionToken === undefined ? {} : { sessionToken: opts.sessionToken }),
    },
    sha256: Sha256,
  });
  const expected = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: req.url.pathname,
      query,
      headers,
      ...(req.body === '' ? {} : { body: req.body }),
    },
    { signingDate },
  );
  const want = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization ?? '')?.[1];
  if (want === signature) return undefined;
  // Like AWS, the message quotes the canonical request, signed header values included.
  const canonical = Object.entries(headers)
    .map(([k, v]) => `${k}:${v}`)
    .join('\n');
  return awsError(
    'InvalidSignatureException',
    `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${req.method}\n${req.url.pathname}\n\n${canonical}\n\n${signedHeaders}'`,
  );
}

function converseStream(
  codec: EventStreamCodec,
  req: FakeRequest,
  fault: VendorFault | undefined,
): FakeReply {
  const frame = (type: string, payload: unknown): Uint8Array =>
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      // Bedrock pads event payloads (`p`) so their sizes do not leak the content.
      body: fromUtf8(
        JSON.stringify({ ...(payload as object), p: 'abcdefghijklmnopqrstuvwxyzABCD' }),
      ),
    });
  const exception = (type: string, message: string): Uint8Array =>
    codec.encode({
      headers: {
        ':exception-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'exception' },
      },
      body: fromUtf8(JSON.stringify({ message })),
    });
  const parts: ReplyPart[] = [{ data: frame('messageStart', { role: 'assistant' }) }];
  if (fault?.emptyCompletion) {
    parts.push({
      data: frame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { text: 'hmm' } },
      }),
    });
  } else {
    const delta = frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Pong' } });
    if (fault?.malformed) {
      // A flipped bit in the message CRC: the frame no longer checks out.
      delta[delta.byteLength - 1] = (delta[delta.byteLength - 1] ?? 0) ^ 0xff;
    }
    parts.push({ data: delta, delayMs: fault?.firstTokenDelayMs });
  }
  if (fault?.streamError) {
    const type = fault.streamErrorCode ?? 'throttlingException';
    parts.push({ data: exception(type, `${type} while streaming`) });
  } else {
    const budget = (req.json?.inferenceConfig as { maxTokens?: unknown } | undefined)?.maxTokens;
    parts.push(
      { data: frame('contentBlockStop', { contentBlockIndex: 0 }) },
      { data: frame('messageStop', { stopReason: budget === 1 ? 'max_tokens' : 'end_turn' }) },
      {
        data: frame('metadata', {
          usage: { inputTokens: 8, outputTokens: 1, totalTokens: 9 },
          metrics: { latencyMs: 42 },
        }),
      },
    );
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': '2a0b6a56-fake',
    },
    parts,
  };
}

/**
 * A fake Amazon Bedrock on 127.0.0.1, control plane and runtime on one port:
 * `GET /foundation-models` (ListFoundationModels) and `POST /model/{id}/converse-stream`
 * answered in AWS event-stream binary frames (Smithy's codec). Requests must be SigV4-signed
 * for service `bedrock` in the configured region (verified by re-signing with the same
 * library) or carry the Bedrock API key as Bearer. Errors are `{"message"}` with
 * `x-amzn-errortype`; an unknown model id on the runtime is 400 ValidationException.
 */
export function startFakeBedrock(opts: FakeBedrockOptions): Promise<FakeBedrock> {
  const models: readonly string[] = opts.models ?? BEDROCK_MODELS;
  const embeddingModels: readonly string[] = opts.embeddingModels ?? BEDROCK_EMBEDDING_MODELS;
  const vector = embeddingSource(1024, opts.embedding);
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let port = 0;
  const started = startVendorFake({
    route(method, pathname) {
      if (method === 'GET' && pathname === '/foundation-models') return 'models';
      if (method === 'POST' && pathname.endsWith('/invoke')) return 'embeddings';
      if (method === 'POST' && pathname.startsWith('/model/')) return 'completion';
      return undefined;
    },
    async answer(req, fault) {
      if (fault?.errorCode !== undefined) {
        return awsError(fault.errorCode, undefined, fault.status);
      }
      if (fault?.status !== undefined)
        return awsError(
          NAME_OF[fault.status] ?? 'InternalServerException',
          undefined,
          fault.status,
        );
      const denied = await verify(req, opts, port);
      if (denied) return denied;
      const path = req.url.pathname;
      if (req.method === 'GET' && path === '/foundation-models') {
        const body = {
          modelSummaries: models.map((modelId) => ({
            modelArn: `arn:aws:bedrock:${opts.region}::foundation-model/${modelId}`,
            modelId,
            modelName: modelId,
            providerName: modelId.split('.')[0],
            inputModalities: ['TEXT'],
            outputModalities: ['TEXT'],
            responseStreamingSupported: true,
            inferenceTypesSupported: ['ON_DEMAND'],
            modelLifecycle: { status: 'ACTIVE' },
          })),
        };
        if (fault?.malformed)
          return { ...jsonReply(200, {}), parts: [{ data: JSON.stringify(body).slice(0, 40) }] };
        return jsonReply(200, body);
      }
      const invoke = /^\/model\/([^/]+)\/invoke$/.exec(path);
      if (req.method === 'POST' && invoke) {
        const id = decodeURIComponent(invoke[1] ?? '').replace(/^(?:us|eu|apac)\./, '');
        if (!embeddingModels.includes(id)) {
          return awsError('ValidationException', 'The provided model identifier is invalid.');
        }
        return invokeEmbedding(id, req, vector.vector());
      }
      const m = /^\/model\/([^/]+)\/converse-stream$/.exec(path);
      if (req.method === 'POST' && m) {
        const id = decodeURIComponent(m[1] ?? '');
        if (!models.includes(id.replace(/^(?:us|eu|apac)\./, ''))) {
          return awsError('ValidationException', 'The provided model identifier is invalid.');
        }
        return converseStream(codec, req, fault);
      }
      return awsError('UnknownOperationException', 'Unknown operation', 404);
    },
  });
  return started.then((fake) => {
    port = fake.port;
    return { ...fake, setEmbedding: (e: FakeEmbedding) => vector.set(e) };
  });
}
