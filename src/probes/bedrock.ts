import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { DependencyConfig } from '../config/types.js';
import type { HttpRequest, HttpResponse } from '../transport/http-client.js';
import {
  type Classification,
  classifyStreamError,
  classifyThrown,
  type ExchangePhase,
  failed,
  httpFailure,
  type KeyedDependency,
  MAX_STREAM_BYTES,
  type StreamSummary,
  skippedNoKey,
  type VendorRules,
} from './classify.js';
import { type FrameDecoder, readEventStream } from './eventstream.js';
import {
  eventObject,
  isClassification,
  isResult,
  noteText,
  readBody,
  runStreamedCompletion,
  send,
} from './exchange.js';
import { isRecord, num } from './json.js';
import { llmProbe } from './lifecycle.js';
import type { Scrubber } from './scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

// Runtime and control plane both sign with the service name `bedrock` (not `bedrock-runtime`).
const SIGNING_SERVICE = 'bedrock';
// Cross-region inference profiles prefix a foundation model id with a geography.
const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|ca|jp|au|global)\./;

type Auth =
  | { kind: 'bearer'; token: string }
  | { kind: 'sigv4'; signer: SignatureV4 }
  | { kind: 'none' };

/** How a Bedrock probe talks: its credentials and its event-stream codec. */
interface Aws {
  auth: Auth;
  codec: FrameDecoder;
}

type Unsigned = Omit<HttpRequest, 'signal'>;

// A Bedrock API key wins over SigV4 keys when both are set, as in the AWS SDKs.
function authOf(dep: DependencyConfig): Auth {
  if (dep.apiKey !== undefined) return { kind: 'bearer', token: dep.apiKey };
  if (dep.accessKeyId === undefined || dep.secretAccessKey === undefined || !dep.region) {
    return { kind: 'none' };
  }
  const credentials = {
    accessKeyId: dep.accessKeyId,
    secretAccessKey: dep.secretAccessKey,
    ...(dep.sessionToken === undefined ? {} : { sessionToken: dep.sessionToken }),
  };
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: dep.region,
    credentials,
    sha256: Sha256,
  });
  return { kind: 'sigv4', signer };
}

/** The request with its credentials: a Bearer header, a SigV4 signature, or nothing. */
async function authorize(req: Unsigned, auth: Auth): Promise<Unsigned> {
  if (auth.kind === 'none') return req;
  if (auth.kind === 'bearer') {
    return { ...req, headers: { ...req.headers, authorization: `Bearer ${auth.token}` } };
  }
  const url = new URL(req.url);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  // The path goes in as sent (already percent-encoded); the signer encodes it once more,
  // which is what SigV4 asks of every service but S3.
  const signed = await auth.signer.sign({
    method: req.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query,
    headers: { ...req.headers, host: url.host },
    ...(req.body === undefined ? {} : { body: req.body }),
  });
  return { ...req, headers: signed.headers };
}

/** `us.anthropic.claude-…` (an inference profile) is listed as `anthropic.claude-…`. */
export function foundationModelId(model: string): string {
  return model.replace(PROFILE_PREFIX, '');
}

function modelIds(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.modelSummaries)) return undefined;
  return parsed.modelSummaries.flatMap((m) =>
    isRecord(m) && typeof m.modelId === 'string' ? [m.modelId] : [],
  );
}

function controlPlane(dep: DependencyConfig): string {
  const base = dep.controlPlaneUrl ?? `https://bedrock.${dep.region ?? 'us-east-1'}.amazonaws.com`;
  return base.replace(/\/+$/, '');
}

async function signOrFail(
  check: CheckName,
  req: Unsigned,
  auth: Auth,
  scrub: Scrubber,
): Promise<Unsigned | CheckResult> {
  try {
    return await authorize(req, auth);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return failed(check, 0, {
      errorClass: 'auth',
      message: scrub(`could not sign the request with SigV4: ${reason}`),
    });
  }
}

