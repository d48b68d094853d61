import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { CanarySpec } from '../canary/types.js';
import { describeValue, expecting, httpUrl, secret } from '../config/fields.js';
import type { DependencyConfig } from '../config/types.js';
import { type AnswerBuilder, readCanaryStream } from '../probes/canary-stream.js';
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
} from '../probes/classify.js';
import { EMBEDDING_TEXT, type EmbeddingAnswer, runEmbeddingsCheck } from '../probes/embeddings.js';
import {
  type EventStreamMessage,
  type FrameDecoder,
  readEventStream,
} from '../probes/eventstream.js';
import {
  eventObject,
  isClassification,
  isResult,
  noteText,
  readBody,
  runStreamedCompletion,
  send,
} from '../probes/exchange.js';
import { isRecord, listedStrings, num } from '../probes/json.js';
import { llmProbe } from '../probes/llm-probe.js';
import {
  claudeThinking,
  type ReasoningMapping,
  reasoningFields,
  reasoningIssues,
  reasoningPlan,
  reservedTokens,
  temperatureAllowed,
} from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from '../probes/types.js';
import type { HttpRequest, HttpResponse } from '../transport/http-client.js';
import {
  type CanaryAdapter,
  defineVendor,
  type VendorConfigIssue,
  type VendorResolved,
  type VendorResolveInput,
} from './types.js';

/** Bedrock's own keys, resolved: the region signed for, SigV4 credentials, the control plane. */
interface BedrockOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Base URL of the control plane that answers ListFoundationModels. */
  controlPlaneUrl?: string;
}

const optionsOf = (dep: DependencyConfig): BedrockOptions => dep.options as BedrockOptions;

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
  const o = optionsOf(dep);
  if (o.accessKeyId === undefined || o.secretAccessKey === undefined || !o.region) {
    return { kind: 'none' };
  }
  const credentials = {
    accessKeyId: o.accessKeyId,
    secretAccessKey: o.secretAccessKey,
    ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }),
  };
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: o.region,
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
  return listedStrings(body, 'modelSummaries', 'modelId');
}

