import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function start(config: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /"port":(\d+).*"msg":"bellwether started"/.exec(out);
    if (m) return { child, base: `http://127.0.0.1:${m[1]}`, output: () => out };
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`bellwether did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const historyCount = async (base: string) =>
  (
    (await (await fetch(`${base}/api/v1/dependencies/health/history?since=1h`)).json()) as {
      results: unknown[];
    }
  ).results.length;

const resultsTotal = async (base: string) => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m =
    /bellwether_probe_results_total\{dependency="health",[^}]*outcome="success"[^}]*\} (\d+)/.exec(
      text,
    );
  return Number(m?.[1] ?? 0);
};

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function writeConfig(dir: string, dbPath: string, vendorUrl: string): string {
  const file = join(dir, 'bellwether.yaml');
  writeFileSync(
    file,
    `vantage: durability
server: { port: 0, host: 127.0.0.1 }
storage: { path: ${dbPath} }
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
dependencies:
  - { id: health, vendor: http, url: "${vendorUrl}/health" }
`,
  );
  return file;
}

describe('durability', () => {
  let vendor: FakeVendor;
  let dir: string;
  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-durability-'));
  });
  afterAll(async () => {
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL during probing loses no committed history, and it restarts cleanly', async () => {
    const config = writeConfig(dir, join(dir, 'data', 'history.db'), vendor.url);
    const first = await start(config);
    await waitFor('five stored rounds', async () => (await historyCount(first.base)) >= 5);
    const before = await historyCount(first.base);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const second = await start(config);
    try {
      expect(await historyCount(second.base)).toBeGreaterThanOrEqual(before);
      const uptime = (await (await fetch(`${second.base}/api/v1/dependencies/health`)).json()) as {
        uptime: Record<string, number | null>;
      };
      expect(uptime.uptime['1h']).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  });

  describe('a full, then read-only, data directory', () => {
    const mountPoint = join(tmpdir(), `bellwether-tinyfs-${process.pid}`);
    let mounted = false;
    let why = '';
    beforeAll(() => {
      mkdirSync(mountPoint, { recursive: true });
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], {
          stdio: 'pipe',
        });
        mounted = true;
      } catch (err) {
        why = (err as Error).message.split('\n')[0] ?? 'mount failed';
      }
    });
    afterAll(() => {
      if (mounted) execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('reports store errors, keeps probing and keeps /metrics intact', async (ctx) => {
      if (!mounted) {
        ctx.skip(`cannot mount a tmpfs here (${why})`);
        return;
      }
      const config = writeConfig(dir, join(mountPoint, 'history.db'), vendor.url);
      const run = await start(config);
      try {
        await waitFor('a stored round', async () => (await historyCount(run.base)) >= 1);
        // Fill the file system: every further write fails with SQLITE_FULL.
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${join(mountPoint, 'filler')}`, 'bs=4k'], {
            stdio: 'ignore',
          });
        } catch {
          // dd stops with an error when the disk is full: that is the point.
        }
        const atFull = await resultsTotal(run.base);
        await waitFor('store errors reported', async () =>
          /history store error/.test(run.output()),
        );
        await waitFor('probing to go on', async () => (await resultsTotal(run.base)) >= atFull + 3);
        const status = await fetch(`${run.base}/api/v1/status`);
        expect(status.status).toBe(200);
        expect((await fetch(`${run.base}/healthz`)).status).toBe(200);
      } finally {
        run.child.kill('SIGTERM');
        await new Promise((r) => run.child.once('exit', r));
      }
      expect(run.child.exitCode).toBe(0);
    });

    it('starts on a read-only data directory, says so, and probes with in-memory history', async (ctx) => {
      if (!mounted) {
        ctx.skip(`cannot mount a tmpfs here (${why})`);
        return;
      }
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      const config = writeConfig(dir, join(mountPoint, 'fresh', 'history.db'), vendor.url);
      const run = await start(config);
      try {
        expect(run.output()).toMatch(/history store unavailable/);
        await waitFor('probing', async () => (await resultsTotal(run.base)) >= 2);
        expect(await historyCount(run.base)).toBeGreaterThanOrEqual(1);
      } finally {
        run.child.kill('SIGTERM');
        await new Promise((r) => run.child.once('exit', r));
      }
    });
  });
});
