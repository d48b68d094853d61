import type { BellwetherConfig } from './config/types.js';
import { createIncidentRecorder } from './incidents/recorder.js';
import type { Monitor } from './monitor.js';
import { createOtlpExport } from './otlp/export.js';
import type { Shared } from './runtime.js';
import { type IncidentStore, openIncidentStore } from './store/incidents.js';

/** Follows the rounds of whichever monitor runs; returns a function that stops following. */
export type RoundObserver = (monitor: Monitor) => () => void;

/** What outlives a config besides {@link Shared}: incident history and the OTLP export. */
export interface Followers {
  /** Subscribed by each runtime on start (see RuntimeOptions.observers). */
  observers: RoundObserver[];
  incidents: IncidentStore;
  /** Sends the last OTLP points (bounded by `flushMs`) and closes the incident store. */
  close(flushMs: number): Promise<void>;
}

/** Incidents live in the history database; like history, in memory when the file fails. */
function openIncidents(path: string, shared: Shared): IncidentStore {
  const onError = (err: Error, op: string) =>
    shared.logger.error({ op, err: shared.scrub(err.message) }, 'incident store error');
  try {
    return openIncidentStore({ path, onError });
  } catch (err) {
    shared.logger.error(
      { path, err: shared.scrub((err as Error).message) },
      'incident history unavailable; keeping incidents in memory (lost on restart)',
    );
    return openIncidentStore({ path: ':memory:', onError });
  }
}

/**
 * Builds the incident recorder on the history database at `path` and, when `config.otlp` is
 * set, the OTLP export (its settings apply until restart). `vantage` is the one now running.
 */
export function createFollowers(opts: {
  config: BellwetherConfig;
  path: string;
  shared: Shared;
  vantage: () => string;
  version: string;
}): Followers {
  const { config, shared } = opts;
  const incidents = openIncidents(opts.path, shared);
  const recorder = createIncidentRecorder({
    store: incidents,
    vantage: opts.vantage,
    clock: () => Date.now(),
  });
  const otlp = config.otlp
    ? createOtlpExport({
        config: config.otlp,
        logger: shared.logger.child({ component: 'otlp' }),
        vantage: config.vantage,
        version: opts.version,
      })
    : undefined;
  const observers: RoundObserver[] = [(m) => recorder.observe(m)];
  if (otlp) observers.push((m) => otlp.observe(m));
  return {
    observers,
    incidents,
    async close(flushMs) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, flushMs);
      });
      await Promise.race([otlp?.shutdown().catch(() => undefined), gaveUp]);
      clearTimeout(timer);
      incidents.close();
    },
  };
}
