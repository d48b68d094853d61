import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { type AppDeps, createApp } from '../../src/app.js';
import type { BellwetherConfig, DependencyConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { CheckResult, Probe } from '../../src/probes/types.js';
import { type HistoryStore, openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from './dependency.js';

/** How each dependency's scripted probe answers a check; tests swap entries to inject faults. */
export type Script = Record<string, (check: CheckResult['check']) => CheckResult>;

/** A healthy answer: 120 ms, and for completions 80 ms to the first token and 9 tokens. */
export const healthy = (check: CheckResult['check']): CheckResult => ({
  check,
  ok: true,
  latencyMs: 120,
  ...(check === 'completion' ? { ttftMs: 80, tokens: { input: 8, output: 1 } } : {}),
});

/** A config of these dependencies and nothing else, in memory; `over` sets the rest. */
export function testConfig(
  dependencies: DependencyConfig[],
  over: Partial<BellwetherConfig> = {},
): BellwetherConfig {
  return {
    sourcePath: '/tmp/test.yaml',
    vantage: 'test-vantage',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 8 * 86_400_000 },
    dependencies,
    consumers: [],
    statusPages: [],
    notify: [],
    secrets: [],
    ...over,
  };
}

/** The harness config: a primary OpenAI and a fallback Anthropic dependency for one consumer. */
export function harnessConfig(): BellwetherConfig {
  const dep = (id: string, vendor: DependencyConfig['vendor']) =>
    testDependency({ id, vendor, baseUrl: 'https://api.example.test/v1' });
  return testConfig([dep('primary', 'openai'), dep('fallback', 'anthropic')], {
    consumers: [{ id: 'phishing-triage', team: 'secops', uses: ['primary', 'fallback'] }],
  });
}

/**
 * The real app, monitor, store and metrics over scripted probes (no sockets): routes are
 * exercised with app.request(), rounds driven with monitor.probeNow()/probeAll().
 */
export function createTestApp(
  over: Partial<AppDeps> = {},
  config = harnessConfig(),
  logger = pino({ level: 'silent' }),
) {
  const script: Script = Object.fromEntries(config.dependencies.map((d) => [d.id, healthy]));
  const probeFor = (d: DependencyConfig): Probe => ({
    vendor: d.vendor,
    checks: d.checks,
    run: async (check) => (script[d.id] ?? healthy)(check),
  });
  const rig = monitorRig(config, probeFor, {} as HttpClient, over, logger);
  return { ...rig, script, config };
}

/**
 * The same over each vendor's real probe and a real HTTP client, for tests against the fake
 * vendors; `close` closes the client too.
 */
export function createVendorTestApp(config: BellwetherConfig) {
  const http = createNodeHttpClient();
  const scrub = createScrubber(config.secrets);
  const probeFor = (d: DependencyConfig) => createProbe(d, scrub);
  const rig = monitorRig(config, probeFor, http, {}, pino({ level: 'silent' }), 1);
  return {
    ...rig,
    close: async () => {
      await rig.close();
      http.close();
    },
  };
}

function monitorRig(
  config: BellwetherConfig,
  probeFor: (d: DependencyConfig) => Probe,
  http: HttpClient,
  over: Partial<AppDeps>,
  logger: Logger,
  retryDelayMs?: number,
) {
  const store: HistoryStore = openSqliteStore({ path: ':memory:' });
  const registry = new Registry();
  registry.setDefaultLabels({ vantage: config.vantage });
  const metrics = createMetrics(registry, { version: '0.0.0-test' });
  const monitor = new Monitor({
    config,
    createProbe: probeFor,
    http,
    store,
    metrics,
    logger,
    now: () => performance.now(),
    clock: () => Date.now(),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
  });
  const app = createApp({
    monitor,
    store,
    registry,
    logger,
    consumers: config.consumers,
    vantage: config.vantage,
    clock: () => Date.now(),
    notReady: () => null,
    ...over,
  });
  const close = async () => {
    await monitor.stop(0);
    store.close();
  };
  return { app, monitor, store, registry, close };
}
