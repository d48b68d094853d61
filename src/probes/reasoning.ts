import type { DependencyConfig } from '../config/types.js';

/** A dependency's `reasoning:` level (see DependencyConfig.reasoning). */
export type ReasoningLevel = NonNullable<DependencyConfig['reasoning']>;

/**
 * OpenAI's reasoning effort for a level, the same word on Chat Completions
 * (`reasoning_effort`) and the Responses API (`reasoning.effort`): `off` is `none`
 * (gpt-5.1 and later), `minimal` (gpt-5) and `low` (o-series and gpt-5) as written.
 * Effort values: openai/openai-node src/resources/shared.ts `ReasoningEffort`.
 */
export function openAIReasoningEffort(level: ReasoningLevel): 'none' | 'minimal' | 'low' {
  return level === 'off' ? 'none' : level;
}

/**
 * What one vendor sends for a level on one model: the request fields (and the thinking
 * tokens it reserves on top of the answer's budget, where the vendor counts thinking inside
 * the budget), or why that model cannot take the level. A rejected level sends nothing; the
 * config check reports it where the dependency sets `reasoning:` itself.
 */
export type ReasoningPlan =
  | {
      fields: Record<string, unknown>;
      reserve?: number;
      /** While reasoning so, the model refuses a temperature other than its default. */
      defaultTemperature?: boolean;
    }
  | { rejected: string };

/** A vendor's one mapping of a level onto a model (the model as configured, possibly ''). */
export type ReasoningMapping = (model: string, level: ReasoningLevel) => ReasoningPlan;

/** The plan for a dependency; undefined when it sets no `reasoning:` (nothing is sent). */
export function reasoningPlan(
  dep: Pick<DependencyConfig, 'model' | 'reasoning'>,
  mapping: ReasoningMapping,
): ReasoningPlan | undefined {
  return dep.reasoning === undefined ? undefined : mapping(dep.model ?? '', dep.reasoning);
}

/** The fields a plan adds to the request body: none without a plan or when rejected. */
export function reasoningFields(plan: ReasoningPlan | undefined): Record<string, unknown> {
  return plan !== undefined && 'fields' in plan ? plan.fields : {};
}

/** The fields a dependency's `reasoning:` adds to a request body under the vendor's mapping. */
export function reasoningBody(
  dep: Pick<DependencyConfig, 'model' | 'reasoning'>,
  mapping: ReasoningMapping,
): Record<string, unknown> {
  return reasoningFields(reasoningPlan(dep, mapping));
}

/** Thinking tokens a plan reserves on top of the answer's budget (0 when none). */
export function reservedTokens(plan: ReasoningPlan | undefined): number {
  return plan !== undefined && 'fields' in plan ? (plan.reserve ?? 0) : 0;
}

/** False when the plan needs the model's default temperature (a canary then sends none). */
export function temperatureAllowed(plan: ReasoningPlan | undefined): boolean {
  return !(plan !== undefined && 'fields' in plan && plan.defaultTemperature === true);
}

/**
 * Chat Completions' `reasoning_effort` as written: servers that speak the protocol decide.
 * OpenAI's reasoning models take only the default temperature unless the effort is `none`
 * (OpenAI's gpt-5.1 guide), so any other effort asks for the default.
 */
export const chatReasoningEffort: ReasoningMapping = (_model, level) => ({
  fields: { reasoning_effort: openAIReasoningEffort(level) },
  ...(level === 'off' ? {} : { defaultTemperature: true }),
});

/** The smallest extended-thinking budget Claude takes (`budget_tokens` ≥ 1024). */
export const CLAUDE_MIN_THINKING_BUDGET = 1024;

/**
 * Claude's extended thinking for a level, the same object on Anthropic's Messages API and
 * in Bedrock's `additionalModelRequestFields` (anthropics/anthropic-sdk-typescript
 * `ThinkingConfigParam`: `{type: "disabled"}` or `{type: "enabled", budget_tokens}`,
 * budget ≥ 1024 and less than `max_tokens`). `off` disables thinking; `minimal` and `low`
 * both get the smallest budget, which the request adds to the answer's own budget.
 */
export function claudeThinking(level: ReasoningLevel): ReasoningPlan {
  if (level === 'off') return { fields: { thinking: { type: 'disabled' } } };
  // Thinking does not take a changed temperature (Anthropic's extended-thinking guide).
  return {
    fields: { thinking: { type: 'enabled', budget_tokens: CLAUDE_MIN_THINKING_BUDGET } },
    reserve: CLAUDE_MIN_THINKING_BUDGET,
    defaultTemperature: true,
  };
}

/** A config error of the dependency's own `reasoning:` key, as a vendor's checkConfig returns it. */
export interface ReasoningIssue {
  key: 'reasoning';
  message: string;
  at: 'value';
}

/**
 * The vendor's checkConfig part for `reasoning:`: a level the configured model cannot take
 * is an error at the key's value. A level inherited from `defaults:` is not checked here: it
 * then sends nothing to that model.
 */
export function reasoningIssues(
  raw: Readonly<Record<string, unknown>>,
  mapping: ReasoningMapping,
): ReasoningIssue[] {
  const level = raw.reasoning;
  if (level !== 'off' && level !== 'minimal' && level !== 'low') return [];
  const model = typeof raw.model === 'string' ? raw.model : '';
  const plan = mapping(model, level);
  return 'rejected' in plan ? [{ key: 'reasoning', message: plan.rejected, at: 'value' }] : [];
}
