import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { formatConfigError, loadConfig } from './config/load.js';
import type { BellwetherConfig } from './config/types.js';
import type { EvaluationPolicy } from './evaluate/evaluate.js';
import { createFollowers } from './followers.js';
import { type AccessOptions, DEFAULT_MAX_CONNECTIONS } from './http/access.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics/metrics.js';
import type { Monitor } from './monitor.js';
import { createScrubber } from './probes/scrub.js';
import {
  createRuntime,
  drainBudgetMs,
  type ReloadOutcome,
  type Runtime,
  type Shared,
  serialized,
} from './runtime.js';
import { type HistoryStore, openSqliteStore } from './store/sqlite-store.js';
import { registerStoreMetrics } from './store/store-metrics.js';
import { openSupervisedStore } from './store/supervised-store.js';
import { counted } from './text.js';
import type { HttpClient } from './transport/http-client.js';
import { createNodeHttpClient } from './transport/node-http-client.js';

export type { ReloadOutcome } from './runtime.js';

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
  report(
    `${counted(result.errors.length, 'error', 'errors')} in ${path}; Bellwether did not start.`,
  );
  return null;
}

/** A running Bellwether: everything bellwether.ts built, and how to stop it. */
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
  // Probing matters more than history: a file that cannot be used leaves history in memory,
  // watched and retried; a deleted one is recreated (src/store/supervised-store.ts).
  const store: HistoryStore =
    path === ':memory:' || path === ''
      ? openSqliteStore({ path, onError })
      : openSupervisedStore({ path, onError, logger: logger.child({ component: 'store' }) });
  registerStoreMetrics(registry, () => store);
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

/** Wires config → store, metrics, probes, monitor. Starts nothing (for `check`). */
export function build(
  opts: BuildOptions,
): Omit<Bellwether, 'stop' | 'port' | 'server' | 'reload' | 'pollStatusPages'> {
  const shared = buildShared(opts);
  const { monitor } = createRuntime(opts.config, shared, runtimeOptions(opts));
  return { config: opts.config, monitor, ...shared };
}

const runtimeOptions = (opts: BuildOptions) => ({
  ...(opts.policy ? { policy: opts.policy } : {}),
  ...(opts.firstRunSpreadMs === undefined ? {} : { firstRunSpreadMs: opts.firstRunSpreadMs }),
});

/** Starts probing and serving HTTP. The caller owns signals. */
export async function startBellwether(
  opts: BuildOptions & {
    port?: number;
    host?: string;
    reloadToken?: string;
    access?: AccessOptions;
    /** Open connections accepted at once; more are closed on arrival. */
    maxConnections?: number;
  },
): Promise<Bellwether> {
  const shared = buildShared(opts);
  const { store, logger, http, registry, metrics } = shared;
  const followers = createFollowers({
    config: opts.config,
    path: opts.storePath ?? opts.config.storage.path,
    shared,
    vantage: () => runtime.config.vantage,
    version: readVersion(),
  });
  const options = { ...runtimeOptions(opts), observers: followers.observers };
  // The one reference to what the running config runs; a reload swaps it.
  let runtime: Runtime = createRuntime(opts.config, shared, options);
  const env = opts.env ?? process.env;

  const reloadOnce = async (): Promise<ReloadOutcome> => {
    const config = runtime.config;
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
    if (JSON.stringify(next.otlp) !== JSON.stringify(config.otlp)) restartNeeded.push('otlp');
    for (const key of restartNeeded) {
      logger.warn(
        { key },
        'this setting changes only on restart; the rest of the config is applied',
      );
    }
    // Rounds still in flight may quote the old secrets: scrub both until they are done.
    shared.setSecrets([...new Set([...config.secrets, ...next.secrets])]);
    const old = runtime;
    await old.stop(drainBudgetMs(config));
    // Series of removed dependencies and consumers must not linger with stale values.
    registry.resetMetrics();
    registry.setDefaultLabels({ vantage: next.vantage });
    runtime = createRuntime(next, shared, options, old);
    void old.retire(10_000);
    shared.setSecrets(next.secrets);
    metrics.setConfigReloadSuccess(true, Date.now());
    runtime.start();
    logger.info(
      { dependencies: next.dependencies.length, consumers: next.consumers.length },
      'config reloaded',
    );
    return { ok: true, dependencies: next.dependencies.length, restartNeeded };
  };
  let reloading: Promise<ReloadOutcome> | undefined;
  const serializedReload = serialized(reloadOnce);
  const reload = (): Promise<ReloadOutcome> => {
    const pending = serializedReload();
    reloading = pending;
    return pending;
  };

  const app = createApp({
    monitor: {
      dependencies: () => runtime.monitor.dependencies(),
      dependency: (id) => runtime.monitor.dependency(id),
      consumer: (id) => runtime.monitor.consumer(id),
    },
    store,
    registry,
    logger,
    get consumers() {
      return runtime.config.consumers;
    },
    get vantage() {
      return runtime.config.vantage;
    },
    clock: () => Date.now(),
    notReady: () => runtime.monitor.notReady(),
    reload,
    reloadToken: opts.reloadToken,
    access: opts.access,
    incidents: followers.incidents,
  });
  const port = opts.port ?? opts.config.server.port;
  const host = opts.host ?? opts.config.server.host;
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
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  runtime.start();
  // Retention: prune once now, then every 5 minutes: small deletes keep each pause short
  // (a prune blocks in proportion to the rows it deletes).
  const prune = () => {
    const retention = runtime.config.storage.retentionMs;
    const removed = store.prune(Date.now() - retention, retention);
    if (removed > 0) logger.info({ removed }, 'pruned probe history past retention');
  };
  prune();
  const pruneTimer = setInterval(prune, 300_000);
  pruneTimer.unref();
  logger.info(
    {
      port: address.port,
      host,
      vantage: runtime.config.vantage,
      dependencies: runtime.config.dependencies.length,
      config: runtime.config.sourcePath,
    },
    'bellwether started',
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('stopping: no new probes, waiting for in-flight ones');
      clearInterval(pruneTimer);
      await reloading?.catch(() => undefined);
      const left = await runtime.stop(drainBudgetMs(runtime.config));
      if (left > 0) logger.warn({ rounds: left }, 'gave up waiting for in-flight probe rounds');
      // Give queued notifications (a resolve, say) a moment to leave, bounded.
      await runtime.retire(5_000);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      http.close();
      store.close();
      // The last OTLP points, bounded like the notifications; then the incident store.
      await followers.close(5_000);
      logger.info('stopped');
    })();
    return stopping;
  };
  return {
    get config() {
      return runtime.config;
    },
    get monitor() {
      return runtime.monitor;
    },
    registry,
    store,
    logger,
    http,
    port: address.port,
    server,
    reload,
    pollStatusPages: () => runtime.pollStatusPages(),
    stop,
  };
}
