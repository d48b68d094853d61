import type { DependencyConfig } from '../config/types.js';
import { missingKeyNote } from '../evaluate/verdict.js';
import { HttpClientError, type HttpResponse } from '../transport/http-client.js';
import { isRecord } from './json.js';
import { parseRateLimits } from './ratelimit.js';
import type { Scrubber } from './scrub.js';
import { SseError } from './sse.js';
import type {
  CheckName,
  CheckResult,
  ErrorClass,
  ErrorReason,
  ProbeContext,
  RateLimitReading,
} from './types.js';
import {
  cleanRequestId,
  googleRetryDetails,
  requestIdOf,
  retryAfterMsOf,
  retryAfterText,
  shouldRetryOf,
  withRetryAt,
} from './vendor-signals.js';

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
  /** OpenAI's `error.param`: the request field the vendor objects to. */
  param?: string;
  /** The body's own request id (Anthropic `request_id`), for when no header carries one. */
  requestId?: string;
  /** Google `RetryInfo.retryDelay`, in milliseconds. */
  retryDelayMs?: number;
  /** The quota a Google `QuotaFailure` names. */
  quotaResource?: RateLimitReading['resource'];
  /** Bedrock ModelErrorException / ModelStreamErrorException: what the model itself answered. */
  originalStatusCode?: number;
  originalMessage?: string;
}

/** The one error class for a piece of evidence, with a scrubbed human message. */
export interface Classification {
  errorClass: ErrorClass;
  /** Finer cause inside the class, e.g. `billing` for a rate_limited that will not pass by itself. */
  reason?: ErrorReason;
  message: string;
  /** The vendor's id for the request, to quote to its support. */
  requestId?: string;
  /** How long the vendor asked us to wait (retry-after-ms, retry-after, Google RetryInfo). */
  retryAfterMs?: number;
  /** Epoch ms the vendor said to retry at: the rate limit's reset time. */
  retryAt?: number;
  /** The quota the retry time belongs to, when the vendor says (Google QuotaFailure). */
  retryResource?: RateLimitReading['resource'];
  /** The vendor's `x-should-retry`. */
  shouldRetry?: boolean;
}

/** A class decision: what {@link VendorRules} and the generic rules produce. */
export interface Decision {
  errorClass: ErrorClass;
  reason?: ErrorReason;
  hint?: string;
}

/**
 * What one vendor means differently from the others, kept in that vendor's probe file:
 * statuses it uses its own way (Groq's 498 capacity, Cohere's 498 and 499) and readings
 * of its error bodies (Anthropic's credit-balance 400). Tried before the generic rules.
 */
