import { describe, expect, it } from 'vitest';
import type { CanaryRun } from '../../src/canary/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const run = (
  at: number,
  outcome: CanaryRun['outcome'],
  extra: Partial<CanaryRun> = {},
): CanaryRun => ({
  canary: 'phishing-verdict',
  at,
  outcome,
  latencyMs: 120,
  ...extra,
});

describe('canary history in SQLite', () => {
  it('keeps every field, returns runs newest first per canary, and prunes with the results', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.recordCanary('openai-chat', run(1000, 'pass', { tokens: { input: 80, output: 1 } }));
    store.recordCanary(
      'openai-chat',
      run(2000, 'refused', {
        reason: 'stop_reason=refusal',
        answerExcerpt: "I can't help with that.",
        httpStatus: 200,
      }),
    );
    store.recordCanary(
      'openai-chat',
      run(3000, 'server_error', { message: 'HTTP 500', httpStatus: 500 }),
    );
    store.recordCanary('openai-chat', { ...run(2500, 'pass'), canary: 'block-ip' });
    store.recordCanary('anthropic-chat', run(2500, 'pass'));

    expect(store.recentCanaryRuns('openai-chat', 'phishing-verdict', 10)).toEqual([
      run(3000, 'server_error', { message: 'HTTP 500', httpStatus: 500 }),
      run(2000, 'refused', {
        reason: 'stop_reason=refusal',
        answerExcerpt: "I can't help with that.",
        httpStatus: 200,
      }),
      run(1000, 'pass', { tokens: { input: 80, output: 1 } }),
    ]);
    expect(store.recentCanaryRuns('openai-chat', 'phishing-verdict', 1).map((r) => r.at)).toEqual([
      3000,
    ]);
    expect(store.recentCanaryRuns('nobody', 'phishing-verdict', 5)).toEqual([]);

    store.prune(2001);
    expect(store.recentCanaryRuns('openai-chat', 'phishing-verdict', 10).map((r) => r.at)).toEqual([
      3000,
    ]);
    expect(store.recentCanaryRuns('openai-chat', 'block-ip', 10).map((r) => r.at)).toEqual([2500]);
    store.close();
  });
});
