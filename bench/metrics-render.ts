import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { createExposition } from '../src/metrics/exposition.js';
import { createMetrics, type DependencyLabels, type Metrics } from '../src/metrics/metrics.js';
import type { CheckResult } from '../src/probes/types.js';
import { median, round } from './lib/stats.js';

/** /metrics render cost for one dependency count. */
export interface RenderRow {
  dependencies: number;
  series: number;
  seriesPerDependency: number;
  bytes: number;
  gzipBytes: number;
  /** prom-client's registry.metrics() (what /metrics used before): median CPU ms. */
  promClientMs: number;
  /** Bellwether's writer (src/metrics/exposition.ts), after every dependency recorded a new round: median CPU ms. */
  writerMs: number;
  /** The same renders' wall time (yields included; other processes' work on a shared machine too). */
  writerWallMs: number;
  /** Its first render (label text built): ms. */
  writerFirstMs: number;
  /** The bare-string floor: the same lines built from ready label text and numbers, joined: median CPU ms. */
  floorMs: number;
  /** writerMs ÷ floorMs. */
  floorRatio: number;
  /** Longest the event loop went without a turn during the writer's renders, ms. */
  maxBlockMs: number;
  renders: number;
  /** `promtool check metrics` on the writer's output: '' when clean. */
  promtool: string;
}

const NOW = Date.UTC(2026, 11, 4);

/** A full GC when the worker runs with --expose-gc (runWorker starts it so). */
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

/** CPU time of this process so far, ms: on a shared machine wall time counts other work too. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function recordRound(metrics: Metrics, labels: DependencyLabels, i: number, round: number): void {
  const rateLimits: CheckResult['rateLimits'] = [
    { resource: 'requests', limit: 500, remaining: 499 - round, resetAt: NOW + 120 },
    { resource: 'tokens', limit: 30_000, remaining: 29_990 - round, resetAt: NOW + 360_000 },
  ];
  const phases = { dnsMs: 1.2, connectMs: 3.4, tlsMs: 12.5, ttfbMs: 180 + round, transferMs: 0.4 };
  metrics.recordCheck(
    labels,
    {
      check: 'models',
      ok: true,
      latencyMs: 210 + ((i + round) % 50),
      httpStatus: 200,
      rateLimits,
      phases,
      tlsCertNotAfter: NOW + 90 * 86_400_000,
      attempts: 1,
    },
    NOW + round,
  );
  metrics.recordCheck(
    labels,
    {
      check: 'completion',
      ok: true,
      latencyMs: 420 + ((i + round) % 70),
      ttftMs: 300 + ((i + round) % 40),
      httpStatus: 200,
      tokens: { input: 8, output: 1 },
      rateLimits,
      phases,
      attempts: 1,
    },
    NOW + round,
  );
}

/** Builds the same lines from pre-split label text and values: the least any writer must do. */
function floorRender(prefixes: readonly string[], values: readonly number[]): string[] {
  const pieces: string[] = [];
  let lines: string[] = [];
  for (let i = 0; i < prefixes.length; i++) {
    lines.push(prefixes[i] + String(values[i]));
    if (lines.length >= 4096) {
      pieces.push(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  pieces.push(`${lines.join('\n')}\n`);
  return pieces;
}

/**
 * Worker: createMetrics on a fresh Registry with the vantage default label; per dependency an
 * OpenAI-shaped models and completion result (phases, rate limits, tokens: the full label set),
 * its state, breaker and info. Then, `renders` times: every dependency records a new round (so
 * every value changes, the worst case), and prom-client's registry.metrics(), Bellwether's
 * writer and the floor are each timed on the same state.
 */
export async function metricsRenderTask(a: {
  dependencies: number;
  renders: number;
}): Promise<RenderRow> {
  const registry = new Registry();
  registry.setDefaultLabels({ vantage: 'bench' });
  const metrics = createMetrics(registry, { version: 'bench' });
  const deps: DependencyLabels[] = [];
  for (let i = 0; i < a.dependencies; i++) {
    const labels = { dependency: `dep-${i}`, vendor: 'openai', model: 'gpt-4o-mini' };
    deps.push(labels);
    metrics.describeDependency({
      ...labels,
      team: `team-${i % 10}`,
      objective: 0.99,
      checks: ['models', 'completion'],
    });
    metrics.setDependencyState(labels, 'healthy');
    metrics.setBreakerState(labels.dependency, 'closed');
    metrics.setBillingExhausted(labels.dependency, false);
    recordRound(metrics, labels, i, 0);
  }
  const exposition = createExposition(registry);
  const t0 = cpuMs();
  let text = (await exposition.render('prometheus')).join('');
  const writerFirstMs = cpuMs() - t0;

  const promClient: number[] = [];
  const writer: number[] = [];
  const floor: number[] = [];
  const writerWall: number[] = [];
  let maxBlockMs = 0;
  for (let r = 1; r <= a.renders; r++) {
    deps.forEach((labels, i) => {
      recordRound(metrics, labels, i, r);
    });
    // Each measurement starts on a collected heap, so none pays for another's garbage.
    collect();
    let t = cpuMs();
    await registry.metrics();
    promClient.push(cpuMs() - t);

    // The longest stretch without an event-loop turn while the writer renders. The forced
    // collection comes first: it is the bench's own, not the render's, and with prom-client's
    // garbage on the heap it alone blocked for over 100 ms.
    collect();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    t = cpuMs();
    const w0 = performance.now();
    const pieces = await exposition.render('prometheus');
    writer.push(cpuMs() - t);
    writerWall.push(performance.now() - w0);
    loop.disable();
    maxBlockMs = Math.max(maxBlockMs, loop.max / 1e6);
    text = pieces.join('');

    const samples = text.split('\n').filter((l) => l.length > 0);
    const prefixes = samples.map((l) => l.slice(0, l.lastIndexOf(' ') + 1));
    const values = samples.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    collect();
    t = cpuMs();
    floorRender(prefixes, values);
    floor.push(cpuMs() - t);
  }
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const series = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
  const writerMs = median(writer);
  const floorMs = median(floor);
  return {
    dependencies: a.dependencies,
    series,
    seriesPerDependency: round(series / a.dependencies, 1),
    bytes: Buffer.byteLength(text),
    gzipBytes: gzipSync(text).byteLength,
    promClientMs: round(median(promClient), 2),
    writerMs: round(writerMs, 2),
    writerWallMs: round(median(writerWall), 2),
    writerFirstMs: round(writerFirstMs, 2),
    floorMs: round(floorMs, 2),
    floorRatio: round(writerMs / floorMs, 2),
    maxBlockMs: round(maxBlockMs, 2),
    renders: a.renders,
    promtool: check.error
      ? `promtool not run: ${check.error.message}`
      : `${check.stdout}${check.stderr}`.trim(),
  };
}
