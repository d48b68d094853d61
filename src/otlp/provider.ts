import type { Vendor } from '../vendors/registry.js';

/**
 * `gen_ai.provider.name` for each vendor, from the OpenTelemetry GenAI semantic conventions'
 * well-known values (semantic-conventions docs/gen-ai/gen-ai-metrics.md). Ollama and
 * OpenAI-compatible servers have no well-known value: the convention allows a custom one, and
 * the vendor id is what operators already write. `http` is not a GenAI provider.
 */
const PROVIDER_NAMES: Readonly<Record<Vendor, string | undefined>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'azure-openai': 'azure.ai.openai',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  cohere: 'cohere',
  ollama: 'ollama',
  'openai-compatible': 'openai-compatible',
  http: undefined,
};

/** The convention's provider name of a vendor; undefined for plain HTTP checks and unknown ids. */
export function genAiProviderName(vendor: string): string | undefined {
  return Object.hasOwn(PROVIDER_NAMES, vendor) ? PROVIDER_NAMES[vendor as Vendor] : undefined;
}
