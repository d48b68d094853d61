import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';

const KEY = 'AIzaSyQueryKey0123456789';
const USER = 'probe-user';
const PASSWORD = 'pa55word-in-userinfo';

// A vendor that quotes the request line back, as many error pages do.
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`internal error handling GET ${req.url} (auth ${req.headers.authorization ?? 'none'})`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('credentials in configured URLs', () => {
  const config = (url: string) =>
    parseConfigText(
      `dependencies:\n  - id: health\n    vendor: http\n    url: "${url}"\n`,
      'u.yaml',
      { K: KEY, P: PASSWORD },
    );

  it.each([
    ['a query value from the environment', `/health?key=\${K}&d=1`, [KEY]],
    ['a literal query value', `/health?key=${KEY}`, [KEY]],
    ['userinfo', `//${USER}:\${P}@`, [USER, PASSWORD]],
  ])('%s is a secret', (_name, shape, expected) => {
    const url = shape.startsWith('//')
      ? `http:${shape}127.0.0.1:1/health`
      : `http://127.0.0.1:1${shape}`;
    const loaded = config(url);
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
    for (const secret of expected) expect(loaded.config.secrets).toContain(secret);
  });

  it('never reaches a probe message when the vendor quotes the request path', async () => {
    const loaded = config(`${origin}/health?key=\${K}`);
    if (!loaded.ok) throw new Error('config invalid');
    const dep = loaded.config.dependencies[0];
    if (!dep) throw new Error('no dependency');
    const http = createNodeHttpClient({ keepAlive: false });
    const probe = createProbe(dep, createScrubber(loaded.config.secrets));
    const result = await probe.run('http', {
      http,
      signal: AbortSignal.timeout(5000),
      now: () => performance.now(),
    });
    http.close();
    expect(result).toMatchObject({ ok: false, errorClass: 'server_error', httpStatus: 500 });
    expect(result.message).toContain('[REDACTED]');
    expect(result.message).not.toContain(KEY);
  });
});
