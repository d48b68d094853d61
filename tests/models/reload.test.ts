import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BellwetherConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import type { CheckResult, Probe } from '../../src/probes/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { testDependency } from '../support/dependency.js';

describe('a config reload keeps the model baseline and the changes', () => {
  it.each([
    { name: 'dependency unchanged', timeoutMs: 1000 },
    { name: 'dependency changed (same model)', timeoutMs: 2000 },
  ])(
    '$name: no new change for what was known, and the change stays listed',
    async ({ timeoutMs }) => {
      const store = openSqliteStore({ path: ':memory:' });
      const registry = new Registry();
      const metrics = createMetrics(registry, { version: 't' });
      let served = 'gpt-4o-mini-2024-07-18';
      const probe = (): Probe => ({
        vendor: 'openai',
        checks: ['completion'],
        run: async (check): Promise<CheckResult> => ({
          check,
          ok: true,
          latencyMs: 5,
          ttftMs: 2,
          servedModel: served,
          systemFingerprint: 'fp_a',
        }),
      });
      const config = (
        dep = testDependency({ id: 'oa', checks: ['completion'] }),
      ): BellwetherConfig => ({
        sourcePath: '/tmp/reload.yaml',
        vantage: 'reload',
        server: { port: 0, host: '127.0.0.1' },
        storage: { path: ':memory:', retentionMs: 86_400_000 },
        dependencies: [dep],
        consumers: [],
        statusPages: [],
        notify: [],
        secrets: [],
      });
      const monitor = (c: BellwetherConfig, previous?: Monitor) =>
        new Monitor({
          config: c,
          createProbe: probe,
          http: {} as HttpClient,
          store,
          metrics,
          logger: pino({ level: 'silent' }),
          now: () => performance.now(),
          clock: () => Date.now(),
          ...(previous ? { previous } : {}),
        });
      const first = monitor(config());
      await first.probeNow('oa');
      served = 'gpt-4o-mini-2025-01-31';
      await first.probeNow('oa');
      await first.stop(0);
      registry.resetMetrics();
      const second = monitor(
        config(testDependency({ id: 'oa', checks: ['completion'], timeoutMs })),
        first,
      );
      expect(second.dependency('oa')?.models?.servedModel).toBe('gpt-4o-mini-2025-01-31');
      await second.probeNow('oa');
      await second.probeNow('oa');
      const changes = second.dependency('oa')?.models?.changes.map((c) => c.change.kind);
      expect(changes).toEqual(['served_model']);
      const text = await registry.metrics();
      expect(text).toContain(
        'bellwether_served_model_info{dependency="oa",served_model="gpt-4o-mini-2025-01-31"} 1',
      );
      expect(text).toContain(
        'bellwether_model_changes_total{dependency="oa",kind="served_model"} 0',
      );
      await second.stop(0);
      store.close();
    },
  );
});
