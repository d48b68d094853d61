import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the Debian package puts the server (`apt-get install prometheus`). */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** A port that was free a moment ago on 127.0.0.1 (another process may still take it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  pollMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** A child process with the tail of its output kept for failure messages. */
export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last few hundred chunks of stdout and stderr. */
  output: string[];
}

/** Spawns `bin`, keeping the tail of its output. */
export function startChild(name: string, bin: string, args: string[]): Child {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { name, proc, output };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** GET `url` as JSON within `timeoutMs`; a non-2xx answer is an error. */
export async function getJson(url: string, timeoutMs = 2000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** True when `url` answers 2xx, undefined otherwise (for {@link waitFor}). */
export async function ready(url: string): Promise<true | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

/** One element of an instant vector from /api/v1/query. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** One entry of /api/v1/alerts: pending or firing (resolved alerts are not listed). */
export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** Options for {@link startPrometheus}. */
export interface PrometheusOptions {
  /** Scrape targets as host:port, all in one job. */
  targets: string[];
  /** Default `bellwether`: the shipped rules select on it. */
  jobName?: string;
  /** Rules file text (e.g. a compressed copy of the shipped rules); none when omitted. */
  rules?: string;
  /** Default 1s for both scraping and rule evaluation. */
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Alertmanager host:port targets, if alerts should be sent anywhere. */
  alertmanagers?: string[];
  /** `alerting.alert_relabel_configs`, applied to alerts as they are sent. */
  alertRelabelConfigs?: unknown[];
  /** Extra command-line flags. */
  args?: string[];
  /** How long to wait for /-/ready (default 30 s; the machine may be loaded). */
  readyTimeoutMs?: number;
}

/** A real Prometheus in a temporary directory. */
export interface RunningPrometheus {
  url: string;
  child: Child;
  /** Instant query; throws on an API error. */
  query(expr: string): Promise<Sample[]>;
  /** Pending and firing alerts. */
  alerts(): Promise<ActiveAlert[]>;
  /** The tail of Prometheus's output, for failure messages. */
  output(): string;
  /** Kills Prometheus and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts /usr/bin/prometheus on a free 127.0.0.1 port with its TSDB in a temporary
 * directory, and resolves once it is ready. A port taken between choosing and binding it
 * (other suites run in parallel) is retried with another.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(
      `missing ${PROMETHEUS_BIN}: apt-get install -y --no-install-recommends prometheus`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-prom-'));
  const lines = [
    `global: { scrape_interval: ${opts.scrapeInterval ?? '1s'}, evaluation_interval: ${opts.evaluationInterval ?? '1s'} }`,
  ];
  if (opts.rules !== undefined) {
    writeFileSync(join(dir, 'rules.yml'), opts.rules);
    lines.push('rule_files: [rules.yml]');
  }
  if (opts.alertmanagers?.length) {
    lines.push(
      `alerting: { alert_relabel_configs: ${JSON.stringify(opts.alertRelabelConfigs ?? [])}, alertmanagers: [{ static_configs: [{ targets: ${JSON.stringify(opts.alertmanagers)} }] }] }`,
    );
  }
  lines.push(
    'scrape_configs:',
    `  - job_name: ${opts.jobName ?? 'bellwether'}`,
    `    static_configs: [{ targets: ${JSON.stringify(opts.targets)} }]`,
  );
  writeFileSync(join(dir, 'prometheus.yml'), `${lines.join('\n')}\n`);

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startChild('prometheus', PROMETHEUS_BIN, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, `tsdb-${attempt}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.args ?? []),
    ]);
    const output = (): string => `--- prometheus\n${child.output.join('').slice(-4000)}`;
    try {
      await waitFor('Prometheus ready', opts.readyTimeoutMs ?? 30_000, () => {
        if (child.proc.exitCode !== null) throw new Error(`Prometheus exited\n${output()}`);
        return ready(`${url}/-/ready`);
      });
    } catch (err) {
      lastError = err as Error;
      await stopChild(child);
      continue;
    }
    const api = async <T>(path: string): Promise<T> => {
      const body = (await getJson(`${url}${path}`)) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
      return body.data;
    };
    return {
      url,
      child,
      output,
      async query(expr) {
        const data = await api<{
          result: { metric: Record<string, string>; value: [number, string] }[];
        }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
        return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
      },
      async alerts() {
        return (await api<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
      },
      async stop() {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error('Prometheus did not start');
}
