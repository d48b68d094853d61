import type { CheckResult, RateLimitReading } from './types.js';

/** Larger counts than any real quota or token bill; beyond it a value is noise or an attack. */
export const MAX_VENDOR_COUNT = 1e15;
/** A rate-limit window resets within this long (Mistral's longest window is a month). */
export const MAX_RESET_AHEAD_MS = 400 * 86_400_000;
/** A reset time this far in the past is not a clock skew but garbage. */
export const MAX_RESET_BEHIND_MS = 86_400_000;

const isCount = (n: number | undefined): n is number =>
  n !== undefined && Number.isFinite(n) && n >= 0 && n <= MAX_VENDOR_COUNT;

function boundReading(
  r: RateLimitReading,
  nowMs: number,
  drop: (what: string, value: number) => void,
): RateLimitReading | undefined {
  const out: RateLimitReading = { resource: r.resource };
  if (r.limit !== undefined) {
    if (isCount(r.limit)) out.limit = r.limit;
    else drop(`rate limit ${r.resource} limit`, r.limit);
  }
  if (r.remaining !== undefined) {
    if (isCount(r.remaining)) out.remaining = r.remaining;
    else drop(`rate limit ${r.resource} remaining`, r.remaining);
  }
  if (r.resetAt !== undefined) {
    const ok =
      Number.isFinite(r.resetAt) &&
      r.resetAt <= nowMs + MAX_RESET_AHEAD_MS &&
      r.resetAt >= nowMs - MAX_RESET_BEHIND_MS;
    if (ok) out.resetAt = r.resetAt;
    else drop(`rate limit ${r.resource} reset time`, r.resetAt);
  }
  return out.limit === undefined && out.remaining === undefined && out.resetAt === undefined
    ? undefined
    : out;
}

/**
 * Drops the numbers a vendor sent that no real answer holds — token counts and rate-limit
 * figures that are negative, not finite or beyond {@link MAX_VENDOR_COUNT}, reset times
 * outside [now − 1 day, now + 400 days], a certificate expiry that is no date — so that no
 * view, metric or state computed later has to cope with them. `dropped` names each one
 * (for a debug log). The result is a new object; the input is left as it was.
 */
export function boundVendorNumbers(
  result: CheckResult,
  nowMs: number,
): { result: CheckResult; dropped: string[] } {
  const dropped: string[] = [];
  const drop = (what: string, value: number) => dropped.push(`${what} ${String(value)}`);
  const out: CheckResult = { ...result };
  if (result.tokens) {
    const { input, output, reasoning } = result.tokens;
    if (!isCount(input) || !isCount(output)) {
      drop('token count', isCount(input) ? output : input);
      delete out.tokens;
    } else if (reasoning !== undefined && (!isCount(reasoning) || reasoning > output)) {
      // Reasoning is a part of output: more of it than output is no real count.
      drop('reasoning token count', reasoning);
      out.tokens = { input, output };
    }
  }
  if (result.rateLimits) {
    const readings = result.rateLimits
      .map((r) => boundReading(r, nowMs, drop))
      .filter((r): r is RateLimitReading => r !== undefined);
    if (readings.length > 0) out.rateLimits = readings;
    else delete out.rateLimits;
  }
  if (result.tlsCertNotAfter !== undefined && !isDate(result.tlsCertNotAfter)) {
    drop('certificate expiry', result.tlsCertNotAfter);
    delete out.tlsCertNotAfter;
  }
  return { result: out, dropped };
}

/** True when `ms` is a time a JavaScript Date can hold (toISOString would not throw). */
export function isDate(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}
