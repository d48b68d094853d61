import type { DependencyConfig } from '../config/types.js';
import type { VendorRules } from '../probes/classify.js';

import {
  createOpenAIProtocolCanary,
  createOpenAIProtocolProbe,
} from '../probes/openai-protocol.js';
import type { Scrubber } from '../probes/scrub.js';
import type { Probe } from '../probes/types.js';
import { type CanaryAdapter, defineVendor } from './types.js';

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

/** Any server speaking OpenAI's chat-completions protocol; its base URL is the operator's. */
export const openaiCompatible = defineVendor({
  id: 'openai-compatible',
  displayName: 'OpenAI-compatible',
  genAiProvider: 'openai-compatible',
  keyless: true,
  embeddingExample: 'nomic-embed-text (whatever embedding model the server serves)',
  createProbe: createOpenAICompatibleProbe,
  canary: openAICompatibleCanary(),
});

/**
 * Canaries on compatible servers: the budget in `max_tokens`, as for the probe, and no
 * `seed`: not every server takes it (Mistral names it `random_seed`), and one that rejects
 * an unknown field would fail every canary.
 */
function openAICompatibleCanary(): CanaryAdapter {
  return createOpenAIProtocolCanary({ tokenParam: () => 'max_tokens', seed: () => false });
}
