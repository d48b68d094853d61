import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createNotifiers, type Notifiers } from '../../src/notify/dispatcher.js';
import type { DependencyObservation } from '../../src/notify/types.js';
import { signWebhook } from '../../src/notify/webhook.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const SECRETS = {
  webhookToken: 'wh-path-token-7f3a9c',
  webhookSecret: 'whsec-shared-5b1e2d',
  slackToken: 'slack-token-XyZ123abc',
  routingKey: 'pd-routing-key-0123456789abcdef',
  genieKey: 'og-genie-key-aabbccdd',
};

const receivers: FakeReceiver[] = [];
const running: Notifiers[] = [];

afterEach(async () => {
  for (const n of running.splice(0)) n.stop();
  for (const r of receivers.splice(0)) await r.stop();
});

async function receiver(): Promise<FakeReceiver> {
  const r = await startFakeReceiver();
  receivers.push(r);
  return r;
}

function setup(configs: NotifierConfig[]) {
  const registry = new Registry();
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    // The app's scrubber knows interpolated secrets; here it knows nothing, so whatever stays
    // out of the log stays out because notify never writes it.
    scrub: (s) => s,
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  const notifiers = createNotifiers({
    configs,
    vantage: 'eu-west-1',
    registry,
    logger,
    clock: () => Date.now(),
    retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20 },
  });
  running.push(notifiers);
  const counted = async (notifier: string, outcome: string): Promise<number | undefined> => {
    const values = (await registry.getSingleMetric('bellwether_notifications_total')?.get())
      ?.values;
    return values?.find((v) => v.labels.notifier === notifier && v.labels.outcome === outcome)
      ?.value;
  };
  return { notifiers, lines, counted, log: () => lines.join('') };
}

function down(n: Notifiers, id = 'openai-chat', rounds = 3): void {
  for (let i = 0; i < rounds; i++) {
    const obs: DependencyObservation = {
      dependency: { id, vendor: 'openai', model: 'gpt-4o-mini', team: 'secops' },
      state: 'down',
      reasons: ['3 probe rounds failed in a row'],
      errorClass: 'server_error',
      at: T0 + i * 30_000,
    };
    n.observe(obs);
  }
}

function up(n: Notifiers, id = 'openai-chat'): void {
  for (let i = 0; i < 2; i++) {
    n.observe({
      dependency: { id, vendor: 'openai', model: 'gpt-4o-mini' },
      state: 'healthy',
      reasons: [],
      at: T0 + (10 + i) * 30_000,
    });
  }
}

const webhookAt = (r: FakeReceiver, over: Partial<NotifierConfig> = {}): NotifierConfig => ({
  type: 'webhook',
  minSeverity: 'critical',
  settings: { url: `${r.url}/hooks/${SECRETS.webhookToken}`, secret: SECRETS.webhookSecret },
  ...over,
});

