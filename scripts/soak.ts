import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchConfigYaml } from '../bench/lib/bellwether.js';
import { type Host, type HostSample, startHost } from '../bench/lib/host.js';
import { machineInfo, ROOT, sleep } from '../bench/lib/proc.js';
import { quantile, round, slope } from '../bench/lib/stats.js';
import { startVendorProcess, type VendorProcess } from '../bench/lib/vendor.js';

/**
 * Load and soak (issue 7, part 6), loopback only, bounded in time and count:
 * 1. Bellwether with --dependencies (1,000) `http` dependencies at 30 s against the fake
 *    vendor process; /metrics and /api/v1/status hammered at once by autocannon
 *    (--connections each, --load-seconds) while probing goes on.
 * 2. A fast-interval soak: --soak-dependencies (50) at 1 s for --minutes (3), RSS and heap
 *    (after a full GC) sampled every 10 s; the slope after warm-up says whether memory is flat.
 * Prints a summary and writes bench/results/soak-latest.{md,json}; exits 1 when a request
 * failed, a probe round failed, or the heap grew faster than --max-heap-slope MiB/min.
 */

interface Options {
  dependencies: number;
  connections: number;
  loadSeconds: number;
  soakDependencies: number;
  minutes: number;
  maxHeapSlope: number;
  out: string;
}

/** What autocannon reported for one endpoint. */
interface LoadResult {
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
}

/** Bellwether's side of a window: probing and the event loop while it ran. */
interface WindowResult {
  seconds: number;
  rounds: number;
  expectedRounds: number;
  failedRounds: number;
  overruns: number;
  cpuPercentOfCore: number;
  rssMiB: number;
  probeLatencyP50Ms: number;
  probeLatencyP99Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

interface SoakPoint {
  minute: number;
  rssMiB: number;
  heapUsedMiB: number;
  rounds: number;
}

interface SoakReport {
  machine: ReturnType<typeof machineInfo>;
  loadAverage: { start: number; end: number };
  options: Options;
  load: { before: WindowResult; during: WindowResult; endpoints: LoadResult[] };
  soak: {
    dependencies: number;
    minutes: number;
    warmupMinutes: number;
    points: SoakPoint[];
    heapSlopeMiBPerMin: number;
    rssSlopeMiBPerMin: number;
    failedRounds: number;
    overruns: number;
    flat: boolean;
  };
  ok: boolean;
  problems: string[];
}

const log = (line: string): void => {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

function autocannonPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
}

/** Runs autocannon in a process of its own (it must not share Bellwether's or our event loop). */
function autocannon(url: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [autocannonPath(), '--json', '-c', String(connections), '-d', String(seconds), url],
      { maxBuffer: 16 * 2 ** 20, timeout: (seconds + 60) * 1000 },
      (err, stdout) => {
        if (err) {
          reject(err);
          return;
        }
        const r = JSON.parse(stdout) as {
          duration: number;
          errors: number;
          timeouts: number;
          non2xx: number;
          latency: { p50: number; p99: number; max: number };
          requests: { total: number; average: number };
          throughput: { total: number };
        };
        resolve({
          path: new URL(url).pathname,
          connections,
          seconds: r.duration,
          requests: r.requests.total,
          requestsPerSecond: round(r.requests.total / r.duration, 1),
          latencyP50Ms: r.latency.p50,
          latencyP99Ms: r.latency.p99,
          latencyMaxMs: r.latency.max,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          bytesPerResponse:
            r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : 0,
        });
      },
    );
  });
}

function windowOf(a: HostSample, b: HostSample, deps: number, intervalMs: number): WindowResult {
  const wallMs = b.at - a.at;
  return {
    seconds: round(wallMs / 1000, 1),
    rounds: b.rounds - a.rounds,
    expectedRounds: Math.round((deps * wallMs) / intervalMs),
    failedRounds: b.failedRounds - a.failedRounds,
    overruns: b.overruns - a.overruns,
    cpuPercentOfCore: round(((b.cpuMs - a.cpuMs) / wallMs) * 100, 1),
    rssMiB: round(b.rss / 2 ** 20, 1),
    probeLatencyP50Ms: round(quantile(b.latencies, 0.5), 2),
    probeLatencyP99Ms: round(quantile(b.latencies, 0.99), 2),
    loopDelayP99Ms: round(b.loopDelayP99Ms, 1),
    loopDelayMaxMs: round(b.loopDelayMaxMs, 1),
  };
}

function writeConfig(dir: string, vendor: VendorProcess, count: number, interval: string): string {
  const path = join(dir, `bellwether-${count}-${interval}.yaml`);
  writeFileSync(
    path,
    benchConfigYaml({
      vendorUrl: vendor.url,
      count,
      interval,
      timeout: interval === '1s' ? '800ms' : '10s',
      storagePath: join(dir, `bellwether-${count}-${interval}.db`),
    }),
  );
  return path;
}

