import { secretUrl } from '../config/fields.js';
import { defined, iso, trimSlash } from './format.js';
import { defineNotifier } from './module.js';
import type { Alert, BuildContext, NotifyRequest } from './types.js';

/** `notify: [{type: alertmanager, url}]` */
export interface AlertmanagerSettings {
  /** Alertmanager's base URL, e.g. http://alertmanager:9093. */
  url: string;
}

/**
 * How often a firing alert is pushed again. Alertmanager expires an alert at its `endsAt`
 * and does its own repeat_interval, so the push is a keep-alive, like Prometheus's resend.
 */
export const ALERTMANAGER_RESEND_MS = 60_000;

/**
 * Labels identify the alert in Alertmanager, so they hold only what stays the same from
 * trigger to resolve; what changes (reasons, error class, summary) goes in annotations.
 * The names match the shipped rules (`severity`, `priority`, `kind`, `team`), so the example
 * routes and inhibitions apply unchanged.
 */
export function alertmanagerLabels(alert: Alert): Record<string, string> {
  return defined({
    alertname: alert.name,
    severity: alert.severity,
    priority: alert.priority,
    kind: alert.category,
    vantage: alert.vantage,
    [alert.subject.type]: alert.subject.id,
    vendor: alert.vendor,
    model: alert.model,
    team: alert.team,
    ...(alert.category === 'config' ? { error_class: 'auth' } : {}),
  }) as Record<string, string>;
}

/** A postable alert list of one. A resolve is the same alert with `endsAt` now. */
export function alertmanagerBody(alert: Alert): Record<string, unknown>[] {
  const endsAt = alert.action === 'resolve' ? (alert.endsAt ?? alert.at) : alert.expiresAt;
  return [
    defined({
      labels: alertmanagerLabels(alert),
      annotations: defined({
        summary: alert.summary,
        description: alert.reasons.join('\n') || undefined,
        runbook_url: alert.runbookUrl,
        error_class: alert.errorClass,
        dedup_key: alert.dedupKey,
      }),
      startsAt: iso(alert.startsAt),
      endsAt: endsAt === undefined ? undefined : iso(endsAt),
      generatorURL: alert.generatorUrl,
    }),
  ];
}

/** `POST {url}/api/v2/alerts`. */
export function buildAlertmanagerRequest(
  alert: Alert,
  settings: AlertmanagerSettings,
  _ctx: BuildContext,
): NotifyRequest {
  return {
    method: 'POST',
    url: `${trimSlash(settings.url)}/api/v2/alerts`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(alertmanagerBody(alert)),
  };
}

/** `type: alertmanager` */
export const alertmanagerNotifier = defineNotifier<AlertmanagerSettings>({
  type: 'alertmanager',
  settings: { url: { schema: secretUrl(), required: true } },
  target: (s) => s.url,
  build: buildAlertmanagerRequest,
  remindEveryMs: ALERTMANAGER_RESEND_MS,
});
