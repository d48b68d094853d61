import type { DependencyConfig } from '../config/types.js';
import { missingKeyNote } from '../evaluate/verdict.js';
import { HttpClientError, type HttpResponse } from '../transport/http-client.js';
import { isRecord } from './json.js';
import { parseRateLimits } from './ratelimit.js';
import type { Scrubber } from './scrub.js';
import { SseError } from './sse.js';
import type { CheckName, CheckResult, ErrorClass, ErrorReason, ProbeContext } from './types.js';

/** Cap for bodies read whole: model lists and error bodies. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** Cap for a streamed completion body. */
export const MAX_STREAM_BYTES = 4 * 1024 * 1024;

/** The useful part of a vendor's error body, whatever its shape. */
export interface VendorError {
  type?: string;
  /** `error.code` as text (OpenAI `invalid_api_key`, Azure `DeploymentNotFound`, OpenRouter `502`). */
  code?: string;
  message?: string;
}

/** The one error class for a piece of evidence, with a scrubbed human message. */
export interface Classification {
  errorClass: ErrorClass;
  /** Finer cause inside the class, e.g. `billing` for a rate_limited that will not pass by itself. */
  reason?: ErrorReason;
  message: string;
}

/** An HTTP answer that was not what the check wanted. */
export interface HttpEvidence {
  status: number;
  /** The raw body (already capped), when it could be read. */
  body?: string;
  /** The route names the model (`GET /models/{id}`): any 404 there means the model is gone. */
  modelRoute?: boolean;
  /** An error type sent in a header rather than the body (AWS `x-amzn-errortype`). */
  errorType?: string;
}

const MAX_DETAIL_CHARS = 240;

const AUTH_CODES = new Set([
  'authentication_error',
  'permission_error',
  'invalid_api_key',
  'invalid_authentication',
  'unauthorized',
  'unauthenticated',
  'permission_denied',
  'api_key_invalid',
  // AWS (Bedrock) exception names.
  'accessdeniedexception',
  'unrecognizedclientexception',
  'invalidsignatureexception',
  'invalidclienttokenid',
  'expiredtokenexception',
  'missingauthenticationtokenexception',
]);
const BILLING_CODES = new Set([
  'insufficient_quota',
  'billing_error',
  'billing_hard_limit_reached',
  'insufficient_credits',
]);
const RATE_CODES = new Set([
  'rate_limit_exceeded',
  'rate_limit_error',
  'rate_limited',
  'resource_exhausted',
  'too_many_requests',
  'throttlingexception',
  'servicequotaexceededexception',
]);
const OVERLOAD_CODES = new Set([
  'overloaded_error',
  'overloaded',
  'engine_overloaded',
  'server_overloaded',
  'capacity_exceeded',
  // Bedrock: the model is still being loaded; AWS SDKs retry it, so it is load, not a quota.
  'modelnotreadyexception',
]);
const MODEL_CODES = new Set([
  'model_not_found',
  'deploymentnotfound',
  'model_not_available',
  'resourcenotfoundexception',
]);
// Vendor-side failures whatever the status (Bedrock answers ModelErrorException with 424).
const SERVER_CODES = new Set([
  'modelerrorexception',
  'modelstreamerrorexception',
  'internalserverexception',
  'serviceunavailableexception',
]);
const BAD_REQUEST_CODES = new Set([
  'invalid_request_error',
  'invalid_argument',
  'request_too_large',
  'context_length_exceeded',
  'bad_request',
  'validationexception',
]);
// "server busy" is Ollama's queue-full 503.
const OVERLOAD_WORDS = /overload|slow down|capacity|\bbusy\b/i;
const MODEL_GONE_WORDS =
  /\b(?:model|deployment)\b.*\b(?:not found|does not exist|not exist|no such|unknown|not available)\b/i;

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

// Google's `details[]` ErrorInfo `reason` (API_KEY_INVALID) says more than its status (INVALID_ARGUMENT).
function errorInfoReason(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) if (isRecord(d) && str(d.reason)) return str(d.reason);
  return undefined;
}

