import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { ConfigError } from './config/load.js';
import type { BellwetherConfig } from './config/types.js';
import { DEFAULT_POLICY, type EvaluationPolicy } from './evaluate/evaluate.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics/metrics.js';
import { Monitor } from './monitor.js';
import { createNotifiers, type Notifiers, observeMonitor } from './notify/index.js';
import { createStatusPagePoller, type StatusPagePoller } from './statuspages/index.js';
import type { HistoryStore } from './store/sqlite-store.js';
import type { HttpClient } from './transport/http-client.js';
import { createCanaryRunner, createProbe } from './vendors/registry.js';

/** What a reload did: the new config runs, or the old one keeps running and why. */
export type ReloadOutcome =
  | { ok: true; dependencies: number; restartNeeded: string[] }
  | { ok: false; errors: ConfigError[] };

/** What outlives a config: one of each for the whole process, built once and passed in. */
export interface Shared {
  registry: Registry;
  metrics: Metrics;
  store: HistoryStore;
  logger: Logger;
  http: HttpClient;
  /** Scrubs with the secrets of the config now running. */
  scrub: (text: string) => string;
  setSecrets(secrets: string[]): void;
}

/** Tunables of a runtime that are not in the config (tests and `check` set them). */
export interface RuntimeOptions {
  policy?: EvaluationPolicy;
  firstRunSpreadMs?: number;
  /** Epoch ms clock (default Date.now). */
  clock?: () => number;
  /** More followers of the monitor's rounds (incidents, OTLP): subscribed on start, dropped on stop. */
  observers?: readonly ((monitor: Monitor) => () => void)[];
}

/**
 * Everything one config runs: the monitor (probes, breakers, state), the vendor status-page
 * poller and the built-in notifiers, wired together. A reload builds the next runtime from
 * this one (`previous`), which hands over recent rounds and firing alerts.
 */
export interface Runtime {
  readonly config: BellwetherConfig;
  readonly monitor: Monitor;
  /** Starts probing and polling status pages. */
  start(): void;
  /** Polls every vendor status page now (the poller also runs on its own timer). */
  pollStatusPages(): Promise<void>;
  /**
   * Stops probing and polling: waits at most `drainMs` for rounds in flight and returns how
   * many it gave up on. The notifiers stay until {@link retire}, so a reload can carry them.
   */
  stop(drainMs: number): Promise<number>;
  /** Lets queued notifications leave (bounded by `flushMs`), then stops the notifiers. */
  retire(flushMs: number): Promise<void>;
  /** The notifiers' alert state, for the next runtime. */
  readonly notifiers: Notifiers;
}

/** How long a stop may wait for rounds in flight: the slowest timeout and a second, at most 15 s. */
export function drainBudgetMs(config: BellwetherConfig): number {
  return Math.min(Math.max(1000, ...config.dependencies.map((d) => d.timeoutMs)) + 1000, 15_000);
}

/** Builds the runtime of a config. Starts nothing. */
export function createRuntime(
  config: BellwetherConfig,
  shared: Shared,
  opts: RuntimeOptions = {},
  previous?: Runtime,
): Runtime {
  const clock = opts.clock ?? (() => Date.now());
  const monitor = new Monitor({
    config,
    createProbe: (dep) => createProbe(dep, shared.scrub),
    createCanaryRunner: (dep) => createCanaryRunner(dep, shared.scrub, clock),
    http: shared.http,
    store: shared.store,
    metrics: shared.metrics,
    logger: shared.logger,
    now: () => performance.now(),
    clock,
    policy: opts.policy ?? DEFAULT_POLICY,
    firstRunSpreadMs: opts.firstRunSpreadMs,
    previous: previous?.monitor,
  });
  const notifiers = createNotifiers({
    configs: config.notify,
    vantage: config.vantage,
    registry: shared.registry,
    logger: shared.logger,
    clock,
    maintenance: config.maintenance,
    // Firing alerts survive a reload when the notifier config is the same.
    previous: previous?.notifiers.carry(),
  });
  let poller: StatusPagePoller | undefined;
  let unobserve: (() => void) | undefined;
  let unobserveMore: (() => void)[] = [];
  return {
    config,
    monitor,
    notifiers,
    start() {
      unobserve = observeMonitor(
        monitor,
        () => notifiers,
        () => config.consumers,
      );
      unobserveMore = (opts.observers ?? []).map((observe) => observe(monitor));
      poller = createStatusPagePoller({
        pages: config.statusPages,
        http: shared.http,
        clock,
        logger: shared.logger.child({ component: 'statuspages' }),
        onUpdate: (status) => monitor.setVendorStatus(status),
      });
      poller.start();
      monitor.start();
    },
    async pollStatusPages() {
      await poller?.pollNow();
    },
    async stop(drainMs) {
      poller?.stop();
      const left = await monitor.stop(drainMs);
      unobserve?.();
      for (const off of unobserveMore) off();
      return left;
    },
    async retire(flushMs) {
      await Promise.race([notifiers.flush(), delay(flushMs, undefined, { ref: false })]);
      notifiers.stop();
    },
  };
}

/**
 * Serializes reloads: one runs at a time, and every request that arrives while one runs
 * shares a single follow-up that reads the file only after it, so the last file written
 * before the last request is the config that ends up running.
 */
export function serialized(reloadOnce: () => Promise<ReloadOutcome>): () => Promise<ReloadOutcome> {
  let current: Promise<ReloadOutcome> | undefined;
  let next: Promise<ReloadOutcome> | undefined;
  const reload = (): Promise<ReloadOutcome> => {
    if (!current) {
      current = reloadOnce().finally(() => {
        current = undefined;
      });
      return current;
    }
    next ??= current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = undefined;
        return reload();
      });
    return next;
  };
  return reload;
}
