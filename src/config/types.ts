import type { CanarySpec } from '../canary/types.js';
import type { CheckName } from '../probes/types.js';

/** When a dependency's circuit breaker opens and how it tries again. Windows count probe rounds, not wall time. */
export interface BreakerPolicy {
  /** Failed rounds in the window, as a percentage, at or above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Rounds the window must hold before the breaker may open. */
  volumeThreshold: number;
  /** How many recent probe rounds the window covers. */
  windowRounds: number;
  /** Open → half-open after this long (ms). */
  resetTimeoutMs: number;
}

/** One dependency after defaults, env interpolation and validation. */
export interface DependencyConfig {
  id: string;
  /** A vendor id of the registry (src/vendors/registry.ts). */
  vendor: string;
  /** Team that owns this dependency's credentials and configuration (alert routing). */
  team?: string;
  /** The `statusPages` entry (by its vendor name) this dependency follows; defaults to its own vendor. */
  statusPage?: string;
  /** Vendor base URL (OpenAI-style ends in /v1). Defaults per vendor are filled in. */
  baseUrl: string;
  /** Absent when not configured or its environment variable is unset (optional field). */
  apiKey?: string;
  /** The environment variable of the missing credential (apiKey or a vendor's own), to name it. */
  apiKeyEnv?: string;
  model?: string;
  /** The model the `embeddings` check asks (required when it runs). */
  embeddingModel?: string;
  /** The vector length `embeddings` expects; absent: the first answer's length is kept. */
  embeddingDimensions?: number;
  /**
   * How much a reasoning model may think on a probe or canary; each vendor maps it to its own
   * control (reasoning effort, thinking budget, extended thinking off). Absent: not sent.
   */
  reasoning?: 'off' | 'minimal' | 'low';
  /** Cosine similarity to the baseline under which an embedding counts as a model change. */
  embeddingSimilarity: number;
  checks: CheckName[];
  /** Exactly one of intervalMs or schedule is set. */
  intervalMs?: number;
  schedule?: string;
  timeoutMs: number;
  retries: number;
  degradedLatencyMs: number;
  degradedTtftMs?: number;
  /** Completion token budget (1 by default; raise it for reasoning models). */
  maxTokens: number;
  /** Availability objective for SLO burn-rate alerts (0.99 = 99 %), exported as a metric. */
  objective: number;
  /** Rate-limit headroom (remaining / limit) under which the dependency is degraded. */
  degradedHeadroom: number;
  /** Tokens the completion check may spend per UTC day; once spent it is skipped, not failed. */
  dailyTokenBudget?: number;
  breaker: BreakerPolicy;
  /** Extra request headers (may carry secrets: never logged). */
  headers?: Record<string, string>;
  /** Values of the vendor's own keys, resolved by its module; only that module reads them. */
  options: Readonly<Record<string, unknown>>;
  /** Security canaries this dependency runs, resolved; absent when none. */
  canaries?: CanarySpec[];
}

/** A security tool and its ordered dependency chain: primary first, then fallbacks. */
export interface ConsumerConfig {
  id: string;
  team?: string;
  uses: string[];
  /** Canaries a dependency must pass to be usable for this consumer; absent when none. */
  requires?: string[];
}

export interface StatusPageConfig {
  vendor: string;
  url: string;
  components?: string[];
}

/** A built-in notifier (src/notify). The policy fields are absent when not configured. */
export interface NotifierConfig {
  /** A notifier type of the registry (src/notify/registry.ts). */
  type: string;
  minSeverity: 'info' | 'warning' | 'critical';
  settings: Record<string, string | number | boolean>;
  /** Observations in a row in the alerting condition before it fires (default 3). */
  failuresToAlert?: number;
  /** Good observations in a row before a firing alert resolves (default 2). */
  successesToResolve?: number;
  /** Re-send a firing alert this often (default 4h); 0 never. */
  remindEveryMs?: number;
  /** Per-attempt send timeout (default 10s). */
  timeoutMs?: number;
}

/** Notifications are held back during a window; neither list means everything. */
export interface MaintenanceWindow {
  /** Epoch ms, start inclusive, end exclusive. */
  start: number;
  end: number;
  dependencies?: string[];
  consumers?: string[];
  reason?: string;
}

/** OpenTelemetry metrics export (src/otlp); absent when not configured. */
export interface OtlpConfig {
  /** Collector base URL; metrics go to `${endpoint}/v1/metrics`. */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  /** Sent with every export (may carry secrets: scrubbed like API keys). */
  headers: Record<string, string>;
  intervalMs: number;
}

/** The whole resolved configuration. Built once by the config loader and passed in. */
export interface BellwetherConfig {
  /** Absolute path of the file it came from. */
  sourcePath: string;
  vantage: string;
  server: { port: number; host: string };
  storage: { path: string; retentionMs: number };
  dependencies: DependencyConfig[];
  consumers: ConsumerConfig[];
  statusPages: StatusPageConfig[];
  notify: NotifierConfig[];
  /** Absent when none are configured. */
  maintenance?: MaintenanceWindow[];
  otlp?: OtlpConfig;
  /** Every secret value found in the config (API keys, header values, routing keys), for scrubbing. */
  secrets: string[];
}
