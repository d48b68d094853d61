import type { DependencyConfig } from '../config/types.js';
import { createOpenAIProtocolProbe } from './openai-protocol.js';
import type { Scrubber } from './scrub.js';
import type { Probe } from './types.js';

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
  });
}