async function modelsCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  { auth }: Aws,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const { scrub } = k;
  const missing = auth.kind === 'none' ? { credentialsMissing: true } : {};
  const req = await signOrFail(
    'models',
    {
      method: 'GET',
      url: `${controlPlane(dep)}/foundation-models`,
      headers: { accept: 'application/json' },
    },
    auth,
    scrub,
  );
  if ('check' in req) return req;
  const sent = await send('models', req, ctx, scrub, missing);
  if (isResult(sent)) return sent;
  if (sent.res.status < 200 || sent.res.status > 299) {
    return httpFailure('models', sent.res, sent.start, ctx, k);
  }
  const read = await readBody('models', sent, ctx, scrub, missing);
  if (isResult(read)) return read;
  const ids = modelIds(read.text);
  if (ids === undefined) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'GET /foundation-models answered 2xx but the body has no modelSummaries list',
    };
    return failed('models', read.latencyMs, cls, read.facts);
  }
  // An ARN (provisioned throughput, imported or custom model) is not in the foundation list.
  const model = dep.model;
  if (model !== undefined && !model.startsWith('arn:')) {
    const listed = ids.includes(model) || ids.includes(foundationModelId(model));
    if (!listed) {
      const cls: Classification = {
        errorClass: 'model_unavailable',
        message: scrub(
          `model ${model} is not in ListFoundationModels (${ids.length} models listed in ${dep.region ?? 'this region'})`,
        ),
      };
      return failed('models', read.latencyMs, cls, read.facts);
    }
  }
  return { check: 'models', ok: true, latencyMs: read.latencyMs, ...read.facts };
}

// AWS's common errors for any service (docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html)
// that say our credentials are wrong although they come as HTTP 400 (or 403): not a bad request.
const AWS_CREDENTIAL_ERRORS = new Set([
  'notauthorized',
  'incompletesignature',
  'requestexpired',
  'optinrequired',
]);
// AccessDeniedException "You don't have access to the model with the specified model ID.":
// model access is granted per account and region (Bedrock console → Model access). AWS
// files it under access denied, and so do we: auth, with the hint that names the fix.
const MODEL_ACCESS_WORDS = /access to the model/i;

/** How AWS's answers differ from the generic reading. */
const BEDROCK_RULES: VendorRules = {
  refine: (_status, codes, text) => {
    if (codes.some((c) => AWS_CREDENTIAL_ERRORS.has(c))) return { errorClass: 'auth' };
    if (codes.includes('accessdeniedexception') && MODEL_ACCESS_WORDS.test(text)) {
      return { errorClass: 'auth', hint: 'model access not granted in this account and region' };
    }
    return undefined;
  },
};

// An exception frame's JSON body: its message, and what the model itself answered
// (ModelStreamErrorException's originalStatusCode / originalMessage).
function exceptionBody(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed)) {
      const m = parsed.message ?? parsed.Message;
      return { ...parsed, message: typeof m === 'string' ? m : undefined };
    }
  } catch {
    // A non-JSON exception body is its own message.
  }
  return { message: body.trim() === '' ? undefined : body };
}

async function consumeConverseStream(
  res: HttpResponse,
  start: number,
  ctx: ProbeContext,
  scrub: Scrubber,
  codec: FrameDecoder,
): Promise<StreamSummary | Classification> {
  const summary: StreamSummary = { textChunks: 0, done: false };
  let phase: ExchangePhase = 'first token';
  try {
    for await (const msg of readEventStream(res.body, codec, { maxBytes: MAX_STREAM_BYTES })) {
      const kind = msg.headers[':message-type'];
      if (kind === 'exception' || kind === 'error') {
        if (summary.done) continue;
        const type = msg.headers[':exception-type'] ?? msg.headers[':error-code'];
        const body = exceptionBody(msg.body);
        const message = msg.headers[':error-message'] ?? body.message;
        return classifyStreamError(
          {
            type,
            message,
            originalStatusCode: body.originalStatusCode,
            originalMessage: body.originalMessage,
          },
          scrub,
          BEDROCK_RULES,
        );
      }
      const type = msg.headers[':event-type'];
      // Usage arrives in `metadata`, after the terminal messageStop.
      if (kind !== 'event' || (summary.done && type !== 'metadata')) continue;
      const data = eventObject(msg.body);
      if (isClassification(data)) return data;
      if (type === 'contentBlockDelta') {
        // Reasoning deltas (`delta.reasoningContent`) are not the answer's first token.
        const text = isRecord(data.delta) ? data.delta.text : undefined;
        if (typeof text === 'string' && text !== '' && noteText(summary, ctx.now() - start)) {
          phase = 'stream end';
        }
      } else if (type === 'messageStop') {
        summary.done = true;
        summary.doneMs = ctx.now() - start;
      } else if (type === 'metadata' && isRecord(data.usage)) {
        const input = num(data.usage.inputTokens);
        const output = num(data.usage.outputTokens);
        if (input !== undefined || output !== undefined) {
          summary.tokens = { input: input ?? 0, output: output ?? 0 };
        }
      }
    }
  } catch (err) {
    if (!summary.done) return classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase });
  }
  return summary;
}

