import { CANARY_RUNS_KEPT, canaryFailing, canaryReason } from './canary/policy.js';
import type { CanaryRun, CanarySpec } from './canary/types.js';
import type { BellwetherConfig, ConsumerConfig, DependencyConfig } from './config/types.js';
import {
  type ConsumerEvaluation,
  type DependencyEvaluation,
  type EvaluationPolicy,
  evaluateConsumer,
  evaluateDependency,
  NOT_PROBED_YET,
  type Round,
} from './evaluate/evaluate.js';
import type { BreakerState } from './evaluate/states.js';
import { ran } from './evaluate/verdict.js';
import type { Logger } from './log.js';
import type { DependencyLabels, Metrics } from './metrics/metrics.js';
import { ModelTracker, type ModelView } from './models/tracker.js';
import type { Probe, ProbeContext } from './probes/types.js';
import { DEFAULT_RETRY_DELAY_MS, DependencyRunner } from './runner/dependency-runner.js';
import {
  createScheduler,
  DEFAULT_FIRST_RUN_SPREAD_MS,
  type Scheduler,
} from './runner/scheduler.js';
import { createTokenBudget, withTokenBudget } from './runner/token-budget.js';
import {
  type Agreement,
  agreement,
  declaredReason,
  type VendorStatus,
  vendorDeclaresProblem,
} from './statuspages/index.js';
import type { HistoryStore, StoredResult } from './store/sqlite-store.js';
import type { HttpClient } from './transport/http-client.js';

/** The status page a dependency follows: its own `statusPage`, else its vendor's. */
const pageOf = (dep: DependencyConfig): string => dep.statusPage ?? dep.vendor;

/** A vendor-declared problem makes a dependency at least degraded, and is always said. */
function withVendorStatus(
  e: DependencyEvaluation,
  vendor: VendorStatus | undefined,
): DependencyEvaluation {
  if (!vendor || !vendorDeclaresProblem(vendor)) return e;
  const reason = declaredReason(vendor) ?? `${vendor.vendor} status page reports a problem`;
  if (e.state === 'healthy') return { ...e, state: 'degraded', reasons: [reason] };
  return { ...e, reasons: [...e.reasons, reason] };
}

/**
 * A failing canary makes a dependency at least degraded, never down: the vendor answers, but
 * not as the security tool needs. Each failing canary is named with its outcome.
 */
function withFailingCanaries(e: DependencyEvaluation, failing: CanaryRun[]): DependencyEvaluation {
  if (failing.length === 0) return e;
  const reasons = failing.map(canaryReason);
  const failingCanaries = failing.map((r) => r.canary);
  if (e.state === 'healthy') {
    return { ...e, state: 'degraded', reasons, failingCanaries, degradedByCanaries: true };
  }
  return { ...e, reasons: [...e.reasons, ...reasons], failingCanaries };
}

/** Rounds kept in memory per dependency for evaluation (the store keeps the history). */
const ROUNDS_KEPT = 20;

/** The start-up wait for first rounds never exceeds this, whatever the timeouts. */
const MAX_STARTUP_MS = 60_000;

/** Stored results (newest first) back into rounds (newest first): a round's results share `at`. */
export function roundsFromHistory(results: readonly StoredResult[]): Round[] {
  const rounds: Round[] = [];
  for (const { dependency: _, at, ...result } of results) {
    let round = rounds[rounds.length - 1];
    if (round?.startedAt !== at) {
      round = { startedAt: at, finishedAt: at, results: [] };
      rounds.push(round);
    }
    round.results.unshift(result);
    round.finishedAt = Math.max(round.finishedAt, at + result.latencyMs);
  }
  return rounds;
}

const ageText = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
};

/** Everything the monitor needs, built in bellwether.ts. */
export interface MonitorDeps {
  config: BellwetherConfig;
  createProbe: (dep: DependencyConfig) => Probe;
  http: HttpClient;
  store: HistoryStore;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  clock: () => number;
  retryDelayMs?: number;
  firstRunSpreadMs?: number;
  policy?: EvaluationPolicy;
  /** The monitor this one replaces on a config reload: unchanged dependencies keep their recent rounds. */
  previous?: Monitor;
  /** Runs a dependency's canaries through its vendor (absent, or undefined for a vendor: none run). */
  createCanaryRunner?: (
    dep: DependencyConfig,
  ) => ((canary: CanarySpec, ctx: ProbeContext) => Promise<CanaryRun>) | undefined;
}

