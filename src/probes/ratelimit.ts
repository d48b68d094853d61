import type { RateLimitReading } from './types.js';

type Resource = RateLimitReading['resource'];

const RESOURCES: readonly Resource[] = ['requests', 'tokens', 'input_tokens', 'output_tokens'];

const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// Each number has exactly one way to match (`\d+\.?\d*` split a run of digits two ways per
// part: "1h11h11h1…x" took exponential time); values are also cut to MAX_VALUE_CHARS first.
const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
// No real count, duration or date is longer; longer values are not read at all.
const MAX_VALUE_CHARS = 64;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const COUNT = /^\d+(?:\.\d+)?$/;

/**
 * Parses a Go duration as OpenAI and Groq send it in `x-ratelimit-reset-*`
 * (`1s`, `6m0s`, `12ms`, `1h2m3.5s`, `0`) into milliseconds; undefined when it is not one.
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length > MAX_VALUE_CHARS) return undefined;
  if (s === '0') return 0;
  // Azure and some compatible servers send plain seconds.
  if (COUNT.test(s)) {
    const ms = Number(s) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!GO_DURATION.test(s)) return undefined;
  let ms = 0;
  for (const [, num, unit] of s.matchAll(GO_PART)) {
    ms += Number(num) * (GO_UNITS_MS[unit as string] ?? Number.NaN);
  }
  return Number.isFinite(ms) ? ms : undefined;
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (s.length > MAX_VALUE_CHARS || !COUNT.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function parseRfc3339(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (s.length > MAX_VALUE_CHARS || !RFC3339.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

function reading(
  resource: Resource,
  limit: number | undefined,
  remaining: number | undefined,
  resetAt: number | undefined,
): RateLimitReading | undefined {
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  const r: RateLimitReading = { resource };
  if (limit !== undefined) r.limit = limit;
  if (remaining !== undefined) r.remaining = remaining;
  if (resetAt !== undefined) r.resetAt = resetAt;
  return r;
}

/**
 * Reads rate-limit headers from one response: OpenAI-style
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset as a Go duration, taken
 * relative to `nowMs`) and Anthropic `anthropic-ratelimit-{requests,tokens,input-tokens,
 * output-tokens}-{limit,remaining,reset}` (reset as RFC 3339), Azure's variants of the
 * OpenAI names (reset in plain seconds) and Mistral's `x-ratelimit-{limit,remaining}-
 * {req,tokens}-{minute,month}`. Header names must be
 * lower-case. Missing or garbled values are skipped; this never throws.
 */
export function parseRateLimits(
  headers: Record<string, string>,
  nowMs: number,
): RateLimitReading[] {
  const out: RateLimitReading[] = [];
  // Every name read below holds "ratelimit": a response without one (most health and model
  // checks) is answered without building the 20-odd names per probe.
  if (!Object.keys(headers).some((name) => name.includes('ratelimit'))) return out;
  for (const resource of RESOURCES) {
    const anthropicName = resource.replace('_', '-');
    const anthropic = reading(
      resource,
      parseCount(headers[`anthropic-ratelimit-${anthropicName}-limit`]),
      parseCount(headers[`anthropic-ratelimit-${anthropicName}-remaining`]),
      parseRfc3339(headers[`anthropic-ratelimit-${anthropicName}-reset`]),
    );
    if (anthropic) {
      out.push(anthropic);
      continue;
    }
    if (resource !== 'requests' && resource !== 'tokens') continue;
    const resetText = headers[`x-ratelimit-reset-${resource}`];
    const resetMs = resetText === undefined ? undefined : parseGoDuration(resetText);
    const openai = reading(
      resource,
      parseCount(headers[`x-ratelimit-limit-${resource}`]),
      parseCount(headers[`x-ratelimit-remaining-${resource}`]),
      resetMs === undefined ? undefined : nowMs + resetMs,
    );
    if (openai) {
      out.push(openai);
      continue;
    }
    // Mistral: per-minute windows (`-req-minute`, `-tokens-minute`), else per-month ones.
    const short = resource === 'requests' ? 'req' : 'tokens';
    for (const window of ['minute', 'month']) {
      const mistral = reading(
        resource,
        parseCount(headers[`x-ratelimit-limit-${short}-${window}`]),
        parseCount(headers[`x-ratelimit-remaining-${short}-${window}`]),
        undefined,
      );
      if (mistral) {
        out.push(mistral);
        break;
      }
    }
  }
  return out;
}

/** The smallest remaining/limit fraction among readings that carry both, with its reading. */
export function lowestHeadroom(
  readings: readonly RateLimitReading[],
): { fraction: number; reading: RateLimitReading } | undefined {
  let lowest: { fraction: number; reading: RateLimitReading } | undefined;
  for (const r of readings) {
    if (r.limit === undefined || r.remaining === undefined || r.limit <= 0) continue;
    const fraction = r.remaining / r.limit;
    if (!lowest || fraction < lowest.fraction) lowest = { fraction, reading: r };
  }
  return lowest;
}