describe('delivery to a real HTTP receiver', () => {
  it('retries a 500 and then delivers, counted once as sent', async () => {
    const r = await receiver();
    r.fail({ status: 500, times: 2 });
    const { notifiers, counted } = setup([webhookAt(r)]);
    down(notifiers);
    await notifiers.flush();
    expect(r.requests).toHaveLength(3);
    // The same signed body each time, and the signature verifies.
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    const last = r.requests[2];
    expect(last?.headers['x-bellwether-signature']).toBe(
      signWebhook(SECRETS.webhookSecret, last?.body ?? ''),
    );
    expect(await counted('webhook', 'sent')).toBe(1);
    expect(await counted('webhook', 'failed')).toBe(0);
  });

  it.each([
    ['a connection reset', 2, 'sent', { reset: true, times: 1 }],
    ['a 429', 2, 'sent', { status: 429, times: 1 }],
    ['a 400 (not retried)', 1, 'failed', { status: 400 }],
    ['a 401 (not retried)', 1, 'failed', { status: 401 }],
    ['503 on every attempt', 3, 'failed', { status: 503 }],
  ] as const)('on %s: %d attempt(s), %s', async (_name, attempts, outcome, fault) => {
    const r = await receiver();
    r.fail(fault);
    const { notifiers, counted } = setup([webhookAt(r)]);
    down(notifiers);
    await notifiers.flush();
    expect(r.requests).toHaveLength(attempts);
    expect(await counted('webhook', outcome)).toBe(1);
  });

  it('times out a hanging receiver, counts it failed, and other notifiers still deliver', async () => {
    const hanging = await receiver();
    hanging.fail({ hang: true });
    const healthy = await receiver();
    const { notifiers, counted, log } = setup([
      webhookAt(hanging, { timeoutMs: 150 }),
      {
        type: 'pagerduty',
        minSeverity: 'critical',
        settings: { routingKey: SECRETS.routingKey, url: `${healthy.url}/v2/enqueue` },
      },
    ]);

    down(notifiers);
    // PagerDuty does not wait behind the hanging webhook.
    await healthy.waitFor(1, 2000);
    expect(hanging.requests.length).toBeLessThan(3);
    await notifiers.flush();
    expect(hanging.requests).toHaveLength(3);
    expect(await counted('webhook', 'failed')).toBe(1);
    expect(await counted('pagerduty', 'sent')).toBe(1);
    expect(log()).toContain('"reason":"timeout after 150 ms"');
    const body = healthy.requests[0]?.json as Record<string, unknown>;
    expect(body).toMatchObject({
      routing_key: SECRETS.routingKey,
      event_action: 'trigger',
      dedup_key: 'bellwether/eu-west-1/openai-chat/dependency_down',
    });
  });

  it('closes an Opsgenie alert by its URL-encoded alias with the GenieKey header', async () => {
    const r = await receiver();
    const { notifiers } = setup([
      {
        type: 'opsgenie',
        minSeverity: 'critical',
        settings: { apiKey: SECRETS.genieKey, url: r.url },
      },
    ]);
    down(notifiers);
    up(notifiers);
    await notifiers.flush();
    expect(r.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /v2/alerts',
      'POST /v2/alerts/bellwether%2Feu-west-1%2Fopenai-chat%2Fdependency_down/close?identifierType=alias',
    ]);
    for (const q of r.requests)
      expect(q.headers.authorization).toBe(`GenieKey ${SECRETS.genieKey}`);
    expect(r.requests[0]?.json).toMatchObject({
      alias: 'bellwether/eu-west-1/openai-chat/dependency_down',
    });
  });

  it('pushes to Alertmanager and resolves with endsAt', async () => {
    const r = await receiver();
    const { notifiers } = setup([
      { type: 'alertmanager', minSeverity: 'critical', settings: { url: `${r.url}/` } },
    ]);
    down(notifiers);
    up(notifiers);
    await notifiers.flush();
    // Fired, kept alive once more while recovering (a minute passed), resolved.
    expect(r.requests.map((q) => q.path)).toEqual(Array(3).fill('/api/v2/alerts'));
    const [firing, , resolved] = r.requests.map(
      (q) => (q.json as { labels: Record<string, string>; endsAt: string }[])[0],
    );
    expect(firing?.labels).toEqual(resolved?.labels);
    expect(Date.parse(resolved?.endsAt ?? '')).toBe(T0 + 11 * 30_000);
  });

  it('never writes webhook URLs, keys or secrets to the log, only the type and host', async () => {
    const flaky = await receiver();
    flaky.fail({ status: 500 });
    const resetting = await receiver();
    resetting.fail({ reset: true });
    const fine = await receiver();
    const host = new URL(fine.url).host;
    const { notifiers, log } = setup([
      webhookAt(flaky),
      {
        type: 'slack',
        minSeverity: 'critical',
        settings: { webhookUrl: `${resetting.url}/services/T000/B000/${SECRETS.slackToken}` },
      },
      {
        type: 'pagerduty',
        minSeverity: 'critical',
        settings: { routingKey: SECRETS.routingKey, url: `${fine.url}/v2/enqueue` },
      },
      {
        type: 'opsgenie',
        minSeverity: 'critical',
        settings: { apiKey: SECRETS.genieKey, url: fine.url },
      },
    ]);
    down(notifiers);
    up(notifiers);
    await notifiers.flush();
    const text = log();
    // Something was logged about each: sent and failed notifications.
    expect(text).toContain('"notifier":"webhook"');
    expect(text).toContain('"notifier":"slack"');
    expect(text).toContain('notification failed');
    expect(text).toContain('notification sent');
    expect(text).toContain(`"host":"${host}"`);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('/hooks/');
    expect(text).not.toContain('/services/');
    expect(text).not.toContain('GenieKey');
  });
});
