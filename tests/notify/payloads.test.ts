import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAlertmanagerRequest } from '../../src/notify/alertmanager.js';
import { buildOpsgenieRequest } from '../../src/notify/opsgenie.js';
import { buildPagerDutyRequest } from '../../src/notify/pagerduty.js';
import { buildSlackRequest, escapeSlack } from '../../src/notify/slack.js';
import type { Alert, NotifyRequest } from '../../src/notify/types.js';
import { buildWebhookRequest } from '../../src/notify/webhook.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const T1 = T0 + 5 * 60_000;
const NOW = T1 + 1000;
const ctx = { now: NOW };
const RUNBOOK = 'https://github.com/bellwether-monitor/bellwether/blob/main/docs/runbook.md';
const REASON =
  '3 probe rounds failed in a row; last: completion check: timeout: no answer within 10s';

const DOWN: Alert = {
  kind: 'dependency_down',
  name: 'BellwetherDependencyDown',
  severity: 'critical',
  priority: 'P2',
  category: 'outage',
  action: 'trigger',
  reminder: false,
  dedupKey: 'bellwether/eu-west-1/openai-chat/dependency_down',
  vantage: 'eu-west-1',
  subject: { type: 'dependency', id: 'openai-chat' },
  vendor: 'openai',
  model: 'gpt-4o-mini',
  team: 'secops',
  state: 'down',
  summary: 'openai-chat (openai) is down, seen from eu-west-1: timeout',
  reasons: [REASON],
  errorClass: 'timeout',
  startsAt: T0,
  at: T0,
  expiresAt: T0 + 240_000,
  runbookUrl: `${RUNBOOK}#bellwetherdependencydown`,
};

const UP: Alert = {
  ...DOWN,
  action: 'resolve',
  state: 'healthy',
  summary: 'openai-chat (openai) is up again, seen from eu-west-1',
  reasons: [],
  errorClass: undefined,
  at: T1,
  endsAt: T1,
  expiresAt: undefined,
};

// A reminder of a consumer alert, with a link back to Bellwether and markup in its reason.
const FALLBACK: Alert = {
  kind: 'consumer_fallback',
  name: 'BellwetherConsumerOnFallback',
  severity: 'warning',
  priority: 'P3',
  category: 'consumer',
  action: 'trigger',
  reminder: true,
  dedupKey: 'bellwether/eu-west-1/phishing-triage/consumer_fallback',
  vantage: 'eu-west-1',
  subject: { type: 'consumer', id: 'phishing-triage' },
  team: 'secops',
  route: 'anthropic-chat',
  state: 'degraded',
  summary: 'phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
  reasons: ['running on fallback anthropic-chat (healthy) because openai-chat is down <!channel>'],
  startsAt: T0,
  at: T1,
  expiresAt: T1 + 240_000,
  runbookUrl: `${RUNBOOK}#bellwetherconsumeronfallback`,
  generatorUrl: 'https://bellwether.example.com/api/v1/consumers/phishing-triage/route',
};

// A vendor's error text as it reaches a reason: markup, a bare URL, a channel and mentions
// (Slack's formatting guide: only &, < and > are control characters; `verbatim` stops
// automatic linking of URLs, #channels and @mentions).
const HOSTILE: Alert = {
  ...DOWN,
  summary: 'openai-chat (openai) is down, seen from eu-west-1: server_error <!channel> & co',
  reasons: [
    'completion check: server_error: HTTP 500: <https://evil.example/login|Sign in again> <@U024BE7LH> <!here> see https://evil.example #general @channel',
  ],
  errorClass: 'server_error',
  model: 'gpt-4o-mini<!everyone>',
};

