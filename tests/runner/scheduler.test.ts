import { validate } from 'node-cron';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createScheduler, intervalToCron, stableOffset } from '../../src/runner/scheduler.js';

const fields = (expr: string) => expr.split(' ');
const values = (field: string) => field.split(',').map(Number);

describe('intervalToCron', () => {
  it.each([
    [1_000, 'second', 60],
    [5_000, 'second', 12],
    [30_000, 'second', 2],
    [60_000, 'minute', 60],
    [120_000, 'minute', 30],
    [900_000, 'minute', 4],
    [3_600_000, 'hour', 24],
    [21_600_000, 'hour', 4],
  ])('%i ms fires in %s slots, %i per cycle, evenly spaced', (ms, unit, count) => {
    const expr = intervalToCron(ms, 'openai-chat');
    expect(expr).not.toBeNull();
    expect(validate(expr as string)).toBe(true);
    const index = { second: 0, minute: 1, hour: 2 }[unit as 'second' | 'minute' | 'hour'];
    const slots = values(fields(expr as string)[index] as string);
    expect(slots).toHaveLength(count);
    const step = slots[1] === undefined ? 0 : (slots[1] as number) - (slots[0] as number);
    slots.forEach((v, i) => {
      if (i > 0) expect(v - (slots[i - 1] as number)).toBe(step);
    });
  });

  it.each([45_000, 7 * 60_000, 90_000, 500])('%i ms cannot be a cron schedule', (ms) => {
    expect(intervalToCron(ms, 'x')).toBeNull();
  });

  it('spreads 500 dependencies over the interval instead of one instant', () => {
    const seconds = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const expr = intervalToCron(30_000, `dep-${i}`) as string;
      seconds.add(values(fields(expr)[0] as string)[0] as number);
    }
    expect(seconds.size).toBe(30);
  });

  it('keeps a dependency in the same slot across restarts', () => {
    expect(intervalToCron(30_000, 'a')).toBe(intervalToCron(30_000, 'a'));
    expect(stableOffset('a', 1000)).toBe(stableOffset('a', 1000));
  });
});

describe('createScheduler', () => {
  it('runs each job soon after start, then on schedule, and nothing after stop', async () => {
    const runs = { a: 0, b: 0, odd: 0 };
    const scheduler = createScheduler(
      [
        { id: 'a', intervalMs: 1000, run: () => runs.a++ },
        { id: 'b', schedule: '* * * * * *', run: () => runs.b++ },
        // 1.5 s cannot be a cron expression: it runs on a timer.
        { id: 'odd', intervalMs: 1500, run: () => runs.odd++ },
      ],
      { logger: pino({ level: 'silent' }), firstRunSpreadMs: 200 },
    );
    scheduler.start();
    expect(scheduler.running).toBe(true);
    await new Promise((r) => setTimeout(r, 3300));
    scheduler.stop();
    const seen = { ...runs };
    expect(seen.a).toBeGreaterThanOrEqual(3);
    expect(seen.b).toBeGreaterThanOrEqual(2);
    expect(seen.odd).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs).toEqual(seen);
  });
});
