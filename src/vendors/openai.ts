import type { DependencyConfig } from '../config/types.js';
import type { VendorRules } from '../probes/classify.js';

import { joinUrl } from '../probes/openai-protocol.js';
import {
  createOpenAIApiCanary,
  createOpenAIApiProbe,
  openAIApiField,
} from '../probes/openai-responses.js';
import {
  chatReasoningEffort,
  type ReasoningMapping,
  reasoningIssues,
} from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import type { Probe } from '../probes/types.js';
import { type CanaryAdapter, defineVendor } from './types.js';

// OpenAI documents "429 - The engine is currently overloaded, please try again later" as its
// servers' load, not our rate limit (platform.openai.com/docs/guides/error-codes). Its
// `server_is_overloaded` 503 code is known to every vendor's rules (classify.ts).
const ENGINE_OVERLOADED = /engine is currently overloaded/i;

/** How OpenAI's own answers differ from the generic reading. */
export const OPENAI_RULES: VendorRules = {
  refine: (status, _codes, text) =>
    status === 429 && ENGINE_OVERLOADED.test(text) ? { errorClass: 'overloaded' } : undefined,
};

// Model families by the effort values OpenAI documents for them (openai/openai-node
// src/resources/shared.ts, `ReasoningEffort`): gpt-5-pro takes only `high`; gpt-5.1 takes
// none, low, medium and high (no minimal); every model before gpt-5.1 lacks `none`.
const GPT5_PRO = /^gpt-5-pro/;
const GPT5_POINT = /^gpt-5\.\d/;
const BEFORE_GPT51 = /^(?:gpt-5(?:-|$)|o\d)/;

/**
 * OpenAI's `reasoning_effort` for a level on a model: the level's effort as written
 * (off → none), except where OpenAI's own reference says the model lacks that value.
 */
export const openAIChatReasoning: ReasoningMapping = (model, level) => {
  if (GPT5_PRO.test(model)) {
    return { rejected: `${model} takes only reasoning effort high; leave reasoning out` };
  }
  if (level === 'minimal' && GPT5_POINT.test(model)) {
    return {
      rejected: `${model} takes reasoning effort none, low, medium or high, not minimal; use off or low`,
    };
  }
  if (level === 'off' && BEFORE_GPT51.test(model)) {
    return {
      rejected: `${model} cannot turn reasoning off (effort none came with gpt-5.1); use ${model.startsWith('gpt-5') ? 'minimal' : 'low'}`,
    };
  }
  return chatReasoningEffort(model, level);
};

/**
 * Probe for OpenAI (`Authorization: Bearer`). The completion budget goes in
 * `max_completion_tokens`, the only token parameter reasoning models accept; with
 * `api: responses` the completion goes to `{baseUrl}/responses` instead.
 */
export function createOpenAIProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const options = {
    vendor: 'openai',
    dep,
    scrub,
    keyRequired: true,
    tokenParam: 'max_completion_tokens',
    rules: OPENAI_RULES,
    reasoning: openAIChatReasoning,
  } as const;
  return createOpenAIApiProbe(options, openAIResponsesUrl(dep));
}

const openAIResponsesUrl = (dep: DependencyConfig): string => joinUrl(dep.baseUrl, '/responses');

/** OpenAI's API: Bearer key, `{baseUrl}/models` and streamed chat completions. */
export const openai = defineVendor({
  id: 'openai',
  displayName: 'OpenAI',
  genAiProvider: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  embeddingExample: 'text-embedding-3-small',
  configKeys: { api: openAIApiField() },
  checkConfig: (dep) => reasoningIssues(dep, openAIChatReasoning),
  createProbe: createOpenAIProbe,
  canary: openAICanary(),
});

/**
 * OpenAI canaries: on chat completions `max_completion_tokens` and `seed` (both in
 * `ChatCompletionCreateParams`, openai/openai-node src/resources/chat/completions/completions.ts);
 * with `api: responses` over `{baseUrl}/responses`.
 */
function openAICanary(): CanaryAdapter {
  return createOpenAIApiCanary(
    {
      tokenParam: () => 'max_completion_tokens',
      seed: () => true,
      reasoning: openAIChatReasoning,
    },
    { url: openAIResponsesUrl, reasoning: openAIChatReasoning },
  );
}
