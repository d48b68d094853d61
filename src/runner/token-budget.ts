import { type CheckResult, type Probe, TOKEN_CHECKS } from '../probes/types.js';

const DAY_MS = 86_400_000;

/** Tokens a dependency may spend per UTC day on probing: completion, embeddings and canaries. */
export interface TokenBudget {
  readonly dailyTokens: number;
  /** Tokens spent today. */
  spent(): number;
  /** False once today's budget is spent. */
  allows(): boolean;
  charge(tokens: { input: number; output: number } | undefined): void;
}

/** A budget counted in memory (a restart starts the day afresh). */
export function createTokenBudget(opts: { dailyTokens: number; clock: () => number }): TokenBudget {
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
    dailyTokens: opts.dailyTokens,
    spent() {
      rollDay();
      return spent;
    },
    allows() {
      rollDay();
      return spent < opts.dailyTokens;
    },
    charge(tokens) {
      rollDay();
      // Output includes any reasoning tokens (vendors bill thinking as output): counted once.
      if (tokens) spent += tokens.input + tokens.output;
    },
  };
}

/**
 * Wraps a probe so its token-spending checks (completion, embeddings) stop once the
 * dependency's daily token budget (UTC day) is spent: they are then reported as skipped,
 * never as failures, and the zero-token checks go on. Every result's tokens are charged.
 */
export function withTokenBudget(probe: Probe, budget: TokenBudget): Probe {
  return {
    vendor: probe.vendor,
    checks: probe.checks,
    async run(check, ctx): Promise<CheckResult> {
      if (TOKEN_CHECKS.includes(check) && !budget.allows()) {
        return {
          check,
          ok: false,
          skipped: true,
          latencyMs: 0,
          message: `skipped: daily token budget of ${budget.dailyTokens} tokens spent (${budget.spent()} used; resets 00:00 UTC)`,
        };
      }
      const result = await probe.run(check, ctx);
      budget.charge(result.tokens);
      return result;
    },
  };
}
