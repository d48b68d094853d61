import type { AccuracyRow } from './accuracy.js';
import type { CpuRow } from './cpu.js';
import type { DetectionRow, DetectionTrial } from './detection.js';
import type { MachineInfo } from './lib/proc.js';
import { round } from './lib/stats.js';
import type { RenderRow } from './metrics-render.js';
import {
  CAPPED_NODE_OPTIONS as CAPPED,
  type ProcessCpuRow,
  type ProcessMemoryRow,
} from './process.js';

/** One target, judged. */
export interface TargetRow {
  target: string;
  measured: string;
  met: boolean;
  /** How far from the limit, signed: positive is headroom, negative is the miss. */
  margin: string;
}

/** Everything one `npm run bench` measured, as written to the JSON report. */
export interface BenchReport {
  machine: MachineInfo;
  /** 1-minute load average at the start and end: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
  durationSeconds: number;
  quick: boolean;
  accuracy: { rows: AccuracyRow[]; timerSlop: AccuracyRow[] };
  cpu: {
    rate: number;
    seconds: number;
    /** The probe alone in a worker, and blackbox_exporter beside each run. */
    rows: CpuRow[];
    /** The whole `bellwether run` process from dist/. */
    processRows: ProcessCpuRow[];
    /** Each Bellwether run against blackbox_exporter measured over the same seconds. */
    ratios: {
      subject: string;
      keepAlive: boolean;
      bellwetherCpuMs: number;
      blackboxCpuMs: number;
      cpuRatio: number;
    }[];
  };
  memory: {
    runs: ProcessMemoryRow[];
    /** RSS of an idle `node -e` after a second: what any Node process starts from. */
    idleNodeRssMiB: number;
  };
  metricsRender: RenderRow[];
  detection: { rows: DetectionRow[]; trials: DetectionTrial[] };
  targets: TargetRow[];
}

const fmt = (v: number, digits = 2): string =>
  Number.isFinite(v) ? String(round(v, digits)) : '–';

/** The issue's targets, each met or missed with the margin. */
export function judgeTargets(r: Omit<BenchReport, 'targets'>): TargetRow[] {
  const out: TargetRow[] = [];
  const worstP99 = (tool: string, measure: string, keepAlive: boolean): number =>
    Math.max(
      ...r.accuracy.rows
        .filter((a) => a.tool === tool && a.measure === measure && a.keepAlive === keepAlive)
        .map((a) => a.error.p99Ms),
    );
  const worstOwn = (tool: string, measure: string, keepAlive: boolean): number =>
    Math.max(
      ...r.accuracy.rows
        .filter((a) => a.tool === tool && a.measure === measure && a.keepAlive === keepAlive)
        .map((a) => a.vsRaw?.p99Ms ?? Number.NaN),
    );
  const latency = (label: string, v: number): void => {
    out.push({
      target: `latency error p99 ≤ 2 ms: ${label}`,
      measured: `${fmt(v)} ms`,
      met: v <= 2,
      margin: `${fmt(2 - v)} ms`,
    });
  };
  latency(
    'http probe, keep-alive, worst of 0/50/200/1000 ms',
    worstP99('bellwether http', 'headers', true),
  );
  latency('http probe, new connection, worst delay', worstP99('bellwether http', 'headers', false));
  latency('completion TTFT, worst delay', worstP99('bellwether completion', 'ttft', true));
  latency(
    "http probe, keep-alive, Bellwether's own share (p99 minus the raw node:http client's p99)",
    worstOwn('bellwether http', 'headers', true),
  );

  for (const [keepAlive, limit, label] of [
    [true, 0.6, 'default settings (keep-alive)'],
    [false, 0.8, 'a new connection per probe'],
  ] as const) {
    const x = r.cpu.ratios.find((c) => c.subject === 'bellwether run' && c.keepAlive === keepAlive);
    if (!x) continue;
    out.push({
      target: `whole-process CPU per probe of \`bellwether run\` (dist/) ≤ ${limit}× blackbox_exporter's over the same seconds, ${label}`,
      measured: `${fmt(x.bellwetherCpuMs, 3)} ms vs ${fmt(x.blackboxCpuMs, 3)} ms (${fmt(x.cpuRatio)}×)`,
      met: x.cpuRatio <= limit,
      margin: `${fmt(limit - x.cpuRatio)}×`,
    });
  }
  for (const m of r.metricsRender.filter((x) => x.dependencies >= 1000)) {
    out.push({
      target: `/metrics at ${m.dependencies} dependencies ≤ 2× the bare-string floor (CPU, same series, same run)`,
      measured: `${fmt(m.writerMs)} ms vs floor ${fmt(m.floorMs)} ms (${fmt(m.floorRatio)}×; prom-client ${fmt(m.promClientMs)} ms)`,
      met: m.floorRatio <= 2,
      margin: `${fmt(2 - m.floorRatio)}×`,
    });
    out.push({
      target: `/metrics at ${m.dependencies} dependencies never blocks the event loop > 10 ms`,
      measured: `longest stretch ${fmt(m.maxBlockMs)} ms`,
      met: m.maxBlockMs <= 10,
      margin: `${fmt(10 - m.maxBlockMs)} ms`,
    });
    out.push({
      target: `/metrics at ${m.dependencies} dependencies: \`promtool check metrics\` clean`,
      measured: m.promtool === '' ? 'clean' : m.promtool.slice(0, 200),
      met: m.promtool === '',
      margin: '',
    });
  }
  for (const run of r.memory.runs.filter((x) => x.dependencies === 1000)) {
    out.push({
      target: `RSS at 1,000 dependencies in steady state ≤ 120 MiB as node dist/cli.js${run.nodeOptions ? ` (NODE_OPTIONS=${run.nodeOptions})` : ' (no NODE_OPTIONS, as shipped)'}`,
      measured: `${fmt(run.rssMiBSteady, 1)} MiB, mean of the window's second half (max ${fmt(run.rssMiBMax, 1)})`,
      met: run.rssMiBSteady <= 120,
      margin: `${fmt(120 - run.rssMiBSteady, 1)} MiB`,
    });
  }
  return out;
}