/**
 * Extracts type, code and message from a parsed error value: OpenAI
 * `{"error":{"message","type","param","code"}}`, Anthropic
 * `{"type":"error","error":{"type","message"}}`, the bare inner object of either (as a
 * stream error carries it), vLLM's flat `{"object":"error","message","type","code"}`,
 * Ollama's `{"error":"…"}`, Mistral/FastAPI `{"message"}`/`{"detail"}`, Google's
 * `{"error":{"code","message","status","details":[{"reason"}]}}` (the reason is the type)
 * and AWS JSON `{"__type":"…#ThrottlingException","Message"}`.
 */
export function vendorErrorFrom(value: unknown): VendorError | undefined {
  if (!isRecord(value)) return undefined;
  const inner = value.error;
  if (isRecord(inner)) {
    const out: VendorError = {};
    const type = str(inner.type) ?? errorInfoReason(inner.details) ?? str(inner.status);
    const code = str(inner.code);
    const message = str(inner.message);
    if (type) out.type = type;
    if (code) out.code = code;
    if (message) out.message = message;
    return out;
  }
  const out: VendorError = {};
  if (typeof inner === 'string' && inner.trim() !== '') out.message = inner;
  const type = str(value.type);
  if (type && type !== 'error') out.type = type;
  const code = str(value.code) ?? str(value.__type)?.split('#').pop();
  if (code) out.code = code;
  out.message ??= str(value.message) ?? str(value.Message);
  if (out.message === undefined) {
    const detail = value.detail;
    if (typeof detail === 'string') out.message = detail;
    else if (Array.isArray(detail) && isRecord(detail[0])) out.message = str(detail[0].msg);
  }
  if (out.message === undefined) delete out.message;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Parses an error body's text; undefined when it is not JSON or carries nothing useful. */
export function parseVendorError(body: string): VendorError | undefined {
  try {
    return vendorErrorFrom(JSON.parse(body));
  } catch {
    return undefined;
  }
}

// Gateways answer with HTML error pages: their title (or their text) is the useful part.
function textOfHtml(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  return title ?? html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
}

// Scrubs first, then shortens: truncating first could cut a secret so it no longer matches.
function detailText(text: string, scrub: Scrubber): string | undefined {
  const scrubbed = scrub(text);
  const flat = (/^\s*</.test(scrubbed) ? textOfHtml(scrubbed) : scrubbed)
    .replace(/\s+/g, ' ')
    .trim();
  if (flat === '') return undefined;
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS - 1)}…` : flat;
}

function decide(
  status: number | undefined,
  ve: VendorError | undefined,
  modelRoute: boolean,
): { errorClass: ErrorClass; reason?: ErrorReason; hint?: string } {
  const codes = [ve?.type, ve?.code]
    .filter((c): c is string => c !== undefined)
    .map((c) => c.toLowerCase());
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const text = ve?.message ?? '';

  if (status === 401 || status === 403 || has(AUTH_CODES)) return { errorClass: 'auth' };
  if (status === 402 || has(BILLING_CODES)) {
    return {
      errorClass: 'rate_limited',
      reason: 'billing',
      hint: 'billing or quota, not transient',
    };
  }
  if ((status === 429 && !has(OVERLOAD_CODES)) || has(RATE_CODES)) {
    return { errorClass: 'rate_limited' };
  }
  if (
    status === 529 ||
    status === 498 ||
    has(OVERLOAD_CODES) ||
    (status === 503 && OVERLOAD_WORDS.test(text))
  ) {
    return { errorClass: 'overloaded' };
  }
  const notFound = status === 404 || status === undefined;
  if (
    has(MODEL_CODES) ||
    (notFound && codes.includes('not_found_error')) ||
    (status === 404 && (modelRoute || MODEL_GONE_WORDS.test(text)))
  ) {
    return { errorClass: 'model_unavailable' };
  }
  if (status === 408) return { errorClass: 'timeout' };
  if (status === undefined) {
    // An error inside a 200 stream: the vendor failed mid-answer unless it says we asked wrong.
    // (Bedrock's in-stream ThrottlingException etc. were matched by name above.)
    return { errorClass: has(BAD_REQUEST_CODES) ? 'bad_request' : 'server_error' };
  }
  if (status >= 500 || has(SERVER_CODES)) return { errorClass: 'server_error' };
  if (status === 404) return { errorClass: 'bad_request', hint: 'wrong baseUrl or path?' };
  if (status >= 400) return { errorClass: 'bad_request' };
  return { errorClass: 'bad_response' };
}

function compose(head: string, hint: string | undefined, detail: string | undefined): string {
  const withHint = hint ? `${head} (${hint})` : head;
  return detail ? `${withHint}: ${detail}` : withHint;
}

/**
 * Classifies an HTTP answer by status and error body: 401/403 → auth; 402 and
 * `insufficient_quota`/`billing_error` → rate_limited with reason `billing`; 429 →
 * rate_limited; 529, `overloaded_error` and a 503 that says overloaded → overloaded; other
 * 5xx → server_error; 404 naming a missing model (or on a model route) → model_unavailable;
 * 408 → timeout; other 4xx → bad_request; an unexpected 1xx–3xx → bad_response.
 */
export function classifyHttp(evidence: HttpEvidence, scrub: Scrubber): Classification {
  const { status, body } = evidence;
  const parsed = body === undefined ? undefined : parseVendorError(body);
  // `ValidationException:http://internal.amazon.com/coral/…`: the name is before the colon.
  const headerType = evidence.errorType?.split(':')[0]?.trim() || undefined;
  const ve =
    headerType !== undefined && parsed?.code === undefined && parsed?.type === undefined
      ? { ...parsed, code: headerType }
      : parsed;
  const decided = decide(status, ve, evidence.modelRoute === true);
  // A numeric code only repeats the status; a named one (invalid_api_key) is what people search for.
  const code = [ve?.code, ve?.type].find((c) => c !== undefined && !/^\d+$/.test(c));
  const head = status < 400 ? `unexpected HTTP ${status}` : `HTTP ${status}`;
  const label = code ? `${head} ${code}` : head;
  const raw = ve?.message ?? (ve === undefined && body !== undefined ? body : undefined);
  const detail = raw === undefined ? undefined : detailText(raw, scrub);
  const out: Classification = {
    errorClass: decided.errorClass,
    message: scrub(compose(label, decided.hint, detail)),
  };
  if (decided.reason) out.reason = decided.reason;
  return out;
}

