import type { CanaryRun } from './types.js';

/**
 * A canary is failing once this many runs in a row did not pass: one noisy miss (a model
 * that phrased its verdict oddly once) never degrades a dependency or re-routes a tool, and
 * one pass recovers it.
 */
export const FAILING_AFTER_RUNS = 2;

/** Runs of a canary kept in memory per dependency, newest first. */
export const CANARY_RUNS_KEPT = 20;

/** True when the newest {@link FAILING_AFTER_RUNS} runs (newest first) all failed. */
export function canaryFailing(runsNewestFirst: readonly CanaryRun[]): boolean {
  const recent = runsNewestFirst.slice(0, FAILING_AFTER_RUNS);
  return recent.length === FAILING_AFTER_RUNS && recent.every((r) => r.outcome !== 'pass');
}

/** How a failing canary reads in a dependency's reasons: id, outcome, signal and an excerpt. */
export function canaryReason(run: CanaryRun): string {
  const why = run.reason ? ` (${run.reason})` : '';
  const said = run.answerExcerpt
    ? `: “${run.answerExcerpt}”`
    : run.message
      ? `: ${run.message}`
      : '';
  return `canary ${run.canary} failing: ${run.outcome}${why} ${FAILING_AFTER_RUNS} runs in a row${said}`;
}
