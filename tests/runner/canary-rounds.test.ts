import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CanaryRun, CanarySpec } from '../../src/canary/types.js';
import type { CheckResult, Probe } from '../../src/probes/types.js';
import { DependencyRunner } from '../../src/runner/dependency-runner.js';
import { createTokenBudget } from '../../src/runner/token-budget.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { testDependency } from '../support/dependency.js';

const spec = (id: string, intervalMs: number): CanarySpec => ({
  id,
  prompt: 'Is this phishing?',
  expect: { kind: 'equals', value: 'PHISHING', caseSensitive: false },
  maxTokens: 8,
  intervalMs,
});

// A runner whose clock the test moves, whose probe answers as told, and whose canaries are
// recorded instead of sent.
function harness(o: { canaries: CanarySpec[]; budget?: number }) {
  let now = 0;
  let answer: CheckResult = { check: 'models', ok: true, latencyMs: 5 };
  const ran: string[] = [];
  const probe: Probe = { vendor: 'openai', checks: ['models'], run: async () => answer };
  const budget =
    o.budget === undefined
      ? undefined
      : createTokenBudget({ dailyTokens: o.budget, clock: () => Date.UTC(2026, 0, 1) });
  const runner = new DependencyRunner(
    testDependency({ checks: ['models'], intervalMs: 30_000, retries: 0, canaries: o.canaries }),
    probe,
    {
      http: {} as HttpClient,
      now: () => now,
      clock: () => now,
      logger: pino({ level: 'silent' }),
      runCanary: async (canary): Promise<CanaryRun> => {
        ran.push(canary.id);
        const run: CanaryRun = {
          canary: canary.id,
          at: now,
          outcome: 'pass',
          latencyMs: 1,
          tokens: { input: 90, output: 10 },
        };
        budget?.charge(run.tokens);
        return run;
      },
      ...(budget ? { canaryAllowed: () => budget.allows() } : {}),
    },
  );
  return {
    ran,
    round: async () => (await runner.runRound())?.canaries?.map((c) => c.canary) ?? [],
    advance: (ms: number) => {
      now += ms;
    },
    fail: () => {
      answer = { check: 'models', ok: false, latencyMs: 5, errorClass: 'server_error' };
    },
  };
}

describe('canaries in the dependency runner', () => {
  it('run in the first round, then when their interval has come round (never more often than rounds)', async () => {
    const h = harness({ canaries: [spec('every-round', 1_000), spec('five-min', 300_000)] });
    expect(await h.round()).toEqual(['every-round', 'five-min']);
    const seen: string[][] = [];
    for (let i = 0; i < 10; i++) {
      h.advance(30_000);
      seen.push(await h.round());
    }
    // Every 30 s round runs the 1 s canary; the 5 min one runs on the 10th round (300 s later).
    expect(seen.map((s) => s.join('+'))).toEqual([
      ...Array(9).fill('every-round'),
      'every-round+five-min',
    ]);
  });

  it('do not run after a failed round: the vendor failing is already the news', async () => {
    const h = harness({ canaries: [spec('c', 1_000)] });
    h.fail();
    expect(await h.round()).toEqual([]);
    expect(h.ran).toEqual([]);
  });

  it('stop once the daily token budget is spent', async () => {
    const h = harness({ canaries: [spec('c', 1_000)], budget: 250 });
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      counts.push((await h.round()).length);
      h.advance(30_000);
    }
    // 100 tokens a run: the third run passes 250, so the fourth round runs none.
    expect(counts).toEqual([1, 1, 1, 0, 0]);
  });
});
