import type { CanaryRun } from '../canary/types.js';
import type { ConsumerConfig, DependencyConfig } from '../config/types.js';
import { lowestHeadroom } from '../probes/ratelimit.js';
import type { CheckResult } from '../probes/types.js';
import type { BreakerState, ConsumerState, DependencyState } from './states.js';
import { isFailure, missingKeyNote, resultVerdict, roundVerdict } from './verdict.js';

/** A check result as the runner saw it: with the attempts the bounded retry made. */
export type AttemptedResult = CheckResult & { attempts: number };

/** One scheduled probe round of a dependency: every configured check, once. */
export interface Round {
  /** Epoch ms when the round started and finished. */
  startedAt: number;
  finishedAt: number;
  results: AttemptedResult[];
  /** Security canaries that were due and ran after the checks. */
  canaries?: CanaryRun[];
}

/** Why a dependency cannot be judged: our credentials, not the vendor. */
export type CredentialProblem = 'missing' | 'rejected';

/** A dependency's state with the reasons a person reads first. */
export interface DependencyEvaluation {
  state: DependencyState;
  reasons: string[];
  credentialProblem?: CredentialProblem;
  /** Set while the state comes from history recorded before this start, not from a fresh round. */
  stale?: { probedAt: number };
  /** Security canaries failing on the dependency (it is at least degraded while any is). */
  failingCanaries?: string[];
  /** True when failing canaries are the only reason the dependency is degraded. */
  degradedByCanaries?: boolean;
}

/** The reason of a dependency with no round at all, live or in history. */
export const NOT_PROBED_YET = 'not probed yet';

/** Tunables of the state policy; defaults suit 30 s probing. */
export interface EvaluationPolicy {
  /** This many failed rounds in a row make a dependency down even with the breaker closed. */
  downAfterRounds: number;
  /** Rounds considered for the error ratio. */
  ratioWindowRounds: number;
  /** Failed-round ratio at or above which a dependency is degraded. */
  degradedErrorRatio: number;
}

export const DEFAULT_POLICY: EvaluationPolicy = {
  downAfterRounds: 2,
  ratioWindowRounds: 10,
  degradedErrorRatio: 0.2,
};

const counted = (results: AttemptedResult[]): AttemptedResult[] =>
  results.filter((r) => resultVerdict(r) !== 'skipped');

/** Short words for one failed result: "timeout: no answer within 10s". */
export function describeFailure(r: CheckResult): string {
  const cls =
    r.reason === 'billing'
      ? 'rate_limited (billing: quota or spend cap exhausted, not transient)'
      : (r.errorClass ?? 'bad_response');
  const status = r.httpStatus ? ` (HTTP ${r.httpStatus})` : '';
  return `${r.check} check: ${cls}${status}${r.message ? `: ${r.message}` : ''}`;
}

const firstFailure = (round: Round): AttemptedResult | undefined =>
  round.results.find(isFailure) ?? round.results.find((r) => !r.ok);

/**
 * The dependency state (docs/contracts.md) from its recent rounds, newest first, and its
 * breaker. `auth` failures never make a dependency down: they make it unknown, flagged.
 */
export function evaluateDependency(
  dep: Pick<
    DependencyConfig,
    'degradedLatencyMs' | 'degradedTtftMs' | 'degradedHeadroom' | 'apiKeyEnv'
  >,
  roundsNewestFirst: readonly Round[],
  breaker: BreakerState,
  policy: EvaluationPolicy = DEFAULT_POLICY,
): DependencyEvaluation {
  const latest = roundsNewestFirst[0];
  if (!latest) return { state: 'unknown', reasons: [NOT_PROBED_YET] };
  const judged = judge(dep, roundsNewestFirst, breaker, policy);
  // Without a key only reachability is checked; say so whatever the state, once.
  const missing = latest.results.find((r) => r.credentialsMissing);
  if (!missing || judged.credentialProblem) return judged;
  return {
    ...judged,
    credentialProblem: 'missing',
    reasons: [
      ...judged.reasons,
      `no API key configured (${missingKeyNote(dep.apiKeyEnv)}): only reachability is checked`,
    ],
  };
}

