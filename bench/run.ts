import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createProbe } from '../src/probes/index.js';
import { createNodeHttpClient } from '../src/transport/node-http-client.js';
import { testDependency } from '../tests/support/dependency.js';

/**
 * Probe overhead against a fake vendor running in its own process: measured latency minus
 * the injected delay, and CPU per probe, with and without connection reuse. Loopback only,
 * bounded in count. Writes bench/results/latest.{json,md}.
 */

const PORT = Number(process.env.BENCH_VENDOR_PORT ?? 19478);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const DELAYS = [0, 50, 200];

async function startVendor(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/fake-vendor.ts', '--port', String(PORT), '--anonymous'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`fake vendor exited ${code}`)));
  });
  return child;
}

async function setDelay(ms: number): Promise<void> {
  await fetch(`http://127.0.0.1:${PORT}/__fault`, {
    method: 'POST',
    body: JSON.stringify({ route: 'models', fault: ms > 0 ? { headersDelayMs: ms } : null }),
  });
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

interface Row {
  delayMs: number;
  keepAlive: boolean;
  samples: number;
  errorMeanMs: number;
  errorP50Ms: number;
  errorP99Ms: number;
  cpuMsPerProbe: number;
}

async function measure(delayMs: number, keepAlive: boolean): Promise<Row> {
  const dep = testDependency({
    id: 'bench',
    vendor: 'openai-compatible',
    baseUrl: `http://127.0.0.1:${PORT}/v1`,
    checks: ['models'],
    timeoutMs: 5000,
  });
  const http = createNodeHttpClient({ keepAlive });
  const probe = createProbe(dep, (s) => s);
  await setDelay(delayMs);
  const errors: number[] = [];
  const run = async () => {
    const controller = new AbortController();
    const r = await probe.run('models', {
      http,
      signal: controller.signal,
      now: () => performance.now(),
    });
    if (!r.ok) throw new Error(`probe failed: ${r.errorClass} ${r.message}`);
    return r.latencyMs;
  };
  for (let i = 0; i < 10; i++) await run(); // warm-up
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < SAMPLES; i++) errors.push((await run()) - delayMs);
  const cpu = process.cpuUsage(cpu0);
  http.close();
  errors.sort((a, b) => a - b);
  const mean = errors.reduce((s, v) => s + v, 0) / errors.length;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    delayMs,
    keepAlive,
    samples: SAMPLES,
    errorMeanMs: r2(mean),
    errorP50Ms: r2(quantile(errors, 0.5)),
    errorP99Ms: r2(quantile(errors, 0.99)),
    cpuMsPerProbe: r2((cpu.user + cpu.system) / 1000 / SAMPLES),
  };
}

async function main(): Promise<void> {
  const vendor = await startVendor();
  const rows: Row[] = [];
  try {
    for (const keepAlive of [true, false]) {
      for (const d of DELAYS) rows.push(await measure(d, keepAlive));
    }
  } finally {
    vendor.kill('SIGTERM');
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    at: new Date().toISOString(),
  };
  writeFileSync('bench/results/latest.json', `${JSON.stringify({ machine, rows }, null, 2)}\n`);
  const md = [
    '# Bellwether probe overhead',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; ${machine.at}.`,
    '',
    'Models check against the fake vendor in its own process on 127.0.0.1; error = measured latency − injected delay.',
    '',
    '| delay (ms) | keep-alive | samples | error mean (ms) | error p50 (ms) | error p99 (ms) | CPU per probe (ms) |',
    '|---:|:---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.delayMs} | ${r.keepAlive ? 'yes' : 'no'} | ${r.samples} | ${r.errorMeanMs} | ${r.errorP50Ms} | ${r.errorP99Ms} | ${r.cpuMsPerProbe} |`,
    ),
    '',
  ].join('\n');
  writeFileSync('bench/results/latest.md', md);
  process.stdout.write(md);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});
