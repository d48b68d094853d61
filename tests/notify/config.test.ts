import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { createNotifiers } from '../../src/notify/dispatcher.js';

// The README's notifier example, as operators would write it.
const EXAMPLE = `vantage: eu-west-1
dependencies:
  - { id: openai-chat, vendor: openai, model: gpt-4o-mini, team: secops }
consumers:
  - { id: phishing-triage, team: secops, uses: [openai-chat] }
notify:
  - type: pagerduty
    routingKey: \${PD_ROUTING_KEY}
    minSeverity: critical
  - type: opsgenie
    apiKey: \${OPSGENIE_API_KEY}
    url: https://api.eu.opsgenie.com
    minSeverity: warning
    remindEvery: 0
  - type: slack
    webhookUrl: \${SLACK_WEBHOOK_URL}
    minSeverity: info
    failuresToAlert: 2
    successesToResolve: 3
    remindEvery: 1h
    timeout: 5s
  - type: webhook
    url: \${SOAR_WEBHOOK_URL}
    secret: \${SOAR_WEBHOOK_SECRET}
  - type: alertmanager
    url: http://alertmanager:9093
maintenance:
  - start: 2025-06-01T22:00:00Z
    end: 2025-06-02T02:00:00+02:00
    dependencies: [openai-chat]
    reason: vendor migration
  - { start: 2025-07-01T00:00:00Z, end: 2025-07-01T01:00:00Z }
`;

const ENV = {
  PD_ROUTING_KEY: 'pd-routing-key-123456',
  OPSGENIE_API_KEY: 'og-api-key-123456',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secret-token',
  SOAR_WEBHOOK_URL: 'https://soar.example.com/hooks/bellwether',
  SOAR_WEBHOOK_SECRET: 'whsec-123456',
};

describe('notifier config', () => {
  it('resolves the policy keys, URL overrides and maintenance windows', () => {
    const result = parseConfigText(EXAMPLE, 'n.yaml', ENV);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { notify, maintenance, secrets } = result.config;
    expect(notify).toEqual([
      {
        type: 'pagerduty',
        minSeverity: 'critical',
        settings: { routingKey: 'pd-routing-key-123456' },
      },
      {
        type: 'opsgenie',
        minSeverity: 'warning',
        settings: { apiKey: 'og-api-key-123456', url: 'https://api.eu.opsgenie.com' },
        remindEveryMs: 0,
      },
      {
        type: 'slack',
        minSeverity: 'info',
        settings: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret-token' },
        failuresToAlert: 2,
        successesToResolve: 3,
        remindEveryMs: 3_600_000,
        timeoutMs: 5000,
      },
      {
        type: 'webhook',
        minSeverity: 'warning',
        settings: { url: 'https://soar.example.com/hooks/bellwether', secret: 'whsec-123456' },
      },
      {
        type: 'alertmanager',
        minSeverity: 'warning',
        settings: { url: 'http://alertmanager:9093' },
      },
    ]);
    expect(maintenance).toEqual([
      {
        start: Date.UTC(2025, 5, 1, 22),
        end: Date.UTC(2025, 5, 2, 0),
        dependencies: ['openai-chat'],
        reason: 'vendor migration',
      },
      { start: Date.UTC(2025, 6, 1, 0), end: Date.UTC(2025, 6, 1, 1) },
    ]);
    for (const value of Object.values(ENV)) expect(secrets).toContain(value);
  });

  it('leaves maintenance out when none is configured', () => {
    const result = parseConfigText(
      'dependencies:\n  - { id: a, vendor: openai, model: m }\nmaintenance:\n',
      'm.yaml',
      {},
    );
    expect(result.ok && result.config.maintenance).toBeUndefined();
  });

  it('builds notifiers from the resolved config', async () => {
    const result = parseConfigText(EXAMPLE, 'n.yaml', ENV);
    if (!result.ok) throw new Error('config rejected');
    const registry = new Registry();
    const notifiers = createNotifiers({
      configs: result.config.notify,
      vantage: result.config.vantage,
      registry,
      logger: createLogger({
        scrub: (s) => s,
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
      clock: () => 0,
      send: async () => ({ status: 202 }),
      maintenance: result.config.maintenance,
    });
    const text = await registry.metrics();
    for (const n of ['pagerduty', 'opsgenie', 'slack', 'webhook', 'alertmanager']) {
      expect(text).toContain(`bellwether_notifications_total{notifier="${n}",outcome="sent"} 0`);
    }
    notifiers.stop();
  });
});