function judge(
  dep: Pick<DependencyConfig, 'degradedLatencyMs' | 'degradedTtftMs' | 'degradedHeadroom'>,
  roundsNewestFirst: readonly Round[],
  breaker: BreakerState,
  policy: EvaluationPolicy,
): DependencyEvaluation {
  const latest = roundsNewestFirst[0] as Round;
  const verdicts = roundsNewestFirst.map((round) => roundVerdict(round.results));
  const lastFailure = roundsNewestFirst.find((_, i) => verdicts[i] === 'failure');
  const lastFailureText = lastFailure ? firstFailure(lastFailure) : undefined;

  if (breaker !== 'closed') {
    const why = lastFailureText ? `; last failure: ${describeFailure(lastFailureText)}` : '';
    return {
      state: 'down',
      reasons: [`circuit breaker ${breaker === 'open' ? 'open' : 'half-open, trying again'}${why}`],
    };
  }

  if (verdicts[0] === 'auth') {
    const missing = latest.results.some((r) => r.credentialsMissing);
    const failed = firstFailure(latest);
    return {
      state: 'unknown',
      credentialProblem: missing ? 'missing' : 'rejected',
      reasons: [
        missing
          ? (failed?.message ?? 'no API key configured')
          : `API key rejected${failed?.httpStatus ? ` (HTTP ${failed.httpStatus})` : ''}: our credentials, not a vendor outage`,
      ],
    };
  }

  let streak = 0;
  for (const v of verdicts) {
    if (v === 'failure' || v === 'circuit_open') streak++;
    else if (v === 'ok') break;
  }
  if (streak >= policy.downAfterRounds) {
    return {
      state: 'down',
      reasons: [
        `${streak === 1 ? 'the probe round failed' : `${streak} probe rounds failed in a row`}${lastFailureText ? `; last: ${describeFailure(lastFailureText)}` : ''}`,
      ],
    };
  }

  const reasons: string[] = [];
  if (verdicts[0] === 'failure' && lastFailureText) {
    reasons.push(`last probe failed: ${describeFailure(lastFailureText)}`);
  }
  const window = verdicts
    .slice(0, policy.ratioWindowRounds)
    .filter((v) => v === 'ok' || v === 'failure');
  const failed = window.filter((v) => v === 'failure').length;
  if (
    window.length >= 3 &&
    failed / window.length >= policy.degradedErrorRatio &&
    verdicts[0] !== 'failure'
  ) {
    reasons.push(`${failed} of the last ${window.length} probe rounds failed`);
  }
  for (const r of counted(latest.results)) {
    if (!r.ok) continue;
    if (r.latencyMs > dep.degradedLatencyMs) {
      reasons.push(
        `slow: ${r.check} took ${Math.round(r.latencyMs)} ms (threshold ${dep.degradedLatencyMs} ms)`,
      );
    }
    if (
      dep.degradedTtftMs !== undefined &&
      r.ttftMs !== undefined &&
      r.ttftMs > dep.degradedTtftMs
    ) {
      reasons.push(
        `slow first token: ${Math.round(r.ttftMs)} ms (threshold ${dep.degradedTtftMs} ms)`,
      );
    }
  }
  const headroom = lowestHeadroom(latest.results.flatMap((r) => r.rateLimits ?? []));
  if (headroom && headroom.fraction < dep.degradedHeadroom) {
    const { reading } = headroom;
    const resets =
      reading.resetAt === undefined ? '' : `, resets ${new Date(reading.resetAt).toISOString()}`;
    reasons.push(
      `rate-limit headroom low: ${reading.remaining} of ${reading.limit} ${reading.resource.replace('_', ' ')} left (${(headroom.fraction * 100).toFixed(1)}%, threshold ${(dep.degradedHeadroom * 100).toFixed(0)}%)${resets}`,
    );
  }
  return reasons.length > 0 ? { state: 'degraded', reasons } : { state: 'healthy', reasons: [] };
}

/** One link of a consumer's chain as the route answer shows it. */
export interface ChainLink {
  dependency: string;
  state: DependencyState;
  usable: boolean;
  /** Canaries this consumer requires that are failing on the dependency (absent: none). */
  failingCanaries?: string[];
}

/** A consumer's state and the dependency it should call now. */
export interface ConsumerEvaluation {
  state: ConsumerState;
  /** First usable dependency in the chain, or null when none is. */
  route: string | null;
  reason: string;
  chain: ChainLink[];
}

/** Healthy and degraded dependencies answer; down and unknown ones cannot be relied on. */
export const isUsable = (state: DependencyState): boolean =>
  state === 'healthy' || state === 'degraded';

/**
 * ok on the primary, degraded on a fallback, down with nothing usable (docs/contracts.md).
 * With nothing usable, a dependency never probed (`probed` false) is routed to rather than
 * answering "no dependency": before its first round it is as good as calling it without
 * Bellwether, so a start or restart never tells a tool there is no vendor.
 */
export function evaluateConsumer(
  consumer: ConsumerConfig,
  stateOf: (dependency: string) => DependencyState,
  probed: (dependency: string) => boolean = () => true,
  failingCanaries: (dependency: string) => readonly string[] = () => [],
): ConsumerEvaluation {
  const required = consumer.requires ?? [];
  const chain = consumer.uses.map((dependency): ChainLink => {
    const state = stateOf(dependency);
    // A dependency that answers but fails a canary the tool depends on cannot do its job.
    const failing = failingCanaries(dependency).filter((c) => required.includes(c));
    const link: ChainLink = { dependency, state, usable: isUsable(state) && failing.length === 0 };
    if (failing.length > 0) link.failingCanaries = failing;
    return link;
  });
  const is = (l: ChainLink) =>
    l.failingCanaries
      ? `${l.dependency} is ${l.state} but fails canary ${l.failingCanaries.join(', ')}`
      : `${l.dependency} is ${l.state}`;
  const index = chain.findIndex((l) => l.usable);
  const primary = chain[0];
  const waiting = index < 0 ? chain.findIndex((l) => !probed(l.dependency)) : -1;
  if (primary && waiting >= 0) {
    const chosen = chain[waiting] as ChainLink;
    const before = chain.slice(0, waiting).map(is);
    return {
      state: waiting === 0 ? 'ok' : 'degraded',
      route: chosen.dependency,
      reason:
        waiting === 0
          ? `${NOT_PROBED_YET}: routing to the primary ${chosen.dependency} until its first round`
          : `${NOT_PROBED_YET}: routing to fallback ${chosen.dependency} until its first round because ${before.join(', ')}`,
      chain,
    };
  }
  if (index < 0 || !primary) {
    return {
      state: 'down',
      route: null,
      reason: `no usable dependency: ${chain.map(is).join(', ')}`,
      chain,
    };
  }
  const chosen = chain[index] as ChainLink;
  if (index === 0) {
    return {
      state: 'ok',
      route: chosen.dependency,
      reason: `primary ${chosen.dependency} is ${chosen.state}`,
      chain,
    };
  }
  const skipped = chain.slice(0, index).map(is).join(', ');
  return {
    state: 'degraded',
    route: chosen.dependency,
    reason: `running on fallback ${chosen.dependency} (${chosen.state}) because ${skipped}`,
    chain,
  };
}
