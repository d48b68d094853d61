import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { loadConfig } from '../../src/config/load.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

describe('notifiers wired into a running Bellwether', () => {
  let vendor: FakeVendor;
  let receiver: FakeReceiver;
  let bw: Bellwether;
  let dir: string;

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    receiver = await startFakeReceiver();
    dir = mkdtempSync(join(tmpdir(), 'bellwether-notify-'));
    const file = join(dir, 'bellwether.yaml');
    writeFileSync(
      file,
      `vantage: notify
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1m, timeout: 800ms, retries: 0 }
dependencies:
  - { id: health, vendor: http, url: "${vendor.url}/health" }
notify:
  - { type: webhook, url: "${receiver.url}/hook", minSeverity: critical, failuresToAlert: 2, successesToResolve: 1 }
`,
    );
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    bw = await startBellwether({ config: loaded.config, logLevel: 'silent', env: {} });
  });
  afterAll(async () => {
    await bw.stop();
    await receiver.stop();
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages once the dependency is down for the policy rounds, resolves after recovery, survives a reload', async () => {
    await bw.monitor.probeNow('health');
    vendor.setFault('health', { status: 500 });
    for (let i = 0; i < 4; i++) await bw.monitor.probeNow('health');
    const deadline = Date.now() + 10_000;
    while (receiver.requests.length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const first = JSON.parse(receiver.requests[0]?.body ?? '{}') as {
      action: string;
      alert: string;
    };
    expect(first).toMatchObject({ action: 'trigger', alert: 'dependency_down' });
    const reloaded = await bw.reload();
    expect(reloaded.ok).toBe(true);
    vendor.clearFaults();
    // The breaker is open after the outage: wait for its half-open trial.
    const until = Date.now() + 10_000;
    while (!receiver.requests.some((r) => r.body.includes('"resolve"')) && Date.now() < until) {
      await bw.monitor.probeNow('health');
      await new Promise((r) => setTimeout(r, 200));
    }
    const actions = receiver.requests.map((r) => (JSON.parse(r.body) as { action: string }).action);
    expect(actions).toEqual(['trigger', 'resolve']);
    const metrics = await (await fetch(`http://127.0.0.1:${bw.port}/metrics`)).text();
    expect(metrics).toMatch(
      /bellwether_notifications_total\{notifier="webhook",outcome="sent",vantage="notify"\} 1/,
    );
  });
});
