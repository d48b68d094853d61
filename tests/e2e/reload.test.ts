import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, type ReloadOutcome, startBellwether } from '../../src/bellwether.js';
import { loadConfig } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const TOKEN = 'reload-token-0123456789';

describe('config reload', () => {
  let vendor: FakeVendor;
  let dir: string;
  let file: string;
  let bw: Bellwether;
  let base: string;

  const write = (deps: string[], extra = '') =>
    writeFileSync(
      file,
      `vantage: reload
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
dependencies:
${deps.map((id) => `  - { id: ${id}, vendor: http, url: "${vendor.url}/health" }`).join('\n')}
${extra}`,
    );
  const reload = (token = TOKEN) =>
    fetch(`${base}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const ids = async () =>
    (
      (await (await fetch(`${base}/api/v1/status`)).json()) as { dependencies: { id: string }[] }
    ).dependencies.map((d) => d.id);
  const reloadMetric = async () =>
    /\nbellwether_config_last_reload_success\{vantage="reload"\} (\d)/.exec(
      await (await fetch(`${base}/metrics`)).text(),
    )?.[1];

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-reload-'));
    file = join(dir, 'bellwether.yaml');
    write(['first']);
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error('fixture config invalid');
    bw = await startBellwether({
      config: loaded.config,
      logLevel: 'silent',
      reloadToken: TOKEN,
      env: {},
      firstRunSpreadMs: 50,
    });
    base = `http://127.0.0.1:${bw.port}`;
  });
  afterAll(async () => {
    await bw.stop();
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a good new config without a restart and keeps unchanged history', async () => {
    await bw.monitor.probeNow('first');
    write(['first', 'second']);
    const res = await reload();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, dependencies: 2 });
    expect(await ids()).toEqual(['first', 'second']);
    expect(bw.monitor.dependency('first')?.evaluation.state).toBe('healthy');
    expect(await reloadMetric()).toBe('1');
  });

  it('refuses a bad config with its errors and keeps the running one', async () => {
    write(['first', 'second', 'third'], 'bogus: 1\n');
    const res = await reload();
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe('invalid_config');
    expect(body.error.details.join('\n')).toContain(`${file}:`);
    expect(body.error.details.join('\n')).toContain('unknown key "bogus"');
    expect(await ids()).toEqual(['first', 'second']);
    expect(await reloadMetric()).toBe('0');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
  });

  it('ends on the last file when 50 reloads are asked for at once', async () => {
    // In process, so the first reload reads the file before the next write (over HTTP all
    // 50 writes would land before the first request is read).
    const pending: Promise<ReloadOutcome>[] = [];
    for (let i = 1; i <= 50; i++) {
      write(Array.from({ length: 1 + (i % 3) }, (_, k) => `dep-${i}-${k}`));
      pending.push(bw.reload());
    }
    const outcomes = await Promise.all(pending);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes[0]).toMatchObject({ dependencies: 2 }); // the first file: 1 % 3 + 1
    // 50 % 3 = 2: the last file listed three dependencies.
    expect(await ids()).toEqual(['dep-50-0', 'dep-50-1', 'dep-50-2']);
    expect(bw.config.dependencies.map((d) => d.id)).toEqual(['dep-50-0', 'dep-50-1', 'dep-50-2']);
  });

  it('refuses oversized request headers at the socket (431)', async () => {
    const res = await fetch(`${base}/api/v1/status`, { headers: { 'x-big': 'a'.repeat(20_000) } });
    expect(res.status).toBe(431);
  });

  it.each([
    ['a wrong token', 'nope', 401],
    ['no token', '', 401],
  ])('%s is refused', async (_name, token, status) => {
    expect((await reload(token)).status).toBe(status);
  });
});
