import type { DependencyConfig } from '../../src/config/types.js';

/** A resolved dependency with test-friendly defaults; override what the test is about. */
export function testDependency(over: Partial<DependencyConfig> = {}): DependencyConfig {
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
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      windowRounds: 3,
      resetTimeoutMs: 60_000,
    },
    ...over,
  };
}
