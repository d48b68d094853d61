import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type AppDeps, createApp } from '../../src/app.js';
import type { BellwetherConfig, DependencyConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import type { CheckResult, Probe } from '../../src/probes/types.js';
import { type HistoryStore, openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
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

/** The harness config: a primary OpenAI and a fallback Anthropic dependency for one consumer. */
export function harnessConfig(): BellwetherConfig {
  const dep = (id: string, vendor: DependencyConfig['vendor']) =>
    testDependency({ id, vendor, baseUrl: 'https://api.example.test/v1' });
  return {
    sourcePath: '/tmp/test.yaml',
    vantage: 'test-vantage',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 8 * 86_400_000 },
    dependencies: [dep('primary', 'openai'), dep('fallback', 'anthropic')],
    consumers: [{ id: 'phishing-triage', team: 'secops', uses: ['primary', 'fallback'] }],
    statusPages: [],
    notify: [],
    secrets: [],
  };
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
  const store: HistoryStore = openSqliteStore({ path: ':memory:' });
  const registry = new Registry();
  registry.setDefaultLabels({ vantage: config.vantage });
  const metrics = createMetrics(registry, { version: '0.0.0-test' });
  const script: Script = Object.fromEntries(config.dependencies.map((d) => [d.id, healthy]));
  const probeFor = (d: DependencyConfig): Probe => ({
    vendor: d.vendor,
    checks: d.checks,
    run: async (check) => (script[d.id] ?? healthy)(check),
  });
  const monitor = new Monitor({
    config,
    createProbe: probeFor,
    http: {} as HttpClient,
    store,
    metrics,
    logger,
    now: () => performance.now(),
    clock: () => Date.now(),
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
  return { app, monitor, store, registry, script, config, close };
}
