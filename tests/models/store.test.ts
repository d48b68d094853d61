import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelBaseline, ModelChange } from '../../src/models/changes.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-model-store-'));
  dirs.push(dir);
  return join(dir, 'history.db');
};

const change = (at: number, over: Partial<ModelChange> = {}): ModelChange => ({
  at,
  kind: 'served_model',
  from: 'gpt-4o-mini-2024-07-18',
  to: 'gpt-4o-mini-2025-01-31',
  ...over,
});

describe('model baselines and changes in the history store', () => {
  it.each<[string, ModelBaseline]>([
    ['served only', { served: { model: 'm', servedModel: 's', fingerprints: [] } }],
    [
      'served with fingerprints and an embedding',
      {
        served: {
          model: 'm',
          servedModel: 's',
          fingerprints: [
            { value: 'fp_b', seenAt: T0 + 1 },
            { value: 'fp_a', seenAt: T0 },
          ],
        },
        embedding: { model: 'e|', label: 'e, 3 dimensions', vector: [0.1, -0.2, 1e-30] },
      },
    ],
    [
      'embedding only',
      { embedding: { model: 'e|1536', label: 'e, 2 dimensions', vector: [1, 0] } },
    ],
  ])('keeps a baseline exactly across reopening the file: %s', (_name, baseline) => {
    const path = tempPath();
    const first = openSqliteStore({ path });
    first.saveModelBaseline('oa', { served: { model: 'old', fingerprints: [] } });
    first.saveModelBaseline('oa', baseline);
    first.close();
    const again = openSqliteStore({ path });
    expect(again.modelBaseline('oa')).toEqual(baseline);
    expect(again.modelBaseline('other')).toBeUndefined();
    again.close();
  });

  it('lists changes newest first, bounded, and prunes them with the results; baselines stay', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.saveModelBaseline('oa', { served: { model: 'm', servedModel: 's', fingerprints: [] } });
    store.recordModelChange('oa', change(T0 - 10 * DAY));
    store.recordModelChange(
      'oa',
      change(T0, { kind: 'embedding', from: 'e', to: 'e', similarity: 0.91 }),
    );
    store.recordModelChange(
      'oa',
      change(T0 + 1, { kind: 'fingerprint', from: 'fp_a', to: 'fp_b' }),
    );
    store.recordModelChange('gem', change(T0));
    expect(store.recentModelChanges('oa', 2)).toEqual([
      change(T0 + 1, { kind: 'fingerprint', from: 'fp_a', to: 'fp_b' }),
      change(T0, { kind: 'embedding', from: 'e', to: 'e', similarity: 0.91 }),
    ]);
    expect(store.recentModelChanges('oa', -1)).toEqual([]);
    store.prune(T0 - 8 * DAY);
    expect(store.recentModelChanges('oa', 10).map((c) => c.at)).toEqual([T0 + 1, T0]);
    expect(store.modelBaseline('oa')?.served?.servedModel).toBe('s');
    store.close();
  });

  it('migrates a version-3 file (canary runs kept) to version 4', () => {
    const path = tempPath();
    const first = openSqliteStore({ path });
    first.recordCanary('oa', { canary: 'verdict', at: T0, outcome: 'pass', latencyMs: 5 });
    first.close();
    const old = new Database(path);
    old.exec(
      'DROP TABLE model_baselines; DROP TABLE model_changes; DROP INDEX canary_runs_dep_at;',
    );
    old.pragma('user_version = 3');
    old.close();
    const store = openSqliteStore({ path });
    expect(store.canaryTally('oa', T0, T0 + 1)).toEqual({ runs: 1, passed: 1 });
    store.recordModelChange('oa', change(T0));
    expect(store.recentModelChanges('oa', 5)).toHaveLength(1);
    store.close();
  });
});
