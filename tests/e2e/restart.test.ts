import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const OPENAI_KEY = 'sk-restart-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-restart-0123456789abcdef';
/** Probe interval; RESTART_INTERVAL_MS=30000 measures the default interval (the figures only). */
const INTERVAL_MS = Number(process.env.RESTART_INTERVAL_MS ?? 5000);

interface RouteAnswer {
  state: string;
  route: { dependency: string; fallback: boolean } | null;
  reason: string;
}
interface DependencyAnswer {
  id: string;
  state: string;
  stale: boolean;
  reasons: string[];
  lastProbe: { at: string } | null;
}

/**
 * Start-up and restarts: before a dependency's first round, the route answers from history
 * (stale) or, with no history, the primary ("not probed yet"); /readyz says 503 meanwhile.
 */
describe('start and restart with a history database', { timeout: 60_000 }, () => {
  let vendor: FakeVendor;
  let dir: string;
  let bw: Bellwether | undefined;

  beforeAll(async () => {
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-restart-'));
  });
  afterAll(async () => {
    await bw?.stop();
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<{ base: string; startedAt: number }> => {
    const parsed = parseConfigText(
      `vantage: restart
server: { port: 0, host: 127.0.0.1 }
storage: { path: ${join(dir, 'history.db')} }
defaults: { interval: ${INTERVAL_MS / 1000}s, timeout: 1500ms, retries: 0 }
dependencies:
  - { id: primary, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: "${OPENAI_KEY}", model: gpt-4o-mini }
  - { id: fallback, vendor: anthropic, baseUrl: "${vendor.url}", apiKey: "${ANTHROPIC_KEY}", model: claude-3-5-haiku-latest }
consumers:
  - { id: phishing-triage, uses: [primary, fallback] }
`,
      'restart.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const startedAt = Date.now();
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent' });
    return { base: `http://127.0.0.1:${bw.port}`, startedAt };
  };
  const stop = async () => {
    await bw?.stop();
    bw = undefined;
  };
  const get = async <T>(base: string, path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T };
  };
  const route = (base: string) =>
    get<RouteAnswer>(base, '/api/v1/consumers/phishing-triage/route').then((r) => r.body);
  const dependency = (base: string, id: string) =>
    get<DependencyAnswer>(base, `/api/v1/dependencies/${id}`).then((r) => r.body);

  /**
   * Polls until every dependency has a fresh state, recording each route answer meanwhile;
   * returns the answers and when the first fresh round showed up.
   */
  const watchUntilFresh = async (base: string) => {
    const answers: RouteAnswer[] = [];
    const readiness: number[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      answers.push(await route(base));
      readiness.push((await get(base, '/readyz')).status);
      const deps = await Promise.all(['primary', 'fallback'].map((id) => dependency(base, id)));
      if (deps.every((d) => !d.stale && d.state !== 'unknown')) {
        return { answers, readiness, freshAt: Date.now(), deps };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no fresh round within 20 s');
  };

  it('first start, no history: routes to the primary, "not probed yet", not ready', async () => {
    // Slow answers keep the first rounds in flight long enough to look at them.
    vendor.setFault('*', { headersDelayMs: 600 });
    const { base } = await start();
    const first = await route(base);
    expect(first).toMatchObject({
      state: 'ok',
      route: { dependency: 'primary', fallback: false },
      reason: 'not probed yet: routing to the primary primary until its first round',
    });
    const ready = await get<string>(base, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^not ready: starting: 2 dependencies have not finished/);
    const { answers, deps } = await watchUntilFresh(base);
    expect(answers.every((a) => a.route?.dependency === 'primary')).toBe(true);
    expect(deps.map((d) => d.state)).toEqual(['healthy', 'healthy']);
    expect((await get(base, '/readyz')).status).toBe(200);
    vendor.clearFaults();
    await stop();
  });

  it('restart: the last known state from history, marked stale, until a fresh round', async () => {
    vendor.setFault('*', { headersDelayMs: 600 });
    const { base, startedAt } = await start();
    const primary = await dependency(base, 'primary');
    expect(primary.state).toBe('healthy');
    expect(primary.stale).toBe(true);
    expect(primary.reasons[0]).toMatch(
      /^last known state, from history: probed \d+ s before this start, not since$/,
    );
    expect(primary.lastProbe?.at).toBeDefined();
    expect(Date.parse(primary.lastProbe?.at ?? '')).toBeLessThan(startedAt);
    expect(await route(base)).toMatchObject({ state: 'ok', route: { dependency: 'primary' } });
    expect((await get(base, '/readyz')).status).toBe(503);

    const { answers, readiness, freshAt, deps } = await watchUntilFresh(base);
    // At no moment does the healthy chain answer "no vendor".
    expect(answers.filter((a) => a.route === null)).toEqual([]);
    expect(new Set(answers.map((a) => a.route?.dependency))).toEqual(new Set(['primary']));
    expect(deps.every((d) => !d.stale && d.state === 'healthy')).toBe(true);
    expect((await get(base, '/readyz')).status).toBe(200);
    expect(readiness[0]).toBe(503);
    process.stdout.write(
      `restart: first fresh round ${freshAt - startedAt} ms after start (${((freshAt - startedAt) / INTERVAL_MS).toFixed(2)} probe intervals of ${INTERVAL_MS} ms); ${answers.length} route answers meanwhile, all "primary", none null\n`,
    );
    vendor.clearFaults();
  });

  it('restart after the primary went down: routes to the fallback at once, not to nothing', async () => {
    vendor.setFault('chat', { status: 500 });
    await stop();
    const { base: running } = await start();
    // Two failed rounds now, whatever the interval.
    await bw?.monitor.probeNow('primary');
    await bw?.monitor.probeNow('primary');
    const primaryState = (await dependency(running, 'primary')).state;
    expect(primaryState, 'the primary goes down on 500s before the restart').toBe('down');
    await stop();
    vendor.clearFaults();
    vendor.setFault('*', { headersDelayMs: 600 });
    const { base } = await start();
    const primary = await dependency(base, 'primary');
    expect(primary).toMatchObject({ state: 'down', stale: true });
    expect(await route(base)).toMatchObject({
      state: 'degraded',
      route: { dependency: 'fallback', fallback: true },
    });
    const { answers } = await watchUntilFresh(base);
    expect(answers.filter((a) => a.route === null)).toEqual([]);
    vendor.clearFaults();
  });
});
