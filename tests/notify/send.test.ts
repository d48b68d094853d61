import { describe, expect, it } from 'vitest';
import { deliver } from '../../src/notify/send.js';
import type { NotifyRequest, Send } from '../../src/notify/types.js';

const request: NotifyRequest = {
  method: 'POST',
  url: 'http://127.0.0.1:9/x',
  headers: {},
  body: '{}',
};
const retry = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 };

const never: Send = () => new Promise(() => undefined);
const throwsNow: Send = () => {
  throw Object.assign(new Error('connect ECONNREFUSED http://secret-host/path?key=abc'), {
    code: 'ECONNREFUSED',
  });
};
const status =
  (...codes: number[]): Send =>
  async () => ({ status: codes.shift() ?? 200 });

describe('deliver', () => {
  it.each([
    [
      'a sender that ignores its signal is still cut at the timeout',
      never,
      false,
      3,
      'timeout after 20 ms',
    ],
    [
      'a sender that throws synchronously is retried',
      throwsNow,
      false,
      3,
      'network error (ECONNREFUSED)',
    ],
    ['502, 503, then 200', status(502, 503, 200), true, 3, undefined],
    ['a 3xx is not followed or retried', status(302), false, 1, 'HTTP 302'],
    ['a 404 is not retried', status(404), false, 1, 'HTTP 404'],
  ] as const)('%s', async (_name, send, ok, attempts, reason) => {
    const stop = new AbortController();
    const outcome = await deliver(send, request, { timeoutMs: 20, retry, stop: stop.signal });
    expect(outcome).toEqual(ok ? { ok, attempts } : { ok, attempts, reason, stopped: false });
  });

  it('gives up at once when stopped, saying so', async () => {
    const stop = new AbortController();
    const pending = deliver(never, request, { timeoutMs: 60_000, retry, stop: stop.signal });
    stop.abort();
    expect(await pending).toMatchObject({ ok: false, stopped: true, attempts: 1 });
  });
});
