import { describe, expect, it } from 'vitest';
import type { CheckResult, Probe, ProbeContext } from '../../src/probes/types.js';
import { createTokenBudget, withTokenBudget } from '../../src/runner/token-budget.js';

const ctx = {} as ProbeContext;

function countingProbe(tokensPerCompletion: number) {
  const sent: string[] = [];
  const probe: Probe = {
    vendor: 'openai',
    checks: ['models', 'completion'],
    run: async (check): Promise<CheckResult> => {
      sent.push(check);
      return check === 'completion'
        ? { check, ok: true, latencyMs: 5, tokens: { input: tokensPerCompletion - 1, output: 1 } }
        : { check, ok: true, latencyMs: 5 };
    },
  };
  return { probe, sent };
}

describe('withTokenBudget', () => {
  it('skips completions once the day is spent, keeps zero-token checks, resets at UTC midnight', async () => {
    let now = Date.parse('2026-11-26T23:59:00Z');
    const { probe, sent } = countingProbe(10);
    const budgeted = withTokenBudget(
      probe,
      createTokenBudget({ dailyTokens: 25, clock: () => now }),
    );
    const results: CheckResult[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(await budgeted.run('models', ctx), await budgeted.run('completion', ctx));
    }
    expect(sent.filter((c) => c === 'completion')).toHaveLength(3); // 10 + 10 + 10 ≥ 25
    const last = results[results.length - 1];
    expect(last).toMatchObject({ check: 'completion', ok: false, skipped: true });
    expect(last?.errorClass).toBeUndefined();
    expect(last?.message).toContain('daily token budget of 25 tokens spent');
    expect(sent.filter((c) => c === 'models')).toHaveLength(4);
    now = Date.parse('2026-11-27T00:00:01Z');
    expect((await budgeted.run('completion', ctx)).ok).toBe(true);
  });
});

describe('withTokenBudget and embeddings', () => {
  it('stops embeddings like completions once spent, charging their input tokens only', async () => {
    const sent: string[] = [];
    const probe: Probe = {
      vendor: 'cohere',
      checks: ['models', 'embeddings'],
      run: async (check): Promise<CheckResult> => {
        sent.push(check);
        return check === 'embeddings'
          ? { check, ok: true, latencyMs: 5, tokens: { input: 14, output: 0 } }
          : { check, ok: true, latencyMs: 5 };
      },
    };
    const budget = createTokenBudget({ dailyTokens: 20, clock: () => 0 });
    const budgeted = withTokenBudget(probe, budget);
    const first = await budgeted.run('embeddings', ctx);
    const second = await budgeted.run('embeddings', ctx);
    const third = await budgeted.run('embeddings', ctx);
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(budget.spent()).toBe(28);
    expect(third).toEqual({
      check: 'embeddings',
      ok: false,
      skipped: true,
      latencyMs: 0,
      message: 'skipped: daily token budget of 20 tokens spent (28 used; resets 00:00 UTC)',
    });
    expect((await budgeted.run('models', ctx)).ok).toBe(true);
    expect(sent).toEqual(['embeddings', 'embeddings', 'models']);
  });
});
