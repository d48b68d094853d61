import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { ALERTS } from '../../src/notify/alerts.js';
import {
  createNotifiers,
  type Notifiers,
  type NotifiersOptions,
} from '../../src/notify/dispatcher.js';
import { NOTIFIER_TYPES } from '../../src/notify/registry.js';
import type {
  AlertKind,
  ConsumerObservation,
  DependencyObservation,
} from '../../src/notify/types.js';
import {
  type FakeReceiver,
  type ReceivedRequest,
  startFakeReceiver,
} from '../support/fake-receiver.js';

// One outage seen the way the monitor reports it: first slow and failing now and then
// (degraded), then down, then healthy again. Every notifier must end up with one open alert
// at a time: Down's trigger closes the Degraded alert it supersedes.

const STEP = 1_000;

/** Every built-in notifier. */
const TYPES = ['webhook', 'slack', 'pagerduty', 'opsgenie', 'alertmanager'] as const;
type NotifierType = (typeof TYPES)[number];

const receivers: FakeReceiver[] = [];
const running: Notifiers[] = [];

afterEach(async () => {
  for (const n of running.splice(0)) n.stop();
  for (const r of receivers.splice(0)) await r.stop();
});

/** An alert opened or closed at a receiver, in the receiver's own terms. */
interface Event {
  key: string;
  action: 'trigger' | 'resolve';
  summary?: string;
}

/** Each receiver's protocol read back into open/close events (sources: the payload builders' docs). */
const READ: Record<NotifierType, (q: ReceivedRequest, now: number) => Event[]> = {
  // bellwether.alert.v1: `action`, `alert`, `reminder`.
  webhook: (q) => {
    const b = q.json as { alert: string; action: 'trigger' | 'resolve'; summary: string };
    return [{ key: b.alert, action: b.action, summary: b.summary }];
  },
  // Block Kit: the header names the alert, "Resolved: " marks the resolve.
  slack: (q) => {
    const b = q.json as { text: string; blocks: { text?: { text: string } }[] };
    const header = b.blocks[0]?.text?.text ?? '';
    const name = header.replace(/^:\w+: (Resolved: )?/, '');
    return [{ key: name, action: header.includes('Resolved: ') ? 'resolve' : 'trigger' }];
  },
  // Events API v2: event_action trigger|resolve on a dedup_key.
  pagerduty: (q) => {
    const b = q.json as { event_action: 'trigger' | 'resolve'; dedup_key: string };
    return [{ key: b.dedup_key.split('/').at(-1) as string, action: b.event_action }];
  },
  // Alert API: POST /v2/alerts creates by alias, POST /v2/alerts/{alias}/close closes.
  opsgenie: (q) => {
    const close = /^\/v2\/alerts\/([^/?]+)\/close/.exec(q.path);
    if (close) {
      const alias = decodeURIComponent(close[1] as string);
      return [{ key: alias.split('/').at(-1) as string, action: 'resolve' }];
    }
    const b = q.json as { alias: string };
    return [{ key: b.alias.split('/').at(-1) as string, action: 'trigger' }];
  },
  // Alertmanager v2: an alert whose endsAt has passed is resolved; re-pushes keep it alive.
  alertmanager: (q, now) =>
    (q.json as { labels: { alertname: string }; endsAt: string }[]).map((a) => ({
      key: a.labels.alertname,
      action: Date.parse(a.endsAt) <= now ? 'resolve' : 'trigger',
    })),
};

function configFor(type: NotifierType, url: string): NotifierConfig {
  const settings: Record<NotifierType, NotifierConfig['settings']> = {
    webhook: { url: `${url}/hook` },
    slack: { webhookUrl: `${url}/services/T000/B000/XXXX` },
    pagerduty: { routingKey: 'pd-routing-key-0123456789abcdef', url: `${url}/v2/enqueue` },
    opsgenie: { apiKey: 'og-genie-key-aabbccdd', url },
    alertmanager: { url },
  };
  return { type, minSeverity: 'warning', settings: settings[type] };
}