/**
 * Classifies an error that arrived inside a stream after HTTP 200 (an `error` field in an
 * OpenAI data line, an Anthropic `event: error`). A numeric code (OpenRouter sends the
 * upstream HTTP status there) is read as a status; otherwise the type decides, and an
 * unknown one is a server_error.
 */
export function classifyStreamError(error: unknown, scrub: Scrubber): Classification {
  const ve = vendorErrorFrom(error) ?? vendorErrorFrom({ error });
  const numeric = ve?.code !== undefined && /^\d{3}$/.test(ve.code) ? Number(ve.code) : undefined;
  const decided = decide(numeric, ve, false);
  const name = ve?.type ?? (numeric === undefined ? ve?.code : `HTTP ${numeric}`);
  const head = name ? `stream error after HTTP 200: ${name}` : 'stream error after HTTP 200';
  const detail = ve?.message === undefined ? undefined : detailText(ve.message, scrub);
  const out: Classification = {
    errorClass: decided.errorClass,
    message: scrub(compose(head, decided.hint, detail)),
  };
  if (decided.reason) out.reason = decided.reason;
  return out;
}

/** Where an exchange was when it failed, for timeout and network messages. */
export type ExchangePhase = 'headers' | 'body' | 'first token' | 'stream end';

const PHASE_WORDS: Record<ExchangePhase, string> = {
  headers: 'waiting for response headers',
  body: 'reading the response body',
  'first token': 'waiting for the first token',
  'stream end': 'waiting for the stream to end',
};

/**
 * Classifies a thrown error: transport kinds timeout → timeout, network → network,
 * body_too_large/protocol → bad_response; SseError → bad_response; anything else is a
 * timeout when the probe's signal has aborted and a network error otherwise.
 */
