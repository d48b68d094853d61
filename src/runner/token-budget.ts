import type { CheckResult, Probe } from '../probes/types.js';

const DAY_MS = 86_400_000;

/**
 * Wraps a probe so its completion check stops once the dependency's daily token budget
 * (UTC day) is spent: the check is then reported as skipped, never as a failure, and the
 * zero-token checks go on. The count lives in memory; a restart starts the day afresh.
 */
export function withTokenBudget(
  probe: Probe,
  opts: { dailyTokens: number; clock: () => number },
): Probe {
  let day = Math.floor(opts.clock() / DAY_MS);
  let spent = 0;
  const rollDay = () => {
    const today = Math.floor(opts.clock() / DAY_MS);
    if (today !== day) {
      day = today;
      spent = 0;
    }
  };
  return {
    vendor: probe.vendor,
    checks: probe.checks,
    async run(check, ctx): Promise<CheckResult> {
      rollDay();
      if (check === 'completion' && spent >= opts.dailyTokens) {
        return {
          check,
          ok: false,
          skipped: true,
          latencyMs: 0,
          message: `skipped: daily token budget of ${opts.dailyTokens} tokens spent (${spent} used; resets 00:00 UTC)`,
        };
      }
      const result = await probe.run(check, ctx);
      if (result.tokens) spent += result.tokens.input + result.tokens.output;
      return result;
    },
  };
}