async function loadPhase(
  o: Options,
  vendor: VendorProcess,
  dir: string,
): Promise<SoakReport['load']> {
  log(`load: ${o.dependencies} dependencies at 30 s`);
  const host = await startHost({
    configPath: writeConfig(dir, vendor, o.dependencies, '30s'),
    firstRunSpreadMs: 5000,
  });
  try {
    // The first-run burst, then a quiet window to compare with.
    await sleep(8000);
    const s0 = await host.sample();
    await sleep(10_000);
    const s1 = await host.sample();
    log(
      `load: autocannon on /metrics and /api/v1/status, ${o.connections} connections each, ${o.loadSeconds} s`,
    );
    const endpoints = await Promise.all(
      ['/metrics', '/api/v1/status'].map((p) =>
        autocannon(`${host.url}${p}`, o.connections, o.loadSeconds),
      ),
    );
    const s2 = await host.sample();
    return {
      before: windowOf(s0, s1, o.dependencies, 30_000),
      during: windowOf(s1, s2, o.dependencies, 30_000),
      endpoints,
    };
  } finally {
    await host.stop();
  }
}

async function soakPhase(
  o: Options,
  vendor: VendorProcess,
  dir: string,
): Promise<SoakReport['soak']> {
  log(`soak: ${o.soakDependencies} dependencies at 1 s for ${o.minutes} min`);
  const host: Host = await startHost(
    { configPath: writeConfig(dir, vendor, o.soakDependencies, '1s'), firstRunSpreadMs: 1000 },
    { exposeGc: true },
  );
  const points: SoakPoint[] = [];
  let first: HostSample | undefined;
  let last: HostSample | undefined;
  try {
    const start = Date.now();
    const end = start + o.minutes * 60_000;
    while (Date.now() <= end) {
      // A scrape of each endpoint, as Prometheus and a dashboard would make.
      for (const p of ['/metrics', '/api/v1/status']) {
        const res = await fetch(`${host.url}${p}`);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${p} answered ${res.status} during the soak`);
      }
      const s = await host.sample(true);
      first ??= s;
      last = s;
      points.push({
        minute: round((s.at - start) / 60_000, 2),
        rssMiB: round(s.rss / 2 ** 20, 2),
        heapUsedMiB: round(s.heapUsed / 2 ** 20, 2),
        rounds: s.rounds,
      });
      log(
        `soak: ${points[points.length - 1]?.minute} min, RSS ${round(s.rss / 2 ** 20, 1)} MiB, heap ${round(s.heapUsed / 2 ** 20, 1)} MiB`,
      );
      await sleep(Math.min(10_000, Math.max(0, end - Date.now() + 1)));
      if (Date.now() > end) break;
    }
  } finally {
    await host.stop();
  }
  const warmupMinutes = Math.min(1, o.minutes / 3);
  const steady = points.filter((p) => p.minute >= warmupMinutes);
  const heapSlope = slope(steady.map((p) => ({ x: p.minute, y: p.heapUsedMiB })));
  const rssSlope = slope(steady.map((p) => ({ x: p.minute, y: p.rssMiB })));
  return {
    dependencies: o.soakDependencies,
    minutes: o.minutes,
    warmupMinutes: round(warmupMinutes, 2),
    points,
    heapSlopeMiBPerMin: round(heapSlope, 3),
    rssSlopeMiBPerMin: round(rssSlope, 3),
    failedRounds: (last?.failedRounds ?? 0) - (first?.failedRounds ?? 0),
    overruns: last?.overruns ?? 0,
    flat: Number.isFinite(heapSlope) && heapSlope <= o.maxHeapSlope,
  };
}

function markdown(r: SoakReport): string {
  const m = r.machine;
  const w = (x: WindowResult) =>
    `| ${x.seconds} | ${x.rounds} (${x.expectedRounds}) | ${x.failedRounds} | ${x.overruns} | ${x.cpuPercentOfCore} | ${x.rssMiB} | ${x.probeLatencyP50Ms} / ${x.probeLatencyP99Ms} | ${x.loopDelayP99Ms} / ${x.loopDelayMaxMs} |`;
  const L = [
    '# Bellwether load and soak',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}; ${m.at}; load average ${r.loadAverage.start} at start, ${r.loadAverage.end} at end.`,
    '',
    `Result: **${r.ok ? 'pass' : 'FAIL'}**${r.problems.length ? ` (${r.problems.join('; ')})` : ''}.`,
    '',
    `## Load: ${r.options.dependencies} dependencies at 30 s, /metrics and /api/v1/status under autocannon at once`,
    '',
    'Bellwether (startBellwether in its own process, under tsx) probes the fake vendor process on 127.0.0.1; autocannon runs in two processes of its own.',
    '',
    '| endpoint | connections | s | requests | req/s | latency p50 / p99 / max ms | bytes per response | non-2xx | errors | timeouts |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.load.endpoints.map(
      (e) =>
        `| ${e.path} | ${e.connections} | ${e.seconds} | ${e.requests} | ${e.requestsPerSecond} | ${e.latencyP50Ms} / ${e.latencyP99Ms} / ${e.latencyMaxMs} | ${e.bytesPerResponse} | ${e.non2xx} | ${e.errors} | ${e.timeouts} |`,
    ),
    '',
    'Probing meanwhile (rounds due in brackets):',
    '',
    '| window | s | rounds (due) | failed rounds | overruns | CPU % of a core | RSS MiB | probe latency p50 / p99 ms | event-loop delay p99 / max ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    w(r.load.before).replace(/^\|/, '| quiet |'),
    w(r.load.during).replace(/^\|/, '| under load |'),
    '',
    `## Soak: ${r.soak.dependencies} dependencies at 1 s for ${r.soak.minutes} min`,
    '',
    `Heap used is read after a full GC; slopes are least squares over the samples after ${r.soak.warmupMinutes} min of warm-up. Heap slope **${r.soak.heapSlopeMiBPerMin} MiB/min**, RSS slope **${r.soak.rssSlopeMiBPerMin} MiB/min**: ${r.soak.flat ? 'flat' : '**growing**'} (limit ${r.options.maxHeapSlope} MiB/min). Failed rounds ${r.soak.failedRounds}, overruns ${r.soak.overruns}.`,
    '',
    '| minute | RSS MiB | heap used MiB | rounds |',
    '|---:|---:|---:|---:|',
    ...r.soak.points.map((p) => `| ${p.minute} | ${p.rssMiB} | ${p.heapUsedMiB} | ${p.rounds} |`),
    '',
  ];
  return `${L.join('\n')}\n`;
}

/** Runs the load phase then the soak; returns whether everything held. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<boolean> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '3' },
      dependencies: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '10' },
      'load-seconds': { type: 'string', default: '30' },
      'soak-dependencies': { type: 'string', default: '50' },
      'max-heap-slope': { type: 'string', default: '0.5' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    },
  });
  const num = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max}, got ${v}`);
    }
    return n;
  };
  const o: Options = {
    minutes: num('minutes', values.minutes, 0.5, 120),
    dependencies: num('dependencies', values.dependencies, 1, 10_000),
    connections: num('connections', values.connections, 1, 100),
    loadSeconds: num('load-seconds', values['load-seconds'], 1, 600),
    soakDependencies: num('soak-dependencies', values['soak-dependencies'], 1, 1000),
    maxHeapSlope: num('max-heap-slope', values['max-heap-slope'], 0, 1000),
    out: values.out as string,
  };
  const machine = machineInfo(new Date());
  const loadStart = round(loadavg()[0] ?? 0, 2);
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-soak-'));
  const vendor = await startVendorProcess();
  let load: SoakReport['load'];
  let soak: SoakReport['soak'];
  try {
    load = await loadPhase(o, vendor, dir);
    soak = await soakPhase(o, vendor, dir);
  } finally {
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const problems: string[] = [];
  for (const e of load.endpoints) {
    if (e.non2xx + e.errors + e.timeouts > 0) {
      problems.push(`${e.path}: ${e.non2xx} non-2xx, ${e.errors} errors, ${e.timeouts} timeouts`);
    }
    if (e.requests === 0) problems.push(`${e.path}: no request completed`);
  }
  if (load.during.failedRounds > 0)
    problems.push(`${load.during.failedRounds} probe rounds failed under load`);
  if (soak.failedRounds > 0) problems.push(`${soak.failedRounds} probe rounds failed in the soak`);
  if (!soak.flat) problems.push(`heap grew ${soak.heapSlopeMiBPerMin} MiB/min`);
  const report: SoakReport = {
    machine,
    loadAverage: { start: loadStart, end: round(loadavg()[0] ?? 0, 2) },
    options: o,
    load,
    soak,
    ok: problems.length === 0,
    problems,
  };
  const md = markdown(report);
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'soak-latest.md'), md);
  writeFileSync(join(o.out, 'soak-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(md);
  log(`wrote soak-latest.{md,json} in ${o.out}`);
  return report.ok;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (ok) => process.exit(ok ? 0 : 1),
    (err: Error) => {
      process.stderr.write(`soak: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
