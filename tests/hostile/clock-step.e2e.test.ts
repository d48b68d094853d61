import { describe, expect, it } from 'vitest';
import { measureClockSteps } from '../support/clock-step.js';

// A real `node dist/cli.js run` under Debian's libfaketime: its wall clock is stepped while it
// runs, the monotonic clock stays true (as with an NTP step). Needs `npm run build` and the
// faketime package (.ci/run installs it).
const STEPS = [
  { name: 'back 20 s', offsetSeconds: -20 },
  { name: 'back 1 h', offsetSeconds: -3620 },
  { name: 'forward 1 h', offsetSeconds: -20 },
  { name: 'forward 20 s', offsetSeconds: 0 },
];

describe('wall-clock steps on a running bellwether', () => {
  it.each([
    // A 1 s interval over 8 s: 8 probes, one either way for where the window edges fall.
    ['a 1 s interval', undefined, 7, 2500],
    // Cron follows the wall clock: the step is noticed within a second and re-planned.
    ['a cron schedule firing every second', '* * * * * *', 6, 3500],
  ])('neither stall nor bunch %s', { timeout: 90_000 }, async (_name, schedule, least, gap) => {
    const figures = await measureClockSteps({
      steps: STEPS,
      intervalMs: 1000,
      schedule,
      windowMs: 8000,
    });
    for (const f of figures) {
      const what = `${f.name}: ${JSON.stringify(f)}`;
      expect(f.received, what).toBeGreaterThanOrEqual(least);
      expect(f.received, what).toBeLessThanOrEqual(9);
      // No stall (the issue saw a 20.8 s gap after 20 s back, none at all after 1 h) ...
      expect(f.maxGapMs, what).toBeLessThan(gap);
      // ... and no burst of rounds back to back.
      expect(f.minGapMs, what).toBeGreaterThan(500);
    }
  });
});
