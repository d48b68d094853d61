import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BellwetherConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { testDependency } from '../support/dependency.js';

/** A monitor whose dependencies never get a round (hourly, first run an hour away). */
function idleMonitor(clock: () => number) {
  const dependencies = [
    testDependency({ id: 'a', intervalMs: 3_600_000, timeoutMs: 2000, retries: 1 }),
    testDependency({ id: 'b', intervalMs: 3_600_000, timeoutMs: 1000 }),
  ];
  const config: BellwetherConfig = {
    sourcePath: '/dev/null',
    vantage: 'startup',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 86_400_000 },
    dependencies,
    consumers: [{ id: 'tool', uses: ['a', 'b'] }],
    statusPages: [],
    notify: [],
    secrets: [],
  };
  const store = openSqliteStore({ path: ':memory:' });
  const monitor = new Monitor({
    config,
    createProbe: (d) => ({
      vendor: d.vendor,
      checks: d.checks,
      run: async (check) => ({ check, ok: true, latencyMs: 1 }),
    }),
    http: {} as HttpClient,
    store,
    metrics: createMetrics(new Registry(), { version: '0.0.0-test' }),
    logger: pino({ level: 'silent' }),
    now: () => performance.now(),
    clock,
    firstRunSpreadMs: 3_600_000,
    retryDelayMs: 250,
  });
  return { monitor, store };
}

describe('start-up readiness', () => {
  it('is not ready before start, waits for first rounds, and gives up waiting at the bound', async () => {
    let now = 1_000_000;
    const { monitor, store } = idleMonitor(() => now);
    expect(monitor.notReady()).toBe('scheduler not running');
    monitor.start();
    // The bound is capped: min(60 s, spread 3,600 s + 2 checks × 2 attempts × 2.25 s + 1 s).
    expect(monitor.startupBoundMs).toBe(60_000);
    expect(monitor.notReady()).toBe(
      'starting: 2 dependencies have not finished a first probe round (a, b); ready in at most 60 s',
    );
    expect(monitor.consumer('tool')).toMatchObject({ state: 'ok', route: 'a' });
    await monitor.probeNow('a');
    expect(monitor.notReady()).toBe(
      'starting: 1 dependency has not finished a first probe round (b); ready in at most 60 s',
    );
    now += 60_000;
    expect(monitor.notReady()).toBeNull();
    await monitor.stop(0);
    store.close();
  });
});
