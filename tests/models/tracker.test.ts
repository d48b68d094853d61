import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanaryOutcome, CanaryRun } from '../../src/canary/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { CANARY_WINDOW_MS, ModelTracker } from '../../src/models/tracker.js';
import type { CheckResult } from '../../src/probes/types.js';
import { type HistoryStore, openSqliteStore } from '../../src/store/sqlite-store.js';
import { testDependency } from '../support/dependency.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const HOUR = 3_600_000;

const completion = (servedModel: string): CheckResult[] => [
  { check: 'completion', ok: true, latencyMs: 100, servedModel },
];
const run = (at: number, outcome: CanaryOutcome): CanaryRun => ({
  canary: 'verdict',
  at,
  outcome,
  latencyMs: 10,
});

describe('ModelTracker: canary pass counts around a change', () => {
  let store: HistoryStore;
  const dep = testDependency({
    id: 'oa',
    vendor: 'openai',
    model: 'gpt-4o-mini',
    canaries: [
      {
        id: 'verdict',
        prompt: 'p',
        expect: { kind: 'equals', value: 'PHISHING', caseSensitive: false },
        maxTokens: 8,
        intervalMs: 300_000,
      },
    ],
  });
  const tracker = () =>
    new ModelTracker(dep, {
      store,
      metrics: createMetrics(new Registry(), { version: 't' }),
      logger: pino({ level: 'silent' }),
    });

  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it.each([
    {
      name: 'before: runs in the 24 h before the change; after: runs since, as they come',
      before: [
        run(T0 - 25 * HOUR, 'pass'), // outside the window
        run(T0 - 2 * HOUR, 'pass'),
        run(T0 - HOUR, 'pass'),
      ],
      after: [
        run(T0 + 1000, 'refused'),
        run(T0 + HOUR, 'pass'),
        run(T0 + CANARY_WINDOW_MS, 'pass'),
      ],
      expected: { before: { runs: 2, passed: 2 }, after: { runs: 2, passed: 1 } },
    },
    {
      name: 'no runs at all',
      before: [],
      after: [],
      expected: { before: { runs: 0, passed: 0 }, after: { runs: 0, passed: 0 } },
    },
  ])('$name', ({ before, after, expected }) => {
    for (const r of before) store.recordCanary('oa', r);
    const t = tracker();
    expect(t.observe(completion('gpt-4o-mini-2024-07-18'), T0 - 3 * HOUR)).toEqual([]);
    const changes = t.observe(completion('gpt-4o-mini-2025-01-31'), T0);
    expect(changes.map((c) => c.kind)).toEqual(['served_model']);
    for (const r of after) store.recordCanary('oa', r);
    t.onCanaryRuns(after);
    expect(t.view().changes[0]?.canaries).toEqual(expected);
    // Read back after a restart: the same counts, from the store.
    expect(tracker().view().changes[0]?.canaries).toEqual(expected);
  });

  it('the window before a change ends at the previous change', () => {
    const t = tracker();
    t.observe(completion('a'), T0 - 4 * HOUR);
    store.recordCanary('oa', run(T0 - 3 * HOUR, 'pass'));
    t.observe(completion('b'), T0 - 2 * HOUR);
    store.recordCanary('oa', run(T0 - HOUR, 'wrong_answer'));
    t.onCanaryRuns([run(T0 - HOUR, 'wrong_answer')]);
    t.observe(completion('c'), T0);
    const [newest, older] = t.view().changes;
    expect(newest?.canaries?.before).toEqual({ runs: 1, passed: 0 });
    expect(older?.canaries).toEqual({
      before: { runs: 1, passed: 1 },
      after: { runs: 1, passed: 0 },
    });
    expect(
      tracker()
        .view()
        .changes.map((c) => c.canaries),
    ).toEqual([
      { before: { runs: 1, passed: 0 }, after: { runs: 0, passed: 0 } },
      { before: { runs: 1, passed: 1 }, after: { runs: 1, passed: 0 } },
    ]);
  });

  it('a dependency without canaries shows null', () => {
    const t = new ModelTracker(testDependency({ id: 'x', model: 'm' }), {
      store,
      metrics: createMetrics(new Registry(), { version: 't' }),
      logger: pino({ level: 'silent' }),
    });
    t.observe(completion('a'), T0);
    t.observe(completion('b'), T0 + 1);
    expect(t.view().changes.map((c) => c.canaries)).toEqual([null]);
  });
});
