import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createMetrics } from '../src/metrics/metrics.js';
import type { CheckResult } from '../src/probes/types.js';
import { median, round } from './lib/stats.js';

/** /metrics render cost for one dependency count. */
export interface RenderRow {
  dependencies: number;
  series: number;
  bytes: number;
  /** The first render after the results were recorded. */
  firstMs: number;
  /** Median of the following renders. */
  medianMs: number;
  maxMs: number;
  renders: number;
}

/**
 * Worker: createMetrics on a fresh Registry with the vantage default label, a models and a
 * completion result per dependency (phases, rate limits, tokens: the full label set a real
 * OpenAI dependency exports), then registry.metrics() timed.
 */
export async function metricsRenderTask(a: {
  dependencies: number;
  renders: number;
}): Promise<RenderRow> {
  const registry = new Registry();
  registry.setDefaultLabels({ vantage: 'bench' });
  const metrics = createMetrics(registry, { version: 'bench' });
  const now = Date.now();
  const rateLimits: CheckResult['rateLimits'] = [
    { resource: 'requests', limit: 500, remaining: 499, resetAt: now + 120 },
    { resource: 'tokens', limit: 30_000, remaining: 29_990, resetAt: now + 360_000 },
  ];
  const phases = { dnsMs: 1.2, connectMs: 3.4, tlsMs: 12.5, ttfbMs: 180.2, transferMs: 0.4 };
  for (let i = 0; i < a.dependencies; i++) {
    const labels = { dependency: `dep-${i}`, vendor: 'openai', model: 'gpt-4o-mini' };
    metrics.describeDependency({
      ...labels,
      team: `team-${i % 10}`,
      objective: 0.99,
      checks: ['models', 'completion'],
    });
    metrics.setDependencyState(labels, 'healthy');
    metrics.setBreakerState(labels.dependency, 'closed');
    metrics.setBillingExhausted(labels.dependency, false);
    metrics.recordCheck(
      labels,
      {
        check: 'models',
        ok: true,
        latencyMs: 210 + (i % 50),
        httpStatus: 200,
        rateLimits,
        phases,
        tlsCertNotAfter: now + 90 * 86_400_000,
        attempts: 1,
      },
      now,
    );
    metrics.recordCheck(
      labels,
      {
        check: 'completion',
        ok: true,
        latencyMs: 420 + (i % 70),
        ttftMs: 300 + (i % 40),
        httpStatus: 200,
        tokens: { input: 8, output: 1 },
        rateLimits,
        phases,
        attempts: 1,
      },
      now,
    );
  }
  const times: number[] = [];
  let text = '';
  for (let i = 0; i <= a.renders; i++) {
    const t0 = performance.now();
    text = await registry.metrics();
    times.push(performance.now() - t0);
  }
  const [first, ...rest] = times;
  return {
    dependencies: a.dependencies,
    series: text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length,
    bytes: Buffer.byteLength(text),
    firstMs: round(first as number, 2),
    medianMs: round(median(rest), 2),
    maxMs: round(Math.max(...rest), 2),
    renders: rest.length,
  };
}
