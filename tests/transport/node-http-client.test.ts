import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpClient, HttpClientError } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { startFakeVendor } from '../support/fake-vendor.js';
import { makeSelfSignedCert } from '../support/tls.js';

interface TestServer {
  url: string;
  port: number;
  connections: () => number;
  totalConnections: () => number;
  close: () => Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function listen(server: net.Server, scheme: 'http' | 'https' = 'http'): Promise<TestServer> {
  const open = new Set<net.Socket>();
  let total = 0;
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    total++;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    connections: () => open.size,
    totalConnections: () => total,
    close,
  };
}

function serve(handler: http.RequestListener): Promise<TestServer> {
  return listen(http.createServer(handler));
}

function client(opts?: Parameters<typeof createNodeHttpClient>[0]): HttpClient {
  const c = createNodeHttpClient(opts);
  cleanups.push(() => c.close());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<HttpClientError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpClientError);
    return err as HttpClientError;
  }
  throw new Error('expected a rejection');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let size = 0;
  for await (const chunk of body) size += chunk.byteLength;
  return size;
}

async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('createNodeHttpClient', () => {
  it('returns status, lower-case headers, body and timings', async () => {
    const server = await serve((req, res) => {
      let received = '';
      req.on('data', (c) => {
        received += c;
      });
      req.on('end', () => {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.writeHead(201, { 'X-Echo-Method': req.method ?? '', 'Content-Type': 'text/plain' });
        res.end(`got ${received} ua=${req.headers['user-agent']}`);
      });
    });
    const http1 = client({ userAgent: 'bw-test' });
    const res = await http1.request({
      method: 'POST',
      url: `${server.url}/echo`,
      headers: { 'content-type': 'application/json' },
      body: '{"ping":"ü"}',
      signal: signal(),
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-echo-method']).toBe('POST');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    expect(await res.text(1000)).toBe('got {"ping":"ü"} ua=bw-test');
    expect(res.timings.connectMs).toBeGreaterThanOrEqual(0);
    expect(res.timings.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(res.timings.transferMs).toBeGreaterThanOrEqual(0);
    // An IP literal needs no DNS lookup, so that phase is not measured.
    expect(res.timings.dnsMs).toBeUndefined();
    expect(res.tls).toBeUndefined();
  });

  it('measures the DNS phase for a host name', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const res = await client().request({
      method: 'GET',
      url: `http://localhost:${server.port}/`,
      signal: signal(),
    });
    await res.text(100);
    expect(res.timings.dnsMs).toBeGreaterThanOrEqual(0);
    expect(res.timings.connectMs).toBeGreaterThanOrEqual(0);
  });

  it('streams the body as chunks', async () => {
    const server = await serve((_req, res) => {
      res.write('a'.repeat(10));
      setTimeout(() => res.end('b'.repeat(5)), 20);
    });
    const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
    expect(await drain(res.body)).toBe(15);
    expect(res.timings.transferMs).toBeGreaterThan(0);
  });

  it('reuses a keep-alive socket: the second request has no connect phase', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const c = client();
    const first = await c.request({ method: 'GET', url: server.url, signal: signal() });
    await first.text(100);
    const second = await c.request({ method: 'GET', url: server.url, signal: signal() });
    await second.text(100);
    expect(first.timings.connectMs).toBeDefined();
    expect(second.timings.connectMs).toBeUndefined();
    expect(second.timings.dnsMs).toBeUndefined();
    expect(second.timings.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(server.totalConnections()).toBe(1);
  });

  it('discard() of a complete body returns the socket to the pool', async () => {
    const server = await serve((_req, res) => res.end('ignored'));
    const c = client();
    const first = await c.request({ method: 'GET', url: server.url, signal: signal() });
    first.discard();
    first.discard();
    // The drain finishes asynchronously; only then is the socket back in the pool.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await c.request({ method: 'GET', url: server.url, signal: signal() });
    expect(await second.text(100)).toBe('ignored');
    expect(server.totalConnections()).toBe(1);
  });

  it('discard() of a long body closes the connection instead of downloading it', async () => {
    const server = await serve((_req, res) => {
      res.write(Buffer.alloc(256 * 1024, 'x'));
    });
    const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
    res.discard();
    await eventually(() => server.connections() === 0);
  });

  it('discard() of a hanging body closes the connection when the signal aborts', async () => {
    const server = await serve((_req, res) => {
      res.write('partial');
    });
    const res = await client().request({
      method: 'GET',
      url: server.url,
      signal: AbortSignal.timeout(100),
    });
    res.discard();
    await eventually(() => server.connections() === 0);
  });

  it('an abort before headers rejects with timeout and closes the socket', async () => {
    const server = await serve(() => {});
    const started = Date.now();
    const err = await failure(
      client().request({ method: 'GET', url: server.url, signal: AbortSignal.timeout(100) }),
    );
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain(`127.0.0.1:${server.port}`);
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(() => server.connections() === 0);
  });

  it('an already aborted signal rejects without connecting', async () => {
    const server = await serve((_req, res) => res.end());
    const err = await failure(
      client().request({ method: 'GET', url: server.url, signal: AbortSignal.abort() }),
    );
    expect(err.kind).toBe('timeout');
    expect(server.totalConnections()).toBe(0);
  });

  it('an abort while iterating the body rejects the iterator with timeout', async () => {
    const server = await serve((_req, res) => {
      res.write('first chunk');
    });
    const controller = new AbortController();
    const res = await client().request({
      method: 'GET',
      url: server.url,
      signal: controller.signal,
    });
    const err = await failure(
      (async () => {
        for await (const _chunk of res.body) controller.abort();
      })(),
    );
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('reading the body');
    await eventually(() => server.connections() === 0);
  });

  it('an abort while text() waits rejects with timeout', async () => {
    const server = await serve((_req, res) => {
      res.write('{"partial":');
    });
    const res = await client().request({
      method: 'GET',
      url: server.url,
      signal: AbortSignal.timeout(150),
    });
    const err = await failure(res.text(1000));
    expect(err.kind).toBe('timeout');
  });

  it('an abort before the body is read makes the later read reject with timeout', async () => {
    const server = await serve((_req, res) => {
      res.write('x');
    });
    const controller = new AbortController();
    const res = await client().request({
      method: 'GET',
      url: server.url,
      signal: controller.signal,
    });
    controller.abort();
    expect((await failure(res.text(100))).kind).toBe('timeout');
  });

  it('connection refused is a network error naming host and code, never headers', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const err = await failure(
      client().request({
        method: 'POST',
        url: `http://127.0.0.1:${port}/v1/chat/completions?key=sk-in-query`,
        headers: { authorization: 'Bearer sk-secret-value' },
        body: '{"secret":"body"}',
        signal: signal(),
      }),
    );
    expect(err.kind).toBe('network');
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toContain(`POST 127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toMatch(/sk-|secret|body|chat/);
  });

  it('a reset before headers is a network error', async () => {
    const server = await serve((req) => req.socket.destroy());
    const err = await failure(
      client().request({ method: 'GET', url: server.url, signal: signal() }),
    );
    expect(err.kind).toBe('network');
    expect(err.code).toBe('ECONNRESET');
    expect(err.message).toContain('socket hang up');
  });

  it.each(['iterator', 'text'] as const)(
    'a reset mid-body rejects the %s with network',
    async (how) => {
      const server = await serve((req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x'.repeat(40), () => setTimeout(() => req.socket.destroy(), 20));
      });
      const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
      const err = await failure(how === 'text' ? res.text(1000) : drain(res.body));
      expect(err.kind).toBe('network');
      expect(err.code).toBe('ECONNRESET');
    },
  );

  it('malformed HTTP is a protocol error', async () => {
    const raw = net.createServer((socket) => {
      socket.once('data', () => socket.end('NOT-HTTP garbage\r\n\r\n'));
    });
    const server = await listen(raw);
    const err = await failure(
      client().request({ method: 'GET', url: server.url, signal: signal() }),
    );
    expect(err.kind).toBe('protocol');
    expect(err.code).toMatch(/^HPE_/);
  });

  it.each([
    ['declared content-length', true],
    ['chunked body', false],
  ])(
    'text() past the cap rejects body_too_large (%s) and frees the socket',
    async (_name, declared) => {
      const size = 256 * 1024;
      const server = await serve((_req, res) => {
        if (declared) res.setHeader('content-length', String(size));
        // Written in pieces so a chunked body really arrives in several chunks.
        const piece = Buffer.alloc(16 * 1024, 'x');
        let sent = 0;
        const pump = (): void => {
          while (sent < size) {
            sent += piece.length;
            if (!res.write(piece)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });
      const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
      const err = await failure(res.text(1024));
      expect(err.kind).toBe('body_too_large');
      await eventually(() => server.connections() === 0);
    },
  );

  it('text() within the cap keeps multi-byte characters split across chunks', async () => {
    const server = await serve((_req, res) => {
      const bytes = Buffer.from('€uro', 'utf8');
      res.write(bytes.subarray(0, 1));
      setTimeout(() => res.end(bytes.subarray(1)), 10);
    });
    const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
    expect(await res.text(6)).toBe('€uro');
  });

  describe('redirects', () => {
    it('returns a redirect as is by default', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      });
      const res = await client().request({ method: 'GET', url: server.url, signal: signal() });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/elsewhere');
      res.discard();
    });

    it('follows up to maxRedirects', async () => {
      const server = await serve((req, res) => {
        if (req.url === '/a') res.writeHead(301, { location: '/b' }).end();
        else if (req.url === '/b') res.writeHead(307, { location: `${'/c'}` }).end();
        else res.end(`at ${req.url}`);
      });
      const res = await client().request({
        method: 'GET',
        url: `${server.url}/a`,
        maxRedirects: 2,
        signal: signal(),
      });
      expect(res.status).toBe(200);
      expect(await res.text(100)).toBe('at /c');
    });

    it('a redirect loop is a protocol error', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: '/again' }).end();
      });
      const err = await failure(
        client().request({ method: 'GET', url: server.url, maxRedirects: 3, signal: signal() }),
      );
      expect(err.kind).toBe('protocol');
      expect(err.message).toContain('too many redirects');
    });

    it('drops credentials when redirected to another origin', async () => {
      const seen: Array<string | undefined> = [];
      const target = await serve((req, res) => {
        seen.push(req.headers.authorization);
        res.end('target');
      });
      const origin = await serve((req, res) => {
        seen.push(req.headers.authorization);
        res.writeHead(302, { location: `http://localhost:${target.port}/` }).end();
      });
      const res = await client().request({
        method: 'GET',
        url: origin.url,
        headers: { Authorization: 'Bearer sk-secret' },
        maxRedirects: 1,
        signal: signal(),
      });
      expect(await res.text(100)).toBe('target');
      expect(seen).toEqual(['Bearer sk-secret', undefined]);
    });
  });

  it('close() leaves no sockets open on the server', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const c = createNodeHttpClient();
    for (let i = 0; i < 3; i++) {
      const res = await c.request({ method: 'GET', url: server.url, signal: signal() });
      await res.text(10);
    }
    expect(server.connections()).toBe(1);
    c.close();
    await eventually(() => server.connections() === 0);
  });

  it('keepAlive: false opens a new connection per request', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const c = client({ keepAlive: false });
    for (let i = 0; i < 2; i++) {
      const res = await c.request({ method: 'GET', url: server.url, signal: signal() });
      await res.text(10);
      expect(res.timings.connectMs).toBeDefined();
    }
    expect(server.totalConnections()).toBe(2);
  });
});

