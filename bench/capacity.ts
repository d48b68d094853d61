import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfigYaml } from './lib/bellwether.js';
import { type HostSample, startHost } from './lib/host.js';
import { sleep } from './lib/proc.js';
import { quantile, round } from './lib/stats.js';

/** What the capacity run is asked to do. */
export interface CapacityPlan {
  dependencies: number;
  interval: string;
  intervalMs: number;
  firstRunSpreadMs: number;
  /** Wait after start before measuring (the first-run burst and warm-up). */
  warmupSeconds: number;
  /** Extra rounds of every dependency before measuring, to fill the in-memory history (0: none). */
  fillRounds: number;
  /** The measured window; at least two intervals. */
  windowSeconds: number;
}

/** What the capacity run measured. */
export interface CapacityResult {
  dependencies: number;
  intervalMs: number;
  windowSeconds: number;
  /** CPU over the window as a share of one core, percent. */
  cpuPercentOfCore: number;
  /** Rounds completed in the window, and what the schedule asks for. */
  rounds: number;
  expectedRounds: number;
  failedRounds: number;
  overruns: number;
  rssMiBMax: number;
  rssMiBEnd: number;
  /** RSS at each 10 s sample of the window. */
  rssMiBSeries: number[];
  heapUsedMiBEnd: number;
  probeLatencyP50Ms: number;
  probeLatencyP99Ms: number;
  loopDelayP99MsMax: number;
  /** CPU ms per completed round in the window (scheduler and idle included). */
  cpuMsPerRound: number;
  /** Extra rounds per dependency run before the window, and how long they took. */
  fillRounds: number;
  fillSeconds: number;
  /** RSS after the first-run burst, before the history was filled. */
  rssMiBBeforeFill: number;
  /** After the window and a full GC: where the resident memory is. */
  memory: {
    rssMiB: number;
    heapUsedMiB: number;
    heapTotalMiB: number;
    externalMiB: number;
    /** rss − V8 heap − external: SQLite's page cache, malloc arenas, code, threads (tsx's included). */
    otherMiB: number;
  };
}

/**
 * Starts Bellwether (startBellwether, in a process of its own) with a generated config of
 * http dependencies against the fake vendor process and measures CPU and RSS at steady state.
 */
export async function runCapacity(vendorUrl: string, plan: CapacityPlan): Promise<CapacityResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-bench-cap-'));
  try {
    const configPath = join(dir, 'bellwether.yaml');
    writeFileSync(
      configPath,
      benchConfigYaml({
        vendorUrl,
        count: plan.dependencies,
        interval: plan.interval,
        storagePath: join(dir, 'bellwether.db'),
      }),
    );
    const host = await startHost(
      { configPath, firstRunSpreadMs: plan.firstRunSpreadMs },
      { exposeGc: true },
    );
    try {
      await sleep(plan.warmupSeconds * 1000);
      const beforeFill = await host.sample();
      // A few at a time: the scheduler never bursts, and a burst would leave its high-water RSS.
      const fillMs = plan.fillRounds > 0 ? await host.fill(plan.fillRounds, 10) : 0;
      if (plan.fillRounds > 0) {
        // One full GC clears the fill's own garbage, which the scheduler would never make at
        // once; then the window sees the natural high-water mark.
        await host.sample(true);
        await sleep(5000);
      }
      const first = await host.sample();
      const samples: HostSample[] = [first];
      const step = 10;
      for (let t = step; t <= plan.windowSeconds; t += step) {
        await sleep(step * 1000);
        samples.push(await host.sample());
      }
      const last = samples[samples.length - 1] as HostSample;
      const settled = await host.sample(true);
      const mib = (b: number): number => round(b / 2 ** 20, 1);
      const wallMs = last.at - first.at;
      const cpuMs = last.cpuMs - first.cpuMs;
      const rounds = last.rounds - first.rounds;
      const latencies = samples.slice(1).flatMap((s) => s.latencies);
      return {
        dependencies: plan.dependencies,
        intervalMs: plan.intervalMs,
        windowSeconds: round(wallMs / 1000, 1),
        cpuPercentOfCore: round((cpuMs / wallMs) * 100, 2),
        rounds,
        expectedRounds: Math.round((plan.dependencies * wallMs) / plan.intervalMs),
        failedRounds: last.failedRounds - first.failedRounds,
        overruns: last.overruns - first.overruns,
        rssMiBMax: round(Math.max(...samples.map((s) => s.rss)) / 2 ** 20, 1),
        rssMiBEnd: round(last.rss / 2 ** 20, 1),
        rssMiBSeries: samples.map((x) => round(x.rss / 2 ** 20, 1)),
        heapUsedMiBEnd: round(last.heapUsed / 2 ** 20, 1),
        probeLatencyP50Ms: round(quantile(latencies, 0.5), 2),
        probeLatencyP99Ms: round(quantile(latencies, 0.99), 2),
        loopDelayP99MsMax: round(Math.max(...samples.slice(1).map((s) => s.loopDelayP99Ms)), 2),
        cpuMsPerRound: round(cpuMs / Math.max(1, rounds), 3),
        fillRounds: plan.fillRounds,
        fillSeconds: round(fillMs / 1000, 1),
        rssMiBBeforeFill: mib(beforeFill.rss),
        memory: {
          rssMiB: mib(settled.rss),
          heapUsedMiB: mib(settled.heapUsed),
          heapTotalMiB: mib(settled.heapTotal),
          externalMiB: mib(settled.external),
          otherMiB: mib(settled.rss - settled.heapTotal - settled.external),
        },
      };
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
