import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { BreakerState } from '../../src/evaluate/states.js';
import type { CheckName, CheckResult, Probe } from '../../src/probes/types.js';
import { DependencyRunner } from '../../src/runner/dependency-runner.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { testDependency } from '../support/dependency.js';

const dependency = (over: Partial<DependencyConfig> = {}): DependencyConfig =>
  testDependency({
    model: 'm',
    checks: ['models'],
    intervalMs: 1000,
    timeoutMs: 200,
    retries: 2,
    ...over,
    breaker: { ...testDependency().breaker, resetTimeoutMs: 50 },
  });

/** A probe that answers from a script and counts its calls. */
function scriptedProbe(answer: (call: number, signal: AbortSignal) => Promise<CheckResult>) {
  let calls = 0;
  const probe: Probe & { calls: () => number } = {
    vendor: 'openai',
    checks: ['models'] as CheckName[],
    run: (_check, ctx) => answer(++calls, ctx.signal),
    calls: () => calls,
  };
  return probe;
}

const okResult: CheckResult = { check: 'models', ok: true, latencyMs: 5 };
const failed = (errorClass: CheckResult['errorClass']): CheckResult => ({
  check: 'models',
  ok: false,
  latencyMs: 5,
  errorClass,
});

function makeRunner(probe: Probe, over: Partial<DependencyConfig> = {}) {
  const transitions: BreakerState[] = [];
  const runner = new DependencyRunner(dependency(over), probe, {
    http: {} as HttpClient,
    now: () => performance.now(),
    clock: () => Date.now(),
    logger: pino({ level: 'silent' }),
    retryDelayMs: 1,
    onBreakerTransition: (_id, to) => transitions.push(to),
  });
  return { runner, transitions };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DependencyRunner', () => {
  it.each([
    ['server_error', 3],
    ['timeout', 3],
    ['network', 3],
    ['overloaded', 3],
    ['auth', 1],
    ['bad_request', 1],
    ['model_unavailable', 1],
    ['rate_limited', 1],
  ] as const)('a %s failure is attempted %i time(s) with retries: 2', async (cls, attempts) => {
    const probe = scriptedProbe(async () => failed(cls));
    const { runner } = makeRunner(probe);
    const round = await runner.runRound();
    expect(round?.results[0]).toMatchObject({ ok: false, errorClass: cls, attempts });
    expect(probe.calls()).toBe(attempts);
    runner.shutdown();
  });

  // The vendor's x-should-retry, as the OpenAI and Anthropic SDKs obey it
  // (openai-node tests/client-behavior.test.ts: 400 + true retried, 500 + false not).
  it.each([
    ['bad_request', true, undefined, 3],
    ['server_error', false, undefined, 1],
    ['rate_limited', true, undefined, 3],
    ['rate_limited', true, 'billing', 1],
  ] as const)(
    'a %s failure with x-should-retry: %s (reason %s) is attempted %i time(s)',
    async (cls, vendorRetry, reason, attempts) => {
      const probe = scriptedProbe(async () => ({
        ...failed(cls),
        vendorRetry,
        ...(reason ? { reason } : {}),
      }));
      const { runner } = makeRunner(probe);
      const round = await runner.runRound();
      expect(round?.results[0]).toMatchObject({ ok: false, errorClass: cls, attempts });
      expect(probe.calls()).toBe(attempts);
      runner.shutdown();
    },
  );

  it('does not retry sooner than the vendor’s retry-after, even when it says to retry', async () => {
    const probe = scriptedProbe(async () => ({
      ...failed('overloaded'),
      vendorRetry: true,
      retryAfterMs: 20_000,
    }));
    const { runner } = makeRunner(probe);
    const round = await runner.runRound();
    expect(round?.results[0]).toMatchObject({ ok: false, errorClass: 'overloaded', attempts: 1 });
    runner.shutdown();
  });

  it('records the attempts when a retry succeeds', async () => {
    const probe = scriptedProbe(async (n) => (n === 1 ? failed('server_error') : okResult));
    const { runner } = makeRunner(probe);
    const round = await runner.runRound();
    expect(round?.results[0]).toMatchObject({ ok: true, attempts: 2 });
    runner.shutdown();
  });

  it('aborts an attempt that outlives the timeout and classifies it', async () => {
    const probe = scriptedProbe(
      (_n, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () =>
            resolve({ check: 'models', ok: false, latencyMs: 200, errorClass: 'timeout' }),
          );
        }),
    );
    const { runner } = makeRunner(probe, { retries: 0, timeoutMs: 30 });
    const started = performance.now();
    const round = await runner.runRound();
    expect(round?.results[0]?.errorClass).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
    runner.shutdown();
  });

  it('opens on the second failed round, skips while open, half-opens and closes on success', async () => {
    let failing = false;
    const probe = scriptedProbe(async () => (failing ? failed('server_error') : okResult));
    const { runner, transitions } = makeRunner(probe, { retries: 0 });
    await runner.runRound(); // healthy history: two successes
    await runner.runRound();
    failing = true;
    await runner.runRound();
    expect(runner.breakerState).toBe('closed'); // 1 failure of 3 rounds
    await runner.runRound();
    expect(runner.breakerState).toBe('open'); // 2 of 3
    const calls = probe.calls();
    const skipped = await runner.runRound();
    expect(skipped?.results[0]).toMatchObject({ errorClass: 'circuit_open', attempts: 0 });
    expect(probe.calls()).toBe(calls);
    await sleep(80); // resetTimeout 50 ms
    expect(runner.breakerState).toBe('half_open');
    failing = false;
    const trial = await runner.runRound();
    expect(trial?.results[0]?.ok).toBe(true);
    expect(runner.breakerState).toBe('closed');
    expect(transitions).toEqual(['open', 'half_open', 'closed']);
    runner.shutdown();
  });

  it('a failing half-open trial opens the breaker again', async () => {
    const probe = scriptedProbe(async () => failed('network'));
    const { runner, transitions } = makeRunner(probe, { retries: 0 });
    await runner.runRound();
    await runner.runRound();
    expect(runner.breakerState).toBe('open');
    await sleep(80);
    await runner.runRound();
    expect(runner.breakerState).toBe('open');
    expect(transitions).toEqual(['open', 'half_open', 'open']);
    runner.shutdown();
  });

  it('never opens the breaker on our own credentials failing', async () => {
    const probe = scriptedProbe(async () => failed('auth'));
    const { runner } = makeRunner(probe, { retries: 0 });
    for (let i = 0; i < 5; i++) await runner.runRound();
    expect(runner.breakerState).toBe('closed');
    runner.shutdown();
  });

  it('does not run a round twice at once: the overlap returns null', async () => {
    let release: () => void = () => {};
    const probe = scriptedProbe(
      () =>
        new Promise((resolve) => {
          release = () => resolve(okResult);
        }),
    );
    const { runner } = makeRunner(probe, { timeoutMs: 5000 });
    const first = runner.runRound();
    expect(first).not.toBeNull();
    expect(runner.runRound()).toBeNull();
    await sleep(5);
    release();
    await first;
    expect(probe.calls()).toBe(1);
    expect(runner.runRound()).not.toBeNull();
    await sleep(5);
    release();
    await runner.idle();
    runner.shutdown();
  });

  it('turns a probe that throws into a classified result, not a crash', async () => {
    const probe = scriptedProbe(async () => {
      throw new TypeError('bug');
    });
    const { runner } = makeRunner(probe, { retries: 0 });
    const round = await runner.runRound();
    expect(round?.results[0]).toMatchObject({ ok: false, errorClass: 'bad_response' });
    runner.shutdown();
  });
});
