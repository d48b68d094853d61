import { describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  detectModelChanges,
  FINGERPRINT_WINDOW_MS,
  FINGERPRINTS_KEPT,
  type ModelBaseline,
  type ModelChange,
  type ModelObservation,
  observeRound,
} from '../../src/models/changes.js';
import type { CheckResult } from '../../src/probes/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 11, 1);
const HOUR = 3_600_000;

const obs = (over: Partial<ModelObservation> = {}): ModelObservation => ({
  at: T0,
  model: 'gpt-4o-mini',
  embeddingModel: 'text-embedding-3-small|',
  embeddingName: 'text-embedding-3-small',
  similarityThreshold: 0.99,
  ...over,
});

const vec = (...v: number[]) => ({ dimensions: v.length, vector: v });

/** Runs observations in order from `start`; returns every change and the last baseline. */
function replay(start: ModelBaseline | undefined, steps: Partial<ModelObservation>[]) {
  let baseline: ModelBaseline = start ?? {};
  const changes: ModelChange[] = [];
  const dirty: boolean[] = [];
  for (const step of steps) {
    const out = detectModelChanges(baseline, obs(step));
    changes.push(...out.changes);
    dirty.push(out.dirty);
    baseline = out.baseline;
  }
  return { changes, baseline, dirty };
}

const snap = 'gpt-4o-mini-2024-07-18';
const next = 'gpt-4o-mini-2025-01-31';

