import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { BellwetherConfig, NotifierConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { observeMonitor } from '../../src/notify/bridge.js';
import { createNotifiers } from '../../src/notify/dispatcher.js';
import type { DependencyObservation, NotifyRequest } from '../../src/notify/types.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const STEP = 30_000;
const CHANGE = {
  kind: 'served_model',
  from: 'gpt-4o-mini-2024-07-18',
  to: 'gpt-4o-mini-2025-01-31',
};

interface Payload {
  alert: string;
  name: string;
  action: string;
  severity: string;
  summary: string;
  reasons: string[];
  errorClass: string | null;
  state: string;
}

function dispatcher(over: Partial<NotifierConfig> = {}) {
  const requests: NotifyRequest[] = [];
  const notifiers = createNotifiers({
    configs: [
      {
        type: 'webhook',
        minSeverity: 'info',
        failuresToAlert: 3,
        successesToResolve: 2,
        settings: { url: 'http://127.0.0.1:9/hook' },
        ...over,
      },
    ],
    vantage: 'eu-west-1',
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    clock: () => T0,
    send: async (request) => {
      requests.push(request);
      return { status: 202 };
    },
    retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
  });
  const observe = (changes: DependencyObservation['modelChanges'], at: number) =>
    notifiers.observe({
      dependency: { id: 'openai-chat', vendor: 'openai', model: 'gpt-4o-mini', team: 'secops' },
      state: 'healthy',
      reasons: [],
      ...(changes ? { modelChanges: changes } : {}),
      at,
    });
  const sent = () => requests.map((r) => JSON.parse(r.body) as Payload);
  return { notifiers, observe, sent };
}

describe('BellwetherModelChanged (built-in notifiers)', () => {
  it.each([
    {
      name: 'one change: a trigger at once (no N in a row), a resolve at the next round',
      rounds: [undefined, [CHANGE], undefined, undefined, undefined],
      expected: ['model_changed trigger', 'model_changed resolve'],
    },
    {
      name: 'two changes rounds apart: two trigger/resolve pairs, no reminders',
      rounds: [[CHANGE], undefined, undefined, [CHANGE], undefined],
      expected: [
        'model_changed trigger',
        'model_changed resolve',
        'model_changed trigger',
        'model_changed resolve',
      ],
    },
    { name: 'no change, no notification', rounds: [undefined, undefined], expected: [] },
  ])('$name', async ({ rounds, expected }) => {
    const d = dispatcher();
    rounds.forEach((changes, i) => {
      d.observe(changes, T0 + i * STEP);
    });
    await d.notifiers.flush();
    expect(d.sent().map((s) => `${s.alert} ${s.action}`)).toEqual(expected);
  });

  it('says what changed, as info, with no error class and a healthy state', async () => {
    const d = dispatcher();
    d.observe(
      [
        CHANGE,
        { kind: 'embedding', from: 'e, 3 dimensions', to: 'e, 3 dimensions', similarity: 0.9412 },
      ],
      T0,
    );
    d.observe(undefined, T0 + STEP);
    await d.notifiers.flush();
    const [trigger, resolve] = d.sent();
    expect(trigger).toMatchObject({
      alert: 'model_changed',
      name: 'BellwetherModelChanged',
      severity: 'info',
      state: 'healthy',
      errorClass: null,
      summary:
        'openai-chat (openai) changed model silently, seen from eu-west-1: served_model gpt-4o-mini-2024-07-18 → gpt-4o-mini-2025-01-31; embedding e, 3 dimensions → e, 3 dimensions (cosine similarity 0.941)',
      reasons: [
        'served_model gpt-4o-mini-2024-07-18 → gpt-4o-mini-2025-01-31',
        'embedding e, 3 dimensions → e, 3 dimensions (cosine similarity 0.941)',
      ],
    });
    expect(resolve?.summary).toBe(
      'openai-chat (openai): model change recorded, seen from eu-west-1',
    );
  });

  it('a notifier at minSeverity warning never gets it', async () => {
    const d = dispatcher({ minSeverity: 'warning' });
    d.observe([CHANGE], T0);
    d.observe(undefined, T0 + STEP);
    await d.notifiers.flush();
    expect(d.sent()).toEqual([]);
  });
});

describe('monitor → notifiers: a served model change', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a real probed dependency whose served model moves sends one model_changed', async () => {
    const KEY = 'sk-model-bridge-0123456789abcdef';
    const vendor: FakeVendor = await startFakeVendor({ openaiKey: KEY });
    cleanups.push(() => vendor.stop());
    const receiver: FakeReceiver = await startFakeReceiver();
    cleanups.push(() => receiver.stop());
    const dep = testDependency({
      id: 'openai-chat',
      team: 'secops',
      baseUrl: `${vendor.url}/v1`,
      apiKey: KEY,
      checks: ['completion'],
      timeoutMs: 2000,
    });
    const config: BellwetherConfig = {
      sourcePath: '/dev/null',
      vantage: 'test',
      server: { port: 0, host: '127.0.0.1' },
      storage: { path: ':memory:', retentionMs: 86_400_000 },
      dependencies: [dep],
      consumers: [],
      statusPages: [],
      notify: [{ type: 'webhook', minSeverity: 'info', settings: { url: `${receiver.url}/hook` } }],
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
        const b = r.json as Payload;
        return `${b.alert}:${b.action}:${b.reasons.join('|')}`;
      });

    vendor.setFault('chat', { servedModel: CHANGE.from });
    await monitor.probeNow('openai-chat');
    await monitor.probeNow('openai-chat');
    vendor.setFault('chat', { servedModel: CHANGE.to });
    await monitor.probeNow('openai-chat');
    await monitor.probeNow('openai-chat');
    await notifiers.flush();
    expect(received()).toEqual([
      `model_changed:trigger:served_model ${CHANGE.from} → ${CHANGE.to}`,
      'model_changed:resolve:',
    ]);
  });
});