const WEBHOOK = { url: 'https://hooks.example.com/in/T0K3N', secret: 'whsec-test-secret' };
const SLACK = { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' };
const PD = { routingKey: 'R0UTINGKEY0123456789abcdef012345' };
const OG = { apiKey: 'og-0000-1111-2222' };
const AM = { url: 'http://alertmanager:9093/' };

const webhookBase = {
  schema: 'bellwether.alert.v1',
  dedupKey: 'bellwether/eu-west-1/openai-chat/dependency_down',
  vantage: 'eu-west-1',
  subject: { type: 'dependency', id: 'openai-chat' },
  vendor: 'openai',
  model: 'gpt-4o-mini',
  team: 'secops',
  route: null,
  alert: 'dependency_down',
  name: 'BellwetherDependencyDown',
  severity: 'critical',
  priority: 'P2',
  category: 'outage',
  startsAt: '2025-06-01T12:00:00.000Z',
  sentAt: '2025-06-01T12:05:01.000Z',
  runbookUrl: `${RUNBOOK}#bellwetherdependencydown`,
  generatorUrl: null,
};

const pdTriggerPayload = {
  summary: 'openai-chat (openai) is down, seen from eu-west-1: timeout',
  source: 'openai-chat',
  severity: 'critical',
  timestamp: '2025-06-01T12:00:00.000Z',
  component: 'openai',
  group: 'secops',
  class: 'timeout',
  custom_details: {
    alert: 'BellwetherDependencyDown',
    vantage: 'eu-west-1',
    state: 'down',
    reasons: [REASON],
    vendor: 'openai',
    model: 'gpt-4o-mini',
    team: 'secops',
    error_class: 'timeout',
    priority: 'P2',
    firing_since: '2025-06-01T12:00:00.000Z',
    reminder: false,
    runbook_url: `${RUNBOOK}#bellwetherdependencydown`,
  },
};

type Case = [string, () => NotifyRequest, { url: string; headers: object; body: unknown }];

const cases: Case[] = [
  [
    'webhook trigger',
    () => buildWebhookRequest(DOWN, WEBHOOK, ctx),
    {
      url: 'https://hooks.example.com/in/T0K3N',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'bellwether-notifier',
        'X-Bellwether-Timestamp': '1748779501',
        'X-Bellwether-Signature': expect.stringMatching(/^sha256=[0-9a-f]{64}$/),
      },
      body: {
        ...webhookBase,
        action: 'trigger',
        reminder: false,
        state: 'down',
        summary: 'openai-chat (openai) is down, seen from eu-west-1: timeout',
        reasons: [REASON],
        errorClass: 'timeout',
        endsAt: null,
        observedAt: '2025-06-01T12:00:00.000Z',
      },
    },
  ],
  [
    'webhook resolve, unsigned',
    () => buildWebhookRequest(UP, { url: WEBHOOK.url }, ctx),
    {
      url: 'https://hooks.example.com/in/T0K3N',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'bellwether-notifier',
        'X-Bellwether-Timestamp': '1748779501',
      },
      body: {
        ...webhookBase,
        action: 'resolve',
        reminder: false,
        state: 'healthy',
        summary: 'openai-chat (openai) is up again, seen from eu-west-1',
        reasons: [],
        errorClass: null,
        endsAt: '2025-06-01T12:05:00.000Z',
        observedAt: '2025-06-01T12:05:00.000Z',
      },
    },
  ],
  [
    'webhook consumer reminder',
    () => buildWebhookRequest(FALLBACK, { url: WEBHOOK.url }, ctx),
    {
      url: 'https://hooks.example.com/in/T0K3N',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'bellwether-notifier',
        'X-Bellwether-Timestamp': '1748779501',
      },
      body: {
        schema: 'bellwether.alert.v1',
        action: 'trigger',
        reminder: true,
        alert: 'consumer_fallback',
        name: 'BellwetherConsumerOnFallback',
        severity: 'warning',
        priority: 'P3',
        category: 'consumer',
        dedupKey: 'bellwether/eu-west-1/phishing-triage/consumer_fallback',
        vantage: 'eu-west-1',
        subject: { type: 'consumer', id: 'phishing-triage' },
        vendor: null,
        model: null,
        team: 'secops',
        route: 'anthropic-chat',
        state: 'degraded',
        summary: 'phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
        reasons: [
          'running on fallback anthropic-chat (healthy) because openai-chat is down <!channel>',
        ],
        errorClass: null,
        startsAt: '2025-06-01T12:00:00.000Z',
        endsAt: null,
        observedAt: '2025-06-01T12:05:00.000Z',
        sentAt: '2025-06-01T12:05:01.000Z',
        runbookUrl: `${RUNBOOK}#bellwetherconsumeronfallback`,
        generatorUrl: 'https://bellwether.example.com/api/v1/consumers/phishing-triage/route',
      },
    },
  ],
  [
    'slack trigger',
    () => buildSlackRequest(DOWN, SLACK, ctx),
    {
      url: 'https://hooks.slack.com/services/T000/B000/XXXX',
      headers: { 'Content-Type': 'application/json' },
      body: {
        text: ':red_circle: [CRITICAL] openai-chat (openai) is down, seen from eu-west-1: timeout',
        blocks: [
          {
            type: 'header',
            text: {
              type: 'plain_text',
              text: ':red_circle: BellwetherDependencyDown',
              emoji: true,
            },
          },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `*openai-chat (openai) is down, seen from eu-west-1: timeout*\n• ${REASON}`,
              verbatim: true,
            },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Severity*\ncritical (P2)', verbatim: true },
              { type: 'mrkdwn', text: '*Vantage*\neu-west-1', verbatim: true },
              { type: 'mrkdwn', text: '*Dependency*\nopenai-chat', verbatim: true },
              { type: 'mrkdwn', text: '*Vendor*\nopenai', verbatim: true },
              { type: 'mrkdwn', text: '*Model*\ngpt-4o-mini', verbatim: true },
              { type: 'mrkdwn', text: '*Team*\nsecops', verbatim: true },
              { type: 'mrkdwn', text: '*Error class*\ntimeout', verbatim: true },
            ],
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `Firing since 2025-06-01T12:00:00.000Z · <${RUNBOOK}#bellwetherdependencydown|Runbook> · \`bellwether/eu-west-1/openai-chat/dependency_down\``,
                verbatim: true,
              },
            ],
          },
        ],
      },
    },
  ],
  [
    'slack resolve',
    () => buildSlackRequest(UP, SLACK, ctx),
    {
      url: 'https://hooks.slack.com/services/T000/B000/XXXX',
      headers: { 'Content-Type': 'application/json' },
      body: {
        text: ':large_green_circle: [RESOLVED] openai-chat (openai) is up again, seen from eu-west-1',
        blocks: [
          {
            type: 'header',
            text: {
              type: 'plain_text',
              text: ':large_green_circle: Resolved: BellwetherDependencyDown',
              emoji: true,
            },
          },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*openai-chat (openai) is up again, seen from eu-west-1*',
              verbatim: true,
            },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Severity*\ncritical (P2)', verbatim: true },
              { type: 'mrkdwn', text: '*Vantage*\neu-west-1', verbatim: true },
              { type: 'mrkdwn', text: '*Dependency*\nopenai-chat', verbatim: true },
              { type: 'mrkdwn', text: '*Vendor*\nopenai', verbatim: true },
              { type: 'mrkdwn', text: '*Model*\ngpt-4o-mini', verbatim: true },
              { type: 'mrkdwn', text: '*Team*\nsecops', verbatim: true },
            ],
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `Fired 2025-06-01T12:00:00.000Z, resolved 2025-06-01T12:05:00.000Z · <${RUNBOOK}#bellwetherdependencydown|Runbook> · \`bellwether/eu-west-1/openai-chat/dependency_down\``,
                verbatim: true,
              },
            ],
          },
        ],
      },
    },
  ],
  [
    'slack consumer reminder, markup escaped',
    () => buildSlackRequest(FALLBACK, SLACK, ctx),
    {
      url: 'https://hooks.slack.com/services/T000/B000/XXXX',
      headers: { 'Content-Type': 'application/json' },
      body: {
        text: ':large_orange_circle: [WARNING, still firing] phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
        blocks: [
          {
            type: 'header',
            text: {
              type: 'plain_text',
              text: ':large_orange_circle: BellwetherConsumerOnFallback',
              emoji: true,
            },
          },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*phishing-triage is running on fallback anthropic-chat, seen from eu-west-1*\n• running on fallback anthropic-chat (healthy) because openai-chat is down &lt;!channel&gt;',
              verbatim: true,
            },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Severity*\nwarning (P3)', verbatim: true },
              { type: 'mrkdwn', text: '*Vantage*\neu-west-1', verbatim: true },
              { type: 'mrkdwn', text: '*Consumer*\nphishing-triage', verbatim: true },
              { type: 'mrkdwn', text: '*Team*\nsecops', verbatim: true },
              { type: 'mrkdwn', text: '*Route*\nanthropic-chat', verbatim: true },
            ],
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `Firing since 2025-06-01T12:00:00.000Z · <${RUNBOOK}#bellwetherconsumeronfallback|Runbook> · \`bellwether/eu-west-1/phishing-triage/consumer_fallback\``,
                verbatim: true,
              },
            ],
          },
        ],
      },
    },
  ],
  [
    'slack: vendor text forms no link or mention',
    () => buildSlackRequest(HOSTILE, SLACK, ctx),
    {
      url: 'https://hooks.slack.com/services/T000/B000/XXXX',
      headers: { 'Content-Type': 'application/json' },
      body: {
        text: ':red_circle: [CRITICAL] openai-chat (openai) is down, seen from eu-west-1: server_error &lt;!channel&gt; &amp; co',
        blocks: [
          {
            type: 'header',
            text: {
              type: 'plain_text',
              text: ':red_circle: BellwetherDependencyDown',
              emoji: true,
            },
          },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*openai-chat (openai) is down, seen from eu-west-1: server_error &lt;!channel&gt; &amp; co*\n• completion check: server_error: HTTP 500: &lt;https://evil.example/login|Sign in again&gt; &lt;@U024BE7LH&gt; &lt;!here&gt; see https://evil.example #general @channel',
              verbatim: true,
            },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Severity*\ncritical (P2)', verbatim: true },
              { type: 'mrkdwn', text: '*Vantage*\neu-west-1', verbatim: true },
              { type: 'mrkdwn', text: '*Dependency*\nopenai-chat', verbatim: true },
              { type: 'mrkdwn', text: '*Vendor*\nopenai', verbatim: true },
              { type: 'mrkdwn', text: '*Model*\ngpt-4o-mini&lt;!everyone&gt;', verbatim: true },
              { type: 'mrkdwn', text: '*Team*\nsecops', verbatim: true },
              { type: 'mrkdwn', text: '*Error class*\nserver_error', verbatim: true },
            ],
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `Firing since 2025-06-01T12:00:00.000Z · <${RUNBOOK}#bellwetherdependencydown|Runbook> · \`bellwether/eu-west-1/openai-chat/dependency_down\``,
                verbatim: true,
              },
            ],
          },
        ],
      },
    },
  ],
  [
    'pagerduty trigger',
    () => buildPagerDutyRequest(DOWN, PD, ctx),
    {
      url: 'https://events.pagerduty.com/v2/enqueue',
      headers: { 'Content-Type': 'application/json' },
      body: {
        routing_key: 'R0UTINGKEY0123456789abcdef012345',
        event_action: 'trigger',
        dedup_key: 'bellwether/eu-west-1/openai-chat/dependency_down',
        payload: pdTriggerPayload,
        client: 'Bellwether',
        links: [
          {
            href: `${RUNBOOK}#bellwetherdependencydown`,
            text: 'Runbook: BellwetherDependencyDown',
          },
        ],
      },
    },
  ],
  [
    'pagerduty resolve, EU endpoint',
    () =>
      buildPagerDutyRequest(UP, { ...PD, url: 'https://events.eu.pagerduty.com/v2/enqueue' }, ctx),
    {
      url: 'https://events.eu.pagerduty.com/v2/enqueue',
      headers: { 'Content-Type': 'application/json' },
      body: {
        routing_key: 'R0UTINGKEY0123456789abcdef012345',
        event_action: 'resolve',
        dedup_key: 'bellwether/eu-west-1/openai-chat/dependency_down',
      },
    },
  ],
  [
    'pagerduty consumer reminder',
    () => buildPagerDutyRequest(FALLBACK, PD, ctx),
    {
      url: 'https://events.pagerduty.com/v2/enqueue',
      headers: { 'Content-Type': 'application/json' },
      body: {
        routing_key: 'R0UTINGKEY0123456789abcdef012345',
        event_action: 'trigger',
        dedup_key: 'bellwether/eu-west-1/phishing-triage/consumer_fallback',
        payload: {
          summary: 'phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
          source: 'phishing-triage',
          severity: 'warning',
          timestamp: '2025-06-01T12:05:00.000Z',
          component: 'anthropic-chat',
          group: 'secops',
          class: 'consumer_fallback',
          custom_details: {
            alert: 'BellwetherConsumerOnFallback',
            vantage: 'eu-west-1',
            state: 'degraded',
            reasons: [
              'running on fallback anthropic-chat (healthy) because openai-chat is down <!channel>',
            ],
            team: 'secops',
            route: 'anthropic-chat',
            priority: 'P3',
            firing_since: '2025-06-01T12:00:00.000Z',
            reminder: true,
            runbook_url: `${RUNBOOK}#bellwetherconsumeronfallback`,
          },
        },
        client: 'Bellwether',
        client_url: 'https://bellwether.example.com/api/v1/consumers/phishing-triage/route',
        links: [
          {
            href: `${RUNBOOK}#bellwetherconsumeronfallback`,
            text: 'Runbook: BellwetherConsumerOnFallback',
          },
        ],
      },
    },
  ],
  [
    'opsgenie create',
    () => buildOpsgenieRequest(DOWN, OG, ctx),
    {
      url: 'https://api.opsgenie.com/v2/alerts',
      headers: { 'Content-Type': 'application/json', Authorization: 'GenieKey og-0000-1111-2222' },
      body: {
        message: 'openai-chat (openai) is down, seen from eu-west-1: timeout',
        alias: 'bellwether/eu-west-1/openai-chat/dependency_down',
        description: `openai-chat (openai) is down, seen from eu-west-1: timeout\n\n- ${REASON}\n\nFiring since 2025-06-01T12:00:00.000Z. Runbook: ${RUNBOOK}#bellwetherdependencydown`,
        tags: [
          'bellwether',
          'outage',
          'critical',
          'vantage:eu-west-1',
          'vendor:openai',
          'team:secops',
        ],
        details: {
          alert: 'BellwetherDependencyDown',
          vantage: 'eu-west-1',
          state: 'down',
          vendor: 'openai',
          model: 'gpt-4o-mini',
          team: 'secops',
          errorClass: 'timeout',
          firingSince: '2025-06-01T12:00:00.000Z',
          reminder: 'false',
          runbookUrl: `${RUNBOOK}#bellwetherdependencydown`,
        },
        entity: 'openai-chat',
        source: 'bellwether@eu-west-1',
        priority: 'P2',
      },
    },
  ],
  [
    'opsgenie close by alias, EU instance',
    () => buildOpsgenieRequest(UP, { ...OG, url: 'https://api.eu.opsgenie.com/' }, ctx),
    {
      url: 'https://api.eu.opsgenie.com/v2/alerts/bellwether%2Feu-west-1%2Fopenai-chat%2Fdependency_down/close?identifierType=alias',
      headers: { 'Content-Type': 'application/json', Authorization: 'GenieKey og-0000-1111-2222' },
      body: {
        source: 'bellwether@eu-west-1',
        note: 'openai-chat (openai) is up again, seen from eu-west-1',
      },
    },
  ],
  [
    'opsgenie consumer reminder',
    () => buildOpsgenieRequest(FALLBACK, OG, ctx),
    {
      url: 'https://api.opsgenie.com/v2/alerts',
      headers: { 'Content-Type': 'application/json', Authorization: 'GenieKey og-0000-1111-2222' },
      body: {
        message: 'phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
        alias: 'bellwether/eu-west-1/phishing-triage/consumer_fallback',
        description: `phishing-triage is running on fallback anthropic-chat, seen from eu-west-1\n\n- running on fallback anthropic-chat (healthy) because openai-chat is down <!channel>\n\nFiring since 2025-06-01T12:00:00.000Z. Runbook: ${RUNBOOK}#bellwetherconsumeronfallback`,
        tags: ['bellwether', 'consumer', 'warning', 'vantage:eu-west-1', 'team:secops'],
        details: {
          alert: 'BellwetherConsumerOnFallback',
          vantage: 'eu-west-1',
          state: 'degraded',
          team: 'secops',
          route: 'anthropic-chat',
          firingSince: '2025-06-01T12:00:00.000Z',
          reminder: 'true',
          runbookUrl: `${RUNBOOK}#bellwetherconsumeronfallback`,
        },
        entity: 'phishing-triage',
        source: 'bellwether@eu-west-1',
        priority: 'P3',
      },
    },
  ],
  [
    'alertmanager firing',
    () => buildAlertmanagerRequest(DOWN, AM, ctx),
    {
      url: 'http://alertmanager:9093/api/v2/alerts',
      headers: { 'Content-Type': 'application/json' },
      body: [
        {
          labels: {
            alertname: 'BellwetherDependencyDown',
            severity: 'critical',
            priority: 'P2',
            kind: 'outage',
            vantage: 'eu-west-1',
            dependency: 'openai-chat',
            vendor: 'openai',
            model: 'gpt-4o-mini',
            team: 'secops',
          },
          annotations: {
            summary: 'openai-chat (openai) is down, seen from eu-west-1: timeout',
            description: REASON,
            runbook_url: `${RUNBOOK}#bellwetherdependencydown`,
            error_class: 'timeout',
            dedup_key: 'bellwether/eu-west-1/openai-chat/dependency_down',
          },
          startsAt: '2025-06-01T12:00:00.000Z',
          endsAt: '2025-06-01T12:04:00.000Z',
        },
      ],
    },
  ],
  [
    'alertmanager resolved (endsAt now, same labels)',
    () => buildAlertmanagerRequest(UP, AM, ctx),
    {
      url: 'http://alertmanager:9093/api/v2/alerts',
      headers: { 'Content-Type': 'application/json' },
      body: [
        {
          labels: {
            alertname: 'BellwetherDependencyDown',
            severity: 'critical',
            priority: 'P2',
            kind: 'outage',
            vantage: 'eu-west-1',
            dependency: 'openai-chat',
            vendor: 'openai',
            model: 'gpt-4o-mini',
            team: 'secops',
          },
          annotations: {
            summary: 'openai-chat (openai) is up again, seen from eu-west-1',
            runbook_url: `${RUNBOOK}#bellwetherdependencydown`,
            dedup_key: 'bellwether/eu-west-1/openai-chat/dependency_down',
          },
          startsAt: '2025-06-01T12:00:00.000Z',
          endsAt: '2025-06-01T12:05:00.000Z',
        },
      ],
    },
  ],
  [
    'alertmanager consumer, with generatorURL',
    () => buildAlertmanagerRequest(FALLBACK, AM, ctx),
    {
      url: 'http://alertmanager:9093/api/v2/alerts',
      headers: { 'Content-Type': 'application/json' },
      body: [
        {
          labels: {
            alertname: 'BellwetherConsumerOnFallback',
            severity: 'warning',
            priority: 'P3',
            kind: 'consumer',
            vantage: 'eu-west-1',
            consumer: 'phishing-triage',
            team: 'secops',
          },
          annotations: {
            summary: 'phishing-triage is running on fallback anthropic-chat, seen from eu-west-1',
            description:
              'running on fallback anthropic-chat (healthy) because openai-chat is down <!channel>',
            runbook_url: `${RUNBOOK}#bellwetherconsumeronfallback`,
            dedup_key: 'bellwether/eu-west-1/phishing-triage/consumer_fallback',
          },
          startsAt: '2025-06-01T12:00:00.000Z',
          endsAt: '2025-06-01T12:09:00.000Z',
          generatorURL: 'https://bellwether.example.com/api/v1/consumers/phishing-triage/route',
        },
      ],
    },
  ],
];