/** A dependency's live view, for the API and the status page. */
export interface DependencySnapshot {
  config: DependencyConfig;
  evaluation: DependencyEvaluation;
  /** What the vendor's own status page says, when one is configured for this dependency. */
  vendorStatus?: VendorStatus;
  /** Whether our probes agree with the vendor's status page. */
  agreement?: Agreement;
  breaker: BreakerState;
  lastRound?: Round;
  /** Epoch ms since when the dependency has been in its current state. */
  since?: number;
  overruns: number;
  /** Each canary the dependency runs, with its recent runs (newest first). */
  canaries: { spec: CanarySpec; runs: CanaryRun[]; failing: boolean }[];
  /** What the vendor says serves it, and the model changes seen (newest first). */
  models?: ModelView;
}

interface Tracked {
  agreement?: Agreement;
  runner: DependencyRunner;
  labels: DependencyLabels;
  /** Rounds run by this process (carried over a reload), newest first. */
  rounds: Round[];
  /** Rounds read from history at start; judged only until the first fresh round replaces them. */
  history: Round[];
  evaluation: DependencyEvaluation;
  since?: number;
  overruns: number;
  /** Canary id → its recent runs, newest first (read from history at start). */
  canaryRuns: Map<string, CanaryRun[]>;
  /** Baseline and changes of the model behind it (read from the store, so a reload keeps them). */
  models: ModelTracker;
}

/**
 * Owns the runners, schedules their rounds, and turns each round into history, metrics,
 * states and logs. The one place where a probe round's result fans out.
 */
export class Monitor {
  private readonly deps: MonitorDeps;
  private readonly tracked = new Map<string, Tracked>();
  private readonly consumers = new Map<string, ConsumerEvaluation>();
  private readonly scheduler: Scheduler;
  private readonly vendorStatuses = new Map<string, VendorStatus>();
  private readonly roundListeners = new Set<(dependency: string, round: Round) => void>();
  /** Epoch ms of the first start(): start-up readiness and the age of stale states count from it. */
  private startedAt: number | undefined;

  constructor(deps: MonitorDeps) {
    this.deps = deps;
    // A reload is not a start: readiness and the age of stale states keep counting from the first.
    this.startedAt = deps.previous?.startedAt;
    for (const dep of deps.config.dependencies) {
      const labels = { dependency: dep.id, vendor: dep.vendor, model: dep.model ?? '' };
      const probe = deps.createProbe(dep);
      // One budget for the completion check and the canaries.
      const budget =
        dep.dailyTokenBudget === undefined
          ? undefined
          : createTokenBudget({ dailyTokens: dep.dailyTokenBudget, clock: deps.clock });
      const budgeted = budget ? withTokenBudget(probe, budget) : probe;
      const canaryRunner = dep.canaries ? deps.createCanaryRunner?.(dep) : undefined;
      const runner = new DependencyRunner(dep, budgeted, {
        http: deps.http,
        now: deps.now,
        clock: deps.clock,
        logger: deps.logger,
        retryDelayMs: deps.retryDelayMs,
        onBreakerTransition: (id, to) => this.onBreakerTransition(id, to),
        ...(canaryRunner
          ? {
              runCanary: async (canary: CanarySpec, ctx: ProbeContext) => {
                const run = await canaryRunner(canary, ctx);
                budget?.charge(run.tokens);
                return run;
              },
              canaryAllowed: () => budget?.allows() ?? true,
            }
          : {}),
      });
      const carried = deps.previous?.carry(dep);
      const t: Tracked = {
        runner,
        labels,
        rounds: carried?.rounds ?? [],
        history:
          carried?.history ??
          roundsFromHistory(deps.store.recent(dep.id, ROUNDS_KEPT * dep.checks.length)),
        evaluation: carried?.evaluation ?? { state: 'unknown', reasons: [NOT_PROBED_YET] },
        since: carried?.since,
        overruns: 0,
        canaryRuns:
          carried?.canaryRuns ??
          new Map(
            (dep.canaries ?? []).map((c) => [
              c.id,
              deps.store.recentCanaryRuns(dep.id, c.id, CANARY_RUNS_KEPT),
            ]),
          ),
        models: new ModelTracker(dep, {
          store: deps.store,
          metrics: deps.metrics,
          logger: deps.logger,
        }),
      };
      if (!carried) t.evaluation = this.judge(t);
      this.tracked.set(dep.id, t);
      deps.metrics.describeDependency({
        ...labels,
        team: dep.team,
        objective: dep.objective,
        checks: dep.checks,
      });
      deps.metrics.describeCanaries(
        dep.id,
        (dep.canaries ?? []).map((c) => c.id),
      );
      deps.metrics.setDependencyState(labels, t.evaluation.state);
      deps.metrics.setBreakerState(dep.id, 'closed');
    }
    for (const c of deps.config.consumers) {
      deps.metrics.describeConsumer(c);
      this.updateConsumer(c);
    }
    this.scheduler = createScheduler(
      deps.config.dependencies.map((dep) => ({
        id: dep.id,
        intervalMs: dep.intervalMs,
        schedule: dep.schedule,
        run: () => {
          void this.runScheduled(dep.id);
        },
      })),
      { logger: deps.logger, firstRunSpreadMs: deps.firstRunSpreadMs },
    );
  }

