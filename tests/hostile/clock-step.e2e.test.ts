import { describe, expect, it } from 'vitest';
import { measureClockSteps } from '../support/clock-step.js';

// A real `node dist/cli.js run` under Debian's libfaketime: its wall clock is stepped while it
// runs, the monotonic clock stays true (as with an NTP step). Needs `npm run build` and the
// faketime package (.ci/run installs it).
describe('wall-clock steps on a running bellwether', () => {
  it('neither stall nor bunch interval probes', { timeout: 90_000 }, async () => {
    const figures = await measureClockSteps({
      steps: [
        { name: 'back 20 s', offsetSeconds: -20 },
        { name: 'back 1 h', offsetSeconds: -3620 },
        { name: 'forward 1 h', offsetSeconds: -20 },
        { name: 'forward 20 s', offsetSeconds: 0 },
      ],
      intervalMs: 1000,
      windowMs: 8000,
    });
    for (const f of figures) {
      // A 1 s interval over 8 s: 8 probes, one either way for where the window edges fall.
      expect(f.received, `${f.name}: ${JSON.stringify(f)}`).toBeGreaterThanOrEqual(7);
      expect(f.received, `${f.name}: ${JSON.stringify(f)}`).toBeLessThanOrEqual(9);
      // No stall (the issue saw a 20.8 s gap after 20 s back, none at all after 1 h) ...
      expect(f.maxGapMs, `${f.name}: ${JSON.stringify(f)}`).toBeLessThan(2500);
      // ... and no burst of rounds back to back.
      expect(f.minGapMs, `${f.name}: ${JSON.stringify(f)}`).toBeGreaterThan(500);
    }
  });
});
