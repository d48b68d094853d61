import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app-harness.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('access control', () => {
  const h = createTestApp({
    access: {
      tokens: ['token-one-0123456789', 'token-two-0123456789'],
      basic: { user: 'ciso', password: 'p@ss:word' },
    },
  });
  beforeAll(() => h.monitor.probeAll());
  afterAll(() => h.close());

  it.each([
    ['/healthz', undefined, 200],
    ['/readyz', undefined, 200],
    ['/metrics', undefined, 401],
    ['/api/v1/status', undefined, 401],
    ['/', undefined, 401],
    ['/api/v1/status', 'Bearer token-one-0123456789', 200],
    ['/metrics', 'Bearer token-two-0123456789', 200],
    ['/', basic('ciso', 'p@ss:word'), 200],
    ['/api/v1/status', 'Bearer token-one-012345678', 401],
    ['/api/v1/status', 'Bearer ', 401],
    ['/api/v1/status', basic('ciso', 'wrong'), 401],
    ['/api/v1/status', basic('nobody', 'p@ss:word'), 401],
    ['/api/v1/status', 'Basic !!!not-base64', 401],
    ['/api/v1/status', 'token-one-0123456789', 401],
  ])('%s with %s → %i', async (path, authorization, status) => {
    const res = await h.app.request(path, {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toBeTruthy();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });
});

describe('hostile input gets 4xx, never 500', () => {
  const h = createTestApp();
  beforeAll(() => h.monitor.probeAll());
  afterAll(() => h.close());

  it.each([
    ['GET', `/api/v1/dependencies/${'a'.repeat(10_000)}`],
    ['GET', `/${'x/'.repeat(2000)}`],
    ['DELETE', '/api/v1/status'],
    ['PUT', '/api/v1/dependencies/primary'],
    ['PROPFIND', '/'],
    ['GET', '/api/v1/dependencies/primary/history?since=%00%ff'],
    ['GET', '/api/v1/dependencies/primary/history?since=9999999999999999999999'],
    ['GET', '/api/v1/dependencies/primary/history?limit=-1'],
    ['GET', '/api/v1/dependencies/primary/history?limit=1e9'],
    ['GET', '/api/v1/dependencies/%E0%A4%A/history'],
    ['GET', '/api/v1/consumers/..%2F..%2Fetc%2Fpasswd/route'],
    ['POST', '/api/v1/status'],
    ['GET', '/api/v1/dependencies/primary/history?since=http://169.254.169.254/'],
  ])('%s %s', async (method, path) => {
    const res = await h.app.request(path, { method });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses a large body with 413', async () => {
    const res = await h.app.request('/-/reload', {
      method: 'POST',
      body: 'x'.repeat(64 * 1024),
      headers: { 'content-length': String(64 * 1024) },
    });
    expect(res.status).toBe(413);
  });

  it('sends security headers with the status page', async () => {
    const res = await h.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('has no route that fetches a URL the caller chose (no SSRF)', async () => {
    const routes = h.app.routes.map((r) => `${r.method} ${r.path}`);
    for (const r of routes) expect(r).not.toMatch(/url|proxy|fetch|probe/i);
    const before = h.monitor.dependencies().map((d) => d.lastRound?.startedAt);
    await h.app.request('/api/v1/status?url=http://127.0.0.1:1/');
    expect(h.monitor.dependencies().map((d) => d.lastRound?.startedAt)).toEqual(before);
  });
});
