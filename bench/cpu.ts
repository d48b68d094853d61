import { createNodeHttpClient } from '../src/transport/node-http-client.js';
import { createProbe } from '../src/vendors/registry.js';
import { testDependency } from '../tests/support/dependency.js';
import { attempt } from './accuracy.js';
import { allocationMeter } from './lib/bellwether.js';
import type { Blackbox } from './lib/blackbox.js';
import { procCpuMs, procRssBytes } from './lib/proc.js';
import { round } from './lib/stats.js';

/** A steady probe rate for a bounded time, after a warm-up. */
export interface RatePlan {
  rate: number;
  seconds: number;
  warmupSeconds: number;
}

/** CPU and memory of one subject over the measured window. */
export interface CpuRow {
  subject: string;
  keepAlive: boolean | null;
  probes: number;
  failures: number;
  cpuMs: number;
  cpuMsPerProbe: number;
  /** The same split into user and kernel (system) time. */
  userMsPerProbe: number;
  systemMsPerProbe: number;
  /** Share of one core over the window, percent. */
  cpuPercent: number;
  /** Heap bytes allocated per probe, KiB (V8 heap, or the Go heap for blackbox_exporter). */
  allocKiBPerProbe: number;
  rssMiB: number;
  heapUsedMiB?: number;
}

/**
 * Fires `fire` every 1/rate s for `seconds` (one timer wake-up per probe, as the scheduler
 * does), then waits for the stragglers. Never overlaps more than the rate allows.
 */
async function drive(
  rate: number,
  seconds: number,
  fire: () => Promise<boolean>,
): Promise<{ started: number; failures: number; wallMs: number }> {
  const total = Math.round(rate * seconds);
  let started = 0;
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (started >= total) {
        clearInterval(timer);
        resolve();
        return;
      }
      started++;
      const p: Promise<void> = fire().then(
        (ok) => {
          if (!ok) failures++;
        },
        () => {
          failures++;
        },
      );
      const tracked = p.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }, 1000 / rate);
  });
  await Promise.all([...inFlight]);
  return { started, failures, wallMs: performance.now() - t0 };
}

/** Runs warm-up then the measured window in this process; CPU from process.cpuUsage (all threads). */
async function measureHere(
  subject: string,
  keepAlive: boolean | null,
  plan: RatePlan,
  fire: () => Promise<boolean>,
): Promise<CpuRow> {
  await drive(plan.rate, plan.warmupSeconds, fire);
  const cpu0 = process.cpuUsage();
  const alloc = allocationMeter();
  const run = await drive(plan.rate, plan.seconds, fire);
  const allocated = alloc.stop();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mem = process.memoryUsage();
  return {
    subject,
    keepAlive,
    probes: run.started,
    failures: run.failures,
    cpuMs: round(cpuMs, 1),
    cpuMsPerProbe: round(cpuMs / run.started, 3),
    userMsPerProbe: round(cpu.user / 1000 / run.started, 3),
    systemMsPerProbe: round(cpu.system / 1000 / run.started, 3),
    cpuPercent: round((cpuMs / run.wallMs) * 100, 1),
    allocKiBPerProbe: round(allocated / 1024 / run.started, 1),
    rssMiB: round(mem.rss / 2 ** 20, 1),
    heapUsedMiB: round(mem.heapUsed / 2 ** 20, 1),
  };
}

/** Worker: Bellwether's http probe alone (transport + probe + classification), no monitor. */
export async function cpuProbeTask(
  a: RatePlan & { vendorUrl: string; keepAlive: boolean },
): Promise<CpuRow> {
  const dep = testDependency({
    id: 'bench-http',
    vendor: 'http',
    baseUrl: a.vendorUrl,
    url: `${a.vendorUrl}/health`,
    checks: ['http'],
    timeoutMs: 10_000,
  });
  const probe = createProbe(dep, (s) => s);
  const client = createNodeHttpClient({ keepAlive: a.keepAlive });
  try {
    return await measureHere('probe', a.keepAlive, a, async () => {
      const r = await attempt(probe, 'http', client, 10_000);
      return r.ok;
    });
  } finally {
    client.close();
  }
}

/** Parent side: blackbox_exporter driven over HTTP at the rate, as Prometheus drives it. */
export async function blackboxCpu(
  bb: Blackbox,
  target: string,
  plan: RatePlan,
  ticks: number,
): Promise<CpuRow> {
  const fire = async (): Promise<boolean> => (await bb.probe(target)).success;
  await drive(plan.rate, plan.warmupSeconds, fire);
  const alloc0 = await bb.allocatedBytes();
  const cpu0 = procCpuMs(bb.pid, ticks);
  const run = await drive(plan.rate, plan.seconds, fire);
  const cpu1 = procCpuMs(bb.pid, ticks);
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const cpuMs = user + system;
  const allocated = (await bb.allocatedBytes()) - alloc0;
  return {
    subject: 'blackbox_exporter http_2xx',
    keepAlive: false,
    probes: run.started,
    failures: run.failures,
    cpuMs: round(cpuMs, 1),
    cpuMsPerProbe: round(cpuMs / run.started, 3),
    userMsPerProbe: round(user / run.started, 3),
    systemMsPerProbe: round(system / run.started, 3),
    cpuPercent: round((cpuMs / run.wallMs) * 100, 1),
    allocKiBPerProbe: round(allocated / 1024 / run.started, 1),
    rssMiB: round(procRssBytes(bb.pid) / 2 ** 20, 1),
  };
}
