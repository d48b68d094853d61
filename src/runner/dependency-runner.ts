import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import type { CanaryRun, CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import type { AttemptedResult, Round } from '../evaluate/evaluate.js';
import type { BreakerState } from '../evaluate/states.js';
import { isFailure, roundVerdict } from '../evaluate/verdict.js';
import type { Logger } from '../log.js';
import type { CheckName, CheckResult, ErrorClass, Probe, ProbeContext } from '../probes/types.js';
import { boundVendorNumbers } from '../probes/vendor-numbers.js';
import type { HttpClient } from '../transport/http-client.js';

/** Failures that the same request will meet again: retrying only spends quota and time. */
const NOT_RETRIED: ReadonlySet<ErrorClass> = new Set([
  'auth',
  'bad_request',
  'model_unavailable',
  'rate_limited',
]);

/** What a runner needs from outside; passed in so tests control time and transport. */
export interface RunnerDeps {
  http: HttpClient;
  /** Monotonic milliseconds, for durations. */
  now: () => number;
  /** Wall-clock epoch milliseconds, for timestamps. */
  clock: () => number;
  logger: Logger;
  /** Told on every breaker transition, after the runner's own state changed. */
  onBreakerTransition?: (dependency: string, to: BreakerState) => void;
  /** Base delay of the first retry (ms); doubles after. */
  retryDelayMs?: number;
  /** Runs one security canary (vendors with a canary adapter); absent: canaries are not run. */
  runCanary?: (canary: CanarySpec, ctx: ProbeContext) => Promise<CanaryRun>;
  /** False while the dependency's daily token budget is spent: canaries then wait. */
  canaryAllowed?: () => boolean;
}

/** Retries wait 250 ms (configurable), doubling, never longer than this. */
const MAX_RETRY_DELAY_MS = 2000;

/**
 * Whether a failed attempt is tried again: the vendor's own `x-should-retry` when it sent
 * one (as its SDKs obey it), else by class. A billing refusal never is: it will not pass;
 * nor one the vendor asked us to wait longer for than our retries wait.
 */
function worthRetrying(r: CheckResult): boolean {
  if (r.reason === 'billing') return false;
  // A retry sooner than the vendor's retry-after would only be refused again.
  if (r.retryAfterMs !== undefined && r.retryAfterMs > MAX_RETRY_DELAY_MS) return false;
  return r.vendorRetry ?? !NOT_RETRIED.has(r.errorClass ?? 'bad_response');
}

class AttemptFailed extends Error {
  constructor(readonly result: CheckResult) {
    super(result.message ?? result.errorClass ?? 'probe failed');
  }
}

/** Thrown inside the breaker so opossum counts the round as failed. */
class RoundFailed extends Error {
  constructor(
    readonly results: AttemptedResult[],
    readonly authOnly: boolean,
  ) {
    super('probe round failed');
  }
}

/** The first retry's delay (p-retry's minTimeout), unless told otherwise. */
export const DEFAULT_RETRY_DELAY_MS = 250;

/**
 * Runs one dependency's probe rounds: an opossum breaker around a bounded p-retry around
 * each check. The breaker's rolling window counts probe rounds, not wall time: buckets are
 * rotated at the start of each round, so no timer wakes between rounds.
 */
export class DependencyRunner {
  readonly dependency: DependencyConfig;
  private readonly probe: Probe;
  private readonly deps: RunnerDeps;
  private readonly rotate = new EventEmitter();
  private readonly breaker: CircuitBreaker<[], AttemptedResult[]>;
  private inFlight: Promise<Round> | null = null;
  /** Canary id → monotonic ms of its last run. */
  private readonly canaryRanAt = new Map<string, number>();
  private state: BreakerState = 'closed';

  constructor(dependency: DependencyConfig, probe: Probe, deps: RunnerDeps) {
    this.dependency = dependency;
    this.probe = probe;
    this.deps = deps;
    const policy = dependency.breaker;
    this.breaker = new CircuitBreaker(() => this.runChecks(), {
      timeout: false, // each attempt has its own abort timeout; opossum's would not abort the socket
      errorThresholdPercentage: policy.errorThresholdPercentage,
      volumeThreshold: policy.volumeThreshold,
      resetTimeout: policy.resetTimeoutMs,
      rollingCountBuckets: policy.windowRounds,
      rollingCountTimeout: policy.windowRounds * 1000,
      rotateBucketController: this.rotate,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      // Our own credentials failing says nothing about the vendor: do not count it.
      errorFilter: (err: unknown) => err instanceof RoundFailed && err.authOnly,
    });
    this.breaker.on('open', () => this.transition('open'));
    this.breaker.on('halfOpen', () => this.transition('half_open'));
    this.breaker.on('close', () => this.transition('closed'));
  }

  /** Current breaker state. */
  get breakerState(): BreakerState {
    return this.state;
  }

  /** True while a round is running. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /**
   * Runs one round, or returns null without running when the previous round is still in
   * flight (an overrun: counted by the caller, never queued).
   */
  runRound(): Promise<Round> | null {
    if (this.inFlight) return null;
    const round = this.executeRound().finally(() => {
      this.inFlight = null;
    });
    this.inFlight = round;
    return round;
  }

  /** Resolves when the running round, if any, has finished. */
  async idle(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  /** Stops the breaker's reset timer. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  private transition(to: BreakerState): void {
    const from = this.state;
    this.state = to;
    const log = { dependency: this.dependency.id, from, to };
    if (to === 'open') this.deps.logger.warn(log, 'circuit breaker opened');
    else this.deps.logger.info(log, `circuit breaker ${to === 'closed' ? 'closed' : 'half-open'}`);
    this.deps.onBreakerTransition?.(this.dependency.id, to);
  }

  private async executeRound(): Promise<Round> {
    const startedAt = this.deps.clock();
    this.rotate.emit('rotate');
    let results: AttemptedResult[];
    try {
      results = await this.breaker.fire();
    } catch (err) {
      if (err instanceof RoundFailed) {
        results = err.results;
      } else if ((err as { code?: string }).code === 'EOPENBREAKER') {
        results = this.probe.checks.map((check) => ({
          check,
          ok: false,
          latencyMs: 0,
          errorClass: 'circuit_open' as const,
          message: 'not probed: circuit breaker open',
          attempts: 0,
        }));
      } else {
        throw err;
      }
    }
    const canaries = await this.runDueCanaries(results);
    return {
      startedAt,
      finishedAt: this.deps.clock(),
      results,
      ...(canaries.length > 0 ? { canaries } : {}),
    };
  }

  /**
   * The canaries whose interval has come round, one after another, after a round that
   * passed: with the vendor failing or our key rejected they would only repeat that. A
   * canary never runs more often than the rounds do.
   */
  private async runDueCanaries(results: readonly AttemptedResult[]): Promise<CanaryRun[]> {
    const { runCanary } = this.deps;
    const specs = this.dependency.canaries ?? [];
    if (!runCanary || specs.length === 0 || roundVerdict(results) !== 'ok') return [];
    const runs: CanaryRun[] = [];
    const roundMs = this.dependency.intervalMs ?? 0;
    // Rounds drift by milliseconds: a canary due every round must not skip every other one.
    const slack = Math.max(1000, roundMs * 0.1);
    for (const canary of specs) {
      const last = this.canaryRanAt.get(canary.id);
      const every = Math.max(canary.intervalMs, roundMs);
      if (last !== undefined && this.deps.now() - last < every - slack) continue;
      if (this.deps.canaryAllowed?.() === false) break;
      this.canaryRanAt.set(canary.id, this.deps.now());
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.dependency.timeoutMs);
      try {
        runs.push(
          await runCanary(canary, {
            http: this.deps.http,
            signal: controller.signal,
            now: this.deps.now,
          }),
        );
      } finally {
        clearTimeout(timer);
      }
    }
    return runs;
  }

  private async runChecks(): Promise<AttemptedResult[]> {
    const results: AttemptedResult[] = [];
    for (const check of this.probe.checks) results.push(await this.runCheck(check));
    // Our own credentials failing is no vendor failure: RoundFailed says so to the breaker.
    const verdict = roundVerdict(results);
    if (verdict === 'failure' || verdict === 'auth') {
      throw new RoundFailed(results, verdict === 'auth');
    }
    return results;
  }

  private async runCheck(check: CheckName): Promise<AttemptedResult> {
    let attempts = 0;
    const attempt = async (): Promise<CheckResult> => {
      attempts++;
      const result = await this.attemptOnce(check);
      if (isFailure(result)) throw new AttemptFailed(result);
      return result;
    };
    try {
      const result = await pRetry(attempt, {
        retries: this.dependency.retries,
        minTimeout: this.deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
        factor: 2,
        maxTimeout: MAX_RETRY_DELAY_MS,
        shouldRetry: ({ error }) => error instanceof AttemptFailed && worthRetrying(error.result),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          const r = (error as AttemptFailed).result;
          this.deps.logger.debug(
            {
              dependency: this.dependency.id,
              check,
              attempt: attemptNumber,
              retriesLeft,
              errorClass: r?.errorClass,
              requestId: r?.requestId,
            },
            'probe attempt failed',
          );
        },
      });
      return { ...result, attempts };
    } catch (err) {
      if (err instanceof AttemptFailed) return { ...err.result, attempts };
      throw err;
    }
  }

  /** One attempt with its own abort timeout covering headers, first token and body. */
  private async attemptOnce(check: CheckName): Promise<CheckResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.dependency.timeoutMs);
    const started = this.deps.now();
    try {
      const raw = await this.probe.run(check, {
        http: this.deps.http,
        signal: controller.signal,
        now: this.deps.now,
      });
      const { result, dropped } = boundVendorNumbers(raw, this.deps.clock());
      if (dropped.length > 0) {
        this.deps.logger.debug(
          { dependency: this.dependency.id, check, dropped },
          'vendor sent numbers out of range; dropped them',
        );
      }
      return result;
    } catch (err) {
      // A probe must classify its own failures; reaching here is a bug, still never a crash.
      const aborted = controller.signal.aborted;
      this.deps.logger.error(
        { dependency: this.dependency.id, check, err: (err as Error).name },
        'probe threw instead of returning a result',
      );
      return {
        check,
        ok: false,
        latencyMs: this.deps.now() - started,
        errorClass: aborted ? 'timeout' : 'bad_response',
        message: aborted
          ? `no answer within ${this.dependency.timeoutMs} ms`
          : 'probe failed unexpectedly',
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
