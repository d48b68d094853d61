import type {
  AlertCategory,
  AlertKind,
  AlertPriority,
  ConsumerObservation,
  DependencyObservation,
  Severity,
} from './types.js';

/** How one observation counts for one alert. */
export type Condition = 'bad' | 'good' | 'neutral';

/** What an alert kind is: its name, severity and routing class, fixed per kind. */
export interface AlertDefinition {
  kind: AlertKind;
  subject: 'dependency' | 'consumer';
  /** Shared with the Prometheus rules (config/prometheus), so on-call reads one vocabulary. */
  name: string;
  severity: Severity;
  priority: AlertPriority;
  category: AlertCategory;
  /**
   * An event rather than a condition: it fires on the observation that carries it, whatever
   * the notifier's failuresToAlert, resolves on the next one, and is never repeated.
   */
  oneShot?: true;
}

/**
 * The alert catalogue. Severities follow the shipped Prometheus rules, except credential
 * failure: a warning here, because without the rules' `for: 5m` and quorum it is one
 * instance's view, and it is our key, never a vendor outage.
 */
export const ALERTS: Readonly<Record<AlertKind, AlertDefinition>> = {
  dependency_down: {
    kind: 'dependency_down',
    subject: 'dependency',
    name: 'BellwetherDependencyDown',
    severity: 'critical',
    priority: 'P2',
    category: 'outage',
  },
  dependency_degraded: {
    kind: 'dependency_degraded',
    subject: 'dependency',
    name: 'BellwetherDependencyDegraded',
    severity: 'warning',
    priority: 'P4',
    category: 'outage',
  },
  credential_failure: {
    kind: 'credential_failure',
    subject: 'dependency',
    name: 'BellwetherCredentialFailure',
    // As in the Prometheus rules: a revoked key fails the tool at its next call.
    severity: 'critical',
    priority: 'P2',
    category: 'config',
  },
  credential_missing: {
    kind: 'credential_missing',
    subject: 'dependency',
    name: 'BellwetherCredentialMissing',
    severity: 'info',
    priority: 'P5',
    category: 'config',
  },
  canary_failing: {
    kind: 'canary_failing',
    subject: 'dependency',
    name: 'BellwetherCanaryFailing',
    severity: 'warning',
    priority: 'P3',
    category: 'config',
  },
  model_changed: {
    kind: 'model_changed',
    subject: 'dependency',
    name: 'BellwetherModelChanged',
    // Worth knowing (a tool's parsing may drift), never a page: the vendor still answers.
    severity: 'info',
    priority: 'P5',
    category: 'config',
    oneShot: true,
  },
  consumer_down: {
    kind: 'consumer_down',
    subject: 'consumer',
    name: 'BellwetherConsumerDown',
    severity: 'critical',
    priority: 'P1',
    category: 'consumer',
  },
  consumer_fallback: {
    kind: 'consumer_fallback',
    subject: 'consumer',
    name: 'BellwetherConsumerOnFallback',
    severity: 'warning',
    priority: 'P3',
    category: 'consumer',
  },
};

/**
 * The open alert a firing one replaces for the same subject. When the worse alert's trigger
 * goes out, the replaced one is resolved right after it: one outage, one open alert per
 * notifier (a Degraded page, then a Down page, would leave two incidents open for one outage).
 */
export const SUPERSEDES: Readonly<Partial<Record<AlertKind, AlertKind>>> = {
  dependency_down: 'dependency_degraded',
  consumer_down: 'consumer_fallback',
};

/** The summary of a resolve sent because a worse alert replaced it. */
export function supersededSummary(who: string, by: AlertDefinition, vantage: string): string {
  return `${who} got worse, seen from ${vantage}: continues as ${by.name}`;
}

/** What the conditions remember about a dependency between observations. */
export interface SubjectMemory {
  /**
   * False from a `down` observation until the next `healthy` one. The evaluator's error-ratio
   * window keeps a recovered dependency degraded for a few rounds; that is the outage's tail,
   * already announced by the down alert and its resolve, not a new degradation.
   */
  degradedArmed: boolean;
}

export const INITIAL_MEMORY: SubjectMemory = { degradedArmed: true };