export interface VendorRules {
  statuses?: Readonly<Record<number, Decision>>;
  /** `text` is the vendor's message, already cut to a bounded length. */
  refine?: (
    status: number | undefined,
    codes: readonly string[],
    text: string,
  ) => Decision | undefined;
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
  /** Response headers (lower-case names): request id, retry-after, x-should-retry. */
  headers?: Readonly<Record<string, string>>;
  /** Wall-clock epoch ms of the answer, for retry-after dates and the reset time. */
  nowMs?: number;
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
  // OpenAI's documented 503 code ("Our servers are currently overloaded").
  'server_is_overloaded',
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
// Two linear passes instead of one `model.*not found`, whose `.*` is quadratic on hostile text.
const MODEL_WORD = /\b(?:model|deployment)\b/i;
const GONE_WORDS = /\b(?:not found|does not exist|not exist|no such|unknown|not available)\b/i;

/**
 * Vendor text goes through regexes only after being cut to this many characters: the
 * message keeps 240 of them, and every pattern here is linear, so the cost stays flat
 * however big the body (a 1 MiB error body costs what 64 KiB does).
 */
export const MAX_SCANNED_CHARS = 64 * 1024;
// A cut must not split a secret, or its head would survive the scrubber: cut back to a
// separator no key contains, looking back at most this far (else drop the whole tail).
const CUT_LOOKBACK_CHARS = 512;

/** `text` cut to at most `max` characters, at a whitespace, quote or tag boundary. */
export function boundedText(text: string, max = MAX_SCANNED_CHARS): string {
  if (text.length <= max) return text;
  const from = max - CUT_LOOKBACK_CHARS;
  for (let i = max; i > from; i--) {
    const c = text.charCodeAt(i);
    // space, tab, newline, CR, '"', "'", '<', '>'
    if (
      c === 32 ||
      c === 9 ||
      c === 10 ||
      c === 13 ||
      c === 34 ||
      c === 39 ||
      c === 60 ||
      c === 62
    ) {
      return text.slice(0, i);
    }
  }
  return text.slice(0, from);
}

function mentionsGoneModel(text: string): boolean {
  const at = MODEL_WORD.exec(text);
  return at !== null && GONE_WORDS.test(text.slice(at.index + at[0].length));
}

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

// What every shape may carry besides type, code and message.
function addSignals(
  out: VendorError,
  inner: Record<string, unknown>,
  outer: Record<string, unknown>,
) {
  const param = str(inner.param);
  if (param) out.param = param;
  // A flat body's own `id` is the request's (Cohere `{"id","message"}`); a nested one's is not.
  const flatId = inner === outer ? str(outer.id) : undefined;
  const requestId = str(outer.request_id) ?? str(inner.request_id) ?? flatId;
  if (requestId) out.requestId = requestId;
  const google = googleRetryDetails(inner.details);
  if (google.retryDelayMs !== undefined) out.retryDelayMs = google.retryDelayMs;
  if (google.resource) out.quotaResource = google.resource;
  const original = inner.originalStatusCode;
  if (
    typeof original === 'number' &&
    Number.isInteger(original) &&
    original >= 100 &&
    original <= 999
  ) {
    out.originalStatusCode = original;
  }
  const originalMessage = str(inner.originalMessage);
  if (originalMessage) out.originalMessage = originalMessage;
}

/**
 * Extracts type, code and message from a parsed error value: OpenAI
 * `{"error":{"message","type","param","code"}}`, Anthropic
 * `{"type":"error","error":{"type","message"},"request_id"}`, the bare inner object of
 * either (as a stream error carries it), vLLM's flat `{"object":"error","message","type","code"}`,
 * Ollama's `{"error":"…"}`, Mistral/FastAPI `{"message"}`/`{"detail"}`, Google's
 * `{"error":{"code","message","status","details":[{"reason"},{"retryDelay"}]}}` (the reason
 * is the type; Vertex wraps it in an array) and AWS JSON `{"__type":"…#ThrottlingException","Message"}`
 * with Bedrock's `originalStatusCode`/`originalMessage`.
 */
export function vendorErrorFrom(value: unknown): VendorError | undefined {
  const outer = Array.isArray(value) && value.length > 0 ? value[0] : value;
  if (!isRecord(outer)) return undefined;
  const inner = outer.error;
  if (isRecord(inner)) {
    const out: VendorError = {};
    const type = str(inner.type) ?? errorInfoReason(inner.details) ?? str(inner.status);
    const code = str(inner.code);
    const message = str(inner.message);
    if (type) out.type = type;
    if (code) out.code = code;
    if (message) out.message = message;
    addSignals(out, inner, outer);
    return out;
  }
  const out: VendorError = {};
  if (typeof inner === 'string' && inner.trim() !== '') out.message = inner;
  const type = str(outer.type);
  if (type && type !== 'error') out.type = type;
  const code = str(outer.code) ?? str(outer.__type)?.split('#').pop();
  if (code) out.code = code;
  out.message ??= str(outer.message) ?? str(outer.Message);
  if (out.message === undefined) {
    const detail = outer.detail;
    if (typeof detail === 'string') out.message = detail;
    else if (Array.isArray(detail) && isRecord(detail[0])) out.message = str(detail[0].msg);
  }
  if (out.message === undefined) delete out.message;
  addSignals(out, outer, outer);
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

// Removes each `<name …>…</name>` block; an unclosed one runs to the end. indexOf only: linear.
function withoutBlocks(html: string, lower: string, name: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = lower.indexOf(`<${name}`, from);
    if (open < 0) return out + html.slice(from);
    out += `${html.slice(from, open)} `;
    const close = lower.indexOf(`</${name}`, open);
    if (close < 0) return out;
    const end = lower.indexOf('>', close);
    if (end < 0) return out;
    from = end + 1;
  }
}

// Every tag becomes a space; a `<` with no `>` after it ends the text. Each character is
// looked at once, so a body of 128 KiB of `<` costs what any other does.
function withoutTags(html: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = html.indexOf('<', from);
    if (open < 0) return out + html.slice(from);
    out += `${html.slice(from, open)} `;
    const end = html.indexOf('>', open);
    if (end < 0) return out;
    from = end + 1;
  }
}

