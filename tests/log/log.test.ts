import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BellwetherConfig } from '../../src/config/types.js';
import { createLogger, logFormatFrom } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import type { CheckResult } from '../../src/probes/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { testDependency } from '../support/dependency.js';

interface Line {
  level: number;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger writing into an array of parsed JSON lines. */
function capture(): { lines: Line[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const logger = createLogger({
    level: 'debug',
    scrub: (t) => t.replaceAll('sk-secret-0123456789', '[key]'),
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Line) },
  });
  return { lines, logger };
}

describe('log lines', () => {
  it('carry ISO 8601 UTC times and scrubbed messages', () => {
    const { lines, logger } = capture();
    logger.info({ detail: 'key sk-secret-0123456789 echoed' }, 'hello');
    expect(lines[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[0]?.detail).toBe('key [key] echoed');
  });

  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['json', 'json'],
    ['pretty', 'pretty'],
  ])('LOG_FORMAT=%s is %s', (value, format) => {
    expect(logFormatFrom(value)).toBe(format);
  });

  it('LOG_FORMAT=yaml is refused by name', () => {
    expect(() => logFormatFrom('yaml')).toThrow('LOG_FORMAT must be json or pretty, got "yaml"');
  });
});

describe('transition log levels', () => {
  it('dependency and consumer down at error, fallback and degraded at warn, ok at info', async () => {
    const { lines, logger } = capture();
    const deps = [testDependency({ id: 'primary' }), testDependency({ id: 'fallback' })];
    const config: BellwetherConfig = {
      sourcePath: '/dev/null',
      vantage: 'log',
      server: { port: 0, host: '127.0.0.1' },
      storage: { path: ':memory:', retentionMs: 86_400_000 },
      dependencies: deps,
      consumers: [{ id: 'tool', uses: ['primary', 'fallback'] }],
      statusPages: [],
      notify: [],
      secrets: [],
    };
    const failing = new Set<string>();
    const answer = (id: string, check: CheckResult['check']): CheckResult =>
      failing.has(id)
        ? { check, ok: false, latencyMs: 5, errorClass: 'server_error', httpStatus: 500 }
        : { check, ok: true, latencyMs: 5 };
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
      logger,
      now: () => performance.now(),
      clock: () => Date.now(),
      policy: { downAfterRounds: 1, ratioWindowRounds: 10, degradedErrorRatio: 0.2 },
    });
    await monitor.probeAll();
    failing.add('primary');
    await monitor.probeNow('primary');
    failing.add('fallback');
    await monitor.probeNow('fallback');
    failing.clear();
    await monitor.probeAll();
    const transitions = lines
      .filter((l) => l.msg.endsWith('state changed'))
      .map((l) => [l.level, l.dependency ?? l.consumer, l.to]);
    expect(transitions).toEqual([
      [30, 'primary', 'healthy'],
      [30, 'fallback', 'healthy'],
      [50, 'primary', 'down'],
      [40, 'tool', 'degraded'],
      [50, 'fallback', 'down'],
      [50, 'tool', 'down'],
      // Back, but 1 of its last 3 rounds failed: degraded, a warning.
      [40, 'primary', 'degraded'],
      [30, 'tool', 'ok'],
      [40, 'fallback', 'degraded'],
    ]);
    await monitor.stop(0);
    store.close();
  });
});
