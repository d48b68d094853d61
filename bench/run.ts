import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AccuracyRow,
  blackboxSeries,
  type DelayPlan,
  type ErrorSeries,
  type PairSeries,
  rows,
} from './accuracy.js';
import { blackboxCpu, type CpuRow, type RatePlan } from './cpu.js';
import { runDetection } from './detection.js';
import { BLACKBOX_BIN, type Blackbox, blackboxAvailable, startBlackbox } from './lib/blackbox.js';
import { clockTicks, machineInfo, ROOT, runWorker, sleep } from './lib/proc.js';
import { round } from './lib/stats.js';
import { startVendorProcess } from './lib/vendor.js';
import type { RenderRow } from './metrics-render.js';
import {
  CAPPED_NODE_OPTIONS,
  type ProcessCpuRow,
  type ProcessMemoryRow,
  processCpu,
  processMemory,
} from './process.js';
import { type BenchReport, judgeTargets, renderMarkdown } from './report.js';

/**
 * `npm run bench`: latency accuracy, CPU and memory per probe, capacity, /metrics render
 * cost and detection latency, side by side with blackbox_exporter, on this machine in one
 * run. Loopback only; every count and duration is bounded (about 8 minutes on 2 vCPU).
 * Writes bench/results/latest.{md,json} and bench/results/<date>-<machine>.{md,json};
 * `--quick` runs small counts (a smoke test, about 2 minutes) and writes to the temp directory;
 * `--render <report.json>` rewrites a report's Markdown from its JSON without measuring.
 */

interface Plan {
  delays: DelayPlan[];
  cpu: RatePlan;
  /** Memory runs of `node dist/cli.js`, side by side. */
  memory: {
    dependencies: number;
    windowSeconds: number;
    nodeOptions?: string;
  }[];
  renders: { counts: number[]; renders: number };
  detection: { trials: number };
}

const FULL: Plan = {
  delays: [
    { delayMs: 0, samples: 300 },
    { delayMs: 50, samples: 60 },
    { delayMs: 200, samples: 25 },
    { delayMs: 1000, samples: 10 },
  ],
  cpu: { rate: 100, seconds: 15, warmupSeconds: 3 },
  memory: [
    { dependencies: 1000, windowSeconds: 120 },
    { dependencies: 100, windowSeconds: 120 },
    { dependencies: 1000, windowSeconds: 120, nodeOptions: CAPPED_NODE_OPTIONS },
  ],
  renders: { counts: [100, 1000, 5000], renders: 5 },
  detection: { trials: 3 },
};

const QUICK: Plan = {
  delays: [
    { delayMs: 0, samples: 50 },
    { delayMs: 50, samples: 5 },
    { delayMs: 200, samples: 3 },
    { delayMs: 1000, samples: 1 },
  ],
  cpu: { rate: 100, seconds: 3, warmupSeconds: 1 },
  memory: [
    { dependencies: 1000, windowSeconds: 20 },
    { dependencies: 100, windowSeconds: 20 },
  ],
  renders: { counts: [100, 1000, 5000], renders: 2 },
  detection: { trials: 1 },
};

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** RSS an idle process has after a second, with and without tsx's loader. */
function idleRss(withTsx: boolean): number {
  const script = 'setTimeout(() => process.stdout.write(String(process.memoryUsage().rss)), 1000)';
  const args = withTsx ? ['--import', 'tsx', '-e', script] : ['-e', script];
  return Number(execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }));
}

