import type { DependencyConfig } from '../config/types.js';
import { type KeyedDependency, unsupportedCheck } from './classify.js';
import type { Scrubber } from './scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

/** The checks every LLM vendor probe supports, and runs when a dependency lists none. */
export const LLM_CHECKS: readonly CheckName[] = ['models', 'completion'];

/**
 * A `model_unavailable` result whose message names the configured model, so the status
 * says which model went away: vendors' own answers do not always (Azure's
 * DeploymentNotFound message names no deployment). Other results pass through unchanged.
 */
export function namingModel(
  result: CheckResult,
  model: string | undefined,
  scrub: Scrubber,
  noun = 'model',
): CheckResult {
  if (result.errorClass !== 'model_unavailable' || model === undefined) return result;
  const message = result.message ?? '';
  if (message.includes(model)) return result;
  const named =
    message === '' ? `${noun} ${model} is not available` : `${noun} ${model}: ${message}`;
  return { ...result, message: scrub(named) };
}

/** The probe, with every `model_unavailable` message naming the model (see {@link namingModel}). */
export function withModelNamed(
  probe: Probe,
  model: string | undefined,
  scrub: Scrubber,
  noun = 'model',
): Probe {
  return {
    vendor: probe.vendor,
    checks: probe.checks,
    async run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      return namingModel(await probe.run(check, ctx), model, scrub, noun);
    },
  };
}

/**
 * A probe for an LLM vendor from its two checks: `models` and `completion` as configured,
 * anything else answered as unsupported, and `model_unavailable` naming the model.
 */
export function llmProbe(o: {
  vendor: string;
  dep: DependencyConfig;
  scrub: Scrubber;
  models: (ctx: ProbeContext) => Promise<CheckResult>;
  completion: (ctx: ProbeContext) => Promise<CheckResult>;
}): Probe {
  const probe: Probe = {
    vendor: o.vendor,
    checks: o.dep.checks.filter((c) => LLM_CHECKS.includes(c)),
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'models') return o.models(ctx);
      if (check === 'completion') return o.completion(ctx);
      return Promise.resolve(unsupportedCheck(check, o.vendor));
    },
  };
  return withModelNamed(probe, o.dep.model, o.scrub);
}

/** A vendor check that reads the dependency and its keyed facts (key, scrubber, vendor rules). */
export type KeyedCheck = (
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
) => Promise<CheckResult>;

/** {@link llmProbe} for vendors whose two checks take the dependency and its keyed facts. */
export function keyedLlmProbe(
  vendor: string,
  k: KeyedDependency & { dep: DependencyConfig },
  models: KeyedCheck,
  completion: KeyedCheck,
): Probe {
  return llmProbe({
    vendor,
    dep: k.dep,
    scrub: k.scrub,
    models: (ctx) => models(k.dep, k, ctx),
    completion: (ctx) => completion(k.dep, k, ctx),
  });
}
