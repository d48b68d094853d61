import { defined, iso, trimSlash, truncate } from './format.js';
import { defineNotifier, type HostedApiSettings, hostedApi } from './module.js';
import type { Alert, BuildContext, NotifyRequest } from './types.js';

/**
 * `notify: [{type: opsgenie, apiKey, url?}]`: an API integration's key, sent as
 * `Authorization: GenieKey <key>`; `url` is the API base, https://api.eu.opsgenie.com for EU
 * accounts.
 */
export type OpsgenieSettings = HostedApiSettings<'apiKey'>;

export const OPSGENIE_API_URL = 'https://api.opsgenie.com';

// Alert API limits: message 130, alias 512, description 15000, a tag 50, a detail value 8000.
const MESSAGE_MAX = 130;
const ALIAS_MAX = 512;
const DESCRIPTION_MAX = 15_000;
const TAG_MAX = 50;
const DETAIL_MAX = 8000;

/** The alias Opsgenie deduplicates on and closes by: the dedup key. */
const aliasOf = (alert: Alert): string => truncate(alert.dedupKey, ALIAS_MAX);

/** Create-alert body; `details` values are strings, as the API requires. */
export function opsgenieCreateBody(alert: Alert): Record<string, unknown> {
  const description = [
    alert.summary,
    '',
    ...alert.reasons.map((r) => `- ${r}`),
    '',
    `Firing since ${iso(alert.startsAt)}. Runbook: ${alert.runbookUrl}`,
  ].join('\n');
  const tags = [
    'bellwether',
    alert.category,
    alert.severity,
    `vantage:${alert.vantage}`,
    ...(alert.vendor ? [`vendor:${alert.vendor}`] : []),
    ...(alert.team ? [`team:${alert.team}`] : []),
  ].map((t) => truncate(t, TAG_MAX));
  const details = defined({
    alert: alert.name,
    vantage: alert.vantage,
    state: alert.state,
    vendor: alert.vendor,
    model: alert.model,
    team: alert.team,
    route: alert.route === undefined ? undefined : (alert.route ?? 'none'),
    errorClass: alert.errorClass,
    firingSince: iso(alert.startsAt),
    reminder: String(alert.reminder),
    runbookUrl: alert.runbookUrl,
  }) as Record<string, string>;
  return {
    message: truncate(alert.summary, MESSAGE_MAX),
    alias: aliasOf(alert),
    description: truncate(description, DESCRIPTION_MAX),
    tags,
    details: Object.fromEntries(
      Object.entries(details).map(([k, v]) => [k, truncate(v, DETAIL_MAX)]),
    ),
    entity: alert.subject.id,
    source: `bellwether@${alert.vantage}`,
    priority: alert.priority,
  };
}

/** Close-alert body (the alert is named in the URL). */
export function opsgenieCloseBody(alert: Alert): Record<string, unknown> {
  return { source: `bellwether@${alert.vantage}`, note: alert.summary };
}

/**
 * Trigger: `POST /v2/alerts`. Resolve: `POST /v2/alerts/{alias}/close?identifierType=alias`,
 * the alias URL-encoded (it holds slashes; unencoded, the close would hit another path).
 */
export function buildOpsgenieRequest(
  alert: Alert,
  settings: OpsgenieSettings,
  _ctx: BuildContext,
): NotifyRequest {
  const base = `${trimSlash(settings.url ?? OPSGENIE_API_URL)}/v2/alerts`;
  const headers = {
    'Content-Type': 'application/json',
    Authorization: `GenieKey ${settings.apiKey}`,
  };
  if (alert.action === 'resolve') {
    return {
      method: 'POST',
      url: `${base}/${encodeURIComponent(aliasOf(alert))}/close?identifierType=alias`,
      headers,
      body: JSON.stringify(opsgenieCloseBody(alert)),
    };
  }
  return { method: 'POST', url: base, headers, body: JSON.stringify(opsgenieCreateBody(alert)) };
}

/** `type: opsgenie` */
export const opsgenieNotifier = defineNotifier<OpsgenieSettings>({
  type: 'opsgenie',
  ...hostedApi('apiKey', OPSGENIE_API_URL),
  build: buildOpsgenieRequest,
});