async function accuracy(
  vendorUrl: string,
  bb: Blackbox | undefined,
  vendor: Awaited<ReturnType<typeof startVendorProcess>>,
  plan: DelayPlan[],
): Promise<BenchReport['accuracy']> {
  const T = 180_000;
  const pair = (kind: 'http' | 'completion', keepAlive: boolean) =>
    runWorker<PairSeries>('accuracy-pair', { vendorUrl, plan, keepAlive, kind }, T);
  log('accuracy: http probe and raw node:http, keep-alive');
  const { bellwether: httpKa, raw: rawKa } = await pair('http', true);
  log('accuracy: http probe and raw node:http, new connection per probe');
  const { bellwether: httpNew, raw: rawNew } = await pair('http', false);
  log('accuracy: OpenAI completion and raw node:http');
  const { bellwether: completion, raw: rawCompletion } = await pair('completion', true);
  log('accuracy: timer slop');
  const slop = await runWorker<ErrorSeries[]>('timer-slop', { plan }, T);
  const ttft = (s: ErrorSeries) => s.ttftErrors ?? [];
  const out: AccuracyRow[] = [
    ...rows('bellwether http', 'headers', true, httpKa, undefined, { series: rawKa }),
    ...rows('bellwether http', 'headers', false, httpNew, undefined, { series: rawNew }),
    ...rows('bellwether completion', 'ttft', true, completion, ttft, {
      series: rawCompletion,
      pick: ttft,
    }),
    ...rows('bellwether completion', 'total', true, completion, undefined, {
      series: rawCompletion,
    }),
  ];
  if (bb) {
    log('accuracy: blackbox_exporter');
    const b = await blackboxSeries(bb, vendor, plan);
    out.push(
      ...rows('blackbox_exporter', 'probe_http_duration_seconds (sum)', false, b.http, undefined, {
        series: rawNew,
      }),
      ...rows('blackbox_exporter', 'probe_duration_seconds', false, b.duration, undefined, {
        series: rawNew,
      }),
    );
  }
  out.push(
    ...rows('raw node:http', 'headers', true, rawKa),
    ...rows('raw node:http', 'headers', false, rawNew),
    ...rows('raw node:http', 'completion ttft', true, rawCompletion, ttft),
    ...rows('raw node:http', 'completion total', true, rawCompletion),
  );
  return { rows: out, timerSlop: rows('setTimeout slop (idle Node)', 'lateness', true, slop) };
}

/** Worker start-up (tsx) before its warm-up begins: blackbox_exporter's window starts this much later. */
const WORKER_START_MS = 1500;