async function setup(type: NotifierType, maintenance?: NotifiersOptions['maintenance']) {
  const r = await startFakeReceiver();
  receivers.push(r);
  const notifiers = createNotifiers({
    configs: [configFor(type, r.url)],
    maintenance,
    vantage: 'eu-west-1',
    registry: new Registry(),
    logger: createLogger({
      scrub: (s) => s,
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    clock: () => Date.now(),
    retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
  });
  running.push(notifiers);
  /** Open/close transitions in arrival order; repeated pushes of an open alert are not new. */
  const transitions = (): Event[] => {
    const open = new Set<string>();
    const out: Event[] = [];
    for (const q of r.requests) {
      for (const e of READ[type](q, Date.now())) {
        if (e.action === 'trigger' ? open.has(e.key) : !open.has(e.key)) continue;
        if (e.action === 'trigger') open.add(e.key);
        else open.delete(e.key);
        out.push(e);
      }
    }
    return out;
  };
  const openNow = (): string[] => {
    const open = new Set<string>();
    for (const e of transitions()) {
      if (e.action === 'trigger') open.add(e.key);
      else open.delete(e.key);
    }
    return [...open];
  };
  return { notifiers, transitions, openNow, requests: r.requests };
}

/** How a receiver names an alert: Slack and Alertmanager by its name, the rest by its kind. */
const asRead = (type: NotifierType, kind: AlertKind): string =>
  type === 'slack' || type === 'alertmanager' ? ALERTS[kind].name : kind;

describe('one outage, one open alert per notifier', () => {
  it('covers every notifier of the registry', () => {
    expect([...TYPES]).toEqual(NOTIFIER_TYPES);
  });

  it.each(TYPES)('%s: Down closes the open Degraded alert', async (type) => {
    const { notifiers, transitions, openNow } = await setup(type);
    const names = {
      degraded: asRead(type, 'dependency_degraded'),
      down: asRead(type, 'dependency_down'),
    };
    // Observation times close to now, so Alertmanager's endsAt reads as it would live.
    let at = Date.now() - 20 * STEP;
    const observe = (state: DependencyObservation['state'], rounds: number) => {
      for (let i = 0; i < rounds; i++, at += STEP) {
        notifiers.observe({
          dependency: { id: 'openai-chat', vendor: 'openai', model: 'gpt-4o-mini', team: 'secops' },
          state,
          reasons: state === 'healthy' ? [] : [`${state}: probe latency 6.2s over 4s`],
          errorClass: state === 'down' ? 'timeout' : undefined,
          at,
        });
      }
    };

    observe('degraded', 3);
    await notifiers.flush();
    expect(openNow()).toEqual([names.degraded]);

    observe('down', 3);
    await notifiers.flush();
    expect(openNow()).toEqual([names.down]);

    observe('healthy', 2);
    await notifiers.flush();
    expect(openNow()).toEqual([]);
    expect(transitions().map((e) => `${e.key}:${e.action}`)).toEqual([
      `${names.degraded}:trigger`,
      `${names.down}:trigger`,
      `${names.degraded}:resolve`,
      `${names.down}:resolve`,
    ]);
    if (type === 'webhook') {
      expect(transitions()[2]?.summary).toBe(
        'openai-chat (openai) got worse, seen from eu-west-1: continues as BellwetherDependencyDown',
      );
    }
  });

  it.each(TYPES)('%s: ConsumerDown closes the open OnFallback alert', async (type) => {
    const { notifiers, transitions, openNow } = await setup(type);
    let at = Date.now() - 20 * STEP;
    const observe = (state: ConsumerObservation['state'], rounds: number) => {
      for (let i = 0; i < rounds; i++, at += STEP) {
        notifiers.observeConsumer({
          id: 'phishing-triage',
          team: 'secops',
          state,
          route: state === 'ok' ? 'openai-chat' : state === 'degraded' ? 'anthropic-chat' : null,
          reason: `phishing-triage is ${state}`,
          at,
        });
      }
    };
    observe('degraded', 3);
    observe('down', 3);
    await notifiers.flush();
    const [fallback, down] = [asRead(type, 'consumer_fallback'), asRead(type, 'consumer_down')];
    expect(transitions().map((e) => `${e.key}:${e.action}`)).toEqual([
      `${fallback}:trigger`,
      `${down}:trigger`,
      `${fallback}:resolve`,
    ]);
    expect(openNow()).toHaveLength(1);
  });

  it('keeps Degraded open when Down fires inside a maintenance window (nothing was announced in its place)', async () => {
    const start = Date.now() - 20 * STEP;
    const { notifiers, requests } = await setup('webhook', [
      { start: start + 3 * STEP, end: start + 100 * STEP },
    ]);
    const states = ['degraded', 'degraded', 'degraded', 'down', 'down', 'down'] as const;
    states.forEach((state, i) => {
      notifiers.observe({
        dependency: { id: 'openai-chat', vendor: 'openai' },
        state,
        reasons: [state],
        at: start + i * STEP,
      });
    });
    await notifiers.flush();
    expect(requests.map((q) => (q.json as { alert: string; action: string }).action)).toEqual([
      'trigger',
    ]);
  });
});