describe('payload builders', () => {
  it.each(cases)('%s: exact request', (_name, build, want) => {
    const request = build();
    expect(request.method).toBe('POST');
    expect({ url: request.url, headers: request.headers, body: JSON.parse(request.body) }).toEqual(
      want,
    );
  });

  it.each(cases)('%s: pure (same input, same request)', (_name, build) => {
    expect(build()).toEqual(build());
  });

  it('keeps the generic webhook keys in a stable order', () => {
    const body = JSON.parse(buildWebhookRequest(DOWN, WEBHOOK, ctx).body) as object;
    expect(Object.keys(body)).toEqual([
      'schema',
      'action',
      'reminder',
      'alert',
      'name',
      'severity',
      'priority',
      'category',
      'dedupKey',
      'vantage',
      'subject',
      'vendor',
      'model',
      'team',
      'route',
      'state',
      'summary',
      'reasons',
      'errorClass',
      'startsAt',
      'endsAt',
      'observedAt',
      'sentAt',
      'runbookUrl',
      'generatorUrl',
    ]);
  });

  it('signs the raw webhook body so a receiver can verify it with the shared secret', () => {
    const request = buildWebhookRequest(DOWN, WEBHOOK, ctx);
    const header = request.headers['X-Bellwether-Signature'] ?? '';
    // What a receiver does: HMAC the raw bytes it got, compare in constant time.
    const expected = `sha256=${createHmac('sha256', WEBHOOK.secret).update(Buffer.from(request.body)).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(header), Buffer.from(expected))).toBe(true);
    const wrongKey = `sha256=${createHmac('sha256', 'other-secret').update(request.body).digest('hex')}`;
    expect(header).not.toBe(wrongKey);
    const tampered = request.body.replace('"critical"', '"info"');
    const forTampered = `sha256=${createHmac('sha256', WEBHOOK.secret).update(tampered).digest('hex')}`;
    expect(header).not.toBe(forTampered);
    // The timestamp header and the signed sentAt are the same instant.
    const sentAt = (JSON.parse(request.body) as { sentAt: string }).sentAt;
    expect(Date.parse(sentAt) / 1000).toBe(Number(request.headers['X-Bellwether-Timestamp']));
  });

  it('puts no secret into a body where it does not belong', () => {
    for (const request of [
      buildWebhookRequest(DOWN, WEBHOOK, ctx),
      buildSlackRequest(DOWN, SLACK, ctx),
      buildOpsgenieRequest(DOWN, OG, ctx),
    ]) {
      expect(request.body).not.toContain(WEBHOOK.secret);
      expect(request.body).not.toContain('T0K3N');
      expect(request.body).not.toContain(OG.apiKey);
    }
  });

  it.each([
    [
      'pagerduty summary',
      () => JSON.parse(buildPagerDutyRequest(long(), PD, ctx).body).payload.summary,
      1024,
    ],
    ['opsgenie message', () => JSON.parse(buildOpsgenieRequest(long(), OG, ctx).body).message, 130],
    [
      'slack header',
      () => JSON.parse(buildSlackRequest(long(), SLACK, ctx).body).blocks[0].text.text,
      150,
    ],
  ])('%s is cut to the vendor limit', (_name, read, max) => {
    const value = read() as string;
    expect(value.length).toBe(max);
    expect(value.endsWith('…')).toBe(true);
  });

  it.each([
    ['fallback text', (a: Alert) => JSON.parse(buildSlackRequest(a, SLACK, ctx).body).text, 3000],
    [
      'a field',
      (a: Alert) => JSON.parse(buildSlackRequest(a, SLACK, ctx).body).blocks[2].fields[1].text,
      2000,
    ],
  ])('slack %s is cut after escaping, never inside an entity', (_name, read, max) => {
    const alert = {
      ...DOWN,
      summary: `${'s'.repeat(2990)}${'<&>'.repeat(20)}`,
      vantage: `${'v'.repeat(1985)}&&&&&&&&`,
    };
    const value = read(alert) as string;
    expect(value.length).toBeLessThanOrEqual(max);
    expect(value.endsWith('…')).toBe(true);
    expect(value).not.toMatch(/&(?:a|am|amp|l|lt|g|gt)?…$/);
    expect(value.replace(/&(?:amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
  });

  it.each([
    ['a <b> & c', 'a &lt;b&gt; &amp; c'],
    ['<!here>', '&lt;!here&gt;'],
  ])('escapes Slack markup in %j', (input, output) => {
    expect(escapeSlack(input)).toBe(output);
  });
});

function long(): Alert {
  const name = 'x'.repeat(200);
  return { ...DOWN, name, summary: `${'s'.repeat(2000)}` };
}
