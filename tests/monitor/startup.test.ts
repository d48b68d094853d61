import { describe, expect, it } from 'vitest';
import { testDependency } from '../support/dependency.js';
import { scriptedMonitor } from '../support/scripted-monitor.js';

/** A monitor whose dependencies never get a round (hourly, first run an hour away). */
const idleMonitor = (clock: () => number) =>
  scriptedMonitor({
    dependencies: [
      testDependency({ id: 'a', intervalMs: 3_600_000, timeoutMs: 2000, retries: 1 }),
      testDependency({ id: 'b', intervalMs: 3_600_000, timeoutMs: 1000 }),
    ],
    consumers: [{ id: 'tool', uses: ['a', 'b'] }],
    clock,
    over: { firstRunSpreadMs: 3_600_000, retryDelayMs: 250 },
  });

describe('start-up readiness', () => {
  it('is not ready before start, waits for first rounds, and gives up waiting at the bound', async () => {
    let now = 1_000_000;
    const { monitor, close } = idleMonitor(() => now);
    expect(monitor.notReady()).toBe('scheduler not running');
    monitor.start();
    // The bound is capped: min(60 s, spread 3,600 s + 2 checks × 2 attempts × 2.25 s + 1 s).
    expect(monitor.startupBoundMs).toBe(60_000);
    expect(monitor.notReady()).toBe(
      'starting: 2 dependencies have not finished a first probe round (a, b); ready in at most 60 s',
    );
    expect(monitor.consumer('tool')).toMatchObject({ state: 'ok', route: 'a' });
    await monitor.probeNow('a');
    expect(monitor.notReady()).toBe(
      'starting: 1 dependency has not finished a first probe round (b); ready in at most 60 s',
    );
    now += 60_000;
    expect(monitor.notReady()).toBeNull();
    await close();
  });
});

describe('consumers after the first round', () => {
  it('a first round that leaves the state unknown (key rejected) ends "not probed yet"', async () => {
    const { monitor, close } = scriptedMonitor({
      dependencies: [testDependency({ id: 'only' })],
      consumers: [{ id: 'tool', uses: ['only'] }],
      answer: (_id, check) => ({
        check,
        ok: false,
        latencyMs: 5,
        errorClass: 'auth',
        httpStatus: 401,
      }),
    });
    expect(monitor.consumer('tool')).toMatchObject({ state: 'ok', route: 'only' });
    await monitor.probeNow('only');
    expect(monitor.dependency('only')?.evaluation).toMatchObject({
      state: 'unknown',
      credentialProblem: 'rejected',
    });
    expect(monitor.consumer('tool')).toMatchObject({
      state: 'down',
      route: null,
      reason: 'no usable dependency: only is unknown',
    });
    await close();
  });
});
