import { alertmanagerNotifier } from './alertmanager.js';
import type { NotifierModule } from './module.js';
import { opsgenieNotifier } from './opsgenie.js';
import { pagerdutyNotifier } from './pagerduty.js';
import { slackNotifier } from './slack.js';
import { webhookNotifier } from './webhook.js';

/**
 * Every built-in notifier, one module each, in the order docs and messages list them.
 * Adding one: write `src/notify/<type>.ts` exporting a {@link NotifierModule} (see
 * defineNotifier) and add it here; the config schema, env handling, scrubbing and the
 * dispatcher follow.
 */
export const NOTIFIER_MODULES: readonly NotifierModule[] = [
  webhookNotifier,
  slackNotifier,
  pagerdutyNotifier,
  opsgenieNotifier,
  alertmanagerNotifier,
];

/** The `type:` values operators may write. */
export const NOTIFIER_TYPES = NOTIFIER_MODULES.map((m) => m.type) as [string, ...string[]];

const BY_TYPE: ReadonlyMap<string, NotifierModule> = new Map(
  NOTIFIER_MODULES.map((m) => [m.type, m]),
);

/** The module of a notifier type, or undefined for a type this build does not know. */
export function findNotifier(type: string): NotifierModule | undefined {
  return BY_TYPE.get(type);
}
