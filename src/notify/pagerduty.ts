import { defined, iso, truncate } from './format.js';
import { defineNotifier, type HostedApiSettings, hostedApi } from './module.js';
import type { Alert, BuildContext, NotifyRequest } from './types.js';

/**
 * `notify: [{type: pagerduty, routingKey, url?}]`: the Events API v2 integration key; `url` is
 * the enqueue URL, https://events.eu.pagerduty.com/v2/enqueue for the EU service region.
 */
export type PagerDutySettings = HostedApiSettings<'routingKey'>;

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

// Events API v2 limits: summary 1024 characters, dedup_key 255.
const SUMMARY_MAX = 1024;
const DEDUP_MAX = 255;

/**
 * An Events API v2 event. Triggers carry the payload PagerDuty shows (summary, source =
 * the dependency or consumer, component = vendor or route, group = owning team, class =
 * error class or alert kind); a resolve needs only the routing and dedup keys.
 */
export function pagerDutyBody(alert: Alert, routingKey: string): Record<string, unknown> {
  const dedup = truncate(alert.dedupKey, DEDUP_MAX);
  if (alert.action === 'resolve') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedup };
  }
  const component = alert.subject.type === 'dependency' ? alert.vendor : (alert.route ?? undefined);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedup,
    payload: defined({
      summary: truncate(alert.summary, SUMMARY_MAX),
      source: alert.subject.id,
      severity: alert.severity,
      timestamp: iso(alert.at),
      component,
      group: alert.team,
      class: alert.errorClass ?? alert.kind,
      custom_details: defined({
        alert: alert.name,
        vantage: alert.vantage,
        state: alert.state,
        reasons: [...alert.reasons],
        vendor: alert.vendor,
        model: alert.model,
        team: alert.team,
        route: alert.route,
        error_class: alert.errorClass,
        priority: alert.priority,
        firing_since: iso(alert.startsAt),
        reminder: alert.reminder,
        runbook_url: alert.runbookUrl,
      }),
    }),
    client: 'Bellwether',
    ...(alert.generatorUrl ? { client_url: alert.generatorUrl } : {}),
    links: [{ href: alert.runbookUrl, text: `Runbook: ${alert.name}` }],
  };
}

/** A PagerDuty Events API v2 request (trigger or resolve). */
export function buildPagerDutyRequest(
  alert: Alert,
  settings: PagerDutySettings,
  _ctx: BuildContext,
): NotifyRequest {
  return {
    method: 'POST',
    url: settings.url ?? PAGERDUTY_EVENTS_URL,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(pagerDutyBody(alert, settings.routingKey)),
  };
}

/** `type: pagerduty` */
export const pagerdutyNotifier = defineNotifier<PagerDutySettings>({
  type: 'pagerduty',
  ...hostedApi('routingKey', PAGERDUTY_EVENTS_URL),
  build: buildPagerDutyRequest,
});
