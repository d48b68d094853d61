import type { DependencyConfig } from '../config/types.js';
import { LLM_CHECKS } from '../probes/llm-probe.js';
import {
  createOpenAIProtocolCanary,
  createOpenAIProtocolProbe,
} from '../probes/openai-protocol.js';
import type { Scrubber } from '../probes/scrub.js';
import type { Probe } from '../probes/types.js';
import type { CanaryAdapter, VendorModule } from './types.js';

/**
 * Probe for OpenAI (`Authorization: Bearer`). The completion budget goes in
 * `max_completion_tokens`, the only token parameter reasoning models accept.
 */
export function createOpenAIProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return createOpenAIProtocolProbe({
    vendor: 'openai',
    dep,
    scrub,
    keyRequired: true,
    tokenParam: 'max_completion_tokens',
  });
}

/** OpenAI's API: Bearer key, `{baseUrl}/models` and streamed chat completions. */
export const openai = {
  id: 'openai',
  displayName: 'OpenAI',
  llm: true,
  checks: LLM_CHECKS,
  defaultBaseUrl: 'https://api.openai.com/v1',
  createProbe: createOpenAIProbe,
  canary: openAICanary(),
} as const satisfies VendorModule;

/**
 * OpenAI canaries: `max_completion_tokens` and `seed` (both in `ChatCompletionCreateParams`,
 * openai/openai-node src/resources/chat/completions/completions.ts).
 */
function openAICanary(): CanaryAdapter {
  return createOpenAIProtocolCanary({
    tokenParam: () => 'max_completion_tokens',
    seed: () => true,
  });
}