async function cpu(
  vendorUrl: string,
  bb: Blackbox | undefined,
  plan: Plan,
): Promise<BenchReport['cpu']> {
  const T = 180_000;
  const out: CpuRow[] = [];
  const ratios: BenchReport['cpu']['ratios'] = [];
  const processRows: ProcessCpuRow[] = [];
  const ticks = clockTicks();
  /** Records blackbox_exporter's run beside a Bellwether run, and their ratio. */
  const pair = (subject: string, keepAlive: boolean, bellwetherCpuMs: number, b: CpuRow): void => {
    out.push({
      ...b,
      subject: `blackbox_exporter http_2xx (beside ${subject}, keep-alive ${yesNo(keepAlive)})`,
    });
    ratios.push({
      subject,
      keepAlive,
      bellwetherCpuMs,
      blackboxCpuMs: b.cpuMsPerProbe,
      cpuRatio: round(bellwetherCpuMs / b.cpuMsPerProbe, 2),
    });
  };
  const beside = bb
    ? () => blackboxCpu(bb, `${vendorUrl}/health`, { ...plan.cpu, warmupSeconds: 0 }, ticks)
    : undefined;
  // The target: the whole `bellwether run` process from dist/, blackbox_exporter driven over the
  // same seconds (a shared VM drifts by tens of percent between minutes).
  for (const keepAlive of [true, false]) {
    log(
      `cpu: bellwether run (dist/), keep-alive ${keepAlive}${bb ? ', blackbox_exporter beside it' : ''}`,
    );
    const { row, beside: b } = await processCpu(
      vendorUrl,
      { dependencies: plan.cpu.rate, seconds: plan.cpu.seconds, warmupSeconds: 6, keepAlive },
      ticks,
      beside,
    );
    processRows.push(row);
    if (b) pair('bellwether run', keepAlive, row.cpuMsPerProbe, b);
  }
  // The breakdown: the probe alone (transport, probe, classification) in a worker.
  for (const keepAlive of [true, false]) {
    log(`cpu: probe alone, keep-alive ${keepAlive}`);
    const [row, b] = await Promise.all([
      runWorker<CpuRow>('cpu-probe', { vendorUrl, keepAlive, ...plan.cpu }, T),
      bb
        ? sleep(WORKER_START_MS).then(() => blackboxCpu(bb, `${vendorUrl}/health`, plan.cpu, ticks))
        : undefined,
    ]);
    out.push(row);
    if (b) pair('probe alone', keepAlive, row.cpuMsPerProbe, b);
  }
  return { rate: plan.cpu.rate, seconds: plan.cpu.seconds, rows: out, processRows, ratios };
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      render: { type: 'string', multiple: true },
    },
  });
  // Re-render reports from their JSON (after a change to the report's wording), measuring nothing.
  if (values.render !== undefined) {
    for (const path of values.render) {
      const data = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
      const report: BenchReport = { ...data, targets: judgeTargets(data) };
      writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(path.replace(/\.json$/, '.md'), renderMarkdown(report));
      log(`re-rendered ${path.replace(/\.json$/, '.md')}`);
    }
    return;
  }
  const quick = values.quick === true || process.env.BENCH_QUICK === '1';
  const plan = quick ? QUICK : FULL;
  // A quick run is a smoke test: its figures must not land next to the committed report.
  const outDir = values.out ?? (quick ? tmpdir() : join(ROOT, 'bench', 'results'));
  const started = new Date();
  const t0 = performance.now();
  const machine = machineInfo(started);
  const loadStart = round(loadavg()[0] ?? 0, 2);
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load ${loadStart}`);

  const vendor = await startVendorProcess();
  let bb: Blackbox | undefined;
  if (blackboxAvailable()) bb = await startBlackbox();
  else log(`blackbox_exporter not found at ${BLACKBOX_BIN}: its rows are left out`);
  let partial: Omit<BenchReport, 'targets'>;
  try {
    const acc = await accuracy(vendor.url, bb, vendor, plan.delays);
    const cpuPart = await cpu(vendor.url, bb, plan);
    await bb?.stop();
    bb = undefined;

    const metricsRender: RenderRow[] = [];
    for (const dependencies of plan.renders.counts) {
      log(`metrics render: ${dependencies} dependencies`);
      metricsRender.push(
        await runWorker<RenderRow>(
          'metrics-render',
          { dependencies, renders: plan.renders.renders },
          180_000,
        ),
      );
    }

    const ticks = clockTicks();
    // At once: each costs a few % of a core, and RSS does not depend on the others.
    log(
      `memory: ${plan.memory.map((m) => `${m.dependencies} dependencies${m.nodeOptions ? ` (${m.nodeOptions})` : ''}`).join(', ')} at 30 s as node dist/cli.js, side by side`,
    );
    const memory: ProcessMemoryRow[] = await Promise.all(
      plan.memory.map((run) => processMemory(vendor.url, run, ticks)),
    );
    const idleRssMiB = round(idleRss(false) / 2 ** 20, 1);

    log('detection: 1 s and 5 s intervals');
    const detection = await runDetection(
      vendor,
      [
        { interval: '1s', intervalMs: 1000 },
        { interval: '5s', intervalMs: 5000 },
      ],
      plan.detection.trials,
    );

    partial = {
      machine,
      loadAverage: { start: loadStart, end: round(loadavg()[0] ?? 0, 2) },
      durationSeconds: Math.round((performance.now() - t0) / 1000),
      quick,
      accuracy: acc,
      cpu: cpuPart,
      memory: { runs: memory, idleNodeRssMiB: idleRssMiB },
      metricsRender,
      detection,
    };
  } finally {
    await bb?.stop();
    await vendor.stop();
  }
  const report: BenchReport = { ...partial, targets: judgeTargets(partial) };
  const md = renderMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  mkdirSync(outDir, { recursive: true });
  const names = quick
    ? ['bellwether-bench-quick']
    : ['latest', `${started.toISOString().slice(0, 10)}-${machine.slug}`];
  for (const name of names) {
    writeFileSync(join(outDir, `${name}.md`), md);
    writeFileSync(join(outDir, `${name}.json`), json);
  }
  process.stdout.write(md);
  log(
    `wrote ${names.map((n) => `${n}.{md,json}`).join(', ')} in ${outDir} (${report.durationSeconds} s)`,
  );
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
