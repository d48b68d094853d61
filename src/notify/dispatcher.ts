import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { ALERTMANAGER_RESEND_MS } from './alertmanager.js';
import {
  ALERTS,
  type AlertDefinition,
  type Condition,
  consumerConditions,
  consumerSummary,
  DEFAULT_RUNBOOK_BASE,
  dedupKey,
  dependencyConditions,
  dependencyName,
  dependencySummary,
  INITIAL_MEMORY,
  modelChangeText,
  runbookUrl,
  SUPERSEDES,
  type SubjectMemory,
  supersededSummary,
} from './alerts.js';
import { trimSlash } from './format.js';
import type { NotifierModule } from './module.js';
import {
  type AlertTrack,
  DEFAULT_POLICY,
  type Decision,
  IDLE,
  inMaintenance,
  type Policy,
  step,
} from './policy.js';
import { findNotifier } from './registry.js';
import { DEFAULT_RETRY, deliver, fetchSend, type RetryOptions } from './send.js';
import {
  type Alert,
  type AlertKind,
  atLeast,
  type BuildContext,
  type ConsumerObservation,
  type DependencyObservation,
  type MaintenanceWindow,
  type NotifierConfig,
  type NotifyRequest,
  type Send,
  type Severity,
} from './types.js';

/** `bellwether_notifications_total{notifier,outcome}` outcomes. */
export const OUTCOMES = ['sent', 'failed', 'dropped', 'suppressed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const METRIC = 'bellwether_notifications_total';

/** Per-attempt timeout when the notifier sets none. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Notifications waiting per notifier; past it the oldest is dropped (and counted). */
export const DEFAULT_QUEUE_SIZE = 100;

/** What the built-in notifiers need, built in bellwether.ts. */
export interface NotifiersOptions {
  configs: readonly NotifierConfig[];
  /** Part of every dedup key: each vantage point raises its own alerts. */
  vantage: string;
  /** `bellwether_notifications_total` is registered here (or reused when it already is). */
  registry: Registry;
  logger: Logger;
  /** Epoch ms; stamps the send time of signed webhooks. */
  clock: () => number;
  /** Defaults to global fetch; tests inject their own. */
  send?: Send;
  maintenance?: readonly MaintenanceWindow[];
  retry?: Partial<RetryOptions>;
  queueSize?: number;
  /** Base of the runbook links (`#<alertname>` is appended). */
  runbookBaseUrl?: string;
  /** Bellwether's public base URL, for links back to the dependency or consumer. */
  externalUrl?: string;
  /** From the notifiers these replace (config reload): firing alerts carry over. */
  previous?: NotifierCarry;
}

/** The alert state handed from one set of notifiers to its replacement. Opaque. */
export interface NotifierCarry {
  readonly tracks: ReadonlyMap<string, ReadonlyMap<string, AlertTrack>>;
  readonly memory: ReadonlyMap<string, SubjectMemory>;
  readonly lastSeen: ReadonlyMap<string, number>;
}

/** The built-in notifiers as the monitor sees them: told, never waited for. */
export interface Notifiers {
  /** A dependency's evaluation after a completed round. Returns at once. */
  observe(event: DependencyObservation): void;
  /** A consumer's evaluation after a round of any dependency in its chain. Returns at once. */
  observeConsumer(event: ConsumerObservation): void;
  /** Resolves when every queue is empty and nothing is in flight (tests, shutdown). */
  flush(): Promise<void>;
  /** Aborts what is in flight and drops what waits (counted as dropped). */
  stop(): void;
  /** The alert state, for the notifiers built on a config reload (`previous`). */
  carry(): NotifierCarry;
}

interface Job {
  alert: Alert;
  request: NotifyRequest;
}

interface Instance {
  /** The `notifier` label: the type, with `-2`, `-3`… for further ones of the same type. */
  label: string;
  /** Host the notifier sends to: all a log line may say about where. */
  host: string;
  /** Identity across reloads: the whole config, so changed keys or URLs start afresh. */
  identity: string;
  minSeverity: Severity;
  policy: Policy;
  timeoutMs: number;
  build: (alert: Alert, ctx: BuildContext) => NotifyRequest;
  secrets: string[];
  tracks: Map<string, AlertTrack>;
  queue: Job[];
  busy: boolean;
  waiters: (() => void)[];
}

const text = (settings: NotifierConfig['settings'], key: string): string | undefined => {
  const value = settings[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

function builderFor(config: NotifierConfig): {
  module: NotifierModule;
  build: Instance['build'];
  url: string;
} {
  const module = findNotifier(config.type);
  if (!module) throw new Error(`unknown notify type ${config.type}`);
  const settings: Record<string, string> = {};
  for (const key of Object.keys(config.settings)) {
    const value = text(config.settings, key);
    if (value !== undefined) settings[key] = value;
  }
  for (const [key, setting] of Object.entries(module.settings)) {
    if (setting.required && settings[key] === undefined) {
      throw new Error(`notify type ${config.type} needs ${key}`);
    }
  }
  return {
    module,
    build: (alert, ctx) => module.build(alert, settings, ctx),
    url: module.target(settings),
  };
}

function notificationsCounter(registry: Registry): Counter<'notifier' | 'outcome'> {
  const existing = registry.getSingleMetric(METRIC);
  if (existing) return existing as Counter<'notifier' | 'outcome'>;
  return new Counter({
    name: METRIC,
    help: 'Notifications by built-in notifier and outcome (sent, failed after retries, dropped from a full queue, suppressed by a maintenance window).',
    labelNames: ['notifier', 'outcome'] as const,
    registers: [registry],
  });
}

/** The policy of event alerts (AlertDefinition.oneShot): fire at once, resolve next, no reminders. */
const ONE_SHOT: Policy = { failuresToAlert: 1, successesToResolve: 1, remindEveryMs: 0 };

const isIdle = (t: AlertTrack): boolean => !t.firing && t.bad === 0 && t.good === 0;

/** Builds the notification of one alert for a decided action. */
type MakeAlert = (action: 'trigger' | 'resolve', reminder: boolean, firedAt: number) => Alert;

const trackKey = (def: AlertDefinition, subjectId: string): string =>
  `${def.subject}:${subjectId}/${def.kind}`;

/**
 * Builds the notifiers from their configs. Alerts are derived per notifier (its own
 * failuresToAlert, successesToResolve, remindEvery and minSeverity) from the observations,
 * and sent from a bounded queue per notifier, so a slow receiver delays only itself and
 * probing never waits.
 */
export function createNotifiers(opts: NotifiersOptions): Notifiers {
  const logger = opts.logger.child({ component: 'notify' });
  const send = opts.send ?? fetchSend;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...opts.retry };
  const queueSize = opts.queueSize ?? DEFAULT_QUEUE_SIZE;
  const windows = opts.maintenance ?? [];
  const runbookBase = opts.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE;
  const counter = notificationsCounter(opts.registry);
  const stopController = new AbortController();
  let stopped = false;

  const seenTypes = new Map<string, number>();
  const seenIdentities = new Map<string, number>();
  const instances: Instance[] = opts.configs.map((config) => {
    const n = (seenTypes.get(config.type) ?? 0) + 1;
    seenTypes.set(config.type, n);
    const { module, build, url } = builderFor(config);
    const base = JSON.stringify(config);
    const k = (seenIdentities.get(base) ?? 0) + 1;
    seenIdentities.set(base, k);
    const identity = `${base}#${k}`;
    const policy: Policy = {
      failuresToAlert: config.failuresToAlert ?? DEFAULT_POLICY.failuresToAlert,
      successesToResolve: config.successesToResolve ?? DEFAULT_POLICY.successesToResolve,
      // Receivers that expire alerts (Alertmanager) get a keep-alive at their own cadence.
      remindEveryMs: module.remindEveryMs ?? config.remindEveryMs ?? DEFAULT_POLICY.remindEveryMs,
    };
    const label = n === 1 ? config.type : `${config.type}-${n}`;
    for (const outcome of OUTCOMES) counter.inc({ notifier: label, outcome }, 0);
    return {
      label,
      host: hostOf(url),
      identity,
      minSeverity: config.minSeverity,
      policy,
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      build,
      secrets: Object.values(config.settings).filter(
        (v): v is string => typeof v === 'string' && v.length >= 4,
      ),
      tracks: new Map(opts.previous?.tracks.get(identity) ?? []),
      queue: [],
      busy: false,
      waiters: [],
    };
  });
  const memory = new Map(opts.previous?.memory ?? []);
  const lastSeen = new Map(opts.previous?.lastSeen ?? []);

  const scrub = (inst: Instance, message: string): string =>
    inst.secrets.reduce((m, s) => m.split(s).join('[REDACTED]'), message);

  const count = (inst: Instance, outcome: Outcome, by = 1) =>
    counter.inc({ notifier: inst.label, outcome }, by);

  async function drain(inst: Instance): Promise<void> {
    if (inst.busy) return;
    inst.busy = true;
    try {
      while (!stopped) {
        const job = inst.queue.shift();
        if (!job) break;
        await sendJob(inst, job);
      }
    } finally {
      inst.busy = false;
      for (const resolve of inst.waiters.splice(0)) resolve();
    }
  }

  async function sendJob(inst: Instance, job: Job): Promise<void> {
    const { alert } = job;
    const about = {
      notifier: inst.label,
      host: inst.host,
      alert: alert.name,
      action: alert.reminder ? 'reminder' : alert.action,
      dedupKey: alert.dedupKey,
    };
    const outcome = await deliver(send, job.request, {
      timeoutMs: inst.timeoutMs,
      retry,
      stop: stopController.signal,
    });
    if (outcome.ok) {
      count(inst, 'sent');
      logger.info({ ...about, attempts: outcome.attempts }, 'notification sent');
    } else if (outcome.stopped) {
      count(inst, 'dropped');
    } else {
      count(inst, 'failed');
      logger.warn(
        { ...about, attempts: outcome.attempts, reason: scrub(inst, outcome.reason) },
        'notification failed; giving up on it',
      );
    }
  }

  function enqueue(inst: Instance, alert: Alert): void {
    const request = inst.build(alert, { now: opts.clock() });
    if (inst.queue.length >= queueSize) {
      const dropped = inst.queue.shift();
      count(inst, 'dropped');
      logger.warn(
        { notifier: inst.label, host: inst.host, alert: dropped?.alert.name, queueSize },
        'notification queue full: dropped the oldest notification',
      );
    }
    inst.queue.push({ alert, request });
    void drain(inst);
  }

  /** Advances one alert of one notifier and acts on the decision, which it returns. */
  function advance(
    inst: Instance,
    def: AlertDefinition,
    subjectId: string,
    condition: Condition,
    at: number,
    maintenance: boolean,
    makeAlert: MakeAlert,
  ): Decision {
    const key = trackKey(def, subjectId);
    const before = inst.tracks.get(key) ?? IDLE;
    const policy = def.oneShot ? ONE_SHOT : inst.policy;
    const { track, decision } = step(before, condition, at, maintenance, policy);
    if (track.firing && !before.firing) {
      // Receivers match a resolve to its trigger by these (Alertmanager by labels): every
      // send of this firing repeats what they were when it started.
      const first = makeAlert('trigger', false, at);
      track.identity = { vendor: first.vendor, model: first.model, team: first.team };
    }
    if (isIdle(track)) inst.tracks.delete(key);
    else inst.tracks.set(key, track);
    act(inst, def, subjectId, decision, () => {
      const resolve = decision.type === 'resolve';
      const reminder = decision.type === 'trigger' && decision.reminder;
      const firedAt = (resolve ? before.firedAt : track.firedAt) ?? at;
      const alert = makeAlert(resolve ? 'resolve' : 'trigger', reminder, firedAt);
      const identity = resolve ? before.identity : track.identity;
      return identity ? { ...alert, ...identity } : alert;
    });
    return decision;
  }

  /**
   * After a first trigger of `by`, resolves the alert it supersedes (alerts.ts SUPERSEDES)
   * if that one is open for this notifier, and forgets it.
   */
  function supersede(
    inst: Instance,
    by: AlertDefinition,
    subjectId: string,
    decision: Decision,
    at: number,
    who: string,
    alertFor: (def: AlertDefinition) => MakeAlert,
  ): void {
    const replaced = SUPERSEDES[by.kind];
    if (replaced === undefined || decision.type !== 'trigger' || decision.reminder) return;
    const def = ALERTS[replaced];
    const key = trackKey(def, subjectId);
    const track = inst.tracks.get(key);
    if (track === undefined) return;
    inst.tracks.delete(key);
    if (!track.firing || !track.notified) return;
    const alert = alertFor(def)('resolve', false, track.firedAt ?? at);
    enqueue(inst, {
      ...alert,
      ...track.identity,
      summary: supersededSummary(who, by, opts.vantage),
    });
  }

  function act(
    inst: Instance,
    def: AlertDefinition,
    subjectId: string,
    decision: Decision,
    alert: () => Alert,
  ): void {
    if (decision.type === 'none') return;
    if (decision.type === 'suppressed') {
      count(inst, 'suppressed');
      logger.info(
        {
          notifier: inst.label,
          alert: def.name,
          subject: subjectId,
          action: decision.reminder ? 'reminder' : 'trigger',
        },
        'notification held back by a maintenance window',
      );
      return;
    }
    enqueue(inst, alert());
  }

  const link = (path: string): string | undefined =>
    opts.externalUrl ? `${trimSlash(opts.externalUrl)}${path}` : undefined;

  // Alertmanager drops an alert at endsAt: allow several missed rounds before that happens.
  const expiry = (at: number, gapMs: number): number =>
    at + Math.max(4 * ALERTMANAGER_RESEND_MS, 3 * gapMs);

  function conditionsFor<K extends AlertKind>(
    conditions: Partial<Record<K, Condition>>,
  ): [AlertDefinition, Condition][] {
    return Object.entries(conditions).map(([kind, c]) => [
      ALERTS[kind as AlertKind],
      c as Condition,
    ]);
  }

  /** What every alert of a subject carries, whichever kind of subject it is. */
  function alertOf(
    def: AlertDefinition,
    subject: Alert['subject'],
    when: {
      action: 'trigger' | 'resolve';
      reminder: boolean;
      firedAt: number;
      at: number;
      gap: number;
    },
  ): Omit<Alert, 'state' | 'summary' | 'reasons'> {
    const { action, at } = when;
    const path =
      subject.type === 'dependency'
        ? `/api/v1/dependencies/${encodeURIComponent(subject.id)}`
        : `/api/v1/consumers/${encodeURIComponent(subject.id)}/route`;
    return {
      kind: def.kind,
      name: def.name,
      severity: def.severity,
      priority: def.priority,
      category: def.category,
      action,
      reminder: when.reminder,
      dedupKey: dedupKey(opts.vantage, subject.id, def.kind),
      vantage: opts.vantage,
      subject,
      startsAt: when.firedAt,
      at,
      endsAt: action === 'resolve' ? at : undefined,
      expiresAt: action === 'trigger' ? expiry(at, when.gap) : undefined,
      runbookUrl: runbookUrl(runbookBase, def.name),
      generatorUrl: link(path),
    };
  }

  function observe(obs: DependencyObservation): void {
    if (stopped) return;
    const id = obs.dependency.id;
    const subjectKey = `dependency:${id}`;
    const result = dependencyConditions(obs, memory.get(id) ?? INITIAL_MEMORY);
    memory.set(id, result.memory);
    const previousAt = lastSeen.get(subjectKey);
    lastSeen.set(subjectKey, obs.at);
    const gap = previousAt === undefined ? 0 : Math.max(0, obs.at - previousAt);
    const maintenance = inMaintenance(windows, { type: 'dependency', id }, obs.at);
    const model = obs.dependency.model || undefined;
    const alertFor =
      (def: AlertDefinition): MakeAlert =>
      (action, reminder, firedAt) => ({
        ...alertOf(def, { type: 'dependency', id }, { action, reminder, firedAt, at: obs.at, gap }),
        vendor: obs.dependency.vendor,
        model,
        team: obs.dependency.team,
        state: obs.state,
        summary: dependencySummary(def.kind, action, obs, opts.vantage),
        reasons:
          def.kind === 'model_changed'
            ? (obs.modelChanges ?? []).map(modelChangeText)
            : [...obs.reasons],
        errorClass:
          action === 'resolve' || def.kind === 'model_changed'
            ? undefined
            : def.category === 'config'
              ? 'auth'
              : obs.errorClass,
      });
    for (const inst of instances) {
      for (const [def, condition] of conditionsFor(result.conditions)) {
        if (!atLeast(def.severity, inst.minSeverity)) continue;
        const decision = advance(inst, def, id, condition, obs.at, maintenance, alertFor(def));
        supersede(inst, def, id, decision, obs.at, dependencyName(obs), alertFor);
      }
    }
  }

  function observeConsumer(obs: ConsumerObservation): void {
    if (stopped) return;
    const id = obs.id;
    const subjectKey = `consumer:${id}`;
    const previousAt = lastSeen.get(subjectKey);
    lastSeen.set(subjectKey, obs.at);
    const gap = previousAt === undefined ? 0 : Math.max(0, obs.at - previousAt);
    const maintenance = inMaintenance(windows, { type: 'consumer', id }, obs.at);
    const alertFor =
      (def: AlertDefinition): MakeAlert =>
      (action, reminder, firedAt) => ({
        ...alertOf(def, { type: 'consumer', id }, { action, reminder, firedAt, at: obs.at, gap }),
        team: obs.team,
        route: obs.route,
        state: obs.state,
        summary: consumerSummary(def.kind, action, obs, opts.vantage),
        reasons: [obs.reason],
      });
    for (const inst of instances) {
      for (const [def, condition] of conditionsFor(consumerConditions(obs))) {
        if (!atLeast(def.severity, inst.minSeverity)) continue;
        const decision = advance(inst, def, id, condition, obs.at, maintenance, alertFor(def));
        supersede(inst, def, id, decision, obs.at, id, alertFor);
      }
    }
  }

  return {
    observe,
    observeConsumer,
    flush() {
      return Promise.all(
        instances.map((inst) =>
          inst.busy || inst.queue.length > 0
            ? new Promise<void>((resolve) => {
                inst.waiters.push(resolve);
                void drain(inst);
              })
            : undefined,
        ),
      ).then(() => undefined);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stopController.abort();
      for (const inst of instances) {
        if (inst.queue.length > 0) count(inst, 'dropped', inst.queue.length);
        inst.queue.length = 0;
        if (!inst.busy) for (const resolve of inst.waiters.splice(0)) resolve();
      }
    },
    carry() {
      return {
        tracks: new Map(instances.map((inst) => [inst.identity, new Map(inst.tracks)])),
        memory: new Map(memory),
        lastSeen: new Map(lastSeen),
      };
    },
  };
}
