import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/probes/types.js';
import { createTestApp, harnessConfig } from '../support/app-harness.js';
import { testDependency } from '../support/dependency.js';

// The embeddings check's vector through the monitor, store, metrics and API, with a scripted
// probe (the embeddings probes and fakes come with the embeddings check itself).
describe('embedding changes through the monitor', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it.each([
    { name: 'a vector within the threshold', next: [0.999, 0.0447], changes: [] },
    {
      name: 'a vector under the threshold',
      next: [0.9, 0.4359],
      changes: [
        {
          kind: 'embedding',
          from: 'text-embedding-3-small, 2 dimensions',
          to: 'text-embedding-3-small, 2 dimensions',
          similarity: 0.9,
        },
      ],
    },
    {
      name: 'another number of dimensions',
      next: [1, 0, 0],
      changes: [
        {
          kind: 'embedding',
          from: 'text-embedding-3-small, 2 dimensions',
          to: 'text-embedding-3-small, 3 dimensions',
          similarity: null,
        },
      ],
    },
  ])('$name', async ({ next, changes }) => {
    const config = harnessConfig();
    config.dependencies = [
      testDependency({
        id: 'emb',
        checks: ['embeddings'],
        embeddingModel: 'text-embedding-3-small',
        embeddingSimilarity: 0.95,
      }),
    ];
    config.consumers = [];
    const h = createTestApp({}, config);
    close = h.close;
    let vector = [1, 0];
    h.script.emb = (check): CheckResult => ({
      check,
      ok: true,
      latencyMs: 30,
      embedding: { dimensions: vector.length, vector },
    });
    await h.monitor.probeNow('emb');
    vector = next;
    await h.monitor.probeNow('emb');
    await h.monitor.probeNow('emb');
    const body = (await (await h.app.request('/api/v1/dependencies/emb')).json()) as {
      state: string;
      modelChanges: { kind: string; from: string; to: string; similarity: number | null }[];
    };
    expect(body.state).toBe('healthy');
    expect(
      body.modelChanges.map(({ kind, from, to, similarity }) => ({
        kind,
        from,
        to,
        similarity: similarity === null ? null : Math.round(similarity * 1000) / 1000,
      })),
    ).toEqual(changes);
    expect(JSON.stringify(body)).not.toContain('vector');
    expect(await h.registry.metrics()).toContain(
      `bellwether_model_changes_total{dependency="emb",kind="embedding",vantage="test-vantage"} ${changes.length}`,
    );
  });
});
