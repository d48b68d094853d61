/**
 * Probes lost per wall-clock step: runs `bellwether run` under libfaketime, steps its wall
 * clock back 20 s, back 1 h, forward 1 h and forward 20 s (back to true time), and prints
 * what a local target received in the 10 s after each step, for a 1 s interval and for a
 * cron schedule firing every second.
 *
 *   npm run build && npx tsx scripts/clock-steps.ts [path/to/dist/cli.js]
 */
import { measureClockSteps } from '../tests/support/clock-step.js';

export const CLOCK_STEPS = [
  { name: 'back 20 s', offsetSeconds: -20 },
  { name: 'back 1 h', offsetSeconds: -3620 },
  { name: 'forward 1 h', offsetSeconds: -20 },
  { name: 'forward 20 s (true time)', offsetSeconds: 0 },
];

for (const schedule of [undefined, '* * * * * *']) {
  const figures = await measureClockSteps({
    steps: CLOCK_STEPS,
    intervalMs: 1000,
    schedule,
    windowMs: 10_000,
    cli: process.argv[2],
  });
  console.log(schedule === undefined ? '\ninterval: 1s' : `\nschedule: "${schedule}"`);
  console.log('step                      expected  received  lost  max gap ms  min gap ms');
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(26)}${String(f.expected).padStart(8)}${String(f.received).padStart(10)}${String(f.lost).padStart(6)}${String(f.maxGapMs).padStart(12)}${String(f.minGapMs).padStart(12)}`,
    );
  }
}
