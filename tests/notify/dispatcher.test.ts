import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createNotifiers, type NotifiersOptions } from '../../src/notify/dispatcher.js';
import type {
  ConsumerObservation,
  DependencyObservation,
  NotifyRequest,
  Send,
} from '../../src/notify/types.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const STEP = 30_000;

const webhook = (over: Partial<NotifierConfig> = {}): NotifierConfig => ({
  type: 'webhook',
  minSeverity: 'info',
  settings: { url: 'http://127.0.0.1:9/hook' },
  ...over,
});

interface Sent {
  alert: string;
  action: string;
  reminder: boolean;
  dedupKey: string;
}

function harness(configs: NotifierConfig[], extra: Partial<NotifiersOptions> = {}) {
  const requests: NotifyRequest[] = [];
  const registry = new Registry();
  const logs: string[] = [];
  const logger = createLogger({
    scrub: (s) => s,
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const send: Send = async (request) => {
    requests.push(request);
    return { status: 202 };
  };
  const notifiers = createNotifiers({
    configs,
    vantage: 'eu-west-1',
    registry,
    logger,
    clock: () => T0,
    send,
    retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
    ...extra,
  });
  const sent = (): Sent[] =>
    requests
      .filter((r) => r.url.endsWith('/hook'))
      .map((r) => {
        const b = JSON.parse(r.body) as Sent;
        return { alert: b.alert, action: b.action, reminder: b.reminder, dedupKey: b.dedupKey };
      });
  const counted = async (notifier: string, outcome: string): Promise<number> => {
    const metric = registry.getSingleMetric('bellwether_notifications_total');
    const values = (await metric?.get())?.values ?? [];
    return values.find((v) => v.labels.notifier === notifier && v.labels.outcome === outcome)
      ?.value as number;
  };
  return { notifiers, requests, registry, logs, sent, counted };
}

type State = DependencyObservation['state'];

/** Feeds `states` for one dependency, 30 s apart from `start`; returns the next time. */
function feed(
  n: { observe: (o: DependencyObservation) => void },
  id: string,
  states: (State | [State, 'missing' | 'rejected'])[],
  start = T0,
): number {
  let at = start;
  for (const s of states) {
    const [state, credentialProblem] = Array.isArray(s) ? s : [s, undefined];
    n.observe({
      dependency: { id, vendor: 'openai', model: 'gpt-4o-mini', team: 'secops' },
      state,
      reasons: state === 'healthy' ? [] : [`${state} because of a test`],
      errorClass: state === 'down' ? 'timeout' : credentialProblem ? 'auth' : undefined,
      credentialProblem,
      at,
    });
    at += STEP;
  }
  return at;
}

function feedConsumer(
  n: { observeConsumer: (o: ConsumerObservation) => void },
  id: string,
  states: ConsumerObservation['state'][],
  start = T0,
): number {
  let at = start;
  for (const state of states) {
    n.observeConsumer({
      id,
      team: 'secops',
      state,
      route: state === 'ok' ? 'openai-chat' : state === 'degraded' ? 'anthropic-chat' : null,
      reason: `consumer is ${state}`,
      at,
    });
    at += STEP;
  }
  return at;
}

const actions = (sent: Sent[]) =>
  sent.map((s) => `${s.alert}:${s.reminder ? 'reminder' : s.action}`);

describe('built-in notifiers: alerts from observations', () => {
  it('never pages on a single failed probe: N in a row fire once, M healthy resolve', async () => {
    const h = harness([webhook({ minSeverity: 'critical' })]);
    feed(h.notifiers, 'openai-chat', [
      'down',
      'healthy',
      'down',
      'down',
      'healthy',
      'down',
      'down',
      'down',
      'down',
      'healthy',
      'healthy',
      'healthy',
    ]);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger', 'dependency_down:resolve']);
    const [trigger, resolve] = h.sent();
    expect(trigger?.dedupKey).toBe('bellwether/eu-west-1/openai-chat/dependency_down');
    expect(resolve?.dedupKey).toBe(trigger?.dedupKey);
    expect(await h.counted('webhook', 'sent')).toBe(2);
  });

  it.each([
    ['critical', ['dependency_down', 'credential_failure']],
    ['warning', ['dependency_down', 'dependency_degraded', 'credential_failure']],
    [
      'info',
      ['dependency_down', 'dependency_degraded', 'credential_failure', 'credential_missing'],
    ],
  ] as const)('minSeverity %s sends only %j', async (minSeverity, kinds) => {
    const h = harness([webhook({ minSeverity })]);
    feed(h.notifiers, 'a-down', ['down', 'down', 'down']);
    feed(h.notifiers, 'b-degraded', ['degraded', 'degraded', 'degraded']);
    feed(h.notifiers, 'c-rejected', [
      ['unknown', 'rejected'],
      ['unknown', 'rejected'],
      ['unknown', 'rejected'],
    ]);
    feed(h.notifiers, 'd-missing', [
      ['healthy', 'missing'],
      ['healthy', 'missing'],
      ['healthy', 'missing'],
    ]);
    await h.notifiers.flush();
    expect(h.sent().map((s) => s.alert)).toEqual(kinds);
  });

  it('reports a rejected key as its own alert, never as an outage', async () => {
    const h = harness([webhook()]);
    const rejected: [State, 'rejected'] = ['unknown', 'rejected'];
    const at = feed(h.notifiers, 'openai-chat', [rejected, rejected, rejected, rejected, rejected]);
    feed(h.notifiers, 'openai-chat', ['healthy', 'healthy'], at);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['credential_failure:trigger', 'credential_failure:resolve']);
    const first = JSON.parse(h.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      severity: 'critical',
      category: 'config',
      errorClass: 'auth',
      summary:
        'openai-chat (openai) rejects our API key, seen from eu-west-1: auth (our credentials, not a vendor outage)',
    });
  });

  it('keeps a down alert open while only our credentials fail, and resolves it on recovery', async () => {
    const h = harness([webhook({ minSeverity: 'critical' })]);
    const rejected: [State, 'rejected'] = ['unknown', 'rejected'];
    const at = feed(h.notifiers, 'openai-chat', ['down', 'down', 'down', rejected, rejected]);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger']);
    feed(h.notifiers, 'openai-chat', ['healthy', 'healthy'], at);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger', 'dependency_down:resolve']);
  });

  it('does not announce the degraded tail of an outage, but a later degradation', async () => {
    const h = harness([webhook({ minSeverity: 'warning' })]);
    let at = feed(h.notifiers, 'openai-chat', ['down', 'down', 'down']);
    // The error-ratio window keeps it degraded for a while after it answers again.
    at = feed(h.notifiers, 'openai-chat', Array(6).fill('degraded'), at);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger', 'dependency_down:resolve']);
    feed(h.notifiers, 'openai-chat', ['healthy', 'degraded', 'degraded', 'degraded'], at);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual([
      'dependency_down:trigger',
      'dependency_down:resolve',
      'dependency_degraded:trigger',
    ]);
  });

  it('pages a consumer with no usable dependency, warns on a fallback, resolves both', async () => {
    const h = harness([webhook()]);
    feedConsumer(h.notifiers, 'phishing-triage', [
      'down',
      'down',
      'down',
      'degraded',
      'degraded',
      'degraded',
      'ok',
      'ok',
    ]);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual([
      'consumer_down:trigger',
      'consumer_down:resolve',
      'consumer_fallback:trigger',
      'consumer_fallback:resolve',
    ]);
    expect(h.sent()[0]?.dedupKey).toBe('bellwether/eu-west-1/phishing-triage/consumer_down');
  });

  it('holds notifications back in a maintenance window, then sends what still fires', async () => {
    const h = harness([webhook({ minSeverity: 'critical' })], {
      maintenance: [{ start: T0, end: T0 + 4 * STEP, dependencies: ['openai-chat'] }],
    });
    // Inside the window: fires, held back. Another dependency is not covered.
    let at = feed(h.notifiers, 'openai-chat', ['down', 'down', 'down', 'down']);
    feed(h.notifiers, 'anthropic-chat', ['down', 'down', 'down']);
    await h.notifiers.flush();
    expect(h.sent().map((s) => s.dedupKey)).toEqual([
      'bellwether/eu-west-1/anthropic-chat/dependency_down',
    ]);
    expect(await h.counted('webhook', 'suppressed')).toBe(1);
    // After the window it still fails: announced now, then resolved.
    at = feed(h.notifiers, 'openai-chat', ['down', 'healthy', 'healthy'], at);
    await h.notifiers.flush();
    expect(actions(h.sent().filter((s) => s.dedupKey.includes('openai-chat')))).toEqual([
      'dependency_down:trigger',
      'dependency_down:resolve',
    ]);
  });

  it('still sends the resolve when an alert fired before a window recovers inside it', async () => {
    const h = harness([webhook({ minSeverity: 'critical' })], {
      maintenance: [{ start: T0 + 3 * STEP, end: T0 + 60 * STEP }],
    });
    feed(h.notifiers, 'openai-chat', ['down', 'down', 'down', 'down', 'healthy', 'healthy']);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger', 'dependency_down:resolve']);
  });

  it('reminds every remindEvery while firing', async () => {
    const h = harness([webhook({ minSeverity: 'critical', remindEveryMs: 4 * STEP })]);
    feed(h.notifiers, 'openai-chat', Array(11).fill('down'));
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual([
      'dependency_down:trigger',
      'dependency_down:reminder',
      'dependency_down:reminder',
    ]);
  });

  it('applies failuresToAlert and successesToResolve per notifier', async () => {
    const h = harness([
      webhook({ minSeverity: 'critical', failuresToAlert: 1, successesToResolve: 1 }),
      {
        type: 'webhook',
        minSeverity: 'critical',
        settings: { url: 'http://127.0.0.1:9/other' },
        failuresToAlert: 5,
      },
    ]);
    feed(h.notifiers, 'openai-chat', ['down', 'down', 'down', 'healthy']);
    await h.notifiers.flush();
    expect(actions(h.sent())).toEqual(['dependency_down:trigger', 'dependency_down:resolve']);
    expect(h.requests.filter((r) => r.url.endsWith('/other'))).toEqual([]);
  });

  it('keeps Alertmanager alive with pushes every minute, endsAt ahead, then endsAt now', async () => {
    const h = harness([
      { type: 'alertmanager', minSeverity: 'critical', settings: { url: 'http://am:9093' } },
    ]);
    const at = feed(h.notifiers, 'openai-chat', Array(7).fill('down'));
    feed(h.notifiers, 'openai-chat', ['healthy', 'healthy'], at);
    await h.notifiers.flush();
    const pushes = h.requests.map((r) => {
      const [alert] = JSON.parse(r.body) as { startsAt: string; endsAt: string }[];
      return alert;
    });
    // Fires at the 3rd round (T0+60s); refreshed at +120s and +180s; resolved at +240s.
    expect(pushes.map((p) => p?.endsAt)).toEqual([
      new Date(T0 + 2 * STEP + 240_000).toISOString(),
      new Date(T0 + 4 * STEP + 240_000).toISOString(),
      new Date(T0 + 6 * STEP + 240_000).toISOString(),
      new Date(T0 + 8 * STEP).toISOString(),
    ]);
    expect(new Set(pushes.map((p) => p?.startsAt))).toEqual(
      new Set([new Date(T0 + 2 * STEP).toISOString()]),
    );
    expect(h.requests.every((r) => r.url === 'http://am:9093/api/v2/alerts')).toBe(true);
  });

  it('drops the oldest notification when a queue is full, and counts it', async () => {
    const releases: (() => void)[] = [];
    const requests: NotifyRequest[] = [];
    const send: Send = (request) =>
      new Promise((resolve) => {
        requests.push(request);
        releases.push(() => resolve({ status: 202 }));
      });
    const h = harness([webhook({ minSeverity: 'critical', timeoutMs: 60_000 })], {
      send,
      queueSize: 2,
    });
    for (const id of ['d1', 'd2', 'd3', 'd4', 'd5'])
      feed(h.notifiers, id, ['down', 'down', 'down']);
    // d1 is in flight, d2 and d3 were pushed out by d4 and d5.
    expect(await h.counted('webhook', 'dropped')).toBe(2);
    let done = false;
    const flushed = h.notifiers.flush().then(() => {
      done = true;
    });
    while (!done) {
      await new Promise((r) => setImmediate(r));
      for (const release of releases.splice(0)) release();
    }
    await flushed;
    const ids = requests.map((r) => (JSON.parse(r.body) as { subject: { id: string } }).subject.id);
    expect(ids).toEqual(['d1', 'd4', 'd5']);
    expect(await h.counted('webhook', 'sent')).toBe(3);
  });

  it('carries firing alerts across a config reload, so the resolve is still sent', async () => {
    const configs = [webhook({ minSeverity: 'critical' })];
    const h = harness(configs);
    const at = feed(h.notifiers, 'openai-chat', ['down', 'down', 'down']);
    await h.notifiers.flush();
    const carried = h.notifiers.carry();
    h.notifiers.stop();

    const next = harness(configs, { previous: carried });
    feed(next.notifiers, 'openai-chat', ['healthy', 'healthy'], at);
    await next.notifiers.flush();
    expect(actions(next.sent())).toEqual(['dependency_down:resolve']);

    // A notifier whose config changed starts afresh: it never sent the trigger.
    const changed = harness([webhook({ minSeverity: 'critical', failuresToAlert: 4 })], {
      previous: carried,
    });
    feed(changed.notifiers, 'openai-chat', ['healthy', 'healthy'], at);
    await changed.notifiers.flush();
    expect(changed.sent()).toEqual([]);
  });

  it('reuses its counter when built again on the same registry (config reload)', async () => {
    const h = harness([webhook({ minSeverity: 'critical' })]);
    const again = createNotifiers({
      configs: [webhook({ minSeverity: 'critical' })],
      vantage: 'eu-west-1',
      registry: h.registry,
      logger: createLogger({
        scrub: (s) => s,
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      clock: () => T0,
      send: async () => ({ status: 202 }),
    });
    feed(again, 'openai-chat', ['down', 'down', 'down']);
    await again.flush();
    expect(await h.counted('webhook', 'sent')).toBe(1);
  });

  it('stops: drops what waits, ignores later observations', async () => {
    const send: Send = (_r, { signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const h = harness([webhook({ minSeverity: 'critical', timeoutMs: 60_000 })], { send });
    for (const id of ['d1', 'd2', 'd3']) feed(h.notifiers, id, ['down', 'down', 'down']);
    h.notifiers.stop();
    await h.notifiers.flush();
    expect(await h.counted('webhook', 'dropped')).toBe(3);
    feed(h.notifiers, 'd4', ['down', 'down', 'down']);
    await h.notifiers.flush();
    expect(await h.counted('webhook', 'dropped')).toBe(3);
    expect(await h.counted('webhook', 'failed')).toBe(0);
  });

  it('exports every outcome from the start, labelled per notifier', async () => {
    const h = harness([
      webhook(),
      webhook({ settings: { url: 'http://127.0.0.1:9/second' } }),
      { type: 'pagerduty', minSeverity: 'critical', settings: { routingKey: 'R0UTINGKEY0123' } },
    ]);
    const text = await h.registry.metrics();
    for (const notifier of ['webhook', 'webhook-2', 'pagerduty']) {
      for (const outcome of ['sent', 'failed', 'dropped', 'suppressed']) {
        expect(text).toContain(
          `bellwether_notifications_total{notifier="${notifier}",outcome="${outcome}"} 0`,
        );
      }
    }
    expect(text).not.toContain('R0UTINGKEY0123');
  });
});

describe('security canaries', () => {
  const observe = (
    n: { observe: (o: DependencyObservation) => void },
    failing: boolean,
    at: number,
  ) =>
    n.observe({
      dependency: { id: 'openai-chat', vendor: 'openai', model: 'gpt-4o-mini', team: 'secops' },
      state: failing ? 'degraded' : 'healthy',
      reasons: failing ? ['canary phishing-verdict failing: refused (text) 2 runs in a row'] : [],
      ...(failing ? { failingCanaries: ['phishing-verdict'], degradedByCanaries: true } : {}),
      at,
    });

  it('a failing canary is its own alert, and not also a degraded one; a pass resolves it', async () => {
    const h = harness([webhook()]);
    let at = T0;
    for (const failing of [false, true, true, true, true, false, false]) {
      observe(h.notifiers, failing, at);
      at += STEP;
    }
    await h.notifiers.flush();
    expect(h.sent().map((s) => `${s.alert} ${s.action}`)).toEqual([
      'canary_failing trigger',
      'canary_failing resolve',
    ]);
  });
});