/** MiB per dependency from the runs without NODE_OPTIONS at two dependency counts. */
export function memoryPerDependency(r: Pick<BenchReport, 'memory'>): number {
  const runs = r.memory.runs.filter((x) => x.nodeOptions === '');
  const small = runs.find((x) => x.dependencies < 1000);
  const big = runs.find((x) => x.dependencies === 1000);
  if (!small || !big) return Number.NaN;
  return (big.rssMiBSteady - small.rssMiBSteady) / (big.dependencies - small.dependencies);
}

/**
 * One paragraph per missed target, from this run's own figures: what the floor is, where
 * the time or memory goes.
 */
export function limits(r: BenchReport): string[] {
  const out: string[] = [];
  const missed = (prefix: string): boolean =>
    r.targets.some((t) => t.target.startsWith(prefix) && !t.met);
  if (missed('whole-process CPU')) {
    const ka = r.cpu.processRows.find((x) => x.keepAlive);
    const probe = r.cpu.rows.find((x) => x.subject === 'probe' && x.keepAlive === true);
    const beside = r.cpu.rows.find((x) => x.subject.includes('beside probe alone, keep-alive yes'));
    if (ka && probe) {
      const alone = beside
        ? ` (${fmt(probe.cpuMsPerProbe / beside.cpuMsPerProbe)}× blackbox_exporter's ${fmt(beside.cpuMsPerProbe, 3)} ms beside it)`
        : '';
      out.push(
        `- **CPU per probe.** Of ${fmt(ka.cpuMsPerProbe, 3)} ms per probe for the whole process with keep-alive, the probe alone (transport, probe, classification, in a worker) is ${fmt(probe.cpuMsPerProbe, 3)} ms; the rest is the round around it (breaker, retry, metrics, evaluation, incident recorder, notifier bridge, the batched SQLite writes) and the process itself. bench/results/profile-notes.md has the profiles (node --cpu-prof of the dist process), before and after: the SQLite writes (one transaction per result, and one per daily count) were a fifth of the busy samples and are now about 4 % (results and daily counts wait up to 200 ms and share a transaction). What is left is spread: the socket write and node's HTTP client, agent and streams (about half), evaluation and verdicts, prom-client updates, GC; no single part of Bellwether's own code is over 5 %. The probe alone is ${fmt(probe.cpuMsPerProbe, 3)} ms${alone}, so the 0.6x target for the whole process needs the HTTP exchange itself to be cheaper than node:http's.`,
      );
    }
  }
  if (missed('/metrics')) {
    const m = r.metricsRender.find((x) => x.dependencies === 1000);
    if (m) {
      out.push(
        `- **/metrics.** ${fmt(m.seriesPerDependency, 0)} series per OpenAI dependency (${m.series} at 1,000; bellwether_probe_results_total alone has 11 per check, exported at 0 for every error class). The writer keeps each series' label text and each metric's series keys (no enumeration of a 110,000-series map per render) and writes only values (${fmt(m.writerMs)} ms CPU against prom-client's ${fmt(m.promClientMs)} ms). In this bench every value changes before each render, so nothing but label text can be reused; what remains over the floor is reading prom-client's series objects, number formatting of histogram buckets, and the GC work the render's yields let V8 run (scavenges with the pieces alive; process.cpuUsage counts V8's helper threads too). The writer yields every 256 series once 5 ms have passed; what is left of the longest block is scavenges during the render.`,
      );
    }
  }
  if (missed('RSS at 1,000')) {
    const perDep = memoryPerDependency(r);
    out.push(
      `- **RSS.** An idle Node process is ${fmt(r.memory.idleNodeRssMiB, 1)} MiB here; each dependency adds ${fmt(perDep * 1024, 0)} KiB (its rounds, breaker, schedule, probe, about 46 metric series with the counters at 0, their label text for /metrics, SQLite rows), most of it V8 heap that is garbage between major collections: bench/results/profile-notes.md has the heap figures. Capping the old generation (NODE_OPTIONS=${CAPPED}) makes V8 collect sooner, at some CPU.`,
    );
  }
  return out;
}

