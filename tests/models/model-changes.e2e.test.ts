import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { build } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import type { VendorFake } from '../support/fake-http.js';
import { startFakeOllama } from '../support/fake-ollama.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const OPENAI_KEY = 'sk-models-openai-0123456789abcdef';
const GEMINI_KEY = 'AIzaModelsGemini0123456789abcdef';
const SNAPSHOT = 'gpt-4o-mini-2024-07-18';
const NEXT = 'gpt-4o-mini-2025-01-31';

interface DependencyAnswer {
  state: string;
  servedModel: string | null;
  systemFingerprint: string | null;
  modelChanges: {
    at: string;
    kind: string;
    from: string;
    to: string;
    similarity: number | null;
    canaries: unknown;
  }[];
}

/**
 * Silent model changes through the real monitor, store, metrics and API against the fakes:
 * OpenAI's dated snapshot behind an alias moves, its fingerprints rotate, Gemini's
 * modelVersion and Ollama's model move; none of it makes a dependency less than healthy, and
 * a restart on the same history file raises nothing it already knew.
 */
describe('model changes end to end', { timeout: 60_000 }, () => {
  let openai: FakeVendor;
  let gemini: VendorFake;
  let ollama: VendorFake;
  let dir: string;
  let bw: ReturnType<typeof build> | undefined;
  let app: ReturnType<typeof createApp> | undefined;

  const start = () => {
    const parsed = parseConfigText(
      `vantage: models
server: { port: 0, host: 127.0.0.1 }
storage: { path: "${join(dir, 'history.db')}" }
defaults: { interval: 1h, timeout: 2s, retries: 0 }
dependencies:
  - { id: oa, vendor: openai, baseUrl: "${openai.url}/v1", apiKey: "${OPENAI_KEY}", model: gpt-4o-mini, checks: [completion] }
  - { id: gem, vendor: gemini, baseUrl: "${gemini.url}", apiKey: "${GEMINI_KEY}", model: gemini-2.0-flash, checks: [completion] }
  - { id: oll, vendor: ollama, baseUrl: "${ollama.url}", model: llama3.2, checks: [completion] }
`,
      'models.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const built = build({ config: parsed.config, logLevel: 'silent' });
    bw = built;
    app = createApp({
      monitor: built.monitor,
      store: built.store,
      registry: built.registry,
      logger: built.logger,
      consumers: parsed.config.consumers,
      vantage: parsed.config.vantage,
      clock: () => Date.now(),
      notReady: () => null,
    });
  };
  const stop = async () => {
    await bw?.monitor.stop(0);
    bw?.http.close();
    bw?.store.close();
    bw = undefined;
    app = undefined;
  };
  const get = async (path: string) => {
    if (!app) throw new Error('not started');
    return app.request(path);
  };
  const dependency = async (id: string) =>
    (await (await get(`/api/v1/dependencies/${id}`)).json()) as DependencyAnswer;
  const metrics = async () => (await get('/metrics')).text();
  const series = (text: string, name: string, dep: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes(`dependency="${dep}"`))
      .map((l) => l.replace(/,?vantage="models"/, ''));
  const round = async (id: string) => {
    await bw?.monitor.probeNow(id);
  };

  beforeAll(async () => {
    openai = await startFakeVendor({ openaiKey: OPENAI_KEY });
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    ollama = await startFakeOllama();
    dir = mkdtempSync(join(tmpdir(), 'bellwether-models-'));
    // As the real API: the alias is answered by a dated snapshot.
    openai.setFault('chat', { servedModel: SNAPSHOT, systemFingerprint: 'fp_a' });
    start();
  });
  afterAll(async () => {
    await stop();
    await openai.stop();
    await gemini.stop();
    await ollama.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first answers are the baseline: served model and fingerprint shown, no change', async () => {
    await round('oa');
    await round('oa');
    const d = await dependency('oa');
    expect(d).toMatchObject({
      state: 'healthy',
      servedModel: SNAPSHOT,
      systemFingerprint: 'fp_a',
      modelChanges: [],
    });
    const text = await metrics();
    expect(series(text, 'bellwether_served_model_info', 'oa')).toEqual([
      `bellwether_served_model_info{dependency="oa",served_model="${SNAPSHOT}"} 1`,
    ]);
    expect(series(text, 'bellwether_model_changes_total', 'oa')).toEqual([
      'bellwether_model_changes_total{dependency="oa",kind="served_model"} 0',
      'bellwether_model_changes_total{dependency="oa",kind="fingerprint"} 0',
      'bellwether_model_changes_total{dependency="oa",kind="embedding"} 0',
    ]);
  });

  it('fingerprints alternating between two backends raise one change, not one per round', async () => {
    for (const fp of ['fp_b', 'fp_a', 'fp_b', 'fp_a', 'fp_b']) {
      openai.setFault('chat', { servedModel: SNAPSHOT, systemFingerprint: fp });
      await round('oa');
    }
    const d = await dependency('oa');
    expect(d.modelChanges.map(({ kind, from, to }) => ({ kind, from, to }))).toEqual([
      { kind: 'fingerprint', from: 'fp_a', to: 'fp_b' },
    ]);
    expect(d.systemFingerprint).toBe('fp_b');
    expect(series(await metrics(), 'bellwether_model_changes_total', 'oa')).toContain(
      'bellwether_model_changes_total{dependency="oa",kind="fingerprint"} 1',
    );
  });

  it('the alias moves to a new snapshot: counted, info series moved, shown, still healthy', async () => {
    openai.setFault('chat', { servedModel: NEXT, systemFingerprint: 'fp_new' });
    const before = Date.now();
    await round('oa');
    await round('oa');
    const d = await dependency('oa');
    expect(d.state).toBe('healthy');
    expect(d.servedModel).toBe(NEXT);
    expect(d.modelChanges[0]).toMatchObject({
      kind: 'served_model',
      from: SNAPSHOT,
      to: NEXT,
      similarity: null,
      canaries: null,
    });
    expect(Date.parse(d.modelChanges[0]?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(d.modelChanges).toHaveLength(2);
    const text = await metrics();
    expect(series(text, 'bellwether_served_model_info', 'oa')).toEqual([
      `bellwether_served_model_info{dependency="oa",served_model="${NEXT}"} 1`,
    ]);
    expect(series(text, 'bellwether_model_changes_total', 'oa')).toContain(
      'bellwether_model_changes_total{dependency="oa",kind="served_model"} 1',
    );
    expect(series(text, 'bellwether_dependency_state', 'oa')).toContain(
      'bellwether_dependency_state{dependency="oa",vendor="openai",state="healthy"} 1',
    );
  });

  it.each([
    { id: 'gem', fake: () => gemini, first: 'gemini-2.0-flash', next: 'gemini-2.0-flash-001' },
    { id: 'oll', fake: () => ollama, first: 'llama3.2', next: 'llama3.2:3b-instruct-q8_0' },
  ])(
    '$id: the model the answer names moves from $first to $next',
    async ({ id, fake, first, next }) => {
      await round(id);
      expect((await dependency(id)).servedModel).toBe(first);
      fake().setFault('completion', { servedModel: next });
      await round(id);
      const d = await dependency(id);
      expect(d.state).toBe('healthy');
      expect(d.servedModel).toBe(next);
      expect(d.modelChanges.map(({ kind, from, to }) => ({ kind, from, to }))).toEqual([
        { kind: 'served_model', from: first, to: next },
      ]);
      expect(series(await metrics(), 'bellwether_model_changes_total', id)).toContain(
        `bellwether_model_changes_total{dependency="${id}",kind="served_model"} 1`,
      );
    },
  );

  it('a restart on the same history keeps the baseline and the changes: no new event', async () => {
    await stop();
    start();
    // Before any round: what the store kept.
    let d = await dependency('oa');
    expect(d.servedModel).toBe(NEXT);
    expect(d.modelChanges.map((c) => c.kind)).toEqual(['served_model', 'fingerprint']);
    expect(series(await metrics(), 'bellwether_served_model_info', 'oa')).toEqual([
      `bellwether_served_model_info{dependency="oa",served_model="${NEXT}"} 1`,
    ]);
    await round('oa');
    await round('gem');
    d = await dependency('oa');
    expect(d.modelChanges).toHaveLength(2);
    expect((await dependency('gem')).modelChanges).toHaveLength(1);
    expect(series(await metrics(), 'bellwether_model_changes_total', 'oa')).toEqual([
      'bellwether_model_changes_total{dependency="oa",kind="served_model"} 0',
      'bellwether_model_changes_total{dependency="oa",kind="fingerprint"} 0',
      'bellwether_model_changes_total{dependency="oa",kind="embedding"} 0',
    ]);
  });
});
