import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { loadConfig } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { attributesOf, type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';

const TOKEN = 'otlp-wired-secret-9f3b';

describe('OTLP export wired into a running Bellwether', () => {
  let vendor: FakeVendor;
  let receiver: OtlpReceiver;
  let bw: Bellwether;
  let dir: string;

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    receiver = await startOtlpReceiver();
    dir = mkdtempSync(join(tmpdir(), 'bellwether-otlp-'));
    const file = join(dir, 'bellwether.yaml');
    writeFileSync(
      file,
      `vantage: otlp
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1h, timeout: 2s, retries: 0 }
dependencies:
  - { id: chat, vendor: openai-compatible, baseUrl: "${vendor.url}/v1", model: gpt-4o-mini, checks: [completion] }
otlp:
  endpoint: "${receiver.url}/"
  headers: { x-otlp-token: "\${OTLP_TOKEN}" }
  interval: 1h
`,
    );
    const loaded = loadConfig(file, { OTLP_TOKEN: TOKEN });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(loaded.config.otlp).toEqual({
      endpoint: receiver.url,
      protocol: 'http/protobuf',
      headers: { 'x-otlp-token': TOKEN },
      intervalMs: 3_600_000,
    });
    // Header values are secrets: scrubbed from logs and messages like API keys.
    expect(loaded.config.secrets).toContain(TOKEN);
    bw = await startBellwether({ config: loaded.config, logLevel: 'silent', env: {} });
  });
  afterAll(async () => {
    await bw?.stop();
    await receiver.stop();
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports the probe rounds on stop, and labels bellwether_dependency_info with the provider', async () => {
    await bw.monitor.probeNow('chat');
    const text = await (await fetch(`http://127.0.0.1:${bw.port}/metrics`)).text();
    expect(text).toMatch(
      /bellwether_dependency_info\{dependency="chat",vendor="openai-compatible",model="gpt-4o-mini",team="",gen_ai_provider_name="openai-compatible",vantage="otlp"\} 1/,
    );
    await bw.stop();
    const [received] = await receiver.waitFor(1);
    expect(received?.headers['x-otlp-token']).toBe(TOKEN);
    const metrics =
      received?.request.resourceMetrics?.flatMap((rm) =>
        (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []),
      ) ?? [];
    const duration = metrics.find((m) => m.name === 'gen_ai.client.operation.duration');
    const point = duration?.histogram?.dataPoints?.[0];
    expect(point?.count).toBe(1);
    expect(attributesOf(point?.attributes)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai-compatible',
      'gen_ai.request.model': 'gpt-4o-mini',
      // What the fake vendor's chunks say served the request.
      'gen_ai.response.model': 'gpt-4o-mini',
      'server.address': '127.0.0.1',
    });
    expect(metrics.map((m) => m.name)).toContain('gen_ai.client.operation.time_to_first_chunk');
  });
});
