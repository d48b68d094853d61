import type { z } from 'zod';
import { secret, secretUrl } from '../config/fields.js';
import type { Alert, BuildContext, NotifyRequest } from './types.js';

/** One key a notifier takes besides `type`, `minSeverity` and the policy keys. */
export interface NotifierSetting {
  schema: z.ZodType;
  required?: boolean;
  /** Secrets are scrubbed everywhere and never echoed in config errors. */
  secret?: boolean;
}

/** Settings as configured: string values by key, absent when not given. */
export type NotifierSettings = Readonly<Record<string, string | undefined>>;

/**
 * Everything about one built-in notifier: its `type`, the keys it takes (secrets marked),
 * where it sends and how it builds a request. The registry (src/notify/registry.ts) lists
 * these; the config schema, env interpolation, scrubbing and the dispatcher read only it.
 */
export interface NotifierModule {
  readonly type: string;
  readonly settings: Readonly<Record<string, NotifierSetting>>;
  /** The URL requests go to (for logs and the default when none is configured). */
  target(settings: NotifierSettings): string;
  build(alert: Alert, settings: NotifierSettings, ctx: BuildContext): NotifyRequest;
  /** A fixed re-send cadence for receivers that expire alerts (overrides `remindEvery`). */
  readonly remindEveryMs?: number;
}

/**
 * A notifier module typed by its own settings `S`: the dispatcher hands it the configured
 * settings, whose required keys the config schema has already enforced.
 */
export function defineNotifier<S>(m: {
  type: string;
  settings: Readonly<Record<string, NotifierSetting>>;
  target(settings: S): string;
  build(alert: Alert, settings: S, ctx: BuildContext): NotifyRequest;
  remindEveryMs?: number;
}): NotifierModule {
  return m as unknown as NotifierModule;
}

/** Settings of a hosted incident API: its integration key under `K`, and an optional URL. */
export type HostedApiSettings<K extends string> = { [P in K]: string } & { url?: string };

/**
 * The keys and target of a notifier that posts to a hosted incident API: its integration key
 * (required, a secret) and `url`, another region or a test receiver, else `defaultUrl`.
 */
export function hostedApi<K extends string>(
  key: K,
  defaultUrl: string,
): {
  settings: Readonly<Record<string, NotifierSetting>>;
  target(settings: HostedApiSettings<K>): string;
} {
  return {
    settings: {
      [key]: { schema: secret(), required: true, secret: true },
      url: { schema: secretUrl() },
    },
    target: (s) => s.url ?? defaultUrl,
  };
}
