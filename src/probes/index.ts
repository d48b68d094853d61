import type { DependencyConfig } from '../config/types.js';
import { createAnthropicProbe } from './anthropic.js';
import { createAzureOpenAIProbe } from './azure-openai.js';
import { createBedrockProbe } from './bedrock.js';
import { createCohereProbe } from './cohere.js';
import { createGeminiProbe } from './gemini.js';
import { createHttpProbe } from './http.js';
import { createOllamaProbe } from './ollama.js';
import { createOpenAIProbe } from './openai.js';
import { createOpenAICompatibleProbe } from './openai-compatible.js';
import type { Probe } from './types.js';

/**
 * The probe for a dependency's vendor. `scrub` removes secrets from every message the
 * probe produces (build it once with createScrubber(config.secrets)).
 */
export function createProbe(dep: DependencyConfig, scrub: (s: string) => string): Probe {
  switch (dep.vendor) {
    case 'openai':
      return createOpenAIProbe(dep, scrub);
    case 'anthropic':
      return createAnthropicProbe(dep, scrub);
    case 'azure-openai':
      return createAzureOpenAIProbe(dep, scrub);
    case 'gemini':
      return createGeminiProbe(dep, scrub);
    case 'bedrock':
      return createBedrockProbe(dep, scrub);
    case 'cohere':
      return createCohereProbe(dep, scrub);
    case 'ollama':
      return createOllamaProbe(dep, scrub);
    case 'openai-compatible':
      return createOpenAICompatibleProbe(dep, scrub);
    case 'http':
      return createHttpProbe(dep, scrub);
    default: {
      const unknown: never = dep.vendor;
      throw new Error(`no probe for vendor ${String(unknown)}`);
    }
  }
}
