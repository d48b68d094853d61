import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createScheduler, intervalPhaseMs, stableOffset } from '../../src/runner/scheduler.js';

describe('intervalPhaseMs', () => {
  it.each([1000, 30_000, 45_000, 300_000, 86_400_000])(
    '%i ms: the phase lies inside the interval and spreads 200 dependencies over it',
    (ms) => {
      const phases = Array.from({ length: 200 }, (_, i) => intervalPhaseMs(ms, `dep-${i}`));
      for (const p of phases) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(ms);
      }
      // Evenly spread: every tenth of the interval holds some dependencies.
      const tenths = new Set(phases.map((p) => Math.floor((p / ms) * 10)));
      expect(tenths.size).toBe(10);
    },
  );

  it('keeps a dependency in the same slot across restarts', () => {
    expect(intervalPhaseMs(30_000, 'a')).toBe(intervalPhaseMs(30_000, 'a'));
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

  it('skips the slots a stalled event loop missed instead of running them in a burst', async () => {
    let runs = 0;
    const scheduler = createScheduler([{ id: 'a', intervalMs: 1000, run: () => runs++ }], {
      logger: pino({ level: 'silent' }),
      runAtStart: false,
    });
    scheduler.start();
    // Wait for the first scheduled round, then hold the event loop for three intervals.
    while (runs === 0) await new Promise((r) => setTimeout(r, 20));
    const stalledUntil = Date.now() + 3200;
    while (Date.now() < stalledUntil) {
      // Busy: no timer can fire.
    }
    const before = runs;
    await new Promise((r) => setTimeout(r, 300));
    scheduler.stop();
    // One late round at most, not the three the stall covered.
    expect(runs - before).toBeLessThanOrEqual(1);
  });
});
