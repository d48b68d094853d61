import type { DependencyConfig } from '../../src/config/types.js';
import { VENDOR_MODULES } from '../../src/vendors/registry.js';

const VENDOR_KEYS = new Set(VENDOR_MODULES.flatMap((m) => Object.keys(m.configKeys ?? {})));

/** Overrides of a test dependency; a vendor's own keys (region, url, …) go into `options`. */
export type DependencyOverrides = Partial<DependencyConfig> & { [vendorKey: string]: unknown };

/** A resolved dependency with test-friendly defaults; override what the test is about. */
export function testDependency(overrides: DependencyOverrides = {}): DependencyConfig {
  const over: Record<string, unknown> = {};
  const options: Record<string, unknown> = { ...overrides.options };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'options') continue;
    if (VENDOR_KEYS.has(key)) options[key] = value;
    else over[key] = value;
  }
  return {
    id: 'dep',
    vendor: 'openai',
    baseUrl: 'http://127.0.0.1:1/v1',
    model: 'gpt-4o-mini',
    checks: ['models', 'completion'],
    intervalMs: 30_000,
    timeoutMs: 1000,
    retries: 0,
    degradedLatencyMs: 4000,
    maxTokens: 1,
    objective: 0.99,
    degradedHeadroom: 0.1,
    embeddingSimilarity: 0.99,
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      windowRounds: 3,
      resetTimeoutMs: 60_000,
    },
    ...over,
    options,
  } as DependencyConfig;
}