describe('detectModelChanges', () => {
  it.each<{ name: string; steps: Partial<ModelObservation>[]; changes: Omit<ModelChange, 'at'>[] }>(
    [
      {
        name: 'first served model and fingerprint seen: the baseline, no change',
        steps: [{ servedModel: snap, systemFingerprint: 'fp_a' }],
        changes: [],
      },
      {
        name: 'the same served model and fingerprint again',
        steps: [
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_a' },
        ],
        changes: [],
      },
      {
        name: 'the served model changes: one served_model change, no fingerprint change with it',
        steps: [
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: next, systemFingerprint: 'fp_new' },
          { servedModel: next, systemFingerprint: 'fp_new' },
        ],
        changes: [{ kind: 'served_model', from: snap, to: next }],
      },
      {
        name: 'the vendor does not say (absent served model and fingerprint): no change',
        steps: [{ servedModel: snap, systemFingerprint: 'fp_a' }, {}, { servedModel: snap }],
        changes: [],
      },
      {
        name: 'a fingerprint alternating within a small set: one change per new member, then none',
        steps: [
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_b' },
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_b' },
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_b' },
        ],
        changes: [{ kind: 'fingerprint', from: 'fp_a', to: 'fp_b' }],
      },
      {
        name: 'a new fingerprint outside the set is a change',
        steps: [
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { servedModel: snap, systemFingerprint: 'fp_c' },
        ],
        changes: [{ kind: 'fingerprint', from: 'fp_a', to: 'fp_c' }],
      },
      {
        name: 'the configured model changed (the operator did it): a new baseline, no change',
        steps: [
          { servedModel: snap, systemFingerprint: 'fp_a' },
          { model: 'gpt-4o', servedModel: 'gpt-4o-2024-08-06', systemFingerprint: 'fp_z' },
        ],
        changes: [],
      },
      {
        name: 'an embedding above the threshold: no change',
        steps: [{ embedding: vec(1, 0, 0) }, { embedding: vec(1, 0.01, 0) }],
        changes: [],
      },
      {
        name: 'a first embedding is the baseline',
        steps: [{ embedding: vec(0.3, 0.4) }],
        changes: [],
      },
      {
        name: 'an embedding with another number of dimensions: a change without similarity',
        steps: [{ embedding: vec(1, 0, 0) }, { embedding: vec(1, 0, 0, 0) }],
        changes: [
          {
            kind: 'embedding',
            from: 'text-embedding-3-small, 3 dimensions',
            to: 'text-embedding-3-small, 4 dimensions',
          },
        ],
      },
      {
        name: 'an embedding with non-finite values is not judged',
        steps: [{ embedding: vec(1, 0) }, { embedding: vec(Number.NaN, 0) }],
        changes: [],
      },
    ],
  )('$name', ({ steps, changes }) => {
    const timed = steps.map((s, i) => ({ at: T0 + i * 30_000, ...s }));
    const out = replay(undefined, timed);
    expect(out.changes.map(({ at: _, ...c }) => c)).toEqual(changes);
  });

  it.each([
    { similarity: 0.98, threshold: 0.99, change: true },
    { similarity: 0.995, threshold: 0.99, change: false },
    { similarity: 0.5, threshold: 0.4, change: false },
    { similarity: 0.3, threshold: 0.4, change: true },
  ])(
    'an embedding at cosine similarity $similarity with threshold $threshold: change $change',
    ({ similarity, threshold, change }) => {
      const other = Math.sqrt(1 - similarity * similarity);
      const out = replay(undefined, [
        { embedding: vec(1, 0), similarityThreshold: threshold },
        { at: T0 + 1000, embedding: vec(similarity, other), similarityThreshold: threshold },
        // After a change the new vector is the baseline: the same vector again is no change.
        { at: T0 + 2000, embedding: vec(similarity, other), similarityThreshold: threshold },
      ]);
      expect(out.changes).toHaveLength(change ? 1 : 0);
      if (change) {
        expect(out.changes[0]?.kind).toBe('embedding');
        expect(out.changes[0]?.similarity).toBeCloseTo(similarity, 9);
        expect(out.baseline.embedding?.vector).toEqual([similarity, other]);
      } else {
        expect(out.baseline.embedding?.vector).toEqual([1, 0]);
      }
    },
  );

  it('a fingerprint not seen for 24 h leaves the set, the newest always stays', () => {
    const steps = [
      { at: T0, servedModel: snap, systemFingerprint: 'fp_a' },
      { at: T0 + HOUR, servedModel: snap, systemFingerprint: 'fp_b' },
      // fp_a was last seen 25 h ago: it is forgotten, so its return is a change.
      { at: T0 + 25 * HOUR, servedModel: snap, systemFingerprint: 'fp_b' },
      { at: T0 + 25 * HOUR + 1, servedModel: snap, systemFingerprint: 'fp_a' },
      // Days of silence: the newest (fp_a) stays the reference, fp_b is gone.
      { at: T0 + 30 * 24 * HOUR, servedModel: snap, systemFingerprint: 'fp_b' },
    ];
    const out = replay(undefined, steps);
    expect(out.changes.map((c) => [c.from, c.to])).toEqual([
      ['fp_a', 'fp_b'],
      ['fp_b', 'fp_a'],
      ['fp_a', 'fp_b'],
    ]);
    expect(FINGERPRINT_WINDOW_MS).toBe(24 * HOUR);
  });

  it(`keeps at most ${FINGERPRINTS_KEPT} fingerprints, most recently seen first`, () => {
    const steps = Array.from({ length: 12 }, (_, i) => ({
      at: T0 + i * 1000,
      servedModel: snap,
      systemFingerprint: `fp_${i}`,
    }));
    const out = replay(undefined, steps);
    expect(out.baseline.served?.fingerprints.map((f) => f.value)).toEqual(
      ['fp_11', 'fp_10', 'fp_9', 'fp_8', 'fp_7', 'fp_6', 'fp_5', 'fp_4'].slice(
        0,
        FINGERPRINTS_KEPT,
      ),
    );
    expect(out.changes).toHaveLength(11);
  });

  it('persists the baseline only when it changed: rounds that repeat it write nothing', () => {
    const out = replay(undefined, [
      { at: T0, servedModel: snap, systemFingerprint: 'fp_a', embedding: vec(1, 0) },
      { at: T0 + 30_000, servedModel: snap, systemFingerprint: 'fp_a', embedding: vec(1, 0) },
      { at: T0 + 60_000, servedModel: snap, systemFingerprint: 'fp_a', embedding: vec(1, 0) },
      // An hour on, the fingerprint's last sighting moves on (so it is not forgotten after a restart).
      { at: T0 + HOUR, servedModel: snap, systemFingerprint: 'fp_a' },
      {},
    ]);
    expect(out.dirty).toEqual([true, false, false, true, false]);
  });

  it('a restart from the stored baseline raises no change for what it already knew', () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const first = replay(undefined, [
        { at: T0, servedModel: snap, systemFingerprint: 'fp_a', embedding: vec(0.6, 0.8) },
        { at: T0 + 1000, servedModel: snap, systemFingerprint: 'fp_b' },
      ]);
      store.saveModelBaseline('openai-chat', first.baseline);
      const stored = store.modelBaseline('openai-chat');
      expect(stored).toEqual(first.baseline);
      const after = replay(stored, [
        { at: T0 + 2000, servedModel: snap, systemFingerprint: 'fp_a', embedding: vec(0.6, 0.8) },
        { at: T0 + 3000, servedModel: snap, systemFingerprint: 'fp_b', embedding: vec(0.6, 0.8) },
      ]);
      expect(after.changes).toEqual([]);
      const changed = replay(stored, [{ at: T0 + 4000, servedModel: next }]);
      expect(changed.changes).toEqual([
        { at: T0 + 4000, kind: 'served_model', from: snap, to: next },
      ]);
    } finally {
      store.close();
    }
  });
});

