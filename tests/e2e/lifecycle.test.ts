import { describe, expect, it } from 'vitest';
import { startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { startFakeVendor } from '../support/fake-vendor.js';

const countResources = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};

describe('start and stop in process', () => {
  it('stops scheduling, drains in-flight probes and leaves no socket or timer behind', async () => {
    const before = countResources();
    const vendor = await startFakeVendor({ anonymous: true });
    const parsed = parseConfigText(
      `vantage: lifecycle
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1s, timeout: 900ms, retries: 1 }
dependencies:
  - { id: slow, vendor: openai-compatible, baseUrl: "${vendor.url}/v1", model: gpt-4o-mini }
  - { id: quick, vendor: http, url: "${vendor.url}/health" }
`,
      'lifecycle.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // Slow answers keep a round in flight when stop() is called.
    vendor.setFault('models', { headersDelayMs: 300 });
    const bw = await startBellwether({
      config: parsed.config,
      logLevel: 'silent',
      firstRunSpreadMs: 50,
    });
    // Ready once every dependency finished its first round (the slow one takes ~300 ms).
    let ready = 0;
    for (const deadline = Date.now() + 5000; ready !== 200 && Date.now() < deadline; ) {
      ready = (await fetch(`http://127.0.0.1:${bw.port}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ready).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    await bw.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    const quick = bw.monitor.dependency('quick');
    expect(quick?.lastRound?.results[0]?.ok).toBe(true);
    await vendor.stop();
    await new Promise((r) => setTimeout(r, 50));
    const after = countResources();
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPServerWrap']) {
      expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
    }
  });
});