  /** Starts scheduled probing. */
  start(): void {
    this.startedAt ??= this.deps.clock();
    this.scheduler.start();
  }

  /** True once start() ran and until stop(). */
  get running(): boolean {
    return this.scheduler.running;
  }

  /**
   * How long start-up may wait for first rounds: the first-run spread plus the slowest
   * dependency's round with every retry timing out, at most {@link MAX_STARTUP_MS}.
   */
  get startupBoundMs(): number {
    const slowest = Math.max(
      0,
      ...[...this.tracked.values()].map(
        ({ runner }) =>
          runner.dependency.checks.length *
          (runner.dependency.retries + 1) *
          (runner.dependency.timeoutMs + (this.deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS)),
      ),
    );
    return Math.min(
      MAX_STARTUP_MS,
      (this.deps.firstRunSpreadMs ?? DEFAULT_FIRST_RUN_SPREAD_MS) + slowest + 1000,
    );
  }

  /**
   * Null when ready: running, and every dependency has finished a round since start (or the
   * start-up bound passed); else why not, for /readyz.
   */
  notReady(): string | null {
    if (!this.running || this.startedAt === undefined) return 'scheduler not running';
    const waiting = [...this.tracked.entries()].filter(([, t]) => t.rounds.length === 0);
    if (waiting.length === 0) return null;
    const left = this.startedAt + this.startupBoundMs - this.deps.clock();
    if (left <= 0) return null;
    const ids = waiting.map(([id]) => id);
    const named = ids.length > 3 ? `${ids.slice(0, 3).join(', ')}, …` : ids.join(', ');
    return `starting: ${ids.length} ${ids.length === 1 ? 'dependency has' : 'dependencies have'} not finished a first probe round (${named}); ready in at most ${Math.ceil(left / 1000)} s`;
  }