export function classifyThrown(
  err: unknown,
  scrub: Scrubber,
  context: { aborted: boolean; phase: ExchangePhase },
): Classification {
  const where = PHASE_WORDS[context.phase];
  const reason = err instanceof Error ? err.message : String(err);
  let errorClass: ErrorClass;
  let message: string;
  if (err instanceof HttpClientError) {
    switch (err.kind) {
      case 'timeout':
        errorClass = 'timeout';
        message = `timed out ${where}`;
        break;
      case 'network':
        errorClass = 'network';
        message = `network error ${where}: ${reason}`;
        break;
      case 'body_too_large':
        errorClass = 'bad_response';
        message = `response body too large: ${reason}`;
        break;
      default:
        errorClass = 'bad_response';
        message = `HTTP protocol error: ${reason}`;
    }
  } else if (err instanceof SseError) {
    errorClass = 'bad_response';
    message = reason;
  } else if (context.aborted || (err instanceof Error && err.name === 'AbortError')) {
    errorClass = 'timeout';
    message = `timed out ${where}`;
  } else {
    errorClass = 'network';
    message = `network error ${where}: ${reason}`;
  }
  return { errorClass, message: scrub(message) };
}

/** A failed CheckResult from a classification. */
export function failed(
  check: CheckName,
  latencyMs: number,
  cls: Classification,
  facts: Partial<CheckResult> = {},
): CheckResult {
  const out: CheckResult = {
    check,
    ok: false,
    latencyMs,
    ...facts,
    errorClass: cls.errorClass,
    message: cls.message,
  };
  if (cls.reason) out.reason = cls.reason;
  return out;
}

/**
 * What every result that got a response carries: status, rate-limit readings, connection
 * phases and the certificate expiry. Call it after the body was consumed or discarded, so
 * the transfer phase is in.
 */
export function responseFacts(
  res: HttpResponse,
  wallNowMs: number,
): Pick<CheckResult, 'httpStatus' | 'rateLimits' | 'phases' | 'tlsCertNotAfter'> {
  const facts: Pick<CheckResult, 'httpStatus' | 'rateLimits' | 'phases' | 'tlsCertNotAfter'> = {
    httpStatus: res.status,
    phases: { ...res.timings },
  };
  const rateLimits = parseRateLimits(res.headers, wallNowMs);
  if (rateLimits.length > 0) facts.rateLimits = rateLimits;
  if (res.tls) facts.tlsCertNotAfter = res.tls.certNotAfter;
  return facts;
}

/** Reads an error body up to 1 MiB and frees the connection; undefined when it cannot be read. */
export async function readErrorBody(res: HttpResponse): Promise<string | undefined> {
  try {
    return await res.text(MAX_JSON_BODY_BYTES);
  } catch {
    return undefined;
  } finally {
    res.discard();
  }
}

/** Message for an answer received without credentials, e.g. `… (OPENAI_API_KEY is not set); vendor reachable: HTTP 401`. */
export function missingKeyMessage(apiKeyEnv: string | undefined, status: number): string {
  const what = apiKeyEnv ? `${apiKeyEnv} is not set` : 'no apiKey in the config';
  return `no API key configured (${what}); vendor reachable: HTTP ${status}`;
}

/** Message for a completion that streamed no text at all. */
export const EMPTY_COMPLETION_MESSAGE =
  'empty completion: a reasoning model may spend the whole token budget on reasoning; raise maxTokens or probe a non-reasoning model';

/** The result for a completion that was not sent because no key is configured. */
export function skippedNoKey(check: CheckName, apiKeyEnv: string | undefined): CheckResult {
  const what = missingKeyNote(apiKeyEnv);
  return {
    check,
    ok: false,
    latencyMs: 0,
    skipped: true,
    credentialsMissing: true,
    errorClass: 'auth',
    message: `skipped: no API key configured (${what})`,
  };
}

