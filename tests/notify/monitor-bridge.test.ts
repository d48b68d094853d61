import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { BellwetherConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { observeMonitor } from '../../src/notify/bridge.js';
import { createNotifiers } from '../../src/notify/dispatcher.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const KEY = 'sk-bridge-openai-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const vendor: FakeVendor = await startFakeVendor({ openaiKey: KEY });
  cleanups.push(() => vendor.stop());
  const receiver: FakeReceiver = await startFakeReceiver();
  cleanups.push(() => receiver.stop());
  const dep = testDependency({
    id: 'openai-chat',
    team: 'secops',
    baseUrl: `${vendor.url}/v1`,
    apiKey: KEY,
    checks: ['models'],
    timeoutMs: 400,
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      windowRounds: 3,
      resetTimeoutMs: 50,
    },
  });
  const config: BellwetherConfig = {
    sourcePath: '/dev/null',
    vantage: 'test',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 86_400_000 },
    dependencies: [dep],
    consumers: [{ id: 'phishing-triage', team: 'secops', uses: ['openai-chat'] }],
    statusPages: [],
    notify: [
      { type: 'webhook', minSeverity: 'critical', settings: { url: `${receiver.url}/hook` } },
    ],
    secrets: [KEY],
  };
  const registry = new Registry();
  const store = openSqliteStore({ path: ':memory:' });
  const http = createNodeHttpClient();
  const logger = pino({ level: 'silent' });
  const monitor = new Monitor({
    config,
    createProbe: (d) => createProbe(d, createScrubber(config.secrets)),
    http,
    store,
    metrics: createMetrics(registry, { version: 'test' }),
    logger,
    now: () => performance.now(),
    clock: () => Date.now(),
    retryDelayMs: 1,
  });
  const notifiers = createNotifiers({
    configs: config.notify,
    vantage: config.vantage,
    registry,
    logger,
    clock: () => Date.now(),
  });
  const unsubscribe = observeMonitor(
    monitor,
    () => notifiers,
    () => config.consumers,
  );
  cleanups.push(async () => {
    unsubscribe();
    notifiers.stop();
    await monitor.stop(1000);
    http.close();
    store.close();
  });
  const received = () =>
    receiver.requests.map((r) => {
      const b = r.json as { alert: string; action: string; errorClass: string | null };
      return `${b.alert}:${b.action}:${b.errorClass}`;
    });
  return { vendor, monitor, notifiers, received };
}

describe('monitor → notifiers', () => {
  it('pages for an outage of a real probed dependency and resolves after recovery', async () => {
    const { vendor, monitor, notifiers, received } = await setup();
    vendor.setFault('*', { status: 500 });
    // Round 1 fails (degraded), round 2 makes it down and opens the breaker, rounds 3-4 are
    // down with the breaker open: the third down observation pages.
    for (let round = 1; round <= 3; round++) await monitor.probeNow('openai-chat');
    await notifiers.flush();
    expect(received()).toEqual([]);
    await monitor.probeNow('openai-chat');
    await notifiers.flush();
    expect(received()).toEqual([
      'dependency_down:trigger:server_error',
      'consumer_down:trigger:null',
    ]);

    vendor.clearFaults();
    for (let i = 0; i < 20 && received().length < 4; i++) {
      await new Promise((r) => setTimeout(r, 60));
      await monitor.probeNow('openai-chat');
      await notifiers.flush();
    }
    expect(received()).toEqual([
      'dependency_down:trigger:server_error',
      'consumer_down:trigger:null',
      'dependency_down:resolve:null',
      'consumer_down:resolve:null',
    ]);
  });
});
