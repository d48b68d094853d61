import type { MaintenanceWindow, NotifierConfig } from '../config/types.js';
import type { ConsumerState, DependencyState } from '../evaluate/states.js';

export type { MaintenanceWindow, NotifierConfig };

/** Alert severities, least severe first (the order `minSeverity` compares in). */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `severity` reaches `min`. */
export const atLeast = (severity: Severity, min: Severity): boolean =>
  SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);

/** A dependency's evaluation after a completed probe round, as the monitor reports it. */
export interface DependencyObservation {
  dependency: { id: string; vendor: string; model?: string; team?: string };
  state: DependencyState;
  reasons: string[];
  /** Error class of the round's first failure, when it failed. */
  errorClass?: string;
  credentialProblem?: 'missing' | 'rejected';
  /** Security canaries failing on it (absent: none). */
  failingCanaries?: string[];
  /** Failing canaries are the only reason it is degraded: their own alert speaks. */
  degradedByCanaries?: boolean;
  /** Model changes this round saw (src/models/changes.ts); absent: none. */
  modelChanges?: { kind: string; from: string; to: string; similarity?: number }[];
  /** Epoch ms the round finished. */
  at: number;
}

/** A consumer's evaluation, reported after each round of any dependency in its chain. */
export interface ConsumerObservation {
  id: string;
  team?: string;
  state: ConsumerState;
  /** The dependency it should call now; null when none is usable. */
  route: string | null;
  reason: string;
  /** Epoch ms of the round that led to this evaluation. */
  at: number;
}

/** The alerts the built-in notifiers derive. */
export const ALERT_KINDS = [
  'dependency_down',
  'dependency_degraded',
  'credential_failure',
  'credential_missing',
  'canary_failing',
  'model_changed',
  'consumer_down',
  'consumer_fallback',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Routing class, the same `kind` label values the Prometheus rules use. */
export type AlertCategory = 'outage' | 'consumer' | 'config';

/** Opsgenie-style priority, P1 highest (the rules' `priority` label). */
export type AlertPriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/**
 * One notification to send: a trigger (first or reminder) or a resolve. Everything a payload
 * builder needs, so the builders stay pure. Times are epoch ms.
 */
export interface Alert {
  kind: AlertKind;
  /** Alert name shared with the Prometheus rules, e.g. `BellwetherDependencyDown`. */
  name: string;
  severity: Severity;
  priority: AlertPriority;
  category: AlertCategory;
  action: 'trigger' | 'resolve';
  /** A trigger re-sent while the alert keeps firing. */
  reminder: boolean;
  /** `bellwether/<vantage>/<subject>/<kind>`: the same for the trigger and its resolve. */
  dedupKey: string;
  vantage: string;
  subject: { type: 'dependency' | 'consumer'; id: string };
  vendor?: string;
  model?: string;
  team?: string;
  /** Consumers: the dependency they route to now (null: none usable). */
  route?: string | null;
  /** The subject's state when this notification was decided. */
  state: string;
  /** One line for titles and pager screens. */
  summary: string;
  reasons: string[];
  errorClass?: string;
  /** When the alert started firing. */
  startsAt: number;
  /** The observation this notification comes from. */
  at: number;
  /** Resolves: when it stopped firing. */
  endsAt?: number;
  /**
   * Triggers: when a receiver that expires alerts without news (Alertmanager) may consider it
   * over; refreshed while it keeps firing.
   */
  expiresAt?: number;
  runbookUrl: string;
  /** Bellwether's own page about the subject, when its external URL is known. */
  generatorUrl?: string;
}

/** An HTTP request a payload builder produces. */
export interface NotifyRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  /** The raw body, exactly as sent (signatures are computed over it). */
  body: string;
}

/**
 * Sends one request. Must honour `signal` (it aborts at the per-attempt timeout or on stop);
 * resolves with the HTTP status, rejects on network errors.
 */
export type Send = (
  request: NotifyRequest,
  opts: { signal: AbortSignal },
) => Promise<{
  status: number;
}>;

/** Values a builder may need besides the alert: the send time (signature timestamps). */
export interface BuildContext {
  now: number;
}
