import { lookup as systemLookup } from 'node:dns';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  type LookupFunction,
  type Server as NetServer,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import type { CheckName, ErrorClass } from '../../src/probes/types.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import {
  type FakeVendor,
  type Fault,
  type FaultRoute,
  startFakeVendor,
} from '../support/fake-vendor.js';
import { makeSelfSignedCert } from '../support/tls.js';

const TIMEOUT_MS = 1000;
// A failed check must end within its timeout plus this: parsing, classifying, a busy CI box.
const SLACK_MS = 750;
const OPENAI_KEY = 'sk-faults-0123456789abcdef0123';
const ANTHROPIC_KEY = 'sk-ant-faults-0123456789abcdef';

const portOf = (s: Server | NetServer) => (s.address() as AddressInfo).port;
const listen = (s: Server | NetServer) =>
  new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
const close = (s: Server | NetServer) =>
  new Promise<void>((resolve) => {
    (s as Server).closeAllConnections?.();
    s.close(() => resolve());
  });

const countResources = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};

/** Simulates a name that does not resolve, without asking any real DNS server. */
const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname.endsWith('.invalid')) {
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      hostname,
    });
    (callback as (e: Error) => void)(err);
    return;
  }
  systemLookup(hostname, options, callback as never);
};

interface Scenario {
  name: string;
  dependency: string;
  check: CheckName;
  fault?: [FaultRoute, Fault];
  expected: ErrorClass | 'ok';
}

const SCENARIOS: Scenario[] = [
  {
    name: 'hang before headers',
    dependency: 'openai',
    check: 'models',
    fault: ['*', { hang: 'before-headers' }],
    expected: 'timeout',
  },
  {
    name: 'hang after headers',
    dependency: 'openai',
    check: 'models',
    fault: ['*', { hang: 'after-headers' }],
    expected: 'timeout',
  },
  {
    name: '1 byte/s drip',
    dependency: 'openai',
    check: 'models',
    fault: ['*', { dripBytesPerSecond: 1 }],
    expected: 'timeout',
  },
  {
    name: 'connection reset mid-stream',
    dependency: 'openai',
    check: 'completion',
    fault: ['chat', { reset: 'mid-body' }],
    expected: 'network',
  },
  { name: 'TLS handshake failure', dependency: 'tls', check: 'http', expected: 'network' },
  {
    name: 'DNS failure (unresolvable name)',
    dependency: 'dns',
    check: 'http',
    expected: 'network',
  },
  {
    name: '50 MB body',
    dependency: 'openai',
    check: 'models',
    fault: ['*', { oversizedBytes: 50 * 1024 * 1024 }],
    expected: 'bad_response',
  },
  {
    name: 'malformed JSON',
    dependency: 'openai',
    check: 'models',
    fault: ['*', { malformed: 'json' }],
    expected: 'bad_response',
  },
  {
    name: 'malformed SSE',
    dependency: 'openai',
    check: 'completion',
    fault: ['chat', { malformed: 'sse' }],
    expected: 'bad_response',
  },
  {
    name: 'HTTP/1.0 close-delimited body (valid)',
    dependency: 'http10',
    check: 'http',
    expected: 'ok',
  },
  { name: 'redirect loop', dependency: 'redirect', check: 'http', expected: 'bad_response' },
  {
    name: '200 with an error event mid-stream',
    dependency: 'anthropic',
    check: 'completion',
    fault: ['messages', { streamError: true }],
    expected: 'overloaded',
  },
];

describe('fault suite: every fault classified in time, nothing left behind, API up throughout', () => {
  let before: Record<string, number>;
  let vendor: FakeVendor;
  const servers: (Server | NetServer)[] = [];
  let bw: Bellwether;
  let base = '';

  beforeAll(async () => {
    before = countResources();
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
    const http10 = createNetServer((socket) => {
      socket.once('data', () => {
        socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":"ok"}');
      });
    });
    const redirect = createHttpServer((req, res) => {
      res.writeHead(302, { location: req.url ?? '/' }).end();
    });
    const cert = makeSelfSignedCert(2);
    if (typeof cert === 'string') throw new Error(cert);
    // Serves a certificate the probe does not trust: the handshake fails.
    const untrusted = createHttpsServer({ key: cert.key, cert: cert.cert }, (_q, r) => r.end('ok'));
    for (const s of [http10, redirect, untrusted]) {
      await listen(s);
      servers.push(s);
    }
    const parsed = parseConfigText(
      `vantage: faults
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
# The breaker would open after two failed rounds and pause the probes this suite is about.
defaults: { interval: 1h, timeout: ${TIMEOUT_MS}ms, retries: 0, breaker: { volumeThreshold: 1000, windowRounds: 1000 } }
dependencies:
  - { id: openai, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: "${OPENAI_KEY}", model: gpt-4o-mini }
  - { id: anthropic, vendor: anthropic, baseUrl: "${vendor.url}", apiKey: "${ANTHROPIC_KEY}", model: claude-3-5-haiku-latest }
  - { id: http10, vendor: http, url: "http://127.0.0.1:${portOf(http10)}/health" }
  - { id: redirect, vendor: http, url: "http://127.0.0.1:${portOf(redirect)}/loop" }
  - { id: tls, vendor: http, url: "https://127.0.0.1:${portOf(untrusted)}/health" }
  - { id: dns, vendor: http, url: "http://bellwether-fault-suite.invalid/health" }
`,
      'faults.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({
      config: parsed.config,
      logLevel: 'silent',
      http: createNodeHttpClient({ lookup }),
    });
    base = `http://127.0.0.1:${bw.port}`;
  });

  afterAll(async () => {
    await bw?.stop();
    await vendor?.stop();
    for (const s of servers) await close(s);
    await new Promise((r) => setTimeout(r, 100));
    const after = countResources();
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPServerWrap', 'TLSWrap']) {
      expect(after[kind] ?? 0, `${kind} left behind`).toBeLessThanOrEqual(before[kind] ?? 0);
    }
  });

  it.each(SCENARIOS)('$name → $expected', async (s) => {
    if (s.fault) vendor.setFault(s.fault[0], s.fault[1]);
    let apiUp = true;
    let serving = true;
    // Bellwether keeps answering while the probe is stuck in the fault.
    const watcher = (async () => {
      while (serving) {
        const [m, st] = await Promise.all([
          fetch(`${base}/metrics`),
          fetch(`${base}/api/v1/status`),
        ]);
        await m.arrayBuffer();
        await st.arrayBuffer();
        if (m.status !== 200 || st.status !== 200) apiUp = false;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const round = await bw.monitor.probeNow(s.dependency);
      const result = round?.results.find((r) => r.check === s.check);
      expect(result, 'the check ran').toBeDefined();
      if (s.expected === 'ok') {
        expect(result?.ok).toBe(true);
      } else {
        expect(result?.errorClass).toBe(s.expected);
        expect(result?.latencyMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      serving = false;
      await watcher;
      vendor.clearFaults();
    }
    expect(apiUp).toBe(true);
  });
});
