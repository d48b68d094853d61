import type { DependencyConfig } from '../config/types.js';
import { createAnthropicProbe } from './anthropic.js';
import { createHttpProbe } from './http.js';
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
