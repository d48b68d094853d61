import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type ServerType, serve } from '@hono/node-server';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { formatConfigError, loadConfig } from './config/load.js';
import type { BellwetherConfig } from './config/types.js';
import { DEFAULT_POLICY, type EvaluationPolicy } from './evaluate/evaluate.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics/metrics.js';
import { Monitor } from './monitor.js';
import { createProbe } from './probes/index.js';
import { createScrubber } from './probes/scrub.js';
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

/** A running Bellwether: everything main.ts built, and how to stop it. */
export interface Bellwether {
  config: BellwetherConfig;
  monitor: Monitor;
  registry: Registry;
  store: HistoryStore;
  logger: Logger;
  http: HttpClient;
  /** Listening port (the real one when 0 was asked for). */
  port?: number;
  server?: ServerType;
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
}

/** Wires config → store, metrics, probes, monitor. Starts nothing. */
export function build(opts: BuildOptions): Omit<Bellwether, 'stop' | 'port' | 'server'> {
  const { config } = opts;
  const scrub = createScrubber(config.secrets);
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
  const store = openSqliteStore({
    path: opts.storePath ?? config.storage.path,
    onError: (err, op) =>
      logger.error({ op, err: scrub(err.message) }, 'history store error; probing continues'),
  });
  const http = createNodeHttpClient({ userAgent: `bellwether/${readVersion()}` });
  const monitor = new Monitor({
    config,
    createProbe: (dep) => createProbe(dep, scrub),
    http,
    store,
    metrics,
    logger,
    now: () => performance.now(),
    clock: () => Date.now(),
    policy: opts.policy ?? DEFAULT_POLICY,
    firstRunSpreadMs: opts.firstRunSpreadMs,
  });
  return { config, monitor, registry, store, logger, http };
}

/** Starts probing and serving HTTP. The caller owns signals. */
export async function startBellwether(
  opts: BuildOptions & { port?: number; host?: string },
): Promise<Bellwether> {
  const parts = build(opts);
  const { config, monitor, store, logger, http, registry } = parts;
  const app = createApp({
    monitor,
    store,
    registry,
    logger,
    consumers: config.consumers,
    vantage: config.vantage,
    clock: () => Date.now(),
    ready: () => monitor.running,
  });
  const port = opts.port ?? config.server.port;
  const host = opts.host ?? config.server.host;
  const { server, address } = await new Promise<{ server: ServerType; address: AddressInfo }>(
    (resolve, reject) => {
      const s = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
        resolve({ server: s, address: info }),
      );
      s.once('error', reject);
    },
  );
  monitor.start();
  // Retention: prune once now, then hourly; one wake-up an hour costs nothing.
  const prune = () => {
    const removed = store.prune(Date.now() - config.storage.retentionMs);
    if (removed > 0) logger.info({ removed }, 'pruned probe history past retention');
  };
  prune();
  const pruneTimer = setInterval(prune, 3_600_000);
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
  for (const n of config.notify) {
    logger.warn(
      { notifier: n.type },
      'notify entries are validated but not sent yet by this version',
    );
  }
  const maxTimeout = Math.max(1000, ...config.dependencies.map((d) => d.timeoutMs));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('stopping: no new probes, waiting for in-flight ones');
      clearInterval(pruneTimer);
      const left = await monitor.stop(Math.min(maxTimeout + 1000, 15_000));
      if (left > 0) logger.warn({ rounds: left }, 'gave up waiting for in-flight probe rounds');
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
  return { ...parts, port: address.port, server, stop };
}