describe('cosineSimilarity', () => {
  it.each<[string, number[], number[], number | undefined]>([
    ['the same direction', [1, 2, 3], [2, 4, 6], 1],
    ['orthogonal', [1, 0], [0, 1], 0],
    ['opposite', [1, 1], [-1, -1], -1],
    ['huge values do not overflow', [1e300, 1e300], [1e300, 1e300], 1],
    ['tiny values do not underflow', [1e-300, 0], [1e-300, 0], 1],
    ['two zero vectors', [0, 0], [0, 0], 1],
    ['one zero vector', [0, 0], [1, 0], 0],
    ['different lengths', [1, 0], [1, 0, 0], undefined],
    ['empty', [], [], undefined],
    ['not a number inside', [1, Number.NaN], [1, 0], undefined],
    ['infinity inside', [1, Number.POSITIVE_INFINITY], [1, 0], undefined],
  ])('%s', (_name, a, b, expected) => {
    const s = cosineSimilarity(a, b);
    if (expected === undefined) expect(s).toBeUndefined();
    else expect(s).toBeCloseTo(expected, 12);
    if (s !== undefined) expect(Math.abs(s)).toBeLessThanOrEqual(1);
  });
});

describe('observeRound', () => {
  const dep = {
    model: 'gpt-4o-mini',
    embeddingModel: 'text-embedding-3-small',
    embeddingSimilarity: 0.97,
  };
  const r = (over: Partial<CheckResult>): CheckResult => ({
    check: 'completion',
    ok: true,
    latencyMs: 1,
    ...over,
  });

  it.each<[string, CheckResult[], Partial<ModelObservation>]>([
    [
      'a passed completion gives the served model and fingerprint',
      [r({ servedModel: snap, systemFingerprint: 'fp_a' })],
      { servedModel: snap, systemFingerprint: 'fp_a' },
    ],
    ['a failed completion says nothing', [r({ ok: false, servedModel: snap })], {}],
    [
      "an embeddings answer's model names the embedding, not the served chat model",
      [r({ check: 'embeddings', servedModel: 'text-embedding-3-small-v2', embedding: vec(1, 0) })],
      { embeddingName: 'text-embedding-3-small-v2', embedding: vec(1, 0) },
    ],
  ])('%s', (_name, results, expected) => {
    expect(observeRound(dep, results, T0)).toEqual({
      at: T0,
      model: 'gpt-4o-mini',
      embeddingModel: 'text-embedding-3-small|',
      embeddingName: 'text-embedding-3-small',
      similarityThreshold: 0.97,
      ...expected,
    });
  });
});