/** The condition of every dependency alert for one observation, and the memory after it. */
export function dependencyConditions(
  obs: DependencyObservation,
  memory: SubjectMemory,
): { conditions: Partial<Record<AlertKind, Condition>>; memory: SubjectMemory } {
  const { state, credentialProblem } = obs;
  // `unknown` without a credential problem: not probed yet, or nothing learned.
  const seen = state !== 'unknown';
  const degradedArmed =
    state === 'down' ? false : state === 'healthy' ? true : memory.degradedArmed;
  const conditions: Partial<Record<AlertKind, Condition>> = {
    // A dependency we cannot see past our own key is not known to be up: neutral, so a down
    // alert neither fires nor resolves on credential trouble alone.
    dependency_down: state === 'down' ? 'bad' : seen ? 'good' : 'neutral',
    // Degraded by failing canaries alone: the canary alert says it, one alert per cause.
    dependency_degraded:
      state === 'degraded' && degradedArmed && obs.degradedByCanaries !== true
        ? 'bad'
        : state === 'healthy' || obs.degradedByCanaries === true
          ? 'good'
          : 'neutral',
    canary_failing: (obs.failingCanaries?.length ?? 0) > 0 ? 'bad' : seen ? 'good' : 'neutral',
    model_changed: (obs.modelChanges?.length ?? 0) > 0 ? 'bad' : 'good',
    credential_failure:
      credentialProblem === 'rejected'
        ? 'bad'
        : seen || credentialProblem === 'missing'
          ? 'good'
          : 'neutral',
    credential_missing:
      credentialProblem === 'missing'
        ? 'bad'
        : seen || credentialProblem === 'rejected'
          ? 'good'
          : 'neutral',
  };
  return { conditions, memory: { degradedArmed } };
}

/** The condition of every consumer alert for one observation. */
export function consumerConditions(
  obs: ConsumerObservation,
): Partial<Record<AlertKind, Condition>> {
  return {
    consumer_down: obs.state === 'down' ? 'bad' : 'good',
    // Down is worse than on a fallback: that alert stays as it is, the down alert speaks.
    consumer_fallback: obs.state === 'degraded' ? 'bad' : obs.state === 'ok' ? 'good' : 'neutral',
  };
}

/** The dependency as a person names it: `openai-chat (openai)`. */
export function dependencyName(obs: DependencyObservation): string {
  return `${obs.dependency.id} (${obs.dependency.vendor})`;
}

/** One-line summary of a trigger or a resolve, the same text every notifier shows. */
export function dependencySummary(
  kind: AlertKind,
  action: 'trigger' | 'resolve',
  obs: DependencyObservation,
  vantage: string,
): string {
  const who = dependencyName(obs);
  const from = `seen from ${vantage}`;
  const first = obs.reasons[0];
  if (action === 'resolve') {
    switch (kind) {
      case 'dependency_down':
        return `${who} is up again, ${from}`;
      case 'dependency_degraded':
        return `${who} is healthy again, ${from}`;
      case 'credential_failure':
        return `${who} accepts our API key again, ${from}`;
      case 'canary_failing':
        return `${who} passes its security canaries again, ${from}`;
      case 'model_changed':
        return `${who}: model change recorded, ${from}`;
      default:
        return `${who} has an API key configured again, ${from}`;
    }
  }
  switch (kind) {
    case 'dependency_down':
      return `${who} is down, ${from}: ${obs.errorClass ?? first ?? 'failing'}`;
    case 'dependency_degraded':
      return `${who} is degraded, ${from}: ${first ?? 'degraded'}`;
    case 'credential_failure':
      return `${who} rejects our API key, ${from}: auth (our credentials, not a vendor outage)`;
    case 'canary_failing':
      return `${who} fails security canary ${obs.failingCanaries?.join(', ') ?? ''}, ${from}: the vendor answers, but not as the tool needs`;
    case 'model_changed':
      return `${who} changed model silently, ${from}: ${(obs.modelChanges ?? []).map(modelChangeText).join('; ')}`;
    default:
      return `${who} has no API key configured, ${from}: only reachability is probed`;
  }
}

/** One model change in words: `served_model gpt-4o-mini-2024-07-18 → gpt-4o-mini-2025-01-31`. */
export function modelChangeText(c: {
  kind: string;
  from: string;
  to: string;
  similarity?: number;
}): string {
  const similarity =
    c.similarity === undefined ? '' : ` (cosine similarity ${c.similarity.toFixed(3)})`;
  return `${c.kind} ${c.from} → ${c.to}${similarity}`;
}

/** One-line summary of a consumer alert. */
export function consumerSummary(
  kind: AlertKind,
  action: 'trigger' | 'resolve',
  obs: ConsumerObservation,
  vantage: string,
): string {
  const from = `seen from ${vantage}`;
  if (kind === 'consumer_down') {
    return action === 'trigger'
      ? `${obs.id} has no usable AI dependency, ${from}`
      : `${obs.id} has a usable AI dependency again (${obs.route ?? 'none'}), ${from}`;
  }
  return action === 'trigger'
    ? `${obs.id} is running on fallback ${obs.route ?? '(none)'}, ${from}`
    : `${obs.id} is back on its primary dependency, ${from}`;
}

/** The stable key a trigger and its resolve share: `bellwether/<vantage>/<subject>/<kind>`. */
export function dedupKey(vantage: string, subject: string, kind: AlertKind): string {
  return `bellwether/${vantage}/${subject}/${kind}`;
}

/** Where the runbook sections live (the same anchors the Prometheus rules link). */
export const DEFAULT_RUNBOOK_BASE =
  'https://github.com/bellwether-monitor/bellwether/blob/main/docs/runbook.md';

export function runbookUrl(base: string, name: string): string {
  return `${base}#${name.toLowerCase()}`;
}
