import { type ChildProcess, spawn } from 'node:child_process';
import type { Fault, FaultRoute } from '../../tests/support/fake-vendor.js';
import { firstLine, ROOT, stopChild } from './proc.js';

/** The fake vendor running as its own process, so it never shares an event loop with what is measured. */
export interface VendorProcess {
  url: string;
  port: number;
  pid: number;
  setFault(route: FaultRoute, fault: Fault | null): Promise<void>;
  clearFaults(): Promise<void>;
  /** SIGKILL: the listener and every socket go at once, as with FakeVendor.stop(). */
  kill(): Promise<void>;
  /** Starts it again on the same port after kill(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts scripts/fake-vendor.ts (anonymous: keyless requests are accepted) on `port` (0 = any). */
export async function startVendorProcess(port = 0): Promise<VendorProcess> {
  let child: ChildProcess;
  let url = '';
  const launch = async (p: number): Promise<void> => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/fake-vendor.ts', '--port', String(p), '--anonymous'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    url = await firstLine(child, 'fake vendor');
  };
  await launch(port);
  const actualPort = Number(new URL(url).port);
  const control = async (method: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${url}/__fault`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fake vendor /__fault answered ${res.status}`);
    await res.arrayBuffer();
  };
  return {
    get url() {
      return url;
    },
    port: actualPort,
    get pid() {
      return child.pid as number;
    },
    setFault: (route, fault) => control('POST', { route, fault }),
    clearFaults: () => control('DELETE'),
    async kill() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    restart: () => launch(actualPort),
    stop: () => stopChild(child),
  };
}
