import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

/** The structured logger passed through Deps. */
export type Logger = PinoLogger;

/**
 * A pino logger whose string messages and `msg`/`message`/`err` fields pass through
 * `scrub`, so a secret that reached a message (a vendor echoing a key) never reaches logs.
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
