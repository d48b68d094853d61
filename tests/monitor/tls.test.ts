import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BellwetherConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { makeSelfSignedCert } from '../support/tls.js';

const DAYS = 42;
const cert = makeSelfSignedCert(DAYS);

describe('TLS certificate expiry and connection phases', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    if (typeof cert === 'string') throw new Error(cert);
    server = createServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('exports the peer certificate expiry we chose and the TLS handshake time', async () => {
    if (typeof cert === 'string') throw new Error(cert);
    const dep = testDependency({
      id: 'tls-dep',
      vendor: 'http',
      url,
      baseUrl: url,
      checks: ['http'],
    });
    const config: BellwetherConfig = {
      sourcePath: '/dev/null',
      vantage: 'tls',
      server: { port: 0, host: '127.0.0.1' },
      storage: { path: ':memory:', retentionMs: 86_400_000 },
      dependencies: [dep],
      consumers: [],
      statusPages: [],
      notify: [],
      secrets: [],
    };
    const registry = new Registry();
    const http = createNodeHttpClient({ ca: cert.cert });
    const store = openSqliteStore({ path: ':memory:' });
    const monitor = new Monitor({
      config,
      createProbe: (d) => createProbe(d, (s) => s),
      http,
      store,
      metrics: createMetrics(registry, { version: 'test' }),
      logger: pino({ level: 'silent' }),
      now: () => performance.now(),
      clock: () => Date.now(),
    });
    try {
      await monitor.probeNow(dep.id);
      expect(monitor.dependency(dep.id)?.evaluation.state).toBe('healthy');
      const text = await registry.metrics();
      const expiry = Number(
        /bellwether_tls_cert_expiry_timestamp_seconds\{dependency="tls-dep"\} (\d+)/.exec(
          text,
        )?.[1],
      );
      const expected = Date.now() / 1000 + DAYS * 86_400;
      expect(Math.abs(expiry - expected)).toBeLessThan(86_400);
      const tls = Number(
        /bellwether_probe_phase_seconds\{dependency="tls-dep",phase="tls"\} ([\d.e-]+)/.exec(
          text,
        )?.[1],
      );
      expect(tls).toBeGreaterThan(0);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    } finally {
      await monitor.stop(100);
      http.close();
      store.close();
    }
  });
});
