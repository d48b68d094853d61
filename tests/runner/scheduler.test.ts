import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type ScheduledJob, stableOffset } from '../../src/runner/scheduler.js';

const logger = pino({ level: 'silent' });
const HOUR = 3_600_000;

describe('createScheduler (real timers)', () => {
  it('runs each job soon after start, then on schedule, and nothing after stop', async () => {
    const runs = { a: 0, b: 0, odd: 0 };
    const scheduler = createScheduler(
      [
        { id: 'a', intervalMs: 1000, run: () => runs.a++ },
        { id: 'b', schedule: '* * * * * *', run: () => runs.b++ },
        { id: 'odd', intervalMs: 1500, run: () => runs.odd++ },
      ],
      { logger, firstRunSpreadMs: 200 },
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

describe('createScheduler on an injected clock', () => {
  beforeEach(() => {
    // Timers, Date and performance are all fake: advancing moves both clocks, setSystemTime
    // steps only the wall clock, as NTP or an operator does.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
      now: Date.UTC(2026, 11, 4, 12, 0, 0),
    });
  });
  afterEach(() => vi.useRealTimers());

  /** Starts jobs, records the wall time of each run, advances through `script`, stops. */
  const runThrough = async (
    defs: Omit<ScheduledJob, 'run'>[],
    script: (advance: (ms: number) => Promise<void>) => Promise<void>,
  ) => {
    const runs = new Map<string, number[]>(defs.map((d) => [d.id, []]));
    const mono: number[] = [];
    const scheduler = createScheduler(
      defs.map((d) => ({
        ...d,
        run: () => {
          runs.get(d.id)?.push(Date.now());
          mono.push(performance.now());
        },
      })),
      { logger, runAtStart: false },
    );
    scheduler.start();
    await script(async (ms) => {
      await vi.advanceTimersByTimeAsync(ms);
    });
    scheduler.stop();
    return { runs, mono };
  };

  it('spreads 500 dependencies of one interval over it, each at its stable slot', async () => {
    const defs = Array.from({ length: 500 }, (_, i) => ({ id: `dep-${i}`, intervalMs: 30_000 }));
    const { runs } = await runThrough(defs, (advance) => advance(30_000));
    const slots = new Set<number>();
    for (const [id, times] of runs) {
      expect(times).toHaveLength(1);
      expect((times[0] as number) % 30_000).toBe(stableOffset(id, 30_000));
      slots.add(Math.floor(((times[0] as number) % 30_000) / 1000));
    }
    expect(slots.size).toBe(30);
  });

  it.each([
    ['back 20 s', -20_000],
    ['back 1 h', -HOUR],
    ['forward 1 h', HOUR],
    ['back 1 day', -24 * HOUR],
  ])('an interval job keeps its pace when the wall clock steps %s', async (_name, step) => {
    const { mono } = await runThrough([{ id: 'dep', intervalMs: 1000 }], async (advance) => {
      await advance(10_000);
      vi.setSystemTime(Date.now() + step);
      await advance(20_000);
    });
    // One run per second of monotonic time, no gap and no burst.
    expect(mono).toHaveLength(30);
    const gaps = mono.slice(1).map((t, i) => t - (mono[i] as number));
    expect(new Set(gaps)).toEqual(new Set([1000]));
  });

  it.each([
    ['back 20 s', -20_000],
    ['back 1 h', -HOUR],
    ['forward 1 h', HOUR],
  ])('a cron schedule is re-planned when the wall clock steps %s', async (_name, step) => {
    const { mono } = await runThrough(
      [{ id: 'dep', schedule: '*/2 * * * * *' }],
      async (advance) => {
        await advance(20_000);
        vi.setSystemTime(Date.now() + step);
        await advance(40_000);
      },
    );
    // Every 2 s before and after; around the step at most one slot is lost or doubled while the
    // watchdog notices (it looks every 2 s).
    expect(mono.length).toBeGreaterThanOrEqual(28);
    expect(mono.length).toBeLessThanOrEqual(31);
    const gaps = mono.slice(1).map((t, i) => t - (mono[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(6000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });

  it('skips slots missed while the event loop was blocked instead of replaying them', async () => {
    // The loop "blocks" for 10.5 s: the monotonic clock jumps ahead of every timer.
    let blocked = 0;
    const now = () => performance.now() + blocked;
    const seen: number[] = [];
    const scheduler = createScheduler(
      [{ id: 'dep', intervalMs: 1000, run: () => seen.push(now()) }],
      {
        logger,
        runAtStart: false,
        now,
      },
    );
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    const before = seen.length;
    blocked = 10_500;
    await vi.advanceTimersByTimeAsync(5_000);
    scheduler.stop();
    const after = seen.slice(before);
    // One late run, then back on the 1 s grid: never the ten missed rounds back to back.
    expect(after.length).toBeGreaterThanOrEqual(4);
    expect(after.length).toBeLessThanOrEqual(6);
    const gaps = after.slice(1).map((t, i) => t - (after[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
  });
});
