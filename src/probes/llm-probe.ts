import type { DependencyConfig } from '../config/types.js';
import { type KeyedDependency, unsupportedCheck } from './classify.js';
import {
  type EmbeddingsExchange,
  embeddingDimensionsGuard,
  runEmbeddingsCheck,
} from './embeddings.js';
import type { Scrubber } from './scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

/** The checks every LLM vendor probe supports, and runs when a dependency lists none. */
export const LLM_CHECKS: readonly CheckName[] = ['models', 'completion'];

/** What a vendor with an embeddings API lets a dependency list: the LLM checks and `embeddings`. */
export const LLM_CHECKS_WITH_EMBEDDINGS: readonly CheckName[] = [...LLM_CHECKS, 'embeddings'];

/**
 * The `embeddings` check as a probe runs it: its results name the embedding model when it is
 * unavailable, and their vectors keep one length (see {@link embeddingDimensionsGuard}).
 */
export function embeddingsRunner(
  dep: Pick<DependencyConfig, 'embeddingModel' | 'embeddingDimensions'>,
  scrub: Scrubber,
  run: (ctx: ProbeContext) => Promise<CheckResult>,
  noun = 'model',
): (ctx: ProbeContext) => Promise<CheckResult> {
  const guard = embeddingDimensionsGuard(dep.embeddingDimensions);
  return async (ctx) => guard(namingModel(await run(ctx), dep.embeddingModel, scrub, noun));
}

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

/**
 * The probe, with every `model_unavailable` message naming the model (see {@link namingModel});
 * `embeddings` results name the embedding model already ({@link embeddingsRunner}).
 */
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
      const result = await probe.run(check, ctx);
      return check === 'embeddings' ? result : namingModel(result, model, scrub, noun);
    },
  };
}

/**
 * A probe for an LLM vendor from its checks: `models`, `completion` and (where the vendor
 * has one) `embeddings` as configured, anything else answered as unsupported, and
 * `model_unavailable` naming the model (the embedding model for `embeddings`).
 */
export function llmProbe(o: {
  vendor: string;
  dep: DependencyConfig;
  scrub: Scrubber;
  models: (ctx: ProbeContext) => Promise<CheckResult>;
  completion: (ctx: ProbeContext) => Promise<CheckResult>;
  embeddings?: (ctx: ProbeContext) => Promise<CheckResult>;
}): Probe {
  const embeddings = o.embeddings && embeddingsRunner(o.dep, o.scrub, o.embeddings);
  const supported = embeddings ? LLM_CHECKS_WITH_EMBEDDINGS : LLM_CHECKS;
  const probe: Probe = {
    vendor: o.vendor,
    checks: o.dep.checks.filter((c) => supported.includes(c)),
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'models') return o.models(ctx);
      if (check === 'completion') return o.completion(ctx);
      if (check === 'embeddings' && embeddings) return embeddings(ctx);
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

/** A vendor's `embeddings` check from its exchange for the dependency (see {@link runEmbeddingsCheck}). */
export function embeddingsCheckOf(
  exchange: (dep: DependencyConfig) => EmbeddingsExchange,
): KeyedCheck {
  return (dep, k, ctx) => runEmbeddingsCheck(exchange(dep), k, ctx);
}

/** {@link llmProbe} for vendors whose checks take the dependency and its keyed facts. */
export function keyedLlmProbe(
  vendor: string,
  k: KeyedDependency & { dep: DependencyConfig },
  models: KeyedCheck,
  completion: KeyedCheck,
  embeddings?: KeyedCheck,
): Probe {
  return llmProbe({
    vendor,
    dep: k.dep,
    scrub: k.scrub,
    models: (ctx) => models(k.dep, k, ctx),
    completion: (ctx) => completion(k.dep, k, ctx),
    ...(embeddings ? { embeddings: (ctx: ProbeContext) => embeddings(k.dep, k, ctx) } : {}),
  });
}
