import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/probes/types.js';
import { createTestApp } from '../support/app-harness.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
const json = async (res: Response): Promise<any> => res.json();

describe('HTTP routes', () => {
  let h: ReturnType<typeof createTestApp>;
  let app: ReturnType<typeof createTestApp>['app'];
  let monitor: ReturnType<typeof createTestApp>['monitor'];
  let script: ReturnType<typeof createTestApp>['script'];

  beforeEach(() => {
    h = createTestApp();
    ({ app, monitor, script } = h);
  });
  afterEach(() => h.close());

  it('reports every dependency and consumer in /api/v1/status', async () => {
    await monitor.probeAll();
    const res = await app.request('/api/v1/status');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ status: 'ok', vantage: 'test-vantage' });
    expect(body.dependencies).toHaveLength(2);
    expect(body.dependencies[0]).toMatchObject({
      id: 'primary',
      vendor: 'openai',
      model: 'gpt-4o-mini',
      state: 'healthy',
      breaker: 'closed',
      lastProbe: { ok: true, latencyMs: 240, ttftMs: 80, errorClass: null },
      uptime: { '1h': 1, '24h': 1, '7d': 1 },
      latencyMs: { p50: 120, p95: 120 },
    });
    expect(body.consumers[0]).toMatchObject({
      id: 'phishing-triage',
      state: 'ok',
      route: 'primary',
    });
  });

  it('routes a consumer to its fallback when the primary is down, and says why', async () => {
    script.primary = (check): CheckResult => ({
      check,
      ok: false,
      latencyMs: 10,
      errorClass: 'server_error',
      httpStatus: 500,
    });
    await monitor.probeAll();
    await monitor.probeAll();
    const res = await app.request('/api/v1/consumers/phishing-triage/route');
    const body = await json(res);
    expect(body).toMatchObject({
      consumer: 'phishing-triage',
      state: 'degraded',
      route: { dependency: 'fallback', vendor: 'anthropic', fallback: true },
    });
    expect(body.reason).toContain('primary is down');
    const d = await json(await app.request('/api/v1/dependencies/primary'));
    expect(d).toMatchObject({
      state: 'down',
      breaker: 'open',
      lastProbe: { errorClass: 'server_error', httpStatus: 500 },
    });
  });

  it('serves history with since as a duration or a time', async () => {
    await monitor.probeAll();
    for (const since of [
      '1h',
      new Date(Date.now() - 60_000).toISOString(),
      String(Date.now() - 60_000),
    ]) {
      const res = await app.request(
        `/api/v1/dependencies/primary/history?since=${encodeURIComponent(since)}`,
      );
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.results.map((r: { check: string }) => r.check).sort()).toEqual([
        'completion',
        'models',
      ]);
    }
  });

  it.each([
    ['/api/v1/dependencies/nope', 404, 'not_found'],
    ['/api/v1/dependencies/nope/history', 404, 'not_found'],
    ['/api/v1/consumers/nope/route', 404, 'not_found'],
    ['/api/v1/nothing-here', 404, 'not_found'],
    ['/api/v1/dependencies/primary/history?since=yesterday', 400, 'bad_request'],
    ['/api/v1/dependencies/primary/history?limit=0', 400, 'bad_request'],
    ['/api/v1/dependencies/primary/history?limit=abc', 400, 'bad_request'],
  ])('%s answers %i with the stable error shape', async (path, status, code) => {
    const res = await app.request(path);
    expect(res.status).toBe(status);
    const body = await json(res);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
  });

  it('exposes contract metrics with the vantage label', async () => {
    await monitor.probeAll();
    const text = await (await app.request('/metrics')).text();
    for (const line of [
      'bellwether_probe_success{dependency="primary",vendor="openai",check="models",vantage="test-vantage"} 1',
      'bellwether_dependency_state{dependency="primary",vendor="openai",state="healthy",vantage="test-vantage"} 1',
      'bellwether_breaker_state{dependency="primary",state="closed",vantage="test-vantage"} 1',
      'bellwether_consumer_state{consumer="phishing-triage",state="ok",vantage="test-vantage"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(
      /bellwether_probe_time_to_first_token_seconds_count\{.*dependency="primary".*\} 1/,
    );
  });

  it('refuses reload over HTTP when no token is configured', async () => {
    const res = await app.request('/-/reload', { method: 'POST' });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('reload_disabled');
  });

  it('answers OpenMetrics when asked', async () => {
    const res = await app.request('/metrics', {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(await res.text()).toMatch(/# EOF\n?$/);
  });

  it('serves health, readiness and the status page', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    await monitor.probeAll();
    const page = await app.request('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('phishing-triage');
  });
});
