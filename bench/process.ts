import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuRow } from './cpu.js';
import { type BenchConfigOptions, benchConfigYaml } from './lib/bellwether.js';
import { type DistProcess, startDist, sumSamples } from './lib/dist.js';
import { sleep } from './lib/proc.js';
import { round } from './lib/stats.js';

/** Whole-process CPU of `bellwether run` over a window (no heap figures: it is measured from outside). */
export type ProcessCpuRow = Omit<CpuRow, 'keepAlive' | 'allocKiBPerProbe' | 'heapUsedMiB'> & {
  /** false: every probe on a new connection (`connection: close` on each request). */
  keepAlive: boolean;
  dependencies: number;
  intervalSeconds: number;
  windowSeconds: number;
};

const RESULTS = 'bellwether_probe_results_total';

/**
 * A cap on V8's old generation, for a tight memory limit: V8 then collects sooner instead of
 * growing the heap to its high-water mark. Not a default: a heap that outgrows it crashes the
 * process, so it must be raised with the dependency count (README, Performance).
 */
export const CAPPED_NODE_OPTIONS = '--max-old-space-size=160';

/** Writes a config for `o` into `dir` and returns its path. */
function writeConfig(dir: string, o: Omit<BenchConfigOptions, 'storagePath'>): string {
  const path = join(dir, 'bellwether.yaml');
  writeFileSync(path, benchConfigYaml({ ...o, storagePath: join(dir, 'bellwether.db') }));
  return path;
}

/**
 * `node dist/cli.js run` probing `dependencies` http dependencies at 1 s (so `dependencies`
 * probes per second) with its default settings; `keepAlive: false` adds `Connection: close`
 * to every request, so each probe opens a new connection as blackbox_exporter's do. CPU is
 * utime+stime of the whole process from /proc over `seconds`, after `warmupSeconds`; the
 * probes are counted from its own bellwether_probe_results_total. `beside` runs over the
 * same seconds (blackbox_exporter's measurement).
 */
export async function processCpu<T>(
  vendorUrl: string,
  a: { dependencies: number; seconds: number; warmupSeconds: number; keepAlive: boolean },
  ticks: number,
  beside?: () => Promise<T>,
): Promise<{ row: ProcessCpuRow; beside?: T }> {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-bench-proc-'));
  let bw: DistProcess | undefined;
  try {
    const config = writeConfig(dir, {
      vendorUrl,
      count: a.dependencies,
      interval: '1s',
      timeout: '900ms',
      headers: a.keepAlive ? undefined : { connection: 'close' },
    });
    bw = await startDist(config, ticks);
    const proc = bw;
    // The start-up spread (5 s) and the first rounds, then the window.
    await sleep(Math.max(6, a.warmupSeconds) * 1000);
    const [row, other] = await Promise.all([
      (async () => {
        const before = await proc.scrape();
        const cpu0 = proc.cpuMs();
        const t0 = performance.now();
        await sleep(a.seconds * 1000);
        const cpu1 = proc.cpuMs();
        const wallMs = performance.now() - t0;
        const after = await proc.scrape();
        const probes = sumSamples(after, RESULTS) - sumSamples(before, RESULTS);
        const failures =
          sumSamples(after, RESULTS, 'outcome="failure"') -
          sumSamples(before, RESULTS, 'outcome="failure"');
        const user = cpu1.user - cpu0.user;
        const system = cpu1.system - cpu0.system;
        return {
          subject: `bellwether run (dist/), ${a.keepAlive ? 'default settings (keep-alive)' : 'new connection per probe'}`,
          keepAlive: a.keepAlive,
          dependencies: a.dependencies,
          intervalSeconds: 1,
          windowSeconds: round(wallMs / 1000, 1),
          probes,
          failures,
          cpuMs: round(user + system, 1),
          cpuMsPerProbe: round((user + system) / probes, 3),
          userMsPerProbe: round(user / probes, 3),
          systemMsPerProbe: round(system / probes, 3),
          cpuPercent: round(((user + system) / wallMs) * 100, 1),
          rssMiB: round(proc.rssBytes() / 2 ** 20, 1),
        } satisfies ProcessCpuRow;
      })(),
      beside?.(),
    ]);
    return { row, beside: other };
  } finally {
    await bw?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a memory run measured. */
export interface ProcessMemoryRow {
  dependencies: number;
  intervalSeconds: number;
  /** NODE_OPTIONS of the run ('' for none). */
  nodeOptions: string;
  windowSeconds: number;
  /** RSS every 10 s, from the end of the start-up spread, MiB. */
  rssMiBSeries: number[];
  /** Mean RSS over the second half of the window: the steady state, MiB. */
  rssMiBSteady: number;
  rssMiBMax: number;
  /** CPU over the window as a share of one core, percent. */
  cpuPercentOfCore: number;
  rounds: number;
  expectedRounds: number;
  failures: number;
  /** Samples in the last /metrics scrape. */
  series: number;
  /** Rounds per dependency at the end of the window (the in-memory history keeps up to 20). */
  roundsPerDependency: number;
}

/**
 * `node dist/cli.js run` with `dependencies` http dependencies at 30 s, as a user runs it,
 * scraped every 15 s as Prometheus does (OpenMetrics, gzip); RSS from /proc every 10 s over
 * `windowSeconds` after the start-up spread.
 */
export async function processMemory(
  vendorUrl: string,
  a: { dependencies: number; windowSeconds: number; nodeOptions?: string },
  ticks: number,
): Promise<ProcessMemoryRow> {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-bench-mem-'));
  let bw: DistProcess | undefined;
  try {
    const config = writeConfig(dir, { vendorUrl, count: a.dependencies, interval: '30s' });
    bw = await startDist(config, ticks, a.nodeOptions);
    const proc = bw;
    await sleep(6000);
    const first = await proc.scrape();
    const cpu0 = proc.cpuMs();
    const w0 = performance.now();
    const rss: number[] = [proc.rssBytes()];
    const scraper = setInterval(() => void proc.scrape().catch(() => undefined), 15_000);
    try {
      for (let t = 10; t <= a.windowSeconds; t += 10) {
        await sleep(10_000);
        rss.push(proc.rssBytes());
      }
    } finally {
      clearInterval(scraper);
    }
    const cpu1 = proc.cpuMs();
    const wallMs = performance.now() - w0;
    const last = await proc.scrape();
    const mib = (b: number): number => round(b / 2 ** 20, 1);
    const steady = rss.slice(Math.floor(rss.length / 2));
    const total = sumSamples(last, RESULTS);
    return {
      dependencies: a.dependencies,
      intervalSeconds: 30,
      nodeOptions: a.nodeOptions ?? '',
      windowSeconds: round(wallMs / 1000, 1),
      rssMiBSeries: rss.map(mib),
      rssMiBSteady: mib(steady.reduce((x, y) => x + y, 0) / steady.length),
      rssMiBMax: mib(Math.max(...rss)),
      cpuPercentOfCore: round(
        ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wallMs) * 100,
        2,
      ),
      rounds: total - sumSamples(first, RESULTS),
      expectedRounds: Math.round((a.dependencies * wallMs) / 30_000),
      failures:
        sumSamples(last, RESULTS, 'outcome="failure"') -
        sumSamples(first, RESULTS, 'outcome="failure"'),
      series: last.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length,
      roundsPerDependency: round(total / a.dependencies, 1),
    };
  } finally {
    await bw?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