function controlPlane(dep: DependencyConfig): string {
  const o = optionsOf(dep);
  return (o.controlPlaneUrl ?? controlPlaneFor(o.region ?? 'us-east-1')).replace(/\/+$/, '');
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
          `model ${model} is not in ListFoundationModels (${ids.length} models listed in ${optionsOf(dep).region ?? 'this region'})`,
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

/** An exception frame inside a 200 stream, classified by its name, message and original status. */
function exceptionFrame(msg: EventStreamMessage, scrub: Scrubber): Classification {
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

/**
 * A ConverseStream's events, or the Classification that ends it: an exception frame (not
 * once the stream is `done`) or an event body that is no JSON object. Once done, only
 * `metadata` still comes through: usage arrives there, after the terminal messageStop.
 * Shared by the completion check and the canary reader.
 */
async function* converseEvents(
  res: HttpResponse,
  codec: FrameDecoder,
  scrub: Scrubber,
  done: () => boolean,
): AsyncGenerator<{ type: string | undefined; data: Record<string, unknown> } | Classification> {
  for await (const msg of readEventStream(res.body, codec, { maxBytes: MAX_STREAM_BYTES })) {
    const kind = msg.headers[':message-type'];
    if (kind === 'exception' || kind === 'error') {
      if (done()) continue;
      yield exceptionFrame(msg, scrub);
      return;
    }
    const type = msg.headers[':event-type'];
    if (kind !== 'event' || (done() && type !== 'metadata')) continue;
    const data = eventObject(msg.body);
    yield isClassification(data) ? data : { type, data };
    if (isClassification(data)) return;
  }
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
    for await (const ev of converseEvents(res, codec, scrub, () => summary.done)) {
      if (isClassification(ev)) return ev;
      const { type, data } = ev;
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
        // `metadata` has usage, metrics and trace but, like every ConverseStream event, no
        // model name: Bedrock dependencies report no servedModel.
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

// Claude on Bedrock, by foundation model id (an inference-profile prefix dropped first).
const CLAUDE_ON_BEDROCK = /^anthropic\.claude/;

/**
 * Bedrock's reasoning control for a level: Claude takes Anthropic's `thinking` object in
 * Converse's `additionalModelRequestFields` (the model-specific pass-through of
 * `ConverseStreamRequest`), its budget on top of `inferenceConfig.maxTokens`. Other model
 * families (Nova, DeepSeek, Llama, …) are not mapped: rejected, nothing is sent.
 */
export const bedrockReasoning: ReasoningMapping = (model, level) => {
  const id = foundationModelId(model);
  if (CLAUDE_ON_BEDROCK.test(id)) {
    const plan = claudeThinking(level);
    return 'fields' in plan
      ? { ...plan, fields: { additionalModelRequestFields: plan.fields } }
      : plan;
  }
  const family = id.startsWith('arn:') ? 'a model ARN' : `model family ${id.split('.')[0] || id}`;
  return {
    rejected: `reasoning on bedrock is sent to Anthropic Claude models only (additionalModelRequestFields.thinking); ${family} takes no reasoning control from Bellwether, leave reasoning out`,
  };
};

/**
 * The Converse fields of a request whose answer may use `budget` tokens: `inferenceConfig`
 * (maxTokens raised by any thinking budget; `rest` such as temperature unless thinking is
 * on, which Claude refuses with a changed temperature) and the model's reasoning fields.
 */
function converseConfig(
  dep: DependencyConfig,
  budget: number,
  rest: Record<string, unknown> = {},
): Record<string, unknown> {
  const plan = reasoningPlan(dep, bedrockReasoning);
  const reserve = reservedTokens(plan);
  return {
    inferenceConfig: { maxTokens: budget + reserve, ...(temperatureAllowed(plan) ? rest : {}) },
    ...reasoningFields(plan),
  };
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
    ...converseConfig(dep, dep.maxTokens),
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

/** The embedding model families whose InvokeModel bodies the embeddings check knows. */
type EmbeddingFamily = 'titan' | 'cohere';

/**
 * The family of an embedding model id, an inference profile (`us.cohere.embed-v4:0`) or an
 * ARN ending in one; undefined for any other model.
 */
export function embeddingFamily(model: string): EmbeddingFamily | undefined {
  const id = foundationModelId(model.slice(model.lastIndexOf('/') + 1));
  if (id.startsWith('amazon.titan-embed-')) return 'titan';
  if (id.startsWith('cohere.embed-')) return 'cohere';
  return undefined;
}

const EMBEDDING_FAMILIES_TEXT =
  'an Amazon Titan (amazon.titan-embed-…) or Cohere (cohere.embed-…) embedding model';

/**
 * Titan Text Embeddings (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html):
 * `{inputText}` in, `{embedding, inputTextTokenCount, embeddingsByType}` out. Cohere Embed
 * (…/model-parameters-embed.html): `{texts, input_type, embedding_types}` in,
 * `{embeddings: {float: [[…]]}}` (or, without embedding types, `{embeddings: [[…]]}`) out; its
 * tokens come only in the `x-amzn-bedrock-input-token-count` header every InvokeModel answer has.
 */
function embeddingBody(family: EmbeddingFamily): unknown {
  return family === 'titan'
    ? { inputText: EMBEDDING_TEXT }
    : { texts: [EMBEDDING_TEXT], input_type: 'search_query', embedding_types: ['float'] };
}

function readEmbedding(
  family: EmbeddingFamily,
  body: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
): EmbeddingAnswer {
  const counted = Number(headers['x-amzn-bedrock-input-token-count'] ?? Number.NaN);
  const headerTokens = Number.isInteger(counted) && counted >= 0 ? counted : undefined;
  let vector: unknown;
  let inputTokens = headerTokens;
  if (family === 'titan') {
    vector = body.embedding;
    inputTokens = num(body.inputTextTokenCount) ?? headerTokens;
  } else {
    const list = isRecord(body.embeddings) ? body.embeddings.float : body.embeddings;
    vector = Array.isArray(list) ? list[0] : undefined;
  }
  return { vector, inputTokens };
}

/**
 * Embeds the fixed text with one InvokeModel (`POST {baseUrl}/model/{embeddingModel}/invoke`),
 * in the body its family takes, signed like the other requests.
 */
async function embeddingsCheck(
  dep: DependencyConfig,
  k: KeyedDependency & { dep: Pick<DependencyConfig, 'embeddingModel'> },
  { auth }: Aws,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const family = embeddingFamily(dep.embeddingModel ?? '');
  const base = dep.baseUrl.replace(/\/+$/, '');
  const result = await runEmbeddingsCheck(
    {
      request: (model) =>
        family === undefined
          ? failed('embeddings', 0, {
              errorClass: 'bad_request',
              message: k.scrub(
                `embeddingModel ${model} is not ${EMBEDDING_FAMILIES_TEXT}: its request body is unknown`,
              ),
            })
          : signOrFail(
              'embeddings',
              {
                method: 'POST',
                url: `${base}/model/${encodeURIComponent(model)}/invoke`,
                headers: { 'content-type': 'application/json', accept: 'application/json' },
                body: JSON.stringify(embeddingBody(family)),
              },
              auth,
              k.scrub,
            ),
      read: (body, headers) => readEmbedding(family ?? 'titan', body, headers),
      modelRoute: true,
    },
    k,
    ctx,
  );
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
  // httpFailure reads "no key" from `apiKey`; SigV4 keys count as credentials too. The
  // embeddings check reads its model from here.
  const k: KeyedDependency & { dep: Pick<DependencyConfig, 'embeddingModel'> } = {
    dep: {
      ...(aws.auth.kind === 'none' ? { apiKeyEnv: dep.apiKeyEnv } : { apiKey: 'configured' }),
      embeddingModel: dep.embeddingModel,
    },
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
    embeddings: (ctx) => embeddingsCheck(dep, k, aws, ctx),
  });
}

const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const awsRegion = () =>
  expecting('an AWS region').refine((s) => AWS_REGION.test(s), {
    error: (iss) => `expected an AWS region like us-east-1, got ${describeValue(iss.input)}`,
  });

/** The control plane (ListFoundationModels) of a region. */
const controlPlaneFor = (region: string): string => `https://bedrock.${region}.amazonaws.com`;

/** The region in a Bedrock runtime URL (`https://bedrock-runtime.us-east-1.amazonaws.com`, FIPS and VPC endpoints included). */
export function regionFromBedrockUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const region = /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\./.exec(host)?.[1];
  return region !== undefined && AWS_REGION.test(region) ? region : undefined;
}

const CREDENTIAL_KEYS = ['accessKeyId', 'secretAccessKey', 'sessionToken'] as const;

// The embeddings check builds its body per model family: another model would be sent one it rejects.
function embeddingModelIssues(dep: Readonly<Record<string, unknown>>): VendorConfigIssue[] {
  const model = dep.embeddingModel;
  if (typeof model !== 'string' || model === '' || embeddingFamily(model) !== undefined) return [];
  return [
    {
      key: 'embeddingModel',
      message: `expected ${EMBEDDING_FAMILIES_TEXT} like amazon.titan-embed-text-v2:0 or cohere.embed-v4:0, got ${describeValue(model)}`,
      at: 'value',
    },
  ];
}

/**
 * Region, control plane and credentials. With neither an API key nor a complete SigV4 pair,
 * the variable reported missing is the unset one of the pair, so the report says which.
 */
function resolveBedrock({ raw, apiKey, credentialEnv }: VendorResolveInput): VendorResolved {
  const given = (key: string): string | undefined => {
    const value = raw[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const baseUrl = given('baseUrl');
  const region =
    given('region') ?? (baseUrl === undefined ? undefined : regionFromBedrockUrl(baseUrl));
  const options: BedrockOptions = {};
  if (region !== undefined) options.region = region;
  const controlPlaneUrl =
    given('controlPlaneUrl') ?? (region === undefined ? undefined : controlPlaneFor(region));
  if (controlPlaneUrl !== undefined) options.controlPlaneUrl = controlPlaneUrl.replace(/\/+$/, '');
  for (const key of CREDENTIAL_KEYS) {
    const value = given(key);
    if (value !== undefined) options[key] = value;
  }
  const resolved: VendorResolved = {
    options: options as Record<string, unknown>,
    ...(region === undefined ? {} : { baseUrl: `https://bedrock-runtime.${region}.amazonaws.com` }),
  };
  const sigv4Written =
    raw.accessKeyId !== undefined ||
    raw.secretAccessKey !== undefined ||
    credentialEnv.has('accessKeyId') ||
    credentialEnv.has('secretAccessKey');
  const complete =
    apiKey !== undefined ||
    (options.accessKeyId !== undefined && options.secretAccessKey !== undefined);
  if (complete || !sigv4Written) return resolved;
  const missing = (['accessKeyId', 'secretAccessKey'] as const)
    .filter((key) => options[key] === undefined)
    .map((key) => credentialEnv.get(key))
    .find((name) => name !== undefined);
  return { ...resolved, missingCredentialEnv: missing ?? null };
}

/** Amazon Bedrock: SigV4 (or a Bedrock API key), ListFoundationModels and ConverseStream. */
export const bedrock = defineVendor({
  id: 'bedrock',
  displayName: 'AWS Bedrock',
  genAiProvider: 'aws.bedrock',
  configKeys: {
    region: awsRegion().optional(),
    accessKeyId: secret().optional(),
    secretAccessKey: secret().optional(),
    sessionToken: secret().optional(),
    controlPlaneUrl: httpUrl().optional(),
  },
  credentialKeys: CREDENTIAL_KEYS,
  embeddingExample: 'amazon.titan-embed-text-v2:0',
  // A Bedrock API key, or both halves of a SigV4 key pair.
  hasCredentials: (dep) => authOf(dep).kind !== 'none',
  checkConfig(dep) {
    const issues = embeddingModelIssues(dep);
    const regionKnown =
      dep.region !== undefined ||
      (typeof dep.baseUrl === 'string' && regionFromBedrockUrl(dep.baseUrl) !== undefined);
    const reasoning = reasoningIssues(dep, bedrockReasoning);
    if (regionKnown) return [...reasoning, ...issues];
    return [
      ...reasoning,
      {
        message:
          'missing required key "region" (vendor bedrock signs for an AWS region like us-east-1; a bedrock-runtime baseUrl also names it)',
        at: 'parent',
      },
      ...issues,
    ];
  },
  resolve: resolveBedrock,
  createProbe: createBedrockProbe,
  canary: { request: bedrockCanaryRequest, read: readBedrockCanary },
});

// ---- Security canaries ---------------------------------------------------------------------

/**
 * One ConverseStream (aws/aws-sdk-js-v3 clients/client-bedrock-runtime/src/models/models_0.ts,
 * `ConverseStreamRequest`): `system: [{text}]`, `inferenceConfig.{maxTokens, temperature}`
 * (Converse has no seed; a model's own seed would go in model-specific
 * `additionalModelRequestFields`), tools as
 * `toolConfig.tools: [{toolSpec: {name, description, inputSchema: {json}}}]`. Signed like
 * the probe's requests (SigV4 for service `bedrock`, or the Bedrock API key as Bearer).
 */
async function bedrockCanaryRequest(dep: DependencyConfig, canary: CanarySpec) {
  const tools = canary.tools?.map((t) => ({
    toolSpec: {
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      inputSchema: { json: t.parameters },
    },
  }));
  const payload = {
    messages: [{ role: 'user', content: [{ text: canary.prompt }] }],
    ...(canary.system === undefined ? {} : { system: [{ text: canary.system }] }),
    ...converseConfig(dep, canary.maxTokens, { temperature: 0 }),
    ...(tools === undefined || tools.length === 0 ? {} : { toolConfig: { tools } }),
  };
  return authorize(
    {
      method: 'POST',
      url: `${dep.baseUrl.replace(/\/+$/, '')}/model/${encodeURIComponent(dep.model ?? '')}/converse-stream`,
      headers: {
        'content-type': 'application/json',
        accept: 'application/vnd.amazon.eventstream',
      },
      body: JSON.stringify(payload),
    },
    authOf(dep),
  );
}

/**
 * Stop reasons that mean a safety system withheld the answer (same SDK,
 * src/models/enums.ts `StopReason`): `guardrail_intervened` (a Bedrock guardrail) and
 * `content_filtered` (the model provider's filter). The reason names the value.
 */
const BEDROCK_REFUSALS = new Set(['guardrail_intervened', 'content_filtered']);

/**
 * One ConverseStream event into the answer (`ConverseStreamOutput`):
 * `contentBlockStart.start.toolUse {toolUseId, name}` opens a tool call at
 * `contentBlockIndex`; `contentBlockDelta.delta` carries `text` or `toolUse.input`, the
 * call's input JSON in fragments (reasoning deltas are not the answer); `messageStop.stopReason`
 * ends it; `metadata.usage` follows the stop.
 */
function readConverseEvent(
  type: string | undefined,
  data: Record<string, unknown>,
  answer: AnswerBuilder,
): void {
  const index = typeof data.contentBlockIndex === 'number' ? data.contentBlockIndex : 0;
  if (type === 'contentBlockStart' && isRecord(data.start) && isRecord(data.start.toolUse)) {
    const name = data.start.toolUse.name;
    answer.startToolCall(index, typeof name === 'string' ? name : undefined);
  } else if (type === 'contentBlockDelta' && isRecord(data.delta)) {
    const { text, toolUse } = data.delta;
    if (typeof text === 'string') answer.addText(text);
    if (isRecord(toolUse) && typeof toolUse.input === 'string') {
      answer.addToolArguments(index, toolUse.input);
    }
  } else if (type === 'messageStop') {
    answer.done = true;
    if (typeof data.stopReason === 'string' && BEDROCK_REFUSALS.has(data.stopReason)) {
      answer.refusal = data.stopReason;
    }
  } else if (type === 'metadata' && isRecord(data.usage)) {
    answer.tokens = {
      input: num(data.usage.inputTokens) ?? 0,
      output: num(data.usage.outputTokens) ?? 0,
    };
  }
}

function readBedrockCanary(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
): ReturnType<CanaryAdapter['read']> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  return readCanaryStream(res, ctx, scrub, 'messageStop', async (answer) => {
    for await (const ev of converseEvents(res, codec, scrub, () => answer.done)) {
      if (isClassification(ev)) return ev;
      readConverseEvent(ev.type, ev.data, answer);
    }
    return undefined;
  });
}
