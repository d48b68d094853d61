import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import { createVendorTestApp, testConfig } from '../support/app-harness.js';
import { testDependency } from '../support/dependency.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const KEY = 'sk-emb-e2e-0123456789abcdefghijkl';

let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor({ openaiKey: KEY });
});
afterAll(() => vendor.stop());

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  vendor.clearFaults();
  vendor.setEmbedding({});
});

/** The real monitor, store, metrics and app over the real OpenAI probe and a fake vendor. */
function build(over: Partial<DependencyConfig> = {}) {
  const dep = testDependency({
    id: 'rag',
    vendor: 'openai',
    baseUrl: `${vendor.url}/v1`,
    apiKey: KEY,
    model: 'gpt-4o-mini',
    embeddingModel: 'text-embedding-3-small',
    checks: ['models', 'completion', 'embeddings'],
    timeoutMs: 2000,
    ...over,
  });
  const t = createVendorTestApp(
    testConfig([dep], {
      vantage: 'emb',
      consumers: [{ id: 'search', uses: [dep.id] }],
      secrets: [KEY],
    }),
  );
  close = t.close;
  const metric = async (line: string): Promise<string | undefined> => {
    const text = await t.registry.metrics();
    return text.split('\n').find((l) => l.startsWith(line));
  };
  return { monitor: t.monitor, app: t.app, metric, registry: t.registry };
}

interface CheckView {
  check: string;
  ok: boolean;
  skipped: boolean;
  errorClass: string | null;
  message: string | null;
  tokens: { input: number; output: number } | null;
}

describe('the embeddings check through the monitor', () => {
  it('is exported, shown in the API and history, and its tokens counted, with the vector kept out', async () => {
    const t = build();
    await t.monitor.probeNow('rag');

    const labels = 'dependency="rag",vendor="openai",check="embeddings",vantage="emb"';
    expect(await t.metric(`bellwether_probe_success{${labels}}`)).toBe(
      `bellwether_probe_success{${labels}} 1`,
    );
    expect(
      await t.metric(
        `bellwether_probe_results_total{${labels.replace(',vantage', ',outcome="success",error_class="none",vantage')}}`,
      ),
    ).toMatch(/ 1$/);
    expect(
      (await t.registry.metrics())
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('bellwether_probe_duration_seconds_count') &&
            l.includes('check="embeddings"'),
        ),
    ).toEqual([expect.stringMatching(/ 1$/)]);
    // The completion spends 8 + 1, the embedding 8 input tokens.
    expect(
      await t.metric('bellwether_probe_tokens_total{dependency="rag",type="input",vantage="emb"}'),
    ).toMatch(/ 16$/);
    expect(
      await t.metric('bellwether_probe_tokens_total{dependency="rag",type="output",vantage="emb"}'),
    ).toMatch(/ 1$/);
    // Skips are exported at 0 from the start for it too: it spends tokens.
    expect(
      await t.metric(
        'bellwether_probe_skipped_total{dependency="rag",check="embeddings",reason="budget",vantage="emb"}',
      ),
    ).toMatch(/ 0$/);

    const res = await t.app.request('/api/v1/dependencies/rag');
    const text = await res.text();
    const body = JSON.parse(text) as { state: string; lastProbe: { checks: CheckView[] } };
    expect(body.state).toBe('healthy');
    expect(body.lastProbe.checks.map((c) => [c.check, c.ok])).toEqual([
      ['models', true],
      ['completion', true],
      ['embeddings', true],
    ]);
    expect(body.lastProbe.checks[2]?.tokens).toEqual({ input: 8, output: 0 });
    expect(text).not.toContain('vector');
    expect(text).not.toContain('"embedding"');

    const history = (await (
      await t.app.request('/api/v1/dependencies/rag/history?since=1h')
    ).json()) as { results: CheckView[] };
    expect(history.results.map((r) => r.check)).toContain('embeddings');

    const page = await (await t.app.request('/')).text();
    expect(page).toContain('data-dependency="rag"');
  });

  it('fails on a vector of another length, and says why in the state, the metrics and the page', async () => {
    const t = build({ embeddingDimensions: 1536 });
    vendor.setEmbedding({ dimensions: 768 });
    await t.monitor.probeNow('rag');

    const labels = 'dependency="rag",vendor="openai",check="embeddings",vantage="emb"';
    expect(await t.metric(`bellwether_probe_success{${labels}}`)).toMatch(/ 0$/);
    expect(
      await t.metric(
        `bellwether_probe_results_total{${labels.replace(',vantage', ',outcome="failure",error_class="bad_response",vantage')}}`,
      ),
    ).toMatch(/ 1$/);
    const body = (await (await t.app.request('/api/v1/dependencies/rag')).json()) as {
      reasons: string[];
      lastProbe: { checks: CheckView[] };
    };
    expect(body.reasons.join('\n')).toContain(
      'embeddings check: bad_response (HTTP 200): embedding has 768 dimensions; expected 1536 (embeddingDimensions)',
    );
    const page = await (await t.app.request('/')).text();
    expect(page).toContain('Failed: unexpected answer');
  });

  it('stops embedding once the daily token budget is spent, while the zero-token check goes on', async () => {
    // One round spends 9 (completion) + 8 (embeddings): the second round's token checks skip.
    const t = build({ dailyTokenBudget: 10 });
    await t.monitor.probeNow('rag');
    await t.monitor.probeNow('rag');
    const body = (await (await t.app.request('/api/v1/dependencies/rag')).json()) as {
      lastProbe: { checks: CheckView[] };
    };
    expect(body.lastProbe.checks.map((c) => [c.check, c.ok, c.skipped])).toEqual([
      ['models', true, false],
      ['completion', false, true],
      ['embeddings', false, true],
    ]);
    expect(body.lastProbe.checks[2]?.message).toBe(
      'skipped: daily token budget of 10 tokens spent (17 used; resets 00:00 UTC)',
    );
    expect(
      await t.metric(
        'bellwether_probe_skipped_total{dependency="rag",check="embeddings",reason="budget",vantage="emb"}',
      ),
    ).toMatch(/ 1$/);
  });
});
