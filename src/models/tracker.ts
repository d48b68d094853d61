import type { CanaryRun } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CheckResult } from '../probes/types.js';
import type { HistoryStore } from '../store/sqlite-store.js';
import {
  detectModelChanges,
  type ModelBaseline,
  type ModelChange,
  observeRound,
} from './changes.js';

/** Changes kept in memory per dependency and shown by the API, newest first. */
export const MODEL_CHANGES_KEPT = 20;
/** Canary runs are compared over at most this long before and after a change. */
export const CANARY_WINDOW_MS = 24 * 3_600_000;

/** Canary runs and passes. */
export interface Tally {
  runs: number;
  passed: number;
}

/** A change with the dependency's canary pass counts around it (null: no canaries configured). */
export interface TrackedChange {
  change: ModelChange;
  canaries: { before: Tally; after: Tally } | null;
}

/** What the API and the page show about the model behind a dependency. */
export interface ModelView {
  servedModel?: string;
  systemFingerprint?: string;
  /** Newest first. */
  changes: TrackedChange[];
}

/** What a tracker needs; the monitor passes its own. */
export interface ModelTrackerDeps {
  store: Pick<
    HistoryStore,
    | 'modelBaseline'
    | 'saveModelBaseline'
    | 'recordModelChange'
    | 'recentModelChanges'
    | 'canaryTally'
  >;
  metrics: Pick<Metrics, 'describeModelChanges' | 'modelChanged' | 'setServedModel'>;
  logger: Logger;
}

/**
 * One dependency's model-change detection over its rounds: the baseline and recent changes
 * live in the store (a restart or a reload reads them back, so neither raises an event), the
 * decision is {@link detectModelChanges}'s. A change is counted, logged and kept; it never
 * touches the dependency's state.
 */
export class ModelTracker {
  private readonly dep: DependencyConfig;
  private readonly deps: ModelTrackerDeps;
  private baseline: ModelBaseline | undefined;
  private changes: TrackedChange[];
  private lastFingerprint: string | undefined;
  private readonly withCanaries: boolean;

  constructor(dep: DependencyConfig, deps: ModelTrackerDeps) {
    this.dep = dep;
    this.deps = deps;
    this.withCanaries = (dep.canaries?.length ?? 0) > 0;
    this.baseline = deps.store.modelBaseline(dep.id);
    const stored = deps.store.recentModelChanges(dep.id, MODEL_CHANGES_KEPT);
    // Windows end at the neighbouring change of another round (newest first in `stored`).
    this.changes = stored.map((change, i) => ({
      change,
      canaries: this.tallies(
        change,
        stored.slice(i + 1).find((c) => c.at < change.at)?.at,
        stored
          .slice(0, i)
          .reverse()
          .find((c) => c.at > change.at)?.at,
      ),
    }));
    // Only checks that ask a model can see a change: an `http` dependency gets no series.
    if (dep.checks.some((c) => c === 'completion' || c === 'embeddings')) {
      deps.metrics.describeModelChanges(dep.id);
    }
    const served = this.served();
    if (served !== undefined) deps.metrics.setServedModel(dep.id, served);
  }

  /** The served model of the baseline, when it belongs to the configured model. */
  private served(): string | undefined {
    const s = this.baseline?.served;
    return s !== undefined && s.model === (this.dep.model ?? '') ? s.servedModel : undefined;
  }

  /** Canary runs in the windows before and after `change`, each ending at the neighbouring change. */
  private tallies(
    change: ModelChange,
    previousAt: number | undefined,
    nextAt: number | undefined,
  ): TrackedChange['canaries'] {
    if (!this.withCanaries) return null;
    const { id } = this.dep;
    const from = Math.max(change.at - CANARY_WINDOW_MS, previousAt ?? Number.NEGATIVE_INFINITY);
    const to = Math.min(change.at + CANARY_WINDOW_MS, nextAt ?? Number.POSITIVE_INFINITY);
    return {
      before: this.deps.store.canaryTally(id, from, change.at),
      after: this.deps.store.canaryTally(id, change.at, to),
    };
  }

  /** Judges one round's results (`at`: the round's start); returns the changes it found. */
  observe(results: readonly CheckResult[], at: number): ModelChange[] {
    const obs = observeRound(this.dep, results, at);
    if (obs.systemFingerprint !== undefined) this.lastFingerprint = obs.systemFingerprint;
    const { changes, baseline, dirty } = detectModelChanges(this.baseline, obs);
    this.baseline = baseline;
    const { store, metrics, logger } = this.deps;
    const id = this.dep.id;
    if (dirty) store.saveModelBaseline(id, baseline);
    for (const change of changes) {
      store.recordModelChange(id, change);
      metrics.modelChanged(id, change.kind);
      const previousAt = this.changes.find((c) => c.change.at < change.at)?.change.at;
      // Its canary runs so far: none after it yet; the ones before, from history.
      this.changes.unshift({ change, canaries: this.tallies(change, previousAt, change.at) });
      logger.warn(
        {
          dependency: id,
          kind: change.kind,
          from: change.from,
          to: change.to,
          ...(change.similarity === undefined ? {} : { similarity: change.similarity }),
        },
        'model change detected',
      );
    }
    if (this.changes.length > MODEL_CHANGES_KEPT) this.changes.length = MODEL_CHANGES_KEPT;
    const served = this.served();
    if (served !== undefined) metrics.setServedModel(id, served);
    return changes;
  }

  /** Canary runs of a round: they count after the newest change, within its window. */
  onCanaryRuns(runs: readonly CanaryRun[]): void {
    const at = this.changes[0]?.change.at;
    if (at === undefined || !this.withCanaries) return;
    // Changes seen in the same round share their after-window.
    for (const { change, canaries } of this.changes) {
      if (change.at !== at || canaries === null) break;
      for (const run of runs) {
        if (run.at < at || run.at >= at + CANARY_WINDOW_MS) continue;
        canaries.after.runs++;
        if (run.outcome === 'pass') canaries.after.passed++;
      }
    }
  }

  view(): ModelView {
    const served = this.served();
    const fingerprint =
      this.lastFingerprint ??
      (served === undefined ? undefined : this.baseline?.served?.fingerprints[0]?.value);
    return {
      ...(served === undefined ? {} : { servedModel: served }),
      ...(fingerprint === undefined ? {} : { systemFingerprint: fingerprint }),
      changes: this.changes.map((c) => ({
        change: c.change,
        canaries: c.canaries && {
          before: { ...c.canaries.before },
          after: { ...c.canaries.after },
        },
      })),
    };
  }
}
