import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import pretty from 'pino-pretty';

/** The structured logger passed through Deps. */
export type Logger = PinoLogger;

/** How log lines are written: one JSON object per line (default), or for people. */
export type LogFormat = 'json' | 'pretty';

/** Reads LOG_FORMAT; undefined and '' mean json. Throws on anything else. */
export function logFormatFrom(value: string | undefined): LogFormat {
  if (value === undefined || value === '' || value === 'json') return 'json';
  if (value === 'pretty') return 'pretty';
  throw new Error(`LOG_FORMAT must be json or pretty, got "${value.slice(0, 40)}"`);
}

/**
 * A destination that prints each line for people (pino-pretty: local time, level name,
 * message, then the fields), written synchronously to `fd` (1 stdout, 2 stderr).
 */
export function prettyDestination(fd: 1 | 2, colorize = false): DestinationStream {
  return pretty({
    destination: fd,
    sync: true,
    colorize,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
  });
}

/**
 * A pino logger whose string messages and `msg`/`message`/`err` fields pass through
 * `scrub`, so a secret that reached a message (a vendor echoing a key) never reaches logs.
 * Times are ISO 8601 in UTC (`"time":"2026-12-04T19:30:00.000Z"`).
 */
export function createLogger(opts: {
  level?: string;
  scrub: (text: string) => string;
  destination?: DestinationStream;
}): Logger {
  const scrub = opts.scrub;
  return pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['apiKey', '*.apiKey', 'headers', '*.headers', 'authorization', '*.authorization'],
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => {
            if (typeof a === 'string') return scrub(a);
            if (a && typeof a === 'object' && !(a instanceof Error)) {
              const copy: Record<string, unknown> = { ...(a as Record<string, unknown>) };
              for (const [k, v] of Object.entries(copy)) {
                if (typeof v === 'string') copy[k] = scrub(v);
              }
              return copy;
            }
            if (a instanceof Error) return { err: { name: a.name, message: scrub(a.message) } };
            return a;
          });
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    opts.destination,
  );
}
