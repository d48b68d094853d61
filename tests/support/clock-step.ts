import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, startCli } from './cli-process.js';

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** Debian's libfaketime (package libfaketime); the MT build is the one for threaded programs. */
export const LIBFAKETIME = `/usr/lib/${MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`}/faketime/libfaketimeMT.so.1`;

/** A wall-clock step to apply, in seconds relative to the true time (cumulative: not added up). */
export interface ClockStep {
  name: string;
  offsetSeconds: number;
}

/** What one window after a step saw. */
export interface StepFigures {
  name: string;
  /** Probes the interval promises in the window (window / interval). */
  expected: number;
  received: number;
  lost: number;
  /** The longest time between two probes in the window, ms (monotonic, in this process). */
  maxGapMs: number;
  /** The shortest, ms: a burst shows as gaps far under the interval. */
  minGapMs: number;
}

/**
 * Runs `bellwether run` under libfaketime with the wall clock stepped by each step in turn
 * (the monotonic clock left true, as an NTP step leaves it), and counts the probes a local
 * HTTP target receives in a window after each step. The clock is read from a file the test
 * rewrites (FAKETIME_TIMESTAMP_FILE), so the steps happen to a running process.
 */
export async function measureClockSteps(opts: {
  steps: readonly ClockStep[];
  intervalMs: number;
  /** A cron schedule firing every `intervalMs` instead of an interval (e.g. `* * * * * *`). */
  schedule?: string;
  windowMs: number;
  /** Another build of the CLI (to measure an older version); default this one's dist/. */
  cli?: string;
}): Promise<StepFigures[]> {
  if (!existsSync(LIBFAKETIME)) throw new Error(`${LIBFAKETIME} missing: apt-get install faketime`);
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-clock-'));
  const clockFile = join(dir, 'faketime');
  writeFileSync(clockFile, '+0\n');
  const hits: number[] = [];
  const target = http.createServer((_req, res) => {
    hits.push(performance.now());
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const port = (target.address() as AddressInfo).port;
  const config = join(dir, 'bellwether.yaml');
  writeFileSync(
    config,
    `server: { port: 0, host: 127.0.0.1 }
storage: { path: ${join(dir, 'history.db')} }
dependencies:
  - { id: target, vendor: http, url: "http://127.0.0.1:${port}/health", ${opts.schedule === undefined ? `interval: ${opts.intervalMs}ms` : `schedule: "${opts.schedule}"`}, timeout: ${Math.floor(opts.intervalMs / 2)}ms }
`,
  );
  const cli = await startCli(
    ['--config', config],
    {
      PATH: process.env.PATH,
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: clockFile,
      // Re-read the file at most once a second: reading it on every clock call is slow.
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    20_000,
    opts.cli ?? CLI,
  );
  const figures: StepFigures[] = [];
  try {
    // Settle: the first run and a few scheduled ones.
    await sleep(3 * opts.intervalMs);
    for (const step of opts.steps) {
      writeFileSync(clockFile, `${step.offsetSeconds >= 0 ? '+' : ''}${step.offsetSeconds}\n`);
      const from = performance.now();
      await sleep(opts.windowMs);
      const to = performance.now();
      const seen = hits.filter((t) => t >= from && t < to);
      const gaps = seen.slice(1).map((t, i) => t - (seen[i] as number));
      // Gaps from the window's edges count too: a stall that fills the whole window shows.
      const edges =
        seen.length === 0
          ? [to - from]
          : [(seen[0] as number) - from, to - (seen.at(-1) as number)];
      const expected = Math.round(opts.windowMs / opts.intervalMs);
      figures.push({
        name: step.name,
        expected,
        received: seen.length,
        lost: Math.max(0, expected - seen.length),
        maxGapMs: Math.round(Math.max(...gaps, ...edges)),
        minGapMs: Math.round(gaps.length > 0 ? Math.min(...gaps) : Number.NaN),
      });
    }
  } finally {
    await cli.stop();
    await new Promise<void>((resolve) => target.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
