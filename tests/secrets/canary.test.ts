import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

// Canaries that look like no known key format, so only literal scrubbing can catch them.
const CANARY = {
  OPENAI: 'canary-openai-7f3a9b2c1d4e5f60718293a4b5c6d7e8',
  ANTHROPIC: 'canary-anthropic-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  COMPAT: 'canary-compat-1b2c3d4e5f60718293a4b5c6d7e8f90a',
  HTTP: 'canary-http-2c3d4e5f60718293a4b5c6d7e8f90a1b',
  HOOK: 'canary-hook-3d4e5f60718293a4b5c6d7e8f90a1b2c',
};
const ALL = Object.values(CANARY);

const echoBody = (status: number) =>
  JSON.stringify({
    error: {
      message: `Incorrect API key provided: ${ALL.join(', ')}. You sent Authorization: Bearer ${CANARY.OPENAI}`,
      type: status === 401 ? 'invalid_request_error' : 'server_error',
      code: status === 401 ? 'invalid_api_key' : null,
    },
    type: 'error',
    request_id: CANARY.ANTHROPIC,
  });

describe('secrets never leave', () => {
  let vendor: FakeVendor;
  let receiver: FakeReceiver;
  let bw: Bellwether;
  let logs = '';
  let base = '';

  beforeAll(async () => {
    receiver = await startFakeReceiver();
    vendor = await startFakeVendor({
      openaiKey: CANARY.OPENAI,
      anthropicKey: CANARY.ANTHROPIC,
      anonymous: true,
    });
    const parsed = parseConfigText(
      `vantage: canary
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1m, timeout: 800ms, retries: 1 }
dependencies:
  - { id: openai, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: "\${K_OPENAI}", model: gpt-4o-mini }
  - { id: anthropic, vendor: anthropic, baseUrl: "${vendor.url}", apiKey: "\${K_ANTHROPIC}", model: claude-3-5-haiku-latest }
  - { id: compat, vendor: openai-compatible, baseUrl: "${vendor.url}/v1", apiKey: "\${K_COMPAT}", model: gpt-4o-mini }
  - id: plain
    vendor: http
    url: "${vendor.url}/health"
    headers: { Authorization: "Bearer \${K_HTTP}" }
consumers:
  - { id: tool, uses: [openai, anthropic, compat] }
notify:
  - { type: webhook, url: "${receiver.url}/hook", secret: "\${K_HOOK}", minSeverity: info, failuresToAlert: 1, successesToResolve: 1 }
`,
      'canary.yaml',
      {
        K_OPENAI: CANARY.OPENAI,
        K_ANTHROPIC: CANARY.ANTHROPIC,
        K_COMPAT: CANARY.COMPAT,
        K_HTTP: CANARY.HTTP,
        K_HOOK: CANARY.HOOK,
      },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    bw = await startBellwether({
      config: parsed.config,
      logLevel: 'trace',
      logDestination: sink,
      firstRunSpreadMs: 10,
    });
    base = `http://127.0.0.1:${bw.port}`;
    const ids = ['openai', 'anthropic', 'compat', 'plain'];
    await Promise.all(ids.map((id) => bw.monitor.probeNow(id)));
    // The vendor now echoes every key back, in 401s, 500s and mid-stream errors.
    for (const fault of [
      { status: 401, body: echoBody(401) },
      { status: 500, body: echoBody(500) },
    ]) {
      vendor.setFault('*', fault);
      await Promise.all(ids.map((id) => bw.monitor.probeNow(id)));
      await Promise.all(ids.map((id) => bw.monitor.probeNow(id)));
    }
    vendor.clearFaults();
    await Promise.all(ids.map((id) => bw.monitor.probeNow(id)));
    const deadline = Date.now() + 10_000;
    while (receiver.requests.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    await bw.stop();
    await vendor.stop();
    await receiver.stop();
  });

  const outputs = async (): Promise<Record<string, string>> => {
    const paths = [
      '/metrics',
      '/api/v1/status',
      '/api/v1/dependencies',
      '/api/v1/dependencies/openai',
      '/api/v1/dependencies/anthropic/history?since=1h',
      '/api/v1/dependencies/compat/history?since=1h',
      '/api/v1/dependencies/plain',
      '/api/v1/consumers/tool/route',
      '/',
    ];
    const out: Record<string, string> = {
      logs,
      'notifier payloads': receiver.requests
        .map((r) => `${JSON.stringify(r.headers)}\n${r.body}`)
        .join('\n'),
    };
    for (const p of paths) out[p] = await (await fetch(`${base}${p}`)).text();
    return out;
  };

  it('the vendor really echoed the keys (the test would catch a leak)', () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(logs).toContain('"level":20'); // debug lines (retried attempts) were written
    const failures = bw.store.recent('openai', 20);
    expect(failures.some((r) => r.errorClass === 'server_error')).toBe(true);
    expect(failures.map((r) => r.message).join(' ')).toContain('[REDACTED]');
  });

  it.each(Object.entries(CANARY))(
    'the %s key is in no log, metric, API body or page',
    async (_n, key) => {
      const all = await outputs();
      for (const [where, text] of Object.entries(all)) {
        expect(text.includes(key), `${where} leaks the key`).toBe(false);
        expect(text.includes(key.slice(-12)), `${where} leaks the key's tail`).toBe(false);
      }
    },
  );
});