  /**
   * Stops scheduling, then waits for in-flight rounds up to `drainMs` (their own timeouts
   * bound them anyway). Returns how many rounds were still running when it gave up.
   */
  async stop(drainMs: number): Promise<number> {
    this.scheduler.stop();
    const pending = [...this.tracked.values()].filter((t) => t.runner.busy);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), drainMs);
    });
    const outcome = await Promise.race([
      Promise.all(pending.map((t) => t.runner.idle())).then(() => 'done' as const),
      gaveUp,
    ]);
    clearTimeout(timer);
    for (const t of this.tracked.values()) t.runner.shutdown();
    return outcome === 'done' ? 0 : pending.filter((t) => t.runner.busy).length;
  }

  /**
   * The recent rounds of a dependency whose config is unchanged, for the monitor that
   * replaces this one on a reload; undefined when it changed or is new.
   */
  carry(
    dep: DependencyConfig,
  ): Pick<Tracked, 'rounds' | 'history' | 'evaluation' | 'since' | 'canaryRuns'> | undefined {
    const t = this.tracked.get(dep.id);
    if (!t || JSON.stringify(t.runner.dependency) !== JSON.stringify(dep)) return undefined;
    return {
      rounds: [...t.rounds],
      history: t.history,
      evaluation: t.evaluation,
      since: t.since,
      canaryRuns: new Map(t.canaryRuns),
    };
  }

  /** Runs one fresh round of a dependency now (after any round in flight); null for an unknown id. */
  async probeNow(id: string): Promise<Round | null> {
    const t = this.tracked.get(id);
    if (!t) return null;
    // Asked for on purpose (CLI, tests): wait for a scheduled round in flight, then run a
    // fresh one, rather than count an overrun.
    for (;;) {
      await t.runner.idle();
      const pending = t.runner.runRound();
      if (pending) return this.settle(t, pending);
    }
  }

  /** A scheduled round: skipped and counted as an overrun while the previous one runs. */
  private async runScheduled(id: string): Promise<Round | null> {
    const t = this.tracked.get(id);
    if (!t) return null;
    const pending = t.runner.runRound();
    if (!pending) {
      t.overruns++;
      this.deps.metrics.probeOverrun(id);
      this.deps.logger.warn(
        { dependency: id },
        'probe round skipped: the previous round is still running (overrun)',
      );
      return null;
    }
    return this.settle(t, pending);
  }

  private async settle(t: Tracked, pending: Promise<Round>): Promise<Round | null> {
    try {
      const round = await pending;
      this.onRound(t, round);
      return round;
    } catch (err) {
      this.deps.logger.error(
        { dependency: t.labels.dependency, err: (err as Error).message },
        'probe round crashed',
      );
      return null;
    }
  }

  /** One round of every dependency at once, for `bellwether check`. */
  async probeAll(): Promise<void> {
    await Promise.all([...this.tracked.keys()].map((id) => this.probeNow(id)));
  }

  /** Called after each completed round (tests, notifiers). */
  onRoundCompleted(listener: (dependency: string, round: Round) => void): () => void {
    this.roundListeners.add(listener);
    return () => this.roundListeners.delete(listener);
  }

  dependency(id: string): DependencySnapshot | undefined {
    const t = this.tracked.get(id);
    if (!t) return undefined;
    return {
      config: t.runner.dependency,
      evaluation: t.evaluation,
      vendorStatus: this.vendorStatuses.get(pageOf(t.runner.dependency)),
      agreement: t.agreement,
      breaker: t.runner.breakerState,
      lastRound: t.rounds[0] ?? t.history[0],
      since: t.since,
      overruns: t.overruns,
      canaries: (t.runner.dependency.canaries ?? []).map((spec) => {
        const runs = t.canaryRuns.get(spec.id) ?? [];
        return { spec, runs, failing: canaryFailing(runs) };
      }),
      models: t.models.view(),
    };
  }

  dependencies(): DependencySnapshot[] {
    return [...this.tracked.keys()].map((id) => this.dependency(id) as DependencySnapshot);
  }

  consumer(id: string): ConsumerEvaluation | undefined {
    return this.consumers.get(id);
  }

  /** A vendor status page was polled: export it and re-judge the dependencies that follow it. */
  setVendorStatus(status: VendorStatus): void {
    this.vendorStatuses.set(status.vendor, status);
    this.deps.metrics.setVendorStatus(status);
    for (const t of this.tracked.values()) {
      if (pageOf(t.runner.dependency) === status.vendor) this.reevaluate(t, this.deps.clock());
    }
  }

  private onRound(t: Tracked, round: Round): void {
    const { store, metrics } = this.deps;
    const id = t.labels.dependency;
    for (const r of round.results) {
      store.record({
        dependency: id,
        check: r.check,
        at: round.startedAt,
        ok: r.ok,
        latencyMs: r.latencyMs,
        ttftMs: r.ttftMs,
        errorClass: r.errorClass,
        httpStatus: r.httpStatus,
        attempts: r.attempts,
        message: r.message,
        skipped: r.skipped,
        credentialsMissing: r.credentialsMissing,
        // Kept for failures only: what on-call quotes to the vendor's support.
        requestId: r.ok ? undefined : r.requestId,
      });
      metrics.recordCheck(t.labels, r, round.finishedAt);
    }
    const countedResults = round.results.filter(ran);
    if (countedResults.length > 0) {
      metrics.setBillingExhausted(
        id,
        countedResults.some((r) => r.reason === 'billing'),
      );
    }
    // An event, never an outage: the evaluation below does not see it.
    t.models.observe(round.results, round.startedAt);
    for (const run of round.canaries ?? []) {
      store.recordCanary(id, run);
      const runs = [run, ...(t.canaryRuns.get(run.canary) ?? [])].slice(0, CANARY_RUNS_KEPT);
      t.canaryRuns.set(run.canary, runs);
      metrics.recordCanary(t.labels, run, canaryFailing(runs));
    }
    t.models.onCanaryRuns(round.canaries ?? []);
    t.rounds.unshift(round);
    if (t.rounds.length > ROUNDS_KEPT) t.rounds.length = ROUNDS_KEPT;
    t.history = [];
    this.reevaluate(t, round.finishedAt);
    for (const listener of this.roundListeners) listener(id, round);
  }

  private onBreakerTransition(id: string, to: BreakerState): void {
    this.deps.metrics.setBreakerState(id, to);
    this.deps.metrics.breakerTransition(id, to);
    const t = this.tracked.get(id);
    if (t) this.reevaluate(t, this.deps.clock());
  }

  /**
   * The dependency's evaluation from its fresh rounds or, before the first one, from the
   * rounds history kept from before this start: the same state, marked stale with its age.
   */
  private judge(t: Tracked): DependencyEvaluation {
    return withFailingCanaries(this.judgeProbes(t), this.failingRuns(t));
  }

  /** The newest run of each canary that is failing on the dependency. */
  private failingRuns(t: Tracked): CanaryRun[] {
    return [...t.canaryRuns.values()].flatMap((runs) =>
      canaryFailing(runs) && runs[0] ? [runs[0]] : [],
    );
  }

  private judgeProbes(t: Tracked): DependencyEvaluation {
    const stale = t.rounds.length === 0 ? t.history[0] : undefined;
    const evaluation = evaluateDependency(
      t.runner.dependency,
      stale ? t.history : t.rounds,
      t.runner.breakerState,
      this.deps.policy,
    );
    if (!stale) return evaluation;
    const age = ageText((this.startedAt ?? this.deps.clock()) - stale.finishedAt);
    return {
      ...evaluation,
      stale: { probedAt: stale.startedAt },
      reasons: [
        `last known state, from history: probed ${age} before this start, not since`,
        ...evaluation.reasons,
      ],
    };
  }

  private reevaluate(t: Tracked, at: number): void {
    const previous = t.evaluation;
    // Agreement compares the vendor's page with what the availability probes saw.
    const fromProbes = this.judgeProbes(t);
    const vendor = this.vendorStatuses.get(pageOf(t.runner.dependency));
    t.agreement = agreement(vendor, fromProbes.state);
    const evaluation = withVendorStatus(
      withFailingCanaries(fromProbes, this.failingRuns(t)),
      vendor,
    );
    t.evaluation = evaluation;
    // Consumers are judged again on a change of state, and on a first round that left the
    // state as it was (unknown, our key rejected): "not probed yet" no longer holds for them.
    const firstRound =
      previous.reasons[0] === NOT_PROBED_YET && evaluation.reasons[0] !== NOT_PROBED_YET;
    if (evaluation.state === previous.state) {
      if (firstRound) this.updateConsumersOf(t.labels.dependency);
      return;
    }
    t.since = at;
    this.deps.metrics.setDependencyState(t.labels, evaluation.state);
    const requestId = t.rounds[0]?.results.find((r) => !r.ok && r.requestId)?.requestId;
    const log = {
      dependency: t.labels.dependency,
      vendor: t.labels.vendor,
      from: previous.state,
      to: evaluation.state,
      reasons: evaluation.reasons,
      ...(requestId ? { requestId } : {}),
    };
    // Down pages (critical); degraded and our own credentials are worth a look (warning).
    const level =
      evaluation.state === 'down'
        ? 'error'
        : evaluation.state === 'degraded' || evaluation.credentialProblem
          ? 'warn'
          : 'info';
    this.deps.logger[level](log, 'dependency state changed');
    this.updateConsumersOf(t.labels.dependency);
  }

  private updateConsumersOf(dependency: string): void {
    for (const c of this.deps.config.consumers) {
      if (c.uses.includes(dependency)) this.updateConsumer(c);
    }
  }

  private updateConsumer(c: ConsumerConfig): void {
    const evaluation = evaluateConsumer(
      c,
      (id) => this.tracked.get(id)?.evaluation.state ?? 'unknown',
      (id) => {
        const t = this.tracked.get(id);
        return t !== undefined && (t.rounds.length > 0 || t.history.length > 0);
      },
      (id) => {
        const t = this.tracked.get(id);
        return t ? this.failingRuns(t).map((r) => r.canary) : [];
      },
    );
    const previous = this.consumers.get(c.id);
    this.consumers.set(c.id, evaluation);
    this.deps.metrics.setConsumerState(c.id, evaluation.state);
    if (previous && previous.state !== evaluation.state) {
      // A tool with no usable dependency is the P1 event; running on a fallback, a warning.
      const level = { down: 'error', degraded: 'warn', ok: 'info' } as const;
      this.deps.logger[level[evaluation.state]](
        {
          consumer: c.id,
          from: previous.state,
          to: evaluation.state,
          route: evaluation.route,
          reason: evaluation.reason,
        },
        'consumer state changed',
      );
    }
  }
}