// Gateways answer with HTML error pages: their title (or their text) is the useful part.
function textOfHtml(html: string): string {
  const lower = html.toLowerCase();
  const open = lower.indexOf('<title');
  if (open >= 0) {
    const start = lower.indexOf('>', open);
    const end = start < 0 ? -1 : lower.indexOf('</title', start);
    if (end >= 0) return html.slice(start + 1, end);
  }
  const noScript = withoutBlocks(html, lower, 'script');
  return withoutTags(withoutBlocks(noScript, noScript.toLowerCase(), 'style'));
}

// Scrubs first, then shortens: truncating first could cut a secret so it no longer matches
// (boundedText cuts only between words, far beyond the 240 characters kept).
function detailText(text: string, scrub: Scrubber): string | undefined {
  const scrubbed = scrub(boundedText(text));
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
  rules: VendorRules | undefined,
): Decision {
  const codes = [ve?.type, ve?.code]
    .filter((c): c is string => c !== undefined)
    .map((c) => c.toLowerCase());
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const text = boundedText(ve?.message ?? '');

  const vendor =
    rules?.refine?.(status, codes, text) ??
    (status === undefined ? undefined : rules?.statuses?.[status]);
  if (vendor) return vendor;
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
  if (status === 529 || has(OVERLOAD_CODES) || (status === 503 && OVERLOAD_WORDS.test(text))) {
    return { errorClass: 'overloaded' };
  }
  const notFound = status === 404 || status === undefined;
  if (
    has(MODEL_CODES) ||
    (notFound && codes.includes('not_found_error')) ||
    (status === 404 && (modelRoute || mentionsGoneModel(text)))
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

function compose(head: string, hints: readonly string[], detail: string | undefined): string {
  const withHint = hints.length > 0 ? `${head} (${hints.join('; ')})` : head;
  return detail ? `${withHint}: ${detail}` : withHint;
}

// The hints every classification may carry: the class's own, the field the vendor objects
// to (OpenAI `param`), what the model itself answered (Bedrock), and when to retry.
function hintsOf(decided: Decision, ve: VendorError | undefined, retryAfterMs?: number): string[] {
  const hints: string[] = [];
  if (decided.hint) hints.push(decided.hint);
  if (ve?.param) hints.push(`param ${boundedText(ve.param, 80)}`);
  if (ve?.originalStatusCode !== undefined) {
    hints.push(`the model answered HTTP ${ve.originalStatusCode}`);
  }
  if (retryAfterMs !== undefined) hints.push(retryAfterText(retryAfterMs));
  return hints;
}

// The vendor's message, with Bedrock's originalMessage after it when it adds something.
function rawDetail(ve: VendorError | undefined): string | undefined {
  if (ve?.originalMessage === undefined || ve.originalMessage === ve.message) return ve?.message;
  const original = boundedText(ve.originalMessage, MAX_DETAIL_CHARS);
  return ve.message === undefined ? original : `${ve.message} (model: ${original})`;
}

/**
 * Classifies an HTTP answer by status and error body: 401/403 → auth; 402 and
 * `insufficient_quota`/`billing_error` → rate_limited with reason `billing`; 429 →
 * rate_limited; 529, `overloaded_error` and a 503 that says overloaded → overloaded; other
 * 5xx → server_error; 404 naming a missing model (or on a model route) → model_unavailable;
 * 408 → timeout; other 4xx → bad_request; an unexpected 1xx–3xx → bad_response. `rules`
 * (from the vendor's probe) are asked first. With `headers`, the vendor's request id,
 * retry-after and x-should-retry come along, and the wait is named in the message.
 */
export function classifyHttp(
  evidence: HttpEvidence,
  scrub: Scrubber,
  rules?: VendorRules,
): Classification {
  const { status, body } = evidence;
  const parsed = body === undefined ? undefined : parseVendorError(body);
  // `ValidationException:http://internal.amazon.com/coral/…`: the name is before the colon.
  const headerType = evidence.errorType?.split(':')[0]?.trim() || undefined;
  const ve =
    headerType !== undefined && parsed?.code === undefined && parsed?.type === undefined
      ? { ...parsed, code: headerType }
      : parsed;
  const decided = decide(status, ve, evidence.modelRoute === true, rules);
  const headers = evidence.headers ?? {};
  const nowMs = evidence.nowMs ?? Date.now();
  const retryAfterMs = retryAfterMsOf(headers, nowMs) ?? ve?.retryDelayMs;
  // A numeric code only repeats the status; a named one (invalid_api_key) is what people search for.
  const code = [ve?.code, ve?.type].find((c) => c !== undefined && !/^\d+$/.test(c));
  const head = status < 400 ? `unexpected HTTP ${status}` : `HTTP ${status}`;
  const label = code ? `${head} ${boundedText(code, 80)}` : head;
  const raw = rawDetail(ve) ?? (ve === undefined && body !== undefined ? body : undefined);
  const detail = raw === undefined ? undefined : detailText(raw, scrub);
  const out: Classification = {
    errorClass: decided.errorClass,
    message: scrub(compose(label, hintsOf(decided, ve, retryAfterMs), detail)),
  };
  if (decided.reason) out.reason = decided.reason;
  const requestId = requestIdOf(headers) ?? cleanRequestId(ve?.requestId);
  if (requestId) out.requestId = scrub(requestId);
  if (retryAfterMs !== undefined) {
    out.retryAfterMs = retryAfterMs;
    out.retryAt = nowMs + retryAfterMs;
    if (ve?.quotaResource) out.retryResource = ve.quotaResource;
  }
  const shouldRetry = shouldRetryOf(headers);
  if (shouldRetry !== undefined) out.shouldRetry = shouldRetry;
  return out;
}

/**
 * Classifies an error that arrived inside a stream after HTTP 200 (an `error` field in an
 * OpenAI data line, an Anthropic `event: error`, Gemini's bare `{"error":{code,…}}`). A
 * numeric code (OpenRouter and Google send the HTTP status there) is read as a status;
 * otherwise the type decides, and an unknown one is a server_error.
 */
export function classifyStreamError(
  error: unknown,
  scrub: Scrubber,
  rules?: VendorRules,
): Classification {
  const ve = vendorErrorFrom(error) ?? vendorErrorFrom({ error });
  const numeric = ve?.code !== undefined && /^\d{3}$/.test(ve.code) ? Number(ve.code) : undefined;
  const decided = decide(numeric, ve, false, rules);
  const name = ve?.type ?? (numeric === undefined ? ve?.code : `HTTP ${numeric}`);
  const head = name
    ? `stream error after HTTP 200: ${boundedText(name, 80)}`
    : 'stream error after HTTP 200';
  const raw = rawDetail(ve);
  const detail = raw === undefined ? undefined : detailText(raw, scrub);
  const out: Classification = {
    errorClass: decided.errorClass,
    message: scrub(compose(head, hintsOf(decided, ve, ve?.retryDelayMs), detail)),
  };
  if (decided.reason) out.reason = decided.reason;
  const requestId = cleanRequestId(ve?.requestId);
  if (requestId) out.requestId = scrub(requestId);
  if (ve?.retryDelayMs !== undefined) out.retryAfterMs = ve.retryDelayMs;
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
  if (cls.requestId) out.requestId = cls.requestId;
  if (cls.retryAfterMs !== undefined) out.retryAfterMs = cls.retryAfterMs;
  if (cls.shouldRetry !== undefined) out.vendorRetry = cls.shouldRetry;
  // The vendor's "retry at" is when its limit resets, whether or not it sent limit headers.
  if (cls.retryAt !== undefined && cls.errorClass === 'rate_limited') {
    out.rateLimits = withRetryAt(out.rateLimits, cls.retryAt, cls.retryResource);
  }
  return out;
}

type ResponseFacts = Pick<
  CheckResult,
  'httpStatus' | 'rateLimits' | 'phases' | 'tlsCertNotAfter' | 'requestId'
>;

/**
 * What every result that got a response carries: status, rate-limit readings, connection
 * phases, the certificate expiry and (given the scrubber: it is vendor text) the vendor's
 * request id. Call it after the body was consumed or discarded, so the transfer phase is in.
 */
export function responseFacts(
  res: HttpResponse,
  wallNowMs: number,
  scrub?: Scrubber,
): ResponseFacts {
  const facts: ResponseFacts = { httpStatus: res.status, phases: { ...res.timings } };
  const rateLimits = parseRateLimits(res.headers, wallNowMs);
  if (rateLimits.length > 0) facts.rateLimits = rateLimits;
  if (res.tls) facts.tlsCertNotAfter = res.tls.certNotAfter;
  const requestId = scrub ? requestIdOf(res.headers) : undefined;
  if (requestId && scrub) facts.requestId = scrub(requestId);
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
  'empty completion: a reasoning model may spend the whole token budget on reasoning; set reasoning: off (or minimal), raise maxTokens or probe a non-reasoning model';

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
  /** What this vendor means differently from the others (see {@link VendorRules}). */
  rules?: VendorRules;
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
  const facts = responseFacts(res, Date.now(), k.scrub);
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
    {
      status: res.status,
      body,
      ...evidence,
      ...(errorType ? { errorType } : {}),
      headers: res.headers,
      nowMs: Date.now(),
    },
    k.scrub,
    k.rules,
  );
  const extra = k.keyRequired && keyMissing ? { credentialsMissing: true } : {};
  return failed(check, latencyMs, cls, { ...facts, ...extra });
}

/** A vendor-reported model name or fingerprint, bounded: it becomes a metric label. */
export const servedModelOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v.slice(0, 200) : undefined;

/** What reading a completion stream found, when it did not fail outright. */
export interface StreamSummary {
  /** Sending → first non-empty text. */
  ttftMs?: number;
  tokens?: NonNullable<CheckResult['tokens']>;
  /** The model the stream says answered (OpenAI chunks' `model`, Anthropic's message). */
  servedModel?: string;
  /** OpenAI chunks' `system_fingerprint`. */
  systemFingerprint?: string;
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
  rules?: VendorRules,
): Promise<Classification> {
  const body = await readErrorBody(res);
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && parsed.error !== undefined && parsed.error !== null) {
    return classifyStreamError(parsed.error, scrub, rules);
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
  const withTokens: Partial<CheckResult> = {
    ...facts,
    ...(outcome.tokens ? { tokens: outcome.tokens } : {}),
    ...(outcome.servedModel ? { servedModel: outcome.servedModel } : {}),
    ...(outcome.systemFingerprint ? { systemFingerprint: outcome.systemFingerprint } : {}),
  };
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
