import type { Round } from '../evaluate/evaluate.js';
import { countsForUptime } from '../evaluate/verdict.js';
import type { DependencySnapshot, Monitor } from '../monitor.js';
import { vendorDeclaresProblem } from '../statuspages/index.js';
import type { IncidentState, IncidentStore, VendorIncidentLink } from '../store/incidents.js';

/** What the recorder reads from the monitor. */
export type ObservedMonitor = Pick<Monitor, 'onRoundCompleted' | 'dependency' | 'dependencies'>;

/** Turns the monitor's state changes into incidents and daily uptime counts. */
export interface IncidentRecorder {
  /**
   * Follows every completed round of `monitor`; returns a function that unsubscribes. Open
   * incidents of dependencies `monitor` no longer has (removed by a reload) end now.
   */
  observe(monitor: ObservedMonitor): () => void;
  /** What observe() does per round (tests drive it directly). */
  record(snapshot: DependencySnapshot, round: Round): void;
}

/** Options for {@link createIncidentRecorder}. */
export interface IncidentRecorderOptions {
  store: IncidentStore;
  /** The vantage now running (it may change on a reload). */
  vantage: () => string;
  clock: () => number;
}

/** Trouble that resumes this soon after an incident ended reopens it: a flap is one incident. */
export const MERGE_GAP_MS = 5 * 60_000;
/** Incidents and daily counts are kept this long: a year of monthly reports and the month before. */
export const INCIDENT_RETENTION_MS = 400 * 86_400_000;

const RANK: Record<IncidentState, number> = { degraded: 1, down: 2 };
const isIncidentState = (s: string): s is IncidentState => s === 'degraded' || s === 'down';

interface Open {
  id: number;
  state: IncidentState;
  worst: IncidentState;
  errorClasses: string[];
  vendorIncident?: VendorIncidentLink;
}

function vendorIncidentOf(s: DependencySnapshot): VendorIncidentLink | undefined {
  const status = s.vendorStatus;
  if (!status || !vendorDeclaresProblem(status)) return undefined;
  const first = status.incidents[0];
  if (first === undefined) return undefined;
  return first.url === undefined ? { name: first.name } : { name: first.name, url: first.url };
}

/**
 * An incident opens when a dependency becomes degraded or down, records each state it passes
 * through (with exact times: the monitor's `since`), collects the error classes of failed checks
 * and the vendor's own incident when its status page declares one, and ends when the dependency
 * is healthy again or can no longer be judged (unknown). Trouble within {@link MERGE_GAP_MS} of
 * the end reopens the same incident.
 */
export function createIncidentRecorder(opts: IncidentRecorderOptions): IncidentRecorder {
  const { store } = opts;
  const open = new Map<string, Open>();
  const seen = new Set<string>();
  let prunedDay = -1;

  // After a restart, an incident left open continues (its downtime went on while we were away).
  const resume = (dependency: string): void => {
    if (seen.has(dependency)) return;
    seen.add(dependency);
    const last = store.lastIncident(dependency);
    if (last === undefined || last.endedAt !== undefined) return;
    const span = store
      .spans(last.startedAt, Number.MAX_SAFE_INTEGER)
      .filter((s) => s.incidentId === last.id && s.endedAt === undefined)
      .at(-1);
    open.set(dependency, {
      id: last.id,
      state: span?.state ?? last.worst,
      worst: last.worst,
      errorClasses: [...last.errorClasses],
      vendorIncident: last.vendorIncident,
    });
  };

  const pruneDaily = (now: number): void => {
    const day = Math.floor(now / 86_400_000);
    if (day === prunedDay) return;
    prunedDay = day;
    store.prune(now - INCIDENT_RETENTION_MS);
  };

  const record = (snapshot: DependencySnapshot, round: Round): void => {
    const dependency = snapshot.config.id;
    resume(dependency);
    pruneDaily(opts.clock());
    const counted = round.results.filter(countsForUptime);
    store.countDay(dependency, round.startedAt, counted.length, counted.filter((r) => r.ok).length);

    const { state, reasons } = snapshot.evaluation;
    const at = snapshot.since ?? round.finishedAt;
    const current = open.get(dependency);
    if (!isIncidentState(state)) {
      if (current) {
        store.switchSpan(current.id, dependency, at);
        store.updateIncident(current.id, { endedAt: at });
        open.delete(dependency);
      }
      return;
    }
    const cause = reasons.join('; ');
    const classes = round.results
      .filter((r) => !r.ok && !r.skipped && r.errorClass && r.errorClass !== 'circuit_open')
      .map((r) => r.errorClass as string);
    const vendorIncident = vendorIncidentOf(snapshot);

    if (!current) {
      const last = store.lastIncident(dependency);
      const merge =
        last?.endedAt !== undefined && at - last.endedAt <= MERGE_GAP_MS && last.endedAt <= at;
      if (last && merge) {
        const worst = RANK[state] > RANK[last.worst] ? state : last.worst;
        const errorClasses = [...new Set([...last.errorClasses, ...classes])];
        const reopened: Open = {
          id: last.id,
          state,
          worst,
          errorClasses,
          vendorIncident: last.vendorIncident ?? vendorIncident,
        };
        store.updateIncident(last.id, {
          endedAt: null,
          worst,
          errorClasses,
          ...(worst !== last.worst ? { cause } : {}),
          ...(last.vendorIncident === undefined && vendorIncident ? { vendorIncident } : {}),
        });
        store.switchSpan(last.id, dependency, at, state);
        open.set(dependency, reopened);
        return;
      }
      const id = store.openIncident({
        dependency,
        vendor: snapshot.config.vendor,
        vantage: opts.vantage(),
        startedAt: at,
        worst: state,
        errorClasses: [...new Set(classes)],
        cause,
        ...(vendorIncident ? { vendorIncident } : {}),
      });
      if (id === undefined) return;
      store.switchSpan(id, dependency, at, state);
      open.set(dependency, {
        id,
        state,
        worst: state,
        errorClasses: [...new Set(classes)],
        vendorIncident,
      });
      return;
    }

    if (state !== current.state) {
      store.switchSpan(current.id, dependency, at, state);
      current.state = state;
    }
    const patch: Parameters<IncidentStore['updateIncident']>[1] = {};
    if (RANK[state] > RANK[current.worst]) {
      current.worst = state;
      patch.worst = state;
      patch.cause = cause;
    }
    const fresh = classes.filter((c) => !current.errorClasses.includes(c));
    if (fresh.length > 0) {
      current.errorClasses = [...new Set([...current.errorClasses, ...fresh])];
      patch.errorClasses = current.errorClasses;
    }
    if (current.vendorIncident === undefined && vendorIncident) {
      current.vendorIncident = vendorIncident;
      patch.vendorIncident = vendorIncident;
    }
    if (Object.keys(patch).length > 0) store.updateIncident(current.id, patch);
  };

  return {
    observe(monitor) {
      const kept = new Set(monitor.dependencies().map((d) => d.config.id));
      for (const [dependency, incident] of open) {
        if (kept.has(dependency)) continue;
        const now = opts.clock();
        store.switchSpan(incident.id, dependency, now);
        store.updateIncident(incident.id, { endedAt: now });
        open.delete(dependency);
      }
      return monitor.onRoundCompleted((id, round) => {
        const snapshot = monitor.dependency(id);
        if (snapshot) record(snapshot, round);
      });
    },
    record,
  };
}
