import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type { Registry } from 'prom-client';
import { build } from '../../src/bellwether.js';
import { formatConfigError, loadConfig } from '../../src/config/load.js';
import type { BellwetherConfig } from '../../src/config/types.js';
import type { Monitor } from '../../src/monitor.js';
import type { HistoryStore } from '../../src/store/sqlite-store.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';

/** What a generated bench config holds. */
export interface BenchConfigOptions {
  vendorUrl: string;
  /** Number of `http` dependencies, each on GET {vendorUrl}/health?d=N. */
  count: number;
  /** Config duration, e.g. '30s'. */
  interval: string;
  timeout?: string;
  storagePath: string;
}

/** A Bellwether YAML config of `count` http dependencies, as a user would write it. */
export function benchConfigYaml(o: BenchConfigOptions): string {
  const lines = [
    'vantage: bench',
    'server:',
    '  port: 0',
    '  host: 127.0.0.1',
    'storage:',
    `  path: ${JSON.stringify(o.storagePath)}`,
    'defaults:',
    `  interval: ${o.interval}`,
    `  timeout: ${o.timeout ?? '10s'}`,
    'dependencies:',
  ];
  for (let i = 1; i <= o.count; i++) {
    lines.push(
      `  - id: dep-${String(i).padStart(4, '0')}`,
      '    vendor: http',
      `    url: ${o.vendorUrl}/health?d=${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the YAML to `dir`/bellwether.yaml and loads it through the real config loader. */
export function loadBenchConfig(dir: string, yaml: string): BellwetherConfig {
  const path = join(dir, 'bellwether.yaml');
  writeFileSync(path, yaml);
  const result = loadConfig(path, {});
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

/** A log destination that drops lines: healthy rounds log nothing, so this hides no cost. */
export const discard = { write(_line: string): void {} };

/** Bellwether built as `bellwether check` and `run` build it (the same function), not started. */
export interface BenchMonitor {
  monitor: Monitor;
  registry: Registry;
  store: HistoryStore;
  http: HttpClient;
  close(): Promise<void>;
}

/** Builds Bellwether for a config through `build`; `keepAlive` picks the transport's connection reuse. */
export function buildBenchMonitor(config: BellwetherConfig, keepAlive: boolean): BenchMonitor {
  const built = build({
    config,
    logLevel: 'info',
    logDestination: discard,
    http: createNodeHttpClient({ keepAlive, userAgent: 'bellwether/bench' }),
  });
  const { monitor, registry, store, http } = built;
  return {
    monitor,
    registry,
    store,
    http,
    async close() {
      await monitor.stop(2000);
      http.close();
      store.close();
    },
  };
}

/**
 * Bytes allocated on the V8 heap between start and stop, from the GC profiler's before/after
 * figures: what was allocated = growth between collections plus what each collection freed.
 */
export function allocationMeter(): { stop(): number } {
  const profiler = new GCProfiler();
  const startUsed = getHeapStatistics().used_heap_size;
  profiler.start();
  return {
    stop() {
      const result = profiler.stop();
      const endUsed = getHeapStatistics().used_heap_size;
      let allocated = 0;
      let last = startUsed;
      for (const gc of result.statistics) {
        allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - last);
        last = gc.afterGC.heapStatistics.usedHeapSize;
      }
      return allocated + Math.max(0, endUsed - last);
    },
  };
}
