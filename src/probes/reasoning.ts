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
