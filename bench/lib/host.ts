import { type ChildProcess, fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startBellwether } from '../../src/bellwether.js';
import { formatConfigError, loadConfig } from '../../src/config/load.js';
import type { Monitor } from '../../src/monitor.js';
import { ROOT } from './proc.js';

/**
 * Bellwether started with startBellwether (src/main.ts) in a process of its own, so its CPU,
 * RSS and heap are measured alone. The parent talks to it over the IPC channel.
 */

/** How the host starts Bellwether. */
export interface HostArgs {
  configPath: string;
  firstRunSpreadMs: number;
}

/** One reading of the host process. */
export interface HostSample {
  /** Epoch ms. */
  at: number;
  /** User + system CPU since the process started, ms (all threads). */
  cpuMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Rounds completed since start, and those with a failed check. */
  rounds: number;
  failedRounds: number;
  overruns: number;
  /** Probe check latencies (ms) since the previous sample. */
  latencies: number[];
  /** Event-loop delay since the previous sample, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

type ToHost =
  | { type: 'sample'; gc?: boolean }
  | { type: 'fill'; rounds: number; concurrency: number }
  | { type: 'stop' };
type FromHost =
  | { type: 'ready'; port: number }
  | { type: 'sample'; sample: HostSample }
  | { type: 'filled'; ms: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/**
 * Runs `rounds` extra rounds of every dependency, `concurrency` at a time, so the in-memory
 * round history (20 per dependency) is full: a steady state that a 30 s interval would only
 * reach after ten minutes. A dependency whose scheduled round is running is skipped (an overrun).
 */
async function fill(monitor: Monitor, rounds: number, concurrency: number): Promise<void> {
  const ids = monitor.dependencies().map((d) => d.config.id);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < ids.length; i += concurrency) {
      await Promise.all(ids.slice(i, i + concurrency).map((id) => monitor.probeNow(id)));
    }
  }
}

/** Child side: runs until told to stop. */
async function hostMain(args: HostArgs): Promise<void> {
  const send = (m: FromHost): void => {
    process.send?.(m);
  };
  const loaded = loadConfig(args.configPath, {});
  if (!loaded.ok) {
    send({ type: 'error', message: loaded.errors.map(formatConfigError).join('\n') });
    process.exit(1);
  }
  const bw = await startBellwether({
    config: loaded.config,
    firstRunSpreadMs: args.firstRunSpreadMs,
    // Logs go to stdout as in production; the parent sends stdout to /dev/null.
    logLevel: 'info',
  });
  let rounds = 0;
  let failedRounds = 0;
  let latencies: number[] = [];
  bw.monitor.onRoundCompleted((_id, round) => {
    rounds++;
    if (round.results.some((r) => !r.ok)) failedRounds++;
    for (const r of round.results) latencies.push(r.latencyMs);
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: ToHost) => {
    if (m.type === 'sample') {
      if (m.gc && gc) gc();
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      const sample: HostSample = {
        at: Date.now(),
        cpuMs: (cpu.user + cpu.system) / 1000,
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        external: mem.external,
        arrayBuffers: mem.arrayBuffers,
        rounds,
        failedRounds,
        overruns: bw.monitor.dependencies().reduce((s, d) => s + d.overruns, 0),
        latencies,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
      };
      latencies = [];
      loop.reset();
      send({ type: 'sample', sample });
    } else if (m.type === 'fill') {
      const t0 = performance.now();
      fill(bw.monitor, m.rounds, m.concurrency).then(
        () => send({ type: 'filled', ms: performance.now() - t0 }),
        (err: Error) => send({ type: 'error', message: err.message }),
      );
    } else if (m.type === 'stop') {
      loop.disable();
      bw.stop().then(
        () => {
          send({ type: 'stopped' });
          process.disconnect?.();
        },
        (err: Error) => {
          send({ type: 'error', message: err.message });
          process.exit(1);
        },
      );
    }
  });
  send({ type: 'ready', port: bw.port as number });
}

/** Parent side of a running host. */
export interface Host {
  pid: number;
  port: number;
  url: string;
  sample(gc?: boolean): Promise<HostSample>;
  /** Fills the in-memory round history; resolves with how long it took (ms). */
  fill(rounds: number, concurrency: number): Promise<number>;
  stop(): Promise<void>;
}

/** Forks a host; `exposeGc` lets samples force a full collection first (heap readings for leak slopes). */
export async function startHost(args: HostArgs, opts: { exposeGc?: boolean } = {}): Promise<Host> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [JSON.stringify(args)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(opts.exposeGc ? ['--expose-gc'] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T extends FromHost['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromHost, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`bellwether host: no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: FromHost): void => {
        if (m.type === 'error') {
          cleanup();
          reject(new Error(`bellwether host: ${m.message}`));
        } else if (m.type === type) {
          cleanup();
          resolve(m as Extract<FromHost, { type: T }>);
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`bellwether host exited ${code} while waiting for ${type}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  let ready: Extract<FromHost, { type: 'ready' }>;
  try {
    ready = await next('ready', 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid as number,
    port: ready.port,
    url: `http://127.0.0.1:${ready.port}`,
    async sample(gc = false) {
      const reply = next('sample', 30_000);
      child.send({ type: 'sample', gc } satisfies ToHost);
      return (await reply).sample;
    },
    async fill(rounds, concurrency) {
      const reply = next('filled', 600_000);
      child.send({ type: 'fill', rounds, concurrency } satisfies ToHost);
      return (await reply).ms;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const done = next('stopped', 30_000).catch(() => undefined);
      child.send({ type: 'stop' } satisfies ToHost);
      await done;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  hostMain(JSON.parse(process.argv[2] ?? '{}') as HostArgs).catch((err: Error) => {
    process.send?.({ type: 'error', message: err.message } satisfies FromHost);
    process.exit(1);
  });
}
