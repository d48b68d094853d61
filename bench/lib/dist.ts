import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { procCpuMs, procRssBytes, ROOT, stopChild } from './proc.js';

/** The built CLI the bench runs, as production does (`npm run build` makes it). */
export const DIST_CLI = join(ROOT, 'dist', 'cli.js');

/** `bellwether run` from dist/ in a process of its own, measured from outside through /proc. */
export interface DistProcess {
  pid: number;
  url: string;
  /** utime and stime of the whole process (all threads), ms. */
  cpuMs(): { user: number; system: number };
  rssBytes(): number;
  /** GET /metrics as Prometheus does by default (OpenMetrics, gzip). */
  scrape(): Promise<string>;
  /** SIGHUP: re-read the config file. */
  reload(): void;
  stop(): Promise<void>;
}

/** Sums a counter's samples in a Prometheus or OpenMetrics text, optionally filtered by a label. */
export function sumSamples(text: string, name: string, mustContain = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(mustContain)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(
        url,
        {
          headers: {
            accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
            'accept-encoding': 'gzip',
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const body = Buffer.concat(parts);
            const gz = res.headers['content-encoding'] === 'gzip';
            import('node:zlib').then((z) =>
              resolve((gz ? z.gunzipSync(body) : body).toString('utf8')),
            );
          });
          res.on('error', reject);
        },
      )
      .on('error', reject);
  });
}

/**
 * Starts `node dist/cli.js run --config <path>` (with NODE_OPTIONS when given); resolves once
 * it logs that it listens.
 */
export async function startDist(
  configPath: string,
  ticks: number,
  nodeOptions?: string,
): Promise<DistProcess> {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run npm run build first`);
  const child: ChildProcess = spawn(process.execPath, [DIST_CLI, 'run', '--config', configPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: nodeOptions === undefined ? process.env : { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('bellwether run did not start')), 60_000);
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      for (const line of buf.split('\n')) {
        if (!line.includes('bellwether started')) continue;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining: a full pipe would block the process's log writes.
        child.stdout?.resume();
        resolve(Number((JSON.parse(line) as { port: number }).port));
        return;
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bellwether run exited ${code} before starting`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid as number,
    url,
    cpuMs: () => procCpuMs(child.pid as number, ticks),
    rssBytes: () => procRssBytes(child.pid as number),
    scrape: () => get(`${url}/metrics`),
    reload: () => {
      child.kill('SIGHUP');
    },
    stop: () => stopChild(child, 20_000),
  };
}
