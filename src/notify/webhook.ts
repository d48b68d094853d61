import { createHmac } from 'node:crypto';
import { secret, secretUrl } from '../config/fields.js';
import { iso } from './format.js';
import { defineNotifier } from './module.js';
import type { Alert, BuildContext, NotifyRequest } from './types.js';

/** `notify: [{type: webhook, url, secret?}]` */
export interface WebhookSettings {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature header; no header without it. */
  secret?: string;
}

/** The `schema` field of every generic webhook body; a breaking change gets a new one. */
export const WEBHOOK_SCHEMA = 'bellwether.alert.v1';

/** The signature header: `sha256=<hex HMAC-SHA256 of the raw body with the secret>`. */
export const SIGNATURE_HEADER = 'X-Bellwether-Signature';
/** Unix seconds when the body was built; the same instant as the body's `sentAt`. */
export const TIMESTAMP_HEADER = 'X-Bellwether-Timestamp';

/**
 * The generic webhook body. Every key is always present (null when unknown), so receivers
 * can rely on the shape; `sentAt` sits inside the signed body, so a replay is detectable.
 */
export function webhookBody(alert: Alert, now: number): Record<string, unknown> {
  return {
    schema: WEBHOOK_SCHEMA,
    action: alert.action,
    reminder: alert.reminder,
    alert: alert.kind,
    name: alert.name,
    severity: alert.severity,
    priority: alert.priority,
    category: alert.category,
    dedupKey: alert.dedupKey,
    vantage: alert.vantage,
    subject: { type: alert.subject.type, id: alert.subject.id },
    vendor: alert.vendor ?? null,
    model: alert.model ?? null,
    team: alert.team ?? null,
    route: alert.route ?? null,
    state: alert.state,
    summary: alert.summary,
    reasons: [...alert.reasons],
    errorClass: alert.errorClass ?? null,
    startsAt: iso(alert.startsAt),
    endsAt: alert.endsAt === undefined ? null : iso(alert.endsAt),
    observedAt: iso(alert.at),
    sentAt: iso(now),
    runbookUrl: alert.runbookUrl,
    generatorUrl: alert.generatorUrl ?? null,
  };
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body, keyed with the shared secret. */
export function signWebhook(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** The generic webhook request: a JSON POST, signed when a secret is configured. */
export function buildWebhookRequest(
  alert: Alert,
  settings: WebhookSettings,
  ctx: BuildContext,
): NotifyRequest {
  const body = JSON.stringify(webhookBody(alert, ctx.now));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'bellwether-notifier',
    [TIMESTAMP_HEADER]: String(Math.floor(ctx.now / 1000)),
  };
  if (settings.secret) headers[SIGNATURE_HEADER] = signWebhook(settings.secret, body);
  return { method: 'POST', url: settings.url, headers, body };
}

/** `type: webhook` */
export const webhookNotifier = defineNotifier<WebhookSettings>({
  type: 'webhook',
  settings: {
    url: { schema: secretUrl(), required: true, secret: true },
    secret: { schema: secret(), secret: true },
  },
  target: (s) => s.url,
  build: buildWebhookRequest,
});
