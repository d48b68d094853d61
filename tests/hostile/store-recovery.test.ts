import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { openSqliteStore, type StoredResult } from '../../src/store/sqlite-store.js';
import { openSupervisedStore } from '../../src/store/supervised-store.js';
import { startCli } from '../support/cli-process.js';

const T = Date.UTC(2026, 11, 4, 12, 0, 0);
const result = (i: number, dependency = 'dep'): StoredResult => ({
  dependency,
  check: 'http',
  at: T + i * 1000,
  ok: true,
  latencyMs: 10,
  attempts: 1,
});

/** Rows in the file at `path`, read by a separate connection as a restart would. */
function rowsOnDisk(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT count(*) FROM results').pluck().get() as number;
  } finally {
    db.close();
  }
}

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: object, msg: string) => lines.push({ level, msg });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info') } };
}

describe('the supervised history store', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const setup = () => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-store-'));
    const path = join(dir, 'data', 'bellwether.db');
    const log = recordingLogger();
    const store = openSupervisedStore({ path, logger: log.logger, checkIntervalMs: 0 });
    return { path, store, log };
  };

  it.each([
    ['the data directory', (path: string) => rmSync(join(path, '..'), { recursive: true })],
    ['the database file alone', (path: string) => rmSync(path)],
  ])('recreates %s when deleted, history included', (_what, remove) => {
    const { path, store, log } = setup();
    for (let i = 0; i < 20; i++) store.record(result(i));
    remove(path);
    for (let i = 20; i < 30; i++) store.record(result(i));
    expect(existsSync(path)).toBe(true);
    expect(store.health()).toEqual({ healthy: true, writeErrors: 0 });
    expect(log.lines).toContainEqual({
      level: 'error',
      msg: 'history database file was deleted; recreated it from the open connection',
    });
    store.close();
    expect(rowsOnDisk(path)).toBe(30);
  });

  it('keeps writing to the open connection while the path cannot be recreated, then recreates it', () => {
    const { path, store, log } = setup();
    for (let i = 0; i < 10; i++) store.record(result(i));
    const data = join(path, '..');
    rmSync(data, { recursive: true });
    // A file where the directory was: the path cannot be recreated for now.
    writeFileSync(data, 'in the way');
    for (let i = 10; i < 15; i++) store.record(result(i));
    const health = store.health();
    expect(health.healthy).toBe(false);
    expect(health.reason).toMatch(
      new RegExp(`^cannot open ${path}: .*; history is kept in memory`),
    );
    expect(store.history('dep', 0, 100)).toHaveLength(15);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    rmSync(data);
    store.record(result(15));
    expect(store.health()).toEqual({ healthy: true, writeErrors: 0 });
    store.close();
    expect(rowsOnDisk(path)).toBe(16);
  });

  it('switches to a file that replaced its own', () => {
    const { path, store, log } = setup();
    for (let i = 0; i < 5; i++) store.record(result(i));
    const other = join(dir, 'other.db');
    const replacement = openSqliteStore({ path: other });
    for (let i = 0; i < 3; i++) replacement.record(result(i, 'restored'));
    replacement.close();
    rmSync(path);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    // Moved into place, as restoring a backup does.
    renameSync(other, path);
    store.record(result(10));
    expect(log.lines.at(-1)).toEqual({
      level: 'warn',
      msg: 'history database file was replaced; switched to the new file',
    });
    expect(store.history('restored', 0, 10)).toHaveLength(3);
    store.close();
    expect(rowsOnDisk(path)).toBe(4);
  });

  it('keeps history in memory over a corrupt file, says why, and writes it out once the path is free', () => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-store-'));
    const path = join(dir, 'bellwether.db');
    writeFileSync(path, 'this is not an SQLite database, it is a corrupt file '.repeat(100));
    const log = recordingLogger();
    const store = openSupervisedStore({ path, logger: log.logger, checkIntervalMs: 0 });
    const health = store.health();
    expect(health.healthy).toBe(false);
    expect(health.reason).toBe(
      `cannot open ${path}: file is not a database; history is kept in memory until it is fixed (lost on restart)`,
    );
    for (let i = 0; i < 5; i++) store.record(result(i));
    // Retried on every write, logged once, memory history kept meanwhile.
    expect(store.history('dep', 0, 10)).toHaveLength(5);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    rmSync(path);
    store.record(result(5));
    expect(store.health()).toEqual({ healthy: true, writeErrors: 0 });
    store.close();
    expect(rowsOnDisk(path)).toBe(6);
  });

  it('counts failed writes and is unhealthy until a write lands again', () => {
    const { store } = setup();
    store.record({ ...result(0), dependency: '' });
    expect(store.health()).toEqual({
      healthy: false,
      reason: 'record failed: result.dependency must be a non-empty string',
      writeErrors: 1,
    });
    store.record(result(1));
    expect(store.health()).toEqual({ healthy: true, writeErrors: 1 });
    store.close();
  });
});

