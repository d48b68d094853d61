import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVendorTestApp, testConfig } from '../support/app-harness.js';
import { type Rig, SECRETS, SETUPS } from '../support/embedding-vendors.js';
import { fakeVector } from '../support/fake-embedding.js';

interface DependencyAnswer {
  state: string;
  modelChanges: { kind: string; from: string; to: string; similarity: number | null }[];
}

/**
 * The embeddings check's vector through each vendor's real probe, the monitor, the store, the
 * metrics and the API: the vendor's fake moves its vector and the change is news (counted,
 * listed with its similarity), never an outage; a vector within the threshold is no change.
 */
describe.each(SETUPS)('embedding changes on $name', (setup) => {
  let fake: Rig;
  let monitor: ReturnType<typeof createVendorTestApp>['monitor'];
  let app: ReturnType<typeof createVendorTestApp>['app'];
  let registry: Registry;
  let close: () => Promise<void>;

  beforeAll(async () => {
    fake = await setup.start();
    const dep = setup.dep(fake.url, { id: 'rag', checks: ['embeddings'], timeoutMs: 3000 });
    const rig = createVendorTestApp(testConfig([dep], { vantage: 'emb', secrets: SECRETS }));
    ({ monitor, app, registry, close } = rig);
  });
  afterAll(async () => {
    await close();
    await fake.stop();
  });

  const dependency = async () =>
    (await (await app.request('/api/v1/dependencies/rag')).json()) as DependencyAnswer;
  const changesCounted = async () =>
    (await registry.metrics())
      .split('\n')
      .find((l) =>
        l.startsWith('bellwether_model_changes_total{dependency="rag",kind="embedding"'),
      );

  it('keeps the first vector as the baseline, then counts a dissimilar one once, healthy throughout', async () => {
    await monitor.probeNow('rag');
    await monitor.probeNow('rag');
    expect(await dependency()).toMatchObject({ state: 'healthy', modelChanges: [] });
    expect(await changesCounted()).toMatch(/ 0$/);

    fake.setEmbedding({ seed: 2 });
    await monitor.probeNow('rag');
    await monitor.probeNow('rag');
    const d = await dependency();
    expect(d.state).toBe('healthy');
    expect(d.modelChanges).toHaveLength(1);
    expect(d.modelChanges[0]).toMatchObject({ kind: 'embedding' });
    expect(d.modelChanges[0]?.similarity).toBeLessThan(0.99);
    expect(await changesCounted()).toMatch(/ 1$/);
    expect(JSON.stringify(d)).not.toContain('vector');
  });

  it('takes a vector within the similarity threshold as the same model', async () => {
    const near = fakeVector(setup.dimensions, 2).map((v, i) => (i === 0 ? v + 0.001 : v));
    fake.setEmbedding({ vector: near });
    await monitor.probeNow('rag');
    // The check passed on the near vector (a failed one would keep no vector to compare).
    const success = (await registry.metrics())
      .split('\n')
      .find((l) => l.startsWith('bellwether_probe_success{dependency="rag"'));
    expect(success).toMatch(/check="embeddings".* 1$/);
    expect((await dependency()).modelChanges).toHaveLength(1);
    expect(await changesCounted()).toMatch(/ 1$/);
  });
});
