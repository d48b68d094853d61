import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchConfigYaml } from './lib/bellwether.js';
import { startHost } from './lib/host.js';
import { sleep } from './lib/proc.js';
import { mean, round } from './lib/stats.js';
import type { VendorProcess } from './lib/vendor.js';

/** The faults injected: an HTTP 500 from /health, or the vendor process gone (connection refused). */
export type DetectionFault = 'status 500' | 'vendor stopped';

/** One detection measurement. */
export interface DetectionTrial {
  interval: string;
  fault: DetectionFault;
  /** Where in the interval the fault was injected, 0..1 after the healthy round. */
  phase: number;
  /** Fault injected → `down` in /api/v1/status, ms. */
  downMs: number;
  /** Fault injected → breaker `open` in /api/v1/status, ms. */
  openMs: number;
}

/** Trials of one interval and fault, summarised. */
export interface DetectionRow {
  interval: string;
  intervalMs: number;
  fault: DetectionFault;
  trials: number;
  downMeanMs: number;
  downMinMs: number;
  downMaxMs: number;
  openMeanMs: number;
  openMinMs: number;
  openMaxMs: number;
}

const POLL_MS = 10;

interface DepView {
  state: string;
  breaker: string;
}

async function statusOf(url: string): Promise<DepView | undefined> {
  const res = await fetch(`${url}/api/v1/status`);
  const body = (await res.json()) as { dependencies: DepView[] };
  return body.dependencies[0];
}

async function waitFor(url: string, ok: (d: DepView) => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const d = await statusOf(url);
    if (d && ok(d)) return;
    await sleep(POLL_MS);
  }
  throw new Error('detection: dependency never reached the expected state');
}

/**
 * One trial: a fresh Bellwether with one http dependency (config defaults: retries 1,
 * down after 2 failed rounds, breaker over 3 rounds), healthy first, then the fault at a
 * chosen phase of the interval; /api/v1/status is polled every 10 ms.
 */
async function trial(
  vendor: VendorProcess,
  interval: string,
  intervalMs: number,
  fault: DetectionFault,
  phase: number,
): Promise<DetectionTrial> {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-bench-det-'));
  let injected = false;
  try {
    const configPath = join(dir, 'bellwether.yaml');
    writeFileSync(
      configPath,
      benchConfigYaml({
        vendorUrl: vendor.url,
        count: 1,
        interval,
        // Must be under the interval; these faults fail fast anyway.
        timeout: `${Math.floor(intervalMs * 0.8)}ms`,
        storagePath: join(dir, 'bellwether.db'),
      }),
    );
    const host = await startHost({ configPath, firstRunSpreadMs: 100 });
    try {
      await waitFor(host.url, (d) => d.state === 'healthy', 15_000);
      await sleep(phase * intervalMs);
      injected = true;
      if (fault === 'status 500') await vendor.setFault('health', { status: 500 });
      else await vendor.kill();
      const t0 = performance.now();
      let downMs = Number.NaN;
      let openMs = Number.NaN;
      const until = t0 + intervalMs * 8 + 15_000;
      while (performance.now() < until && (Number.isNaN(downMs) || Number.isNaN(openMs))) {
        const d = await statusOf(host.url);
        const at = performance.now() - t0;
        if (d?.state === 'down' && Number.isNaN(downMs)) downMs = at;
        if (d?.breaker === 'open' && Number.isNaN(openMs)) openMs = at;
        await sleep(POLL_MS);
      }
      return { interval, fault, phase, downMs: round(downMs, 0), openMs: round(openMs, 0) };
    } finally {
      await host.stop();
    }
  } finally {
    if (injected && fault === 'status 500') await vendor.clearFaults();
    else if (injected) await vendor.restart();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `trials` per interval and fault, phases spread evenly over the interval. */
export async function runDetection(
  vendor: VendorProcess,
  intervals: { interval: string; intervalMs: number }[],
  trials: number,
): Promise<{ rows: DetectionRow[]; trials: DetectionTrial[] }> {
  const all: DetectionTrial[] = [];
  const rows: DetectionRow[] = [];
  for (const { interval, intervalMs } of intervals) {
    for (const fault of ['status 500', 'vendor stopped'] as const) {
      const got: DetectionTrial[] = [];
      for (let i = 0; i < trials; i++) {
        got.push(await trial(vendor, interval, intervalMs, fault, (i + 0.5) / trials));
      }
      all.push(...got);
      const down = got.map((t) => t.downMs);
      const open = got.map((t) => t.openMs);
      rows.push({
        interval,
        intervalMs,
        fault,
        trials,
        downMeanMs: round(mean(down), 0),
        downMinMs: Math.min(...down),
        downMaxMs: Math.max(...down),
        openMeanMs: round(mean(open), 0),
        openMinMs: Math.min(...open),
        openMaxMs: Math.max(...open),
      });
    }
  }
  return { rows, trials: all };
}
