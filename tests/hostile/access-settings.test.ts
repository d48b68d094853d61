import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFromEnv, DEFAULT_MAX_CONNECTIONS } from '../../src/http/access.js';
import { createTestApp } from '../support/app-harness.js';
import { runCliOnce, startCli } from '../support/cli-process.js';

const NO_TOKEN =
  'BELLWETHER_API_TOKENS is set but holds no token (expected comma-separated tokens); unset it to leave the API open';

describe('accessFromEnv refuses settings that would fail open', () => {
  it.each([
    [
      { BELLWETHER_BASIC_AUTH: 'onlyapassword' },
      'BELLWETHER_BASIC_AUTH must be user:password, got no ":"',
    ],
    [
      { BELLWETHER_BASIC_AUTH: ':pw' },
      'BELLWETHER_BASIC_AUTH must be user:password with both parts non-empty, got an empty user',
    ],
    [
      { BELLWETHER_BASIC_AUTH: 'user:' },
      'BELLWETHER_BASIC_AUTH must be user:password with both parts non-empty, got an empty password',
    ],
    [{ BELLWETHER_API_TOKENS: ',' }, NO_TOKEN],
    [{ BELLWETHER_API_TOKENS: ' ' }, NO_TOKEN],
    [{ BELLWETHER_API_TOKENS: ' , ,, ' }, NO_TOKEN],
    [
      { BELLWETHER_MAX_CONNECTIONS: '0' },
      'BELLWETHER_MAX_CONNECTIONS must be an integer from 1 to 1000000, got "0"',
    ],
    [
      { BELLWETHER_MAX_CONNECTIONS: '-5' },
      'BELLWETHER_MAX_CONNECTIONS must be an integer from 1 to 1000000, got "-5"',
    ],
    [
      { BELLWETHER_MAX_CONNECTIONS: '1e3' },
      'BELLWETHER_MAX_CONNECTIONS must be an integer from 1 to 1000000, got "1e3"',
    ],
    [
      { BELLWETHER_MAX_CONNECTIONS: '99999999999' },
      'BELLWETHER_MAX_CONNECTIONS must be an integer from 1 to 1000000, got "99999999999"',
    ],
  ])('%o → %s', (env, message) => {
    expect(accessFromEnv(env)).toEqual({ ok: false, errors: [message] });
  });

  it('reports every bad setting at once and never the password', () => {
    const r = accessFromEnv({ BELLWETHER_BASIC_AUTH: 's3cret-only', BELLWETHER_API_TOKENS: ',' });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('s3cret-only');
    expect(r.ok ? [] : r.errors).toHaveLength(2);
  });

  it.each([
    [{}, { tokens: [], basic: undefined }, DEFAULT_MAX_CONNECTIONS],
    [
      { BELLWETHER_API_TOKENS: '', BELLWETHER_BASIC_AUTH: '' },
      { tokens: [], basic: undefined },
      512,
    ],
    [
      { BELLWETHER_API_TOKENS: ' a-token , b-token,', BELLWETHER_MAX_CONNECTIONS: '64' },
      { tokens: ['a-token', 'b-token'], basic: undefined },
      64,
    ],
    [
      { BELLWETHER_BASIC_AUTH: 'ciso:p@ss:word' },
      { tokens: [], basic: { user: 'ciso', password: 'p@ss:word' } },
      512,
    ],
  ])('%o is accepted', (env, access, maxConnections) => {
    expect(accessFromEnv(env)).toEqual({ ok: true, access, maxConnections });
  });

  it('has a connection cap in the hundreds by default, like Prometheus', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(512);
  });
});

describe('authorization schemes are case-insensitive (RFC 9110 §11.1)', () => {
  const h = createTestApp({
    access: { tokens: ['token-one-0123456789'], basic: { user: 'ciso', password: 'pw' } },
  });
  afterAll(() => h.close());
  const basic = Buffer.from('ciso:pw').toString('base64');

  it.each([
    ['Bearer token-one-0123456789', 200],
    ['bearer token-one-0123456789', 200],
    ['BEARER token-one-0123456789', 200],
    ['bEaReR  token-one-0123456789', 200],
    [`basic ${basic}`, 200],
    [`BASIC ${basic}`, 200],
    ['bearer', 401],
    ['bearer ', 401],
    ['Bearertoken-one-0123456789', 401],
    ['Token token-one-0123456789', 401],
    [`bearer ${basic}`, 401],
  ])('%s → %i', async (authorization, status) => {
    const res = await h.app.request('/api/v1/status', { headers: { authorization } });
    expect(res.status).toBe(status);
  });
});

describe('the CLI', () => {
  let dir: string;
  let config: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-access-'));
    config = join(dir, 'bellwether.yaml');
    // Probes a closed local port: nothing here needs a vendor, only a valid config.
    writeFileSync(
      config,
      `server: { port: 0, host: 127.0.0.1 }
storage: { path: ':memory:' }
dependencies:
  - { id: local, vendor: http, url: 'http://127.0.0.1:9/', interval: 60s, timeout: 1s }
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [{ BELLWETHER_BASIC_AUTH: 'onlyapassword' }, 'BELLWETHER_BASIC_AUTH must be user:password'],
    [{ BELLWETHER_BASIC_AUTH: 'user:' }, 'got an empty password'],
    [{ BELLWETHER_API_TOKENS: ',' }, 'BELLWETHER_API_TOKENS is set but holds no token'],
    [{ BELLWETHER_API_TOKENS: ' ' }, 'BELLWETHER_API_TOKENS is set but holds no token'],
  ])(
    'refuses to start with %o (exit 3, a configuration error, says why)',
    async (extra, message) => {
      const { status, output } = await runCliOnce(['run', '--config', config], {
        PATH: process.env.PATH,
        ...extra,
      });
      expect(status).toBe(3);
      expect(output).toContain(message);
      expect(output).toContain('Bellwether did not start');
      expect(output).not.toContain('onlyapassword');
    },
  );

  it('closes connections over BELLWETHER_MAX_CONNECTIONS and keeps serving', async () => {
    const cli = await startCli(['--config', config], {
      PATH: process.env.PATH,
      BELLWETHER_MAX_CONNECTIONS: '5',
    });
    const { port } = new URL(cli.base);
    const sockets: Socket[] = [];
    try {
      const closedByServer = new Set<Socket>();
      await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(Number(port), '127.0.0.1', () => resolve());
              s.on('close', () => closedByServer.add(s));
              s.on('error', () => undefined);
              sockets.push(s);
            }),
        ),
      );
      // The server drops the excess on arrival; give the closes time to reach us.
      const deadline = Date.now() + 5000;
      while (closedByServer.size < 15 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(closedByServer.size).toBe(15);
      for (const s of sockets) s.destroy();
      const deadline2 = Date.now() + 5000;
      let res: Response | undefined;
      while (Date.now() < deadline2) {
        res = await fetch(`${cli.base}/healthz`).catch(() => undefined);
        if (res?.status === 200) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(res?.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await cli.stop();
    }
  });
});
