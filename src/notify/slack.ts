import { secretUrl } from '../config/fields.js';
import { iso, truncate } from './format.js';
import { defineNotifier } from './module.js';
import type { Alert, BuildContext, NotifyRequest, Severity } from './types.js';

/** `notify: [{type: slack, webhookUrl}]` */
export interface SlackSettings {
  /** The incoming webhook URL; it embeds its token, so it is a secret. */
  webhookUrl: string;
}

const EMOJI: Record<Severity | 'resolved', string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':large_green_circle:',
};

// Block Kit limits: header text 150, section text 3000, a field 2000 characters.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

/**
 * Slack reads `&`, `<` and `>` as control characters (`<!channel>` pings everyone,
 * `<https://x|y>` is a link): per Slack's formatting guide exactly these three are
 * HTML-escaped, nothing else.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// The tail of an entity a cut can leave behind: "&", "&am", "&lt" without its ";".
const PARTIAL_ENTITY = /&(?:a|am|amp|l|lt|g|gt)?$/;

/** Escaped mrkdwn cut to `max` characters without splitting an entity. */
function cut(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max - 1).replace(PARTIAL_ENTITY, '')}…`;
}

/**
 * A mrkdwn text object. `verbatim: true` turns off Slack's automatic parsing, so a URL,
 * `#channel` or `@here` in a vendor's error text stays plain text; our own `<url|label>`
 * links still work.
 */
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

/** A URL inside `<url|label>`: escaped, and `|` (which would end it) percent-encoded. */
const linkTarget = (url: string): string => escapeSlack(url).replace(/\|/g, '%7C');

function label(alert: Alert): string {
  if (alert.action === 'resolve') return 'RESOLVED';
  const level = alert.severity.toUpperCase();
  return alert.reminder ? `${level}, still firing` : level;
}

/** The incoming-webhook body: `text` is the notification fallback, `blocks` the message. */
export function slackBody(alert: Alert): Record<string, unknown> {
  const emoji = EMOJI[alert.action === 'resolve' ? 'resolved' : alert.severity];
  const reasons = alert.reasons.map((r) => `• ${escapeSlack(r)}`).join('\n');
  const details = [
    ['Severity', `${alert.severity} (${alert.priority})`],
    ['Vantage', alert.vantage],
    [alert.subject.type === 'dependency' ? 'Dependency' : 'Consumer', alert.subject.id],
    ['Vendor', alert.vendor],
    ['Model', alert.model],
    ['Team', alert.team],
    ['Route', alert.route === undefined ? undefined : (alert.route ?? 'none usable')],
    ['Error class', alert.errorClass],
  ].filter((pair): pair is [string, string] => pair[1] !== undefined);
  const since =
    alert.action === 'resolve'
      ? `Fired ${iso(alert.startsAt)}, resolved ${iso(alert.endsAt ?? alert.at)}`
      : `Firing since ${iso(alert.startsAt)}`;
  return {
    // The notification fallback is mrkdwn too: escaped like the blocks.
    text: cut(escapeSlack(`${emoji} [${label(alert)}] ${alert.summary}`), SECTION_MAX),
    blocks: [
      {
        type: 'header',
        // plain_text is shown as written: no escaping (it would show "&amp;").
        text: {
          type: 'plain_text',
          text: truncate(
            `${emoji} ${alert.action === 'resolve' ? 'Resolved: ' : ''}${alert.name}`,
            HEADER_MAX,
          ),
          emoji: true,
        },
      },
      {
        type: 'section',
        text: mrkdwn(
          cut(`*${escapeSlack(alert.summary)}*${reasons ? `\n${reasons}` : ''}`, SECTION_MAX),
        ),
      },
      {
        type: 'section',
        fields: details.map(([name, value]) =>
          mrkdwn(cut(`*${name}*\n${escapeSlack(value)}`, FIELD_MAX)),
        ),
      },
      {
        type: 'context',
        elements: [
          mrkdwn(
            cut(
              `${since} · <${linkTarget(alert.runbookUrl)}|Runbook> · \`${escapeSlack(alert.dedupKey)}\``,
              SECTION_MAX,
            ),
          ),
        ],
      },
    ],
  };
}

/** A Slack incoming-webhook request. */
export function buildSlackRequest(
  alert: Alert,
  settings: SlackSettings,
  _ctx: BuildContext,
): NotifyRequest {
  return {
    method: 'POST',
    url: settings.webhookUrl,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(slackBody(alert)),
  };
}

/** `type: slack` */
export const slackNotifier = defineNotifier<SlackSettings>({
  type: 'slack',
  settings: { webhookUrl: { schema: secretUrl(), required: true, secret: true } },
  target: (s) => s.webhookUrl,
  build: buildSlackRequest,
});
