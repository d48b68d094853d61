import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HistoryStore,
  openSqliteStore,
  type StoredResult,
} from '../../src/store/sqlite-store.js';
import { startCli } from '../support/cli-process.js';
import { LIBFAKETIME } from '../support/clock-step.js';

const DAY = 86_400_000;
const RETENTION = 8 * DAY;
const T = Date.UTC(2026, 11, 4, 12, 0, 0);

const result = (at: number): StoredResult => ({
  dependency: 'target',
  check: 'http',
  at,
  ok: true,
  latencyMs: 12,
  attempts: 1,
});

/** One result an hour over `days` days up to `until`. */
function seed(store: HistoryStore, until: number, days: number): number {
  let n = 0;
  for (let at = until - days * DAY; at <= until; at += 3_600_000) {
    store.record(result(at));
    n++;
  }
  return n;
}

describe('pruning holds retention against the data and the monotonic clock', () => {
  let mono = 0;
  const open = (path = ':memory:') => openSqliteStore({ path, monotonic: () => mono });

  it('deletes what is past retention when the clock is right', () => {
    mono = 0;
    const store = open();
    seed(store, T, 10);
    const removed = store.prune(T - RETENTION, RETENTION);
    // 10 days of hourly rows, 8 kept (the boundary row at exactly T - 8 d stays).
    expect(removed).toBe(48);
    expect(store.history('target', 0, 5000)).toHaveLength(8 * 24 + 1);
    store.close();
  });

  it.each([2, 10, 365])(
    'a restart with the clock %i days ahead deletes nothing still in retention',
    (days) => {
      mono = 0;
      const store = open();
      const seeded = seed(store, T, 7);
      const ahead = T + days * DAY;
      expect(store.prune(ahead - RETENTION, RETENTION)).toBe(0);
      // Probing goes on, stamping rows with the wrong time; five minutes later, pruning again.
      store.record(result(ahead));
      mono += 300_000;
      expect(store.prune(ahead + 300_000 - RETENTION, RETENTION)).toBe(0);
      expect(store.history('target', 0, 5000)).toHaveLength(seeded + 1);
      store.close();
    },
  );

  it('a clock stepped ahead while running moves the cut only as fast as real time', () => {
    mono = 0;
    const store = open();
    seed(store, T, 8);
    expect(store.prune(T - RETENTION, RETENTION)).toBe(0);
    // 30 days ahead, one hour of real time later: at most one hour more is pruned.
    mono += 3_600_000;
    expect(store.prune(T + 30 * DAY + 3_600_000 - RETENTION, RETENTION)).toBe(1);
    store.close();
  });

  it('a clock stepped back and put right leaves no lag', () => {
    mono = 0;
    const store = open();
    seed(store, T, 10);
    expect(store.prune(T - RETENTION, RETENTION)).toBe(48);
    mono += 3_600_000;
    // Back one day: nothing new is past retention.
    expect(store.prune(T - DAY + 3_600_000 - RETENTION, RETENTION)).toBe(0);
    mono += 3_600_000;
    // Put right: the cut is where two hours of real time put it.
    expect(store.prune(T + 7_200_000 - RETENTION, RETENTION)).toBe(2);
    store.close();
  });

  it('without retentionMs, prune cuts where it is told (callers that mean it)', () => {
    mono = 0;
    const store = open();
    const seeded = seed(store, T, 2);
    expect(store.prune(T + DAY)).toBe(seeded);
    store.close();
  });
});

describe('bellwether restarted with the wall clock 10 days ahead (libfaketime)', () => {
  let dir: string;
  let seeded = 0;
  let since = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-prune-'));
    const now = Date.now();
    const store = openSqliteStore({ path: join(dir, 'history.db') });
    seeded = seed(store, now - 60_000, 3);
    since = now - 4 * DAY;
    store.close();
    writeFileSync(
      join(dir, 'bellwether.yaml'),
      `server: { port: 0, host: 127.0.0.1 }
storage: { path: ${join(dir, 'history.db')} }
dependencies:
  - { id: target, vendor: http, url: "http://127.0.0.1:9/", interval: 1h, timeout: 1s }
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the history it had', { timeout: 30_000 }, async () => {
    const cli = await startCli(['--config', join(dir, 'bellwether.yaml')], {
      PATH: process.env.PATH,
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: '+10d',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    try {
      const res = await fetch(
        `${cli.base}/api/v1/dependencies/target/history?since=${since}&limit=5000`,
      );
      const body = (await res.json()) as { results: { at: string }[] };
      // The pruner ran at start (before "bellwether started"): every seeded row is still there.
      expect(body.results.filter((r) => Date.parse(r.at) < since + 4 * DAY)).toHaveLength(seeded);
      expect(cli.output()).not.toContain('pruned probe history');
    } finally {
      await cli.stop();
    }
  });
});
