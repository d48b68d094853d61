import type { BellwetherConfig, ConsumerConfig, DependencyConfig } from './config/types.js';
import {
  type ConsumerEvaluation,
  type DependencyEvaluation,
  type EvaluationPolicy,
  evaluateConsumer,
  evaluateDependency,
  type Round,
} from './evaluate/evaluate.js';
import type { Logger } from './log.js';
import type { BreakerState, DependencyLabels, Metrics } from './metrics/metrics.js';
import type { Probe } from './probes/types.js';
import { DependencyRunner } from './runner/dependency-runner.js';
import { createScheduler, type Scheduler } from './runner/scheduler.js';
import { withTokenBudget } from './runner/token-budget.js';
import {
  type Agreement,
  agreement,
  declaredReason,
  type VendorStatus,
  vendorDeclaresProblem,
} from './statuspages/index.js';
import type { HistoryStore } from './store/sqlite-store.js';
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

/** Rounds kept in memory per dependency for evaluation (the store keeps the history). */
const ROUNDS_KEPT = 20;

/** Everything the monitor needs, built in main.ts. */
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
}

interface Tracked {
  agreement?: Agreement;
  runner: DependencyRunner;
  labels: DependencyLabels;
  rounds: Round[];
  evaluation: DependencyEvaluation;
  since?: number;
  overruns: number;
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

  constructor(deps: MonitorDeps) {
    this.deps = deps;
    for (const dep of deps.config.dependencies) {
      const labels = { dependency: dep.id, vendor: dep.vendor, model: dep.model ?? '' };
      const probe = deps.createProbe(dep);
      const budgeted =
        dep.dailyTokenBudget === undefined
          ? probe
          : withTokenBudget(probe, { dailyTokens: dep.dailyTokenBudget, clock: deps.clock });
      const runner = new DependencyRunner(dep, budgeted, {
        http: deps.http,
        now: deps.now,
        clock: deps.clock,
        logger: deps.logger,
        retryDelayMs: deps.retryDelayMs,
        onBreakerTransition: (id, to) => this.onBreakerTransition(id, to),
      });
      const carried = deps.previous?.carry(dep);
      const evaluation: DependencyEvaluation = carried?.evaluation ?? {
        state: 'unknown',
        reasons: ['not probed yet'],
      };
      this.tracked.set(dep.id, {
        runner,
        labels,
        rounds: carried?.rounds ?? [],
        evaluation,
        since: carried?.since,
        overruns: 0,
      });
      deps.metrics.describeDependency({
        ...labels,
        team: dep.team,
        objective: dep.objective,
        checks: dep.checks,
      });
      deps.metrics.setDependencyState(labels, evaluation.state);
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
    this.scheduler.start();
  }

  /** True once start() ran and until stop(). */
  get running(): boolean {
    return this.scheduler.running;
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
  carry(dep: DependencyConfig): Pick<Tracked, 'rounds' | 'evaluation' | 'since'> | undefined {
    const t = this.tracked.get(dep.id);
    if (!t || JSON.stringify(t.runner.dependency) !== JSON.stringify(dep)) return undefined;
    return { rounds: [...t.rounds], evaluation: t.evaluation, since: t.since };
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
      lastRound: t.rounds[0],
      since: t.since,
      overruns: t.overruns,
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
      });
      metrics.recordCheck(t.labels, r, round.finishedAt);
    }
    const countedResults = round.results.filter(
      (r) => !r.skipped && r.errorClass !== 'circuit_open',
    );
    if (countedResults.length > 0) {
      metrics.setBillingExhausted(
        id,
        countedResults.some((r) => r.reason === 'billing'),
      );
    }
    t.rounds.unshift(round);
    if (t.rounds.length > ROUNDS_KEPT) t.rounds.length = ROUNDS_KEPT;
    this.reevaluate(t, round.finishedAt);
    for (const listener of this.roundListeners) listener(id, round);
  }

  private onBreakerTransition(id: string, to: BreakerState): void {
    this.deps.metrics.setBreakerState(id, to);
    this.deps.metrics.breakerTransition(id, to);
    const t = this.tracked.get(id);
    if (t) this.reevaluate(t, this.deps.clock());
  }

  private reevaluate(t: Tracked, at: number): void {
    const previous = t.evaluation;
    const fromProbes = evaluateDependency(
      t.runner.dependency,
      t.rounds,
      t.runner.breakerState,
      this.deps.policy,
    );
    const vendor = this.vendorStatuses.get(pageOf(t.runner.dependency));
    t.agreement = agreement(vendor, fromProbes.state);
    const evaluation = withVendorStatus(fromProbes, vendor);
    t.evaluation = evaluation;
    if (evaluation.state === previous.state) return;
    t.since = at;
    this.deps.metrics.setDependencyState(t.labels, evaluation.state);
    const log = {
      dependency: t.labels.dependency,
      vendor: t.labels.vendor,
      from: previous.state,
      to: evaluation.state,
      reasons: evaluation.reasons,
    };
    if (evaluation.state === 'down' || evaluation.credentialProblem) {
      this.deps.logger.warn(log, 'dependency state changed');
    } else {
      this.deps.logger.info(log, 'dependency state changed');
    }
    for (const c of this.deps.config.consumers) {
      if (c.uses.includes(t.labels.dependency)) this.updateConsumer(c);
    }
  }

  private updateConsumer(c: ConsumerConfig): void {
    const evaluation = evaluateConsumer(
      c,
      (id) => this.tracked.get(id)?.evaluation.state ?? 'unknown',
    );
    const previous = this.consumers.get(c.id);
    this.consumers.set(c.id, evaluation);
    this.deps.metrics.setConsumerState(c.id, evaluation.state);
    if (previous && previous.state !== evaluation.state) {
      this.deps.logger.info(
        { consumer: c.id, from: previous.state, to: evaluation.state, route: evaluation.route },
        'consumer state changed',
      );
    }
  }
}
