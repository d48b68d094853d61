import { GCProfiler, getHeapStatistics } from 'node:v8';

/** What a generated bench config holds. */
export interface BenchConfigOptions {
  vendorUrl: string;
  /** Number of `http` dependencies, each on GET {vendorUrl}/health?d=N. */
  count: number;
  /** Config duration, e.g. '30s'. */
  interval: string;
  timeout?: string;
  /** Request headers of every dependency (`connection: close` makes each probe a new connection). */
  headers?: Record<string, string>;
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
    if (o.headers) lines.push(`    headers: ${JSON.stringify(o.headers)}`);
  }
  return `${lines.join('\n')}\n`;
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
