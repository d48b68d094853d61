import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, stopChild } from './proc.js';

/** Where Debian's package puts it; BLACKBOX_EXPORTER overrides. */
export const BLACKBOX_BIN =
  process.env.BLACKBOX_EXPORTER ?? '/usr/bin/prometheus-blackbox-exporter';

// The stock http_2xx module, pinned to IPv4 so no IPv6 attempt is timed against 127.0.0.1.
const CONFIG = `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
`;

/** One /probe answer, as Prometheus would scrape it. */
export interface BlackboxProbe {
  success: boolean;
  /** probe_duration_seconds × 1000: the whole probe as the exporter times it. */
  durationMs: number;
  /** Sum of probe_http_duration_seconds phases × 1000: resolve + connect + tls + processing + transfer. */
  httpMs: number;
  phasesMs: Record<string, number>;
}

/** A running blackbox_exporter. */
export interface Blackbox {
  pid: number;
  url: string;
  probe(target: string): Promise<BlackboxProbe>;
  /** go_memstats_alloc_bytes_total: bytes ever allocated on the Go heap. */
  allocatedBytes(): Promise<number>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** GET over a keep-alive agent (this is the driver's cost, never measured). */
function get(agent: http.Agent, url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Parses the exporter's /probe text. */
export function parseProbe(text: string): BlackboxProbe {
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? Number.NaN);
  const phasesMs: Record<string, number> = {};
  for (const m of text.matchAll(/^probe_http_duration_seconds\{phase="([a-z]+)"\} (\S+)$/gm)) {
    phasesMs[m[1] as string] = Number(m[2]) * 1000;
  }
  return {
    success: value(/^probe_success (\S+)$/m) === 1,
    durationMs: value(/^probe_duration_seconds (\S+)$/m) * 1000,
    httpMs: Object.values(phasesMs).reduce((s, v) => s + v, 0),
    phasesMs,
  };
}

/** True when the exporter binary is installed. */
export function blackboxAvailable(): boolean {
  return existsSync(BLACKBOX_BIN);
}

/** Starts blackbox_exporter on a free loopback port with the http_2xx module. */
export async function startBlackbox(): Promise<Blackbox> {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-bench-bb-'));
  const config = join(dir, 'blackbox.yml');
  writeFileSync(config, CONFIG);
  const port = await freePort();
  const child: ChildProcess = spawn(
    BLACKBOX_BIN,
    [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  for (let i = 0; ; i++) {
    try {
      if ((await get(agent, `${url}/-/healthy`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (i > 100 || child.exitCode !== null) throw new Error('blackbox_exporter did not start');
    await sleep(50);
  }
  return {
    pid: child.pid as number,
    url,
    async probe(target) {
      const q = new URLSearchParams({ target, module: 'http_2xx' });
      const res = await get(agent, `${url}/probe?${q}`);
      if (res.status !== 200) throw new Error(`blackbox /probe answered ${res.status}`);
      return parseProbe(res.text);
    },
    async allocatedBytes() {
      const res = await get(agent, `${url}/metrics`);
      return Number(/^go_memstats_alloc_bytes_total (\S+)$/m.exec(res.text)?.[1] ?? Number.NaN);
    },
    async stop() {
      agent.destroy();
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