/** The result for a check this vendor cannot run (config validation should have caught it). */
export function unsupportedCheck(check: CheckName, vendor: string): CheckResult {
  return {
    check,
    ok: false,
    latencyMs: 0,
    skipped: true,
    errorClass: 'bad_request',
    message: `check "${check}" is not supported for vendor ${vendor}`,
  };
}

/** The parts of a dependency that decide how a missing key is reported. */
export interface KeyedDependency {
  dep: Pick<DependencyConfig, 'apiKey' | 'apiKeyEnv'>;
  scrub: Scrubber;
  /** The vendor refuses work without a key (OpenAI, Anthropic); compatible servers may not. */
  keyRequired: boolean;
}

/**
 * A non-2xx answer as a result: reads the error body (capped), frees the connection and
 * classifies. Without a key, a 401/403 is the expected answer and proves the vendor is
 * reachable, so it becomes the credentials-missing message.
 */
export async function httpFailure(
  check: CheckName,
  res: HttpResponse,
  start: number,
  ctx: ProbeContext,
  k: KeyedDependency,
  evidence: { modelRoute?: boolean } = {},
): Promise<CheckResult> {
  const body = await readErrorBody(res);
  const latencyMs = ctx.now() - start;
  const facts = responseFacts(res, Date.now());
  const keyMissing = k.dep.apiKey === undefined;
  if (keyMissing && (res.status === 401 || res.status === 403)) {
    const cls: Classification = {
      errorClass: 'auth',
      message: k.scrub(missingKeyMessage(k.dep.apiKeyEnv, res.status)),
    };
    return failed(check, latencyMs, cls, { ...facts, credentialsMissing: true });
  }
  const errorType = res.headers['x-amzn-errortype'];
  const cls = classifyHttp(
    { status: res.status, body, ...evidence, ...(errorType ? { errorType } : {}) },
    k.scrub,
  );
  const extra = k.keyRequired && keyMissing ? { credentialsMissing: true } : {};
  return failed(check, latencyMs, cls, { ...facts, ...extra });
}

/** What reading a completion stream found, when it did not fail outright. */
export interface StreamSummary {
  /** Sending → first non-empty text. */
  ttftMs?: number;
  tokens?: { input: number; output: number };
  /** Events that carried non-empty text. */
  textChunks: number;
  /** The terminal event arrived. */
  done: boolean;
  /** Sending → the terminal event: the check's latency (the tail after it is only drained). */
  doneMs?: number;
}

/**
 * A 2xx JSON answer where an event stream was asked for: some servers ignore
 * `stream: true`, some send errors this way. Reads (capped) and frees the connection.
 */
export async function jsonInsteadOfStream(
  res: HttpResponse,
  scrub: Scrubber,
): Promise<Classification> {
  const body = await readErrorBody(res);
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && parsed.error !== undefined && parsed.error !== null) {
    return classifyStreamError(parsed.error, scrub);
  }
  return {
    errorClass: 'bad_response',
    message: `expected an event stream, got ${res.headers['content-type'] ?? 'no content-type'}`,
  };
}

/**
 * Turns a consumed completion stream into the check's result. `latencyMs` is the time to
 * the end of reading; a stream that reached its terminal event reports the time to it.
 */
export function streamResult(
  outcome: StreamSummary | Classification,
  latencyMs: number,
  facts: Partial<CheckResult>,
  terminal: string,
): CheckResult {
  if ('errorClass' in outcome) return failed('completion', latencyMs, outcome, facts);
  const latency = outcome.doneMs ?? latencyMs;
  const withTokens: Partial<CheckResult> = outcome.tokens
    ? { ...facts, tokens: outcome.tokens }
    : facts;
  if (!outcome.done) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: `stream ended without ${terminal}`,
    };
    return failed('completion', latency, cls, withTokens);
  }
  if (outcome.textChunks === 0 || outcome.ttftMs === undefined) {
    const cls: Classification = { errorClass: 'bad_response', message: EMPTY_COMPLETION_MESSAGE };
    return failed('completion', latency, cls, withTokens);
  }
  return {
    check: 'completion',
    ok: true,
    latencyMs: latency,
    ttftMs: outcome.ttftMs,
    ...withTokens,
  };
}