// Bedrock answers an unknown model id on the runtime with 400 ValidationException.
function unknownModelIsUnavailable(result: CheckResult): CheckResult {
  if (result.errorClass !== 'bad_request') return result;
  return /model identifier is invalid/i.test(result.message ?? '')
    ? { ...result, errorClass: 'model_unavailable' }
    : result;
}

async function completionCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  { auth, codec }: Aws,
  ctx: ProbeContext,
): Promise<CheckResult> {
  if (auth.kind === 'none') return skippedNoKey('completion', dep.apiKeyEnv);
  if (dep.model === undefined) {
    return failed('completion', 0, {
      errorClass: 'bad_request',
      message: 'no model configured for the completion check',
    });
  }
  const payload = {
    messages: [{ role: 'user', content: [{ text: 'ping' }] }],
    inferenceConfig: { maxTokens: dep.maxTokens },
  };
  const base = dep.baseUrl.replace(/\/+$/, '');
  const req = await signOrFail(
    'completion',
    {
      method: 'POST',
      url: `${base}/model/${encodeURIComponent(dep.model)}/converse-stream`,
      headers: {
        'content-type': 'application/json',
        accept: 'application/vnd.amazon.eventstream',
      },
      body: JSON.stringify(payload),
    },
    auth,
    k.scrub,
  );
  if ('check' in req) return req;
  const result = await runStreamedCompletion({
    ctx,
    keyed: k,
    request: req,
    consume: (res, start) => consumeConverseStream(res, start, ctx, k.scrub, codec),
    terminal: 'messageStop',
    modelRoute: true,
  });
  return unknownModelIsUnavailable(result);
}

/**
 * Probe for Amazon Bedrock. Credentials: a Bedrock API key (`apiKey`, sent as Bearer) or
 * SigV4 keys (`accessKeyId`, `secretAccessKey`, optional `sessionToken`) signed for service
 * `bedrock` in `region`. `models`: ListFoundationModels (`GET {controlPlaneUrl}/foundation-models`,
 * zero tokens) must list the model (an inference-profile prefix such as `us.` is dropped
 * first; ARNs are not checked). `completion`: one ConverseStream
 * (`POST {baseUrl}/model/{id}/converse-stream`, `inferenceConfig.maxTokens` = the budget),
 * read as AWS event-stream binary frames: TTFT is the first `contentBlockDelta` with text,
 * `messageStop` ends it and `metadata` carries the tokens. Error types come from
 * `x-amzn-errortype` or the body, and in-stream exception frames are classified by name
 * (ThrottlingException → rate_limited, ModelNotReadyException → overloaded,
 * ModelTimeoutException → timeout, ServiceUnavailableException → server_error unless it
 * says overloaded, ResourceNotFoundException → model_unavailable).
 */
export function createBedrockProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const aws: Aws = { auth: authOf(dep), codec: new EventStreamCodec(toUtf8, fromUtf8) };
  // httpFailure reads "no key" from `apiKey`; SigV4 keys count as credentials too.
  const k: KeyedDependency = {
    dep: aws.auth.kind === 'none' ? { apiKeyEnv: dep.apiKeyEnv } : { apiKey: 'configured' },
    scrub,
    keyRequired: true,
    rules: BEDROCK_RULES,
  };
  return llmProbe({
    vendor: 'bedrock',
    dep,
    scrub,
    models: (ctx) => modelsCheck(dep, k, aws, ctx),
    completion: (ctx) => completionCheck(dep, k, aws, ctx),
  });
}
