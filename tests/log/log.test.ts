import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFrom } from '../../src/log.js';
import type { CheckResult } from '../../src/probes/types.js';
import { testDependency } from '../support/dependency.js';
import { scriptedMonitor } from '../support/scripted-monitor.js';

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
    const failing = new Set<string>();
    const answer = (id: string, check: CheckResult['check']): CheckResult =>
      failing.has(id)
        ? { check, ok: false, latencyMs: 5, errorClass: 'server_error', httpStatus: 500 }
        : { check, ok: true, latencyMs: 5 };
    const { monitor, close } = scriptedMonitor({
      dependencies: [testDependency({ id: 'primary' }), testDependency({ id: 'fallback' })],
      consumers: [{ id: 'tool', uses: ['primary', 'fallback'] }],
      answer,
      logger,
      over: { policy: { downAfterRounds: 1, ratioWindowRounds: 10, degradedErrorRatio: 0.2 } },
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
    await close();
  });
});
