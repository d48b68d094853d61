import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app-harness.js';

// RFC 9110 §15.5.6: a method the target resource does not support is 405 with an Allow
// header listing what it does; an unknown path stays 404.
describe('wrong methods on known paths', () => {
  let h: ReturnType<typeof createTestApp>;
  beforeEach(() => {
    h = createTestApp({ reload: async () => ({ ok: true, dependencies: 2, restartNeeded: [] }) });
  });
  afterEach(() => h.close());

  it.each([
    ['POST', '/api/v1/status', 'GET, HEAD'],
    ['DELETE', '/api/v1/dependencies', 'GET, HEAD'],
    ['PUT', '/api/v1/dependencies/primary', 'GET, HEAD'],
    ['PATCH', '/api/v1/dependencies/no-such-id/history', 'GET, HEAD'],
    ['POST', '/api/v1/consumers/phishing-triage/route', 'GET, HEAD'],
    ['POST', '/api/v1/openapi.json', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
    ['DELETE', '/healthz', 'GET, HEAD'],
    ['GET', '/-/reload', 'POST'],
    ['POST', '/', 'GET, HEAD'],
  ])('%s %s is 405, Allow: %s', async (method, path, allow) => {
    const res = await h.app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await res.json()).toEqual({
      error: { code: 'method_not_allowed', message: `${method} is not allowed here` },
    });
  });

  it.each([
    ['GET', '/api/v1/nothing-here'],
    ['POST', '/api/v1/dependencies/primary/history/extra'],
    ['GET', '/api/v1/dependencies/'],
  ])('%s %s is still 404', async (method, path) => {
    const res = await h.app.request(path, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
  });

  it('answers the right method as before', async () => {
    expect((await h.app.request('/api/v1/status')).status).toBe(200);
    expect((await h.app.request('/api/v1/status', { method: 'HEAD' })).status).toBe(200);
  });

  it('asks for credentials before it says which methods exist', async () => {
    const locked = createTestApp({ access: { tokens: ['tok-1'] } });
    try {
      const res = await locked.app.request('/api/v1/status', { method: 'POST' });
      expect(res.status).toBe(401);
      const authed = await locked.app.request('/api/v1/status', {
        method: 'POST',
        headers: { authorization: 'Bearer tok-1' },
      });
      expect(authed.status).toBe(405);
    } finally {
      locked.close();
    }
  });
});
