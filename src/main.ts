import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { type ServerType, serve } from '@hono/node-server';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { type ConfigError, formatConfigError, loadConfig } from './config/load.js';
import type { BellwetherConfig } from './config/types.js';
import { DEFAULT_POLICY, type EvaluationPolicy } from './evaluate/evaluate.js';
import type { AccessOptions } from './http/access.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { Monitor } from './monitor.js';
import { createNotifiers, type Notifiers, observeMonitor } from './notify/index.js';
import { createProbe } from './probes/index.js';
import { createScrubber } from './probes/scrub.js';
import { createStatusPagePoller, type StatusPagePoller } from './statuspages/index.js';
import { type HistoryStore, openSqliteStore } from './store/sqlite-store.js';
import type { HttpClient } from './transport/http-client.js';
import { createNodeHttpClient } from './transport/node-http-client.js';

/** The version in package.json, read once at start. */
export function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return String(pkg.version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

/** Loads the config or explains every error and returns null. */
export function loadOrReport(
  path: string,
  env: NodeJS.ProcessEnv,
  report: (line: string) => void,
): BellwetherConfig | null {
  const result = loadConfig(path, env);
  if (result.ok) return result.config;
  for (const e of result.errors) report(formatConfigError(e));
  report(`${result.errors.length} error(s) in ${path}; Bellwether did not start.`);
  return null;
}

/** What a reload did: the new config runs, or the old one keeps running and why. */
export type ReloadOutcome =
  | { ok: true; dependencies: number; restartNeeded: string[] }
  | { ok: false; errors: ConfigError[] };

/** A running Bellwether: everything main.ts built, and how to stop it. */
export interface Bellwether {
  /** The config now running (changes on a successful reload). */
  readonly config: BellwetherConfig;
  /** The monitor now running (replaced on a successful reload). */
  readonly monitor: Monitor;
  registry: Registry;
  store: HistoryStore;
  logger: Logger;
  http: HttpClient;
  /** Listening port (the real one when 0 was asked for). */
  port?: number;
  server?: ServerType;
  /** Re-reads the config file; a bad config is refused and the running one kept. */
  reload(): Promise<ReloadOutcome>;
  /** Polls every vendor status page now (tests; the poller also runs on its own timer). */
  pollStatusPages(): Promise<void>;
  stop(): Promise<void>;
}

/** Options for building a Bellwether from a resolved config. */
export interface BuildOptions {
  config: BellwetherConfig;
  logLevel?: string;
  logDestination?: Parameters<typeof createLogger>[0]['destination'];
  /** Override the configured store path (check uses :memory:). */
  storePath?: string;
  policy?: EvaluationPolicy;
  firstRunSpreadMs?: number;
  /** Environment for config reloads (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The HTTP client probes use (default: node:http with keep-alive). */
  http?: HttpClient;
}

interface Shared {
  registry: Registry;
  metrics: Metrics;
  store: HistoryStore;
  logger: Logger;
  http: HttpClient;
  /** Scrubs with the secrets of the config now running. */
  scrub: (text: string) => string;
  setSecrets(secrets: string[]): void;
}

function buildShared(opts: BuildOptions): Shared {
  const { config } = opts;
  let scrubber = createScrubber(config.secrets);
  const scrub = (text: string) => scrubber(text);
  const logger = createLogger({
    level: opts.logLevel ?? 'info',
    scrub,
    destination: opts.logDestination,
  });
  const registry = new Registry();
  registry.setDefaultLabels({ vantage: config.vantage });
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which promtool's lint rejects; the handle and
  // request counts they give are not worth a failing `promtool check metrics`.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
  const metrics = createMetrics(registry, { version: readVersion() });
  metrics.setConfigReloadSuccess(true, Date.now());
  const onError = (err: Error, op: string) =>
    logger.error({ op, err: scrub(err.message) }, 'history store error; probing continues');
  const path = opts.storePath ?? config.storage.path;
  let store: HistoryStore;
  try {
    store = openSqliteStore({ path, onError });
  } catch (err) {
    // Probing matters more than history: run on, say so loudly, keep history in memory.
    logger.error(
      { path, err: scrub((err as Error).message) },
      'history store unavailable; keeping history in memory until it is fixed (lost on restart)',
    );
    store = openSqliteStore({ path: ':memory:', onError });
  }
  const http = opts.http ?? createNodeHttpClient({ userAgent: `bellwether/${readVersion()}` });
  return {
    registry,
    metrics,
    store,
    logger,
    http,
    scrub,
    setSecrets(secrets) {
      scrubber = createScrubber(secrets);
    },
  };
}

function buildMonitor(
  config: BellwetherConfig,
  shared: Shared,
  opts: BuildOptions,
  previous?: Monitor,
): Monitor {
  return new Monitor({
    config,
    createProbe: (dep) => createProbe(dep, shared.scrub),
    http: shared.http,
    store: shared.store,
    metrics: shared.metrics,
    logger: shared.logger,
    now: () => performance.now(),
    clock: () => Date.now(),
    policy: opts.policy ?? DEFAULT_POLICY,
    firstRunSpreadMs: opts.firstRunSpreadMs,
    previous,
  });
}

/** Wires config → store, metrics, probes, monitor. Starts nothing (for `check`). */
export function build(
  opts: BuildOptions,
): Omit<Bellwether, 'stop' | 'port' | 'server' | 'reload' | 'pollStatusPages'> {
  const shared = buildShared(opts);
  const monitor = buildMonitor(opts.config, shared, opts);
  return { config: opts.config, monitor, ...shared };
}

/** Starts probing and serving HTTP. The caller owns signals. */
export async function startBellwether(
  opts: BuildOptions & {
    port?: number;
    host?: string;
    reloadToken?: string;
    access?: AccessOptions;
  },
): Promise<Bellwether> {
  const shared = buildShared(opts);
  const { store, logger, http, registry, metrics } = shared;
  let config = opts.config;
  let monitor = buildMonitor(config, shared, opts);
  const startPoller = (pages: BellwetherConfig['statusPages']): StatusPagePoller => {
    const poller = createStatusPagePoller({
      pages,
      http,
      clock: () => Date.now(),
      logger: logger.child({ component: 'statuspages' }),
      // Always the monitor now running, also after a reload.
      onUpdate: (status) => monitor.setVendorStatus(status),
    });
    poller.start();
    return poller;
  };
  let poller: StatusPagePoller | undefined;
  const buildNotifiers = (cfg: BellwetherConfig, previous?: Notifiers): Notifiers =>
    createNotifiers({
      configs: cfg.notify,
      vantage: cfg.vantage,
      registry,
      logger,
      clock: () => Date.now(),
      maintenance: cfg.maintenance,
      // Firing alerts survive a reload when the notifier config is the same.
      previous: previous?.carry(),
    });
  let notifiers = buildNotifiers(config);
  let unobserve = observeMonitor(
    monitor,
    () => notifiers,
    () => config.consumers,
  );
  const env = opts.env ?? process.env;
  const maxDrainMs = () =>
    Math.min(Math.max(1000, ...config.dependencies.map((d) => d.timeoutMs)) + 1000, 15_000);

  let reloading: Promise<ReloadOutcome> | undefined;
  const reload = (): Promise<ReloadOutcome> => {
    reloading ??= (async (): Promise<ReloadOutcome> => {
      const result = loadConfig(config.sourcePath, env);
      if (!result.ok) {
        metrics.setConfigReloadSuccess(false, Date.now());
        for (const e of result.errors) {
          logger.error(
            { config: config.sourcePath },
            `config reload refused: ${formatConfigError(e)}`,
          );
        }
        logger.warn('config reload refused; the running config is kept');
        return { ok: false, errors: result.errors };
      }
      const next = result.config;
      const restartNeeded: string[] = [];
      if (next.server.port !== config.server.port || next.server.host !== config.server.host) {
        restartNeeded.push('server');
      }
      if (next.storage.path !== config.storage.path) restartNeeded.push('storage.path');
      for (const key of restartNeeded) {
        logger.warn(
          { key },
          'this setting changes only on restart; the rest of the config is applied',
        );
      }
      shared.setSecrets([...new Set([...config.secrets, ...next.secrets])]);
      const old = monitor;
      await old.stop(maxDrainMs());
      // Series of removed dependencies and consumers must not linger with stale values.
      registry.resetMetrics();
      registry.setDefaultLabels({ vantage: next.vantage });
      monitor = buildMonitor(next, shared, opts, old);
      config = next;
      poller?.stop();
      poller = startPoller(next.statusPages);
      unobserve();
      const oldNotifiers = notifiers;
      notifiers = buildNotifiers(next, oldNotifiers);
      unobserve = observeMonitor(
        monitor,
        () => notifiers,
        () => config.consumers,
      );
      void Promise.race([oldNotifiers.flush(), delay(10_000, undefined, { ref: false })]).finally(
        () => oldNotifiers.stop(),
      );
      shared.setSecrets(next.secrets);
      metrics.setConfigReloadSuccess(true, Date.now());
      monitor.start();
      logger.info(
        { dependencies: next.dependencies.length, consumers: next.consumers.length },
        'config reloaded',
      );
      return { ok: true, dependencies: next.dependencies.length, restartNeeded };
    })().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };

  const app = createApp({
    monitor: {
      dependencies: () => monitor.dependencies(),
      dependency: (id) => monitor.dependency(id),
      consumer: (id) => monitor.consumer(id),
    },
    store,
    registry,
    logger,
    get consumers() {
      return config.consumers;
    },
    get vantage() {
      return config.vantage;
    },
    clock: () => Date.now(),
    notReady: () => monitor.notReady(),
    reload,
    reloadToken: opts.reloadToken,
    access: opts.access,
  });
  const port = opts.port ?? config.server.port;
  const host = opts.host ?? config.server.host;
  const { server, address } = await new Promise<{ server: ServerType; address: AddressInfo }>(
    (resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          port,
          hostname: host,
          // Small headers only (no route needs more); slow clients are cut off.
          serverOptions: { maxHeaderSize: 8192, headersTimeout: 10_000, requestTimeout: 30_000 },
        },
        (info) => resolve({ server: s, address: info }),
      );
      s.once('error', reject);
    },
  );
  monitor.start();
  poller = startPoller(config.statusPages);
  // Retention: prune once now, then every 5 minutes: small deletes keep each pause short
  // (a prune blocks in proportion to the rows it deletes).
  const prune = () => {
    const removed = store.prune(Date.now() - config.storage.retentionMs);
    if (removed > 0) logger.info({ removed }, 'pruned probe history past retention');
  };
  prune();
  const pruneTimer = setInterval(prune, 300_000);
  pruneTimer.unref();
  logger.info(
    {
      port: address.port,
      host,
      vantage: config.vantage,
      dependencies: config.dependencies.length,
      config: config.sourcePath,
    },
    'bellwether started',
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('stopping: no new probes, waiting for in-flight ones');
      clearInterval(pruneTimer);
      await reloading?.catch(() => undefined);
      poller?.stop();
      const left = await monitor.stop(maxDrainMs());
      if (left > 0) logger.warn({ rounds: left }, 'gave up waiting for in-flight probe rounds');
      unobserve();
      // Give queued notifications (a resolve, say) a moment to leave, bounded.
      await Promise.race([notifiers.flush(), delay(5_000, undefined, { ref: false })]);
      notifiers.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      http.close();
      store.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return {
    get config() {
      return config;
    },
    get monitor() {
      return monitor;
    },
    registry,
    store,
    logger,
    http,
    port: address.port,
    server,
    reload,
    async pollStatusPages() {
      await poller?.pollNow();
    },
    stop,
  };
}