const yes = (b: boolean | null): string => (b === null ? '–' : b ? 'yes' : 'no');

/** The Markdown report. */
export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const L: string[] = [];
  L.push('# Bellwether benchmark', '');
  L.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}.`,
    `Run: ${m.at}, ${r.durationSeconds} s${r.quick ? ' (quick mode: small counts, figures are indicative only)' : ''}; load average ${r.loadAverage.start} at start, ${r.loadAverage.end} at end${r.loadAverage.start > m.cores || r.loadAverage.end > m.cores ? ' (**the machine was busy with other work: CPU and tail latencies are inflated**)' : ''}.`,
    '',
    'Everything runs on 127.0.0.1. The fake vendor (scripts/fake-vendor.ts) runs in its own process; the CPU and memory targets are measured on `node dist/cli.js run` (npm run build first), the other figures each in a fresh Node process of its own (under tsx); blackbox_exporter is the Debian package, probing the same fake vendor. bench/results/profile-notes.md says where the time goes (CPU profiles, before and after).',
    '',
  );

  L.push('## Targets', '', '| target | measured | met | margin |', '|---|---|:---:|---:|');
  for (const t of r.targets)
    L.push(`| ${t.target} | ${t.measured} | ${t.met ? 'met' : '**missed**'} | ${t.margin} |`);
  L.push('');
  const notes = limits(r);
  if (notes.length > 0) L.push('### What limits the missed targets', '', ...notes, '');

  L.push(
    '## Latency accuracy',
    '',
    "Error = measured latency − delay injected by the fake vendor (`headersDelayMs` on /health; `firstTokenDelayMs` on the streamed chat completion), sequential probes. \"vs raw\" = the error minus that of a bare `node:http` client on the same route and connection mode: what Bellwether adds over the floor any Node client meets (loopback, HTTP parsing, and the fake vendor's own timer slop, shown last). Bellwether's `http` probe without `bodyMatch` times to the response headers, and so does the raw client here. For blackbox_exporter, `probe_http_duration_seconds` summed over its phases (resolve + connect + tls + processing + transfer) is the like-for-like figure: it times the HTTP exchange on a new connection, as Bellwether without keep-alive does; `probe_duration_seconds` adds the exporter's own set-up around it and is what alerts usually read.",
    '',
    '| tool | measure | keep-alive | delay (ms) | n | error mean | p50 | p99 | max | vs raw: mean | vs raw: p99 |',
    '|---|---|:---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const a of [...r.accuracy.rows, ...r.accuracy.timerSlop]) {
    L.push(
      `| ${a.tool} | ${a.measure} | ${yes(a.keepAlive)} | ${a.delayMs} | ${a.error.samples} | ${fmt(a.error.meanMs)} | ${fmt(a.error.p50Ms)} | ${fmt(a.error.p99Ms)} | ${fmt(a.error.maxMs)} | ${a.vsRaw ? fmt(a.vsRaw.meanMs) : ''} | ${a.vsRaw ? fmt(a.vsRaw.p99Ms) : ''} |`,
    );
  }
  L.push('');

  L.push(
    '## CPU per probe',
    '',
    `The target rows: \`node dist/cli.js run\` (the built CLI, as deployed) with ${r.cpu.rate} \`http\` dependencies at a 1 s interval (${r.cpu.rate} probes/s) and otherwise default settings (retries 1, SQLite history on disk, logging at info to a pipe), measured from outside: utime+stime of the whole process from /proc/<pid>/stat over ${r.cpu.seconds} s after its start-up spread; probes counted from its own bellwether_probe_results_total. "New connection per probe" sends \`connection: close\` (a \`headers:\` entry in the config), so every probe connects anew, as blackbox_exporter's do. blackbox_exporter (Debian package, http_2xx module) is driven by GET /probe at the same rate over the same seconds.`,
    '',
    '| subject | probes | failures | CPU ms/probe | user / kernel ms | CPU % of a core | RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of r.cpu.processRows) {
    L.push(
      `| ${c.subject} | ${c.probes} | ${c.failures} | ${fmt(c.cpuMsPerProbe, 3)} | ${fmt(c.userMsPerProbe, 3)} / ${fmt(c.systemMsPerProbe, 3)} | ${fmt(c.cpuPercent, 1)} | ${fmt(c.rssMiB, 1)} |`,
    );
  }
  L.push(
    '',
    'For the breakdown, the probe alone (transport, probe, classification; no breaker, store, metrics or evaluation) in a worker under tsx, process.cpuUsage(), with blackbox_exporter beside each run:',
    '',
    '| subject | keep-alive | probes | failures | CPU ms/probe | user / kernel ms | CPU % of a core | alloc KiB/probe | RSS MiB |',
    '|---|:---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of r.cpu.rows) {
    L.push(
      `| ${c.subject} | ${yes(c.keepAlive)} | ${c.probes} | ${c.failures} | ${fmt(c.cpuMsPerProbe, 3)} | ${fmt(c.userMsPerProbe, 3)} / ${fmt(c.systemMsPerProbe, 3)} | ${fmt(c.cpuPercent, 1)} | ${fmt(c.allocKiBPerProbe, 1)} | ${fmt(c.rssMiB, 1)} |`,
    );
  }
  L.push(
    '',
    'Ratios Bellwether / blackbox_exporter over the same seconds (below 1: Bellwether is cheaper):',
    '',
    '| Bellwether | keep-alive | Bellwether CPU ms/probe | blackbox_exporter CPU ms/probe | CPU ratio |',
    '|---|:---:|---:|---:|---:|',
  );
  for (const x of r.cpu.ratios) {
    L.push(
      `| ${x.subject} | ${yes(x.keepAlive)} | ${fmt(x.bellwetherCpuMs, 3)} | ${fmt(x.blackboxCpuMs, 3)} | ${fmt(x.cpuRatio)} |`,
    );
  }
  L.push('');

  const perDep = memoryPerDependency(r);
  L.push(
    '## Memory',
    '',
    `\`node dist/cli.js run\` with N \`http\` dependencies at 30 s, as a user runs it, scraped every 15 s as Prometheus does (OpenMetrics, gzip); RSS from /proc every 10 s after the start-up spread; the runs side by side. "Steady": mean of the window's second half. An idle Node process is ${fmt(r.memory.idleNodeRssMiB, 1)} MiB here. Memory per dependency (no NODE_OPTIONS, between the two counts): **${fmt(perDep * 1024, 0)} KiB**. SQLite's page cache is bounded at 16 MiB (PRAGMA cache_size in src/store/sqlite-store.ts); a history of a few MB, as here, uses less. The window holds the first rounds of each dependency only (rounds per dependency below; the in-memory history keeps 20, reached after 10 minutes at 30 s).`,
    '',
    '| dependencies | NODE_OPTIONS | window s | RSS every 10 s MiB | steady MiB | max MiB | CPU % of a core | rounds (expected) | failures | series | rounds per dependency |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const x of r.memory.runs) {
    L.push(
      `| ${x.dependencies} | ${x.nodeOptions === '' ? '(none)' : `\`${x.nodeOptions}\``} | ${fmt(x.windowSeconds, 0)} | ${x.rssMiBSeries.join(', ')} | ${fmt(x.rssMiBSteady, 1)} | ${fmt(x.rssMiBMax, 1)} | ${fmt(x.cpuPercentOfCore)} | ${x.rounds} (${x.expectedRounds}) | ${x.failures} | ${x.series} | ${fmt(x.roundsPerDependency, 1)} |`,
    );
  }
  L.push('');

  L.push(
    '## /metrics render',
    '',
    "createMetrics on a fresh Registry with the vantage default label; per dependency an OpenAI-shaped models and completion result (phases, two rate-limit resources, tokens, TLS expiry), state, breaker, info and objective, and the counters exported at 0. Before each timed render every dependency records a new round (every value changes, the worst case), then each is timed in CPU ms on a collected heap: prom-client's registry.metrics() (what /metrics used before), Bellwether's writer (src/metrics/exposition.ts, what /metrics uses now) and the floor (the same lines built from ready label text and numbers and joined, the least any writer must do). \"Longest block\": the longest the event loop went without a turn during the writer's renders (monitorEventLoopDelay, 1 ms resolution). gzip: what a scraper sending Accept-Encoding: gzip receives.",
    '',
    '| dependencies | series (per dependency) | size | gzip | prom-client ms | writer ms (wall) | first render ms | floor ms | writer ÷ floor | longest block ms | promtool |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const x of r.metricsRender) {
    L.push(
      `| ${x.dependencies} | ${x.series} (${fmt(x.seriesPerDependency, 0)}) | ${fmt(x.bytes / 2 ** 20, 2)} MiB | ${fmt(x.gzipBytes / 2 ** 20, 2)} MiB | ${fmt(x.promClientMs)} | ${fmt(x.writerMs)} (${fmt(x.writerWallMs)}) | ${fmt(x.writerFirstMs)} | ${fmt(x.floorMs)} | ${fmt(x.floorRatio)} | ${fmt(x.maxBlockMs)} | ${x.promtool === '' ? 'clean' : x.promtool.slice(0, 80)} |`,
    );
  }
  L.push('');

  L.push(
    '## Detection latency',
    '',
    'A fresh Bellwether with one `http` dependency (config defaults: retries 1, down after 2 failed rounds in a row, breaker over 3 rounds at 50 % with at least 2), healthy first; then the fault, injected at a phase spread evenly over the interval; /api/v1/status polled every 10 ms. "vendor stopped" kills the fake vendor process (connection refused).',
    '',
    '| interval | fault | trials | → down: mean (min–max) ms | → breaker open: mean (min–max) ms |',
    '|---|---|---:|---:|---:|',
  );
  for (const d of r.detection.rows) {
    L.push(
      `| ${d.interval} | ${d.fault} | ${d.trials} | ${fmt(d.downMeanMs, 0)} (${fmt(d.downMinMs, 0)}–${fmt(d.downMaxMs, 0)}) | ${fmt(d.openMeanMs, 0)} (${fmt(d.openMinMs, 0)}–${fmt(d.openMaxMs, 0)}) |`,
    );
  }
  L.push('');
  return `${L.join('\n')}\n`;
}
