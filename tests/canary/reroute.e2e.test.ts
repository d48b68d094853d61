import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { build } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { startOpenAICanaryFake } from '../support/canary-fakes/openai.js';
import type { CanaryFake } from '../support/canary-fakes/scaffold.js';

const KEY_A = 'sk-canary-primary-0123456789abcdef';
const KEY_B = 'sk-canary-fallback-0123456789abcdef';

// A phishing-triage tool on two OpenAI-shaped vendors that requires the verdict canary: the
// primary starts refusing, the tool is sent to the fallback after two refusals, and back to the
// primary once it answers right again.
describe('a consumer that requires a canary is re-routed while it fails', () => {
  let a: CanaryFake;
  let b: CanaryFake;
  // Built, not started: only the test's own rounds run, so each step sees exactly one run.
  let bw: ReturnType<typeof build>;
  let app: ReturnType<typeof createApp> | undefined;
  const get = async (path: string) => {
    if (!app) throw new Error('app not built');
    return app.request(path);
  };

  const route = async () =>
    (await (await get(`/api/v1/consumers/triage/route`)).json()) as {
      route: { dependency: string } | null;
      reason: string;
      chain: { dependency: string; usable: boolean; failingCanaries?: string[] }[];
    };
  const dependency = async (id: string) =>
    (await (await get(`/api/v1/dependencies/${id}`)).json()) as {
      state: string;
      reasons: string[];
      canaries: {
        id: string;
        outcome: string | null;
        reason: string | null;
        ok: boolean | null;
        failing: boolean;
        answerExcerpt: string | null;
        passRatio: { runs: number; passed: number };
      }[];
    };
  const metric = async (pattern: RegExp) => pattern.exec(await (await get(`/metrics`)).text())?.[1];

  beforeAll(async () => {
    a = await startOpenAICanaryFake({ apiKey: KEY_A });
    b = await startOpenAICanaryFake({ apiKey: KEY_B });
    a.answer({ kind: 'text', fragments: ['PHI', 'SHING'] });
    b.answer({ kind: 'text', fragments: ['PHISHING'] });
    const dep = (id: string, url: string, key: string) =>
      `  - { id: ${id}, vendor: openai, baseUrl: "${url}/v1", apiKey: "${key}", model: gpt-4o-mini, checks: [completion], interval: 1s, timeout: 900ms, retries: 0, canaries: [verdict] }`;
    const parsed = parseConfigText(
      `vantage: canary
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
canaries:
  - id: verdict
    prompt: "Is this email phishing? Answer with one word: PHISHING or BENIGN."
    expect: { equals: PHISHING }
    interval: 1s
dependencies:
${dep('a', a.url, KEY_A)}
${dep('b', b.url, KEY_B)}
consumers:
  - { id: triage, uses: [a, b], requires: [verdict] }
`,
      'canary.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = build({ config: parsed.config, logLevel: 'silent', storePath: ':memory:' });
    app = createApp({
      monitor: bw.monitor,
      store: bw.store,
      registry: bw.registry,
      logger: bw.logger,
      consumers: parsed.config.consumers,
      vantage: parsed.config.vantage,
      clock: () => Date.now(),
      notReady: () => null,
    });
    await bw.monitor.probeNow('a');
    await bw.monitor.probeNow('b');
  });
  afterAll(async () => {
    await bw?.monitor.stop(0);
    bw?.http.close();
    bw?.store.close();
    await a?.stop();
    await b?.stop();
  });

  it('passes on both and routes to the primary', async () => {
    expect((await route()).route?.dependency).toBe('a');
    const d = await dependency('a');
    expect(d.state).toBe('healthy');
    expect(d.canaries).toEqual([
      expect.objectContaining({ id: 'verdict', outcome: 'pass', ok: true, failing: false }),
    ]);
    expect(
      await metric(/bellwether_canary_success\{[^}]*dependency="a",canary="verdict"[^}]*\} (\d)/),
    ).toBe('1');
  });

  it('one refusal is a miss: shown, but the tool stays on the primary', async () => {
    a.answer({
      kind: 'text',
      fragments: ["I'm sorry, but I can't help with analysing ", 'emails.'],
    });
    await bw.monitor.probeNow('a');
    const d = await dependency('a');
    expect(d.canaries[0]).toMatchObject({
      outcome: 'refused',
      reason: 'text',
      ok: false,
      failing: false,
      answerExcerpt: "I'm sorry, but I can't help with analysing emails.",
    });
    expect(d.state).toBe('healthy');
    expect((await route()).route?.dependency).toBe('a');
  });

  it('a second refusal degrades the primary and sends the tool to the fallback', async () => {
    await bw.monitor.probeNow('a');
    const d = await dependency('a');
    expect(d.canaries[0]?.failing).toBe(true);
    expect(d.state).toBe('degraded');
    expect(d.reasons.join(' ')).toContain('canary verdict failing: refused (text) 2 runs in a row');
    const r = await route();
    expect(r.route?.dependency).toBe('b');
    expect(r.reason).toBe(
      'running on fallback b (healthy) because a is degraded but fails canary verdict',
    );
    expect(r.chain[0]).toMatchObject({
      dependency: 'a',
      usable: false,
      failingCanaries: ['verdict'],
    });
    expect(
      await metric(
        /bellwether_canary_results_total\{[^}]*dependency="a",canary="verdict",outcome="refused"[^}]*\} (\d+)/,
      ),
    ).toBe('2');
    expect(
      await metric(
        /bellwether_consumer_state\{[^}]*consumer="triage",state="degraded"[^}]*\} (\d)/,
      ),
    ).toBe('1');
  });

  it('no secret reaches an answer excerpt, even when the model repeats the key', async () => {
    a.answer({ kind: 'text', fragments: [`Your key ${KEY_A} is `, 'fine.'] });
    await bw.monitor.probeNow('a');
    const d = await dependency('a');
    expect(d.canaries[0]?.outcome).toBe('wrong_answer');
    expect(d.canaries[0]?.answerExcerpt).toBe('Your key [REDACTED] is fine.');
    expect(JSON.stringify(d)).not.toContain(KEY_A);
  });

  it('one pass recovers it: back on the primary', async () => {
    a.answer({ kind: 'text', fragments: ['PHISHING'] });
    await bw.monitor.probeNow('a');
    expect((await route()).route?.dependency).toBe('a');
    const d = await dependency('a');
    expect(d.state).toBe('healthy');
    expect(d.canaries[0]).toMatchObject({
      outcome: 'pass',
      failing: false,
      passRatio: { runs: 5, passed: 2 },
    });
  });
});
