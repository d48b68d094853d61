import type { DependencyConfig } from '../config/types.js';
import { createOpenAIProtocolProbe } from './openai-protocol.js';
import type { Scrubber } from './scrub.js';
import type { Probe } from './types.js';

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
