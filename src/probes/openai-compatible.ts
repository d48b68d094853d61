import type { DependencyConfig } from '../config/types.js';
import type { VendorRules } from './classify.js';
import { createOpenAIProtocolProbe } from './openai-protocol.js';
import type { Scrubber } from './scrub.js';
import type { Probe } from './types.js';

// 498 is not HTTP: Groq answers it when its flex tier is at capacity ("try again later",
// console.groq.com/docs/errors). Cohere's 498 means something else (cohere.ts).
const COMPATIBLE_RULES: VendorRules = {
  statuses: { 498: { errorClass: 'overloaded', hint: 'capacity exceeded' } },
};

/**
 * Probe for servers that speak the OpenAI chat-completions protocol: Groq, Mistral,
 * OpenRouter, vLLM, Ollama's `/v1`. The key is optional (local servers need none; a 401
 * without one is reported as credentials missing), and the budget goes in `max_tokens`,
 * which these servers know while not all of them know `max_completion_tokens`.
 */
export function createOpenAICompatibleProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return createOpenAIProtocolProbe({
    vendor: 'openai-compatible',
    dep,
    scrub,
    keyRequired: false,
    tokenParam: 'max_tokens',
    rules: COMPATIBLE_RULES,
  });
}