describe('against the fake vendor', () => {
  const key = 'sk-fake-0123456789';
  const chat = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'ping' }],
    stream: true,
    stream_options: { include_usage: true },
  };
  const post = (url: string, signal: AbortSignal) => ({
    method: 'POST' as const,
    url: `${url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(chat),
    signal,
  });

  it('streams a completion and classifies the vendor faults', async () => {
    const vendor = await startFakeVendor({ openaiKey: key });
    cleanups.push(() => vendor.stop());
    const c = client();

    const ok = await c.request(post(vendor.url, signal()));
    expect(ok.status).toBe(200);
    expect(await ok.text(10_000)).toContain('data: [DONE]');

    vendor.setFault('chat', { reset: 'mid-body', times: 1 });
    const reset = await c.request(post(vendor.url, signal()));
    expect((await failure(drain(reset.body))).kind).toBe('network');

    vendor.setFault('chat', { hang: 'after-headers', times: 1 });
    const hung = await c.request(post(vendor.url, AbortSignal.timeout(150)));
    expect((await failure(drain(hung.body))).kind).toBe('timeout');

    vendor.setFault('chat', { oversizedBytes: 2_000_000, times: 1 });
    const big = await c.request(post(vendor.url, signal()));
    expect((await failure(big.text(64 * 1024))).kind).toBe('body_too_large');

    vendor.setFault('chat', { reset: 'before-headers', times: 1 });
    expect((await failure(c.request(post(vendor.url, signal())))).kind).toBe('network');

    await vendor.stop();
    const down = await failure(c.request(post(vendor.url, signal())));
    expect(down.kind).toBe('network');
    expect(down.message).not.toContain(key);
  });
});

const selfSigned = makeSelfSignedCert();
const skipHttpsReason = typeof selfSigned === 'string' ? ` [skipped: ${selfSigned}]` : '';

describe.skipIf(typeof selfSigned === 'string')(`https${skipHttpsReason}`, () => {
  const pair = selfSigned as { key: string; cert: string };

  it('reports TLS timing and the certificate expiry on a new connection', async () => {
    const server = await listen(
      https.createServer(pair, (_req, res) => res.end('secure')),
      'https',
    );
    const c = client({ ca: pair.cert });
    const res = await c.request({ method: 'GET', url: server.url, signal: signal() });
    expect(await res.text(100)).toBe('secure');
    expect(res.timings.connectMs).toBeGreaterThanOrEqual(0);
    expect(res.timings.tlsMs).toBeGreaterThan(0);
    const twoDays = 2 * 24 * 3600 * 1000;
    expect(res.tls?.certNotAfter).toBeGreaterThan(Date.now() + twoDays - 3600_000);
    expect(res.tls?.certNotAfter).toBeLessThan(Date.now() + twoDays + 3600_000);
    expect(res.tls?.subject).toBe('bellwether-test');

    const again = await c.request({ method: 'GET', url: server.url, signal: signal() });
    await again.text(100);
    expect(again.timings.tlsMs).toBeUndefined();
    expect(again.tls).toBeUndefined();
  });

  it('an untrusted certificate is a network error with the TLS code', async () => {
    const server = await listen(
      https.createServer(pair, (_req, res) => res.end('secure')),
      'https',
    );
    const err = await failure(
      client().request({ method: 'GET', url: server.url, signal: signal() }),
    );
    expect(err.kind).toBe('network');
    expect(err.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(err.message).toContain(`127.0.0.1:${server.port}`);
  });
});
