import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { BellwetherConfig, ConsumerConfig, DependencyConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor, type MonitorDeps } from '../../src/monitor.js';
import type { CheckResult } from '../../src/probes/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';

/**
 * A real Monitor (in-memory store, own registry) over probes that answer `answer(id, check)`
 * without sockets. `close()` stops it and closes the store.
 */
export function scriptedMonitor(o: {
  dependencies: DependencyConfig[];
  consumers: ConsumerConfig[];
  answer?: (dependency: string, check: CheckResult['check']) => CheckResult;
  logger?: Logger;
  clock?: () => number;
  over?: Partial<MonitorDeps>;
}) {
  const config: BellwetherConfig = {
    sourcePath: '/dev/null',
    vantage: 'scripted',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 86_400_000 },
    dependencies: o.dependencies,
    consumers: o.consumers,
    statusPages: [],
    notify: [],
    secrets: [],
  };
  const answer = o.answer ?? ((_id, check) => ({ check, ok: true, latencyMs: 1 }));
  const store = openSqliteStore({ path: ':memory:' });
  const monitor = new Monitor({
    config,
    createProbe: (d) => ({
      vendor: d.vendor,
      checks: d.checks,
      run: async (check) => answer(d.id, check),
    }),
    http: {} as HttpClient,
    store,
    metrics: createMetrics(new Registry(), { version: '0.0.0-test' }),
    logger: o.logger ?? pino({ level: 'silent' }),
    now: () => performance.now(),
    clock: o.clock ?? (() => Date.now()),
    ...o.over,
  });
  const close = async () => {
    await monitor.stop(0);
    store.close();
  };
  return { monitor, store, close };
}