describe('a corrupt database at start shows in /readyz and /metrics', () => {
  let dir: string;
  let bw: Bellwether;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-corrupt-'));
    const path = join(dir, 'bellwether.db');
    writeFileSync(path, 'garbage, not SQLite '.repeat(500));
    const parsed = parseConfigText(
      `server: { port: 0, host: 127.0.0.1 }
storage: { path: ${path} }
dependencies:
  - { id: local, vendor: http, url: "http://127.0.0.1:9/", interval: 1h, timeout: 1s }
`,
      'corrupt.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent' });
    // /readyz waits for each dependency's first round.
    await bw.monitor.probeNow('local');
  });
  afterAll(async () => {
    await bw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/readyz stays 200 (probing goes on) and names the problem', async () => {
    const res = await fetch(`http://127.0.0.1:${bw.port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      `ready; history store degraded: cannot open ${join(dir, 'bellwether.db')}: file is not a database; history is kept in memory until it is fixed (lost on restart)\n`,
    );
  });

  it('bellwether_store_healthy is 0', async () => {
    const text = await (await fetch(`http://127.0.0.1:${bw.port}/metrics`)).text();
    expect(text).toMatch(/^bellwether_store_healthy\{[^}]*\} 0$/m);
    expect(text).toMatch(/^bellwether_store_write_errors_total\{[^}]*\} 0$/m);
  });
});

describe('a running bellwether whose data directory is deleted', () => {
  let dir: string;
  let target: http.Server;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-rmdata-'));
    target = http.createServer((_q, r) => r.end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => target.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('recreates it, loses nothing and keeps it across a restart', { timeout: 40_000 }, async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    const path = join(data, 'bellwether.db');
    const config = join(dir, 'bellwether.yaml');
    writeFileSync(
      config,
      `server: { port: 0, host: 127.0.0.1 }
storage: { path: ${path} }
dependencies:
  - { id: target, vendor: http, url: "http://127.0.0.1:${(target.address() as AddressInfo).port}/", interval: 1s, timeout: 500ms }
`,
    );
    const cli = await startCli(['--config', config], { PATH: process.env.PATH });
    const count = async () =>
      (
        (await (await fetch(`${cli.base}/api/v1/dependencies/target/history?since=1h`)).json()) as {
          results: unknown[];
        }
      ).results.length;
    try {
      while ((await count()) < 3) await new Promise((r) => setTimeout(r, 200));
      rmSync(data, { recursive: true });
      // The next write after the 5 s check interval notices.
      const deadline = Date.now() + 15_000;
      while (!existsSync(path) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(path)).toBe(true);
      expect(cli.output()).toContain(
        'history database file was deleted; recreated it from the open connection',
      );
      const metrics = await (await fetch(`${cli.base}/metrics`)).text();
      expect(metrics).toMatch(/^bellwether_store_healthy\{[^}]*\} 1$/m);
      const before = await count();
      cli.child.kill('SIGTERM');
      await new Promise((r) => cli.child.once('exit', r));
      // What the API showed before the stop is all on disk (plus rounds since).
      expect(rowsOnDisk(path)).toBeGreaterThanOrEqual(before);
    } finally {
      await cli.stop();
    }
  });
});
