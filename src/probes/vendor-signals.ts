import { isRecord } from './json.js';
import type { RateLimitReading } from './types.js';

/**
 * The vendor's own words on a failed request, read from its headers and error body: its
 * request id (for its support desk), when to retry, and whether to retry at all.
 */
export interface VendorSignals {
  requestId?: string;
  /** How long the vendor asks us to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** `x-should-retry`: the vendor's explicit yes or no on retrying this request. */
  shouldRetry?: boolean;
}

// Header names in the order vendors document them: OpenAI, Groq, Mistral, Cohere
// (`x-request-id`), Anthropic (`request-id`), Azure (`apim-request-id`), AWS.
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'apim-request-id', 'x-amzn-requestid'];
// Longer values are not ids a support desk would take; they are dropped, not cut.
const MAX_REQUEST_ID_CHARS = 128;
const PRINTABLE_ID = /^[\x21-\x7e]+$/;
// A wait longer than a day is not advice a probe can follow: dropped as nonsense.
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
const DECIMAL = /^\d{1,12}(?:\.\d{1,9})?$/;
// RFC 9110's IMF-fixdate, the HTTP date retry-after may carry: "Thu, 15 Jan 2026 12:00:30 GMT".
const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
// google.protobuf.Duration in JSON: "20s", "1.5s", "0.250s".
const PROTO_DURATION = /^(\d{1,12}(?:\.\d{1,9})?)s$/;

/** A request id as vendors send them: printable, at most 128 characters; anything else is dropped. */
export function cleanRequestId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s.length > 0 && s.length <= MAX_REQUEST_ID_CHARS && PRINTABLE_ID.test(s) ? s : undefined;
}

/** The vendor's request id from the response headers, else from the error body (`request_id`, `error.request_id`). */
export function requestIdOf(
  headers: Readonly<Record<string, string>>,
  body?: unknown,
): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const id = cleanRequestId(headers[name]);
    if (id) return id;
  }
  if (!isRecord(body)) return undefined;
  return (
    cleanRequestId(body.request_id) ??
    (isRecord(body.error) ? cleanRequestId(body.error.request_id) : undefined)
  );
}

function boundedMs(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? Math.round(ms) : undefined;
}

/**
 * `retry-after-ms` (milliseconds, OpenAI and Azure) or else `retry-after` (seconds, or an
 * HTTP date taken relative to `nowMs`), as the vendors' SDKs read them. Negative, garbled or
 * longer-than-a-day values are dropped.
 */
export function retryAfterMsOf(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  const ms = headers['retry-after-ms']?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return boundedMs(Number(ms));
  const after = headers['retry-after']?.trim();
  if (after === undefined || after.length > 64) return undefined;
  if (DECIMAL.test(after)) return boundedMs(Number(after) * 1000);
  if (!HTTP_DATE.test(after)) return undefined;
  const at = Date.parse(after);
  return Number.isFinite(at) ? boundedMs(Math.max(0, at - nowMs)) : undefined;
}

/** `x-should-retry: true|false`, read as the OpenAI and Anthropic SDKs read it; anything else says nothing. */
export function shouldRetryOf(headers: Readonly<Record<string, string>>): boolean | undefined {
  const v = headers['x-should-retry']?.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** What Google's `error.details[]` say about retrying: RetryInfo's delay, and which quota a QuotaFailure names. */
export interface GoogleRetryDetails {
  retryDelayMs?: number;
  resource?: RateLimitReading['resource'];
}

/**
 * Reads `google.rpc.RetryInfo.retryDelay` ("20s") and the first `google.rpc.QuotaFailure`
 * violation's `quotaMetric` (`…_requests` → requests, `…_token_count` → tokens) from a
 * Google error's `details`.
 */
export function googleRetryDetails(details: unknown): GoogleRetryDetails {
  const out: GoogleRetryDetails = {};
  if (!Array.isArray(details)) return out;
  for (const d of details.slice(0, 16)) {
    if (!isRecord(d)) continue;
    const delay =
      typeof d.retryDelay === 'string' ? PROTO_DURATION.exec(d.retryDelay.trim()) : null;
    if (delay && out.retryDelayMs === undefined) {
      const ms = boundedMs(Number(delay[1]) * 1000);
      if (ms !== undefined) out.retryDelayMs = ms;
    }
    const violation = Array.isArray(d.violations) ? d.violations[0] : undefined;
    const metric = isRecord(violation) ? violation.quotaMetric : undefined;
    if (typeof metric === 'string' && out.resource === undefined) {
      if (metric.endsWith('_requests')) out.resource = 'requests';
      else if (metric.endsWith('token_count')) out.resource = 'tokens';
    }
  }
  return out;
}

/**
 * The rate-limit readings with the vendor's retry time as their reset time: readings that
 * are used up and name no reset get `retryAt`; with no reading at all, one for `resource`
 * (default requests) carries it, so the reset timestamp is exported even where the vendor
 * sends no rate-limit headers (Gemini, Bedrock).
 */
export function withRetryAt(
  readings: readonly RateLimitReading[] | undefined,
  retryAt: number,
  resource: RateLimitReading['resource'] = 'requests',
): RateLimitReading[] {
  if (!readings || readings.length === 0) return [{ resource, resetAt: retryAt }];
  return readings.map((r) =>
    r.resetAt === undefined && r.remaining === 0 ? { ...r, resetAt: retryAt } : r,
  );
}

/** "retry after 30 s" / "retry after 250 ms", for messages. */
export function retryAfterText(ms: number): string {
  if (ms < 1000) return `retry after ${ms} ms`;
  const s = ms / 1000;
  return `retry after ${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
