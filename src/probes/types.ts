import type { HttpClient, PhaseTimings } from '../transport/http-client.js';

/** Every failed probe gets exactly one error class (docs/contracts.md). */
export const ERROR_CLASSES = [
  'auth',
  'rate_limited',
  'overloaded',
  'server_error',
  'model_unavailable',
  'bad_request',
  'timeout',
  'network',
  'bad_response',
  'circuit_open',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Finer cause inside an error class: `billing` = a rate_limited that will not pass by itself (quota or credits spent). */
export type ErrorReason = 'billing';

/**
 * Checks a dependency can run. `models` spends no tokens; `completion` spends about one;
 * `embeddings` embeds one fixed short text (vendors that offer embeddings only).
 */
export const CHECK_NAMES = ['models', 'completion', 'http', 'embeddings'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** The checks that spend tokens: the daily token budget stops them, and their tokens are counted. */
export const TOKEN_CHECKS: readonly CheckName[] = ['completion', 'embeddings'];

/** Rate-limit figures read from one response's headers. */
export interface RateLimitReading {
  resource: 'requests' | 'tokens' | 'input_tokens' | 'output_tokens';
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds when the window resets, when the vendor says. */
  resetAt?: number;
}

/** What one run of one check of a probe found. Pure data: no secrets, ever. */
export interface CheckResult {
  check: CheckName;
  ok: boolean;
  /** Whole request, from sending to the last byte (or to the failure). */
  latencyMs: number;
  /** Streamed completions only: sending to the first content token. */
  ttftMs?: number;
  httpStatus?: number;
  errorClass?: ErrorClass;
  /** Finer cause inside errorClass, when one is known. */
  reason?: ErrorReason;
  /** Human explanation; already scrubbed of secrets. */
  message?: string;
  /** Tokens the vendor counted; `reasoning` (thinking) tokens apart, where the vendor says. */
  tokens?: { input: number; output: number; reasoning?: number };
  /** The model the vendor says served the request, when the probe reads it. */
  servedModel?: string;
  /** OpenAI/Azure `system_fingerprint`: the backend configuration that served the request. */
  systemFingerprint?: string;
  /** `embeddings` only: the vector the vendor returned for the fixed text. */
  embedding?: EmbeddingReading;
  rateLimits?: RateLimitReading[];
  /** True when the dependency has no API key configured: the result proves reachability only. */
  credentialsMissing?: boolean;
  /** Connection phases of the (last) exchange, when the transport measured them. */
  phases?: PhaseTimings;
  /** Epoch ms of the peer certificate's expiry, for HTTPS on a new connection. */
  tlsCertNotAfter?: number;
  /** True when the check did not run on purpose (for example a completion with no key). */
  skipped?: boolean;
  /**
   * The vendor's id for the (last) request (`x-request-id`, `request-id`, `apim-request-id`,
   * `x-amzn-requestid`, or the error body's `request_id`), to quote to its support.
   */
  requestId?: string;
  /** How long the vendor asked us to wait before retrying (retry-after-ms, retry-after, Google RetryInfo). */
  retryAfterMs?: number;
  /** The vendor's own `x-should-retry` verdict on this request, when it sent one. */
  vendorRetry?: boolean;
}

/** The vector of one `embeddings` check. Kept in memory and in the baseline; never in the API. */
export interface EmbeddingReading {
  dimensions: number;
  vector: readonly number[];
}

/** What a probe gets for one run: everything that varies is passed in. */
export interface ProbeContext {
  http: HttpClient;
  /** Aborted when the probe's timeout passes (covers headers, first token and body). */
  signal: AbortSignal;
  /** Milliseconds clock used for latency; monotonic (performance.now) in production. */
  now: () => number;
}

/** One vendor's way of checking a dependency. One file per vendor under src/probes/. */
export interface Probe {
  readonly vendor: string;
  /** Checks this probe will run, in order. */
  readonly checks: readonly CheckName[];
  run(check: CheckName, ctx: ProbeContext): Promise<CheckResult>;
}
