import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorClass } from '../../src/probes/types.js';
import {
  attachSqliteStore,
  type HistoryStore,
  openSqliteStore,
  RESULT_BATCH_ROWS,
  RESULT_FLUSH_MS,
  type SqliteHistoryStore,
  type StoredResult,
} from '../../src/store/sqlite-store.js';

const H = 3_600_000;
// Hour-aligned, so tests can place results on either side of an hour boundary on purpose.
const T0 = Date.UTC(2025, 0, 15, 12);

const open: HistoryStore[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-store-'));
  dirs.push(dir);
  return dir;
}

function track<S extends HistoryStore>(store: S): S {
  open.push(store);
  return store;
}

interface Failure {
  err: Error & { code?: string };
  op: string;
}

function memStore(): { store: HistoryStore; failures: Failure[] } {
  const failures: Failure[] = [];
  const store = track(
    openSqliteStore({ path: ':memory:', onError: (err, op) => failures.push({ err, op }) }),
  );
  return { store, failures };
}

/** A store whose raw connection the test keeps, to inject faults through pragmas. */
function attachedStore(path = ':memory:') {
  const failures: Failure[] = [];
  const db = new Database(path);
  const store = track(attachSqliteStore(db, { onError: (err, op) => failures.push({ err, op }) }));
  return { db, store, failures };
}

function result(over: Partial<StoredResult> = {}): StoredResult {
  return {
    dependency: 'openai-chat',
    check: 'models',
    at: T0,
    ok: true,
    latencyMs: 100,
    attempts: 1,
    ...over,
  };
}

const fail = (errorClass: ErrorClass, over: Partial<StoredResult> = {}): Partial<StoredResult> => ({
  ok: false,
  errorClass,
  ...over,
});

function recordAll(store: HistoryStore, parts: Partial<StoredResult>[], dependency = 'dep') {
  parts.forEach((part, i) => {
    store.record(result({ dependency, at: T0 + i * 30_000, ...part }));
  });
}

// Independent reference implementations the store is checked against.
function counted(r: StoredResult): boolean {
  return !r.skipped && r.errorClass !== 'circuit_open' && r.errorClass !== 'auth';
}

function naiveUptime(all: StoredResult[], dependency: string, since: number): number | null {
  const rs = all.filter((r) => r.dependency === dependency && r.at >= since && counted(r));
  return rs.length === 0 ? null : rs.filter((r) => r.ok).length / rs.length;
}

function naivePercentiles(all: StoredResult[], dependency: string, since: number) {
  const latencies = all
    .filter((r) => r.dependency === dependency && r.at >= since && r.ok && !r.skipped)
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const n = latencies.length;
  if (n === 0) return null;
  // Smallest rank r with r / n >= p / 100.
  const pick = (p: number) => latencies[Math.floor((p * n + 99) / 100) - 1];
  return { p50: pick(50), p95: pick(95) };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('record, recent and history', () => {
  it('round-trips every field and leaves absent ones absent', () => {
    const { store } = memStore();
    const full = result({
      check: 'completion',
      ok: false,
      latencyMs: 812.25,
      ttftMs: 301.5,
      errorClass: 'overloaded',
      httpStatus: 529,
      attempts: 2,
      message: 'Overloaded',
      skipped: true,
      credentialsMissing: true,
    });
    const minimal = result({ at: T0 + 1000, skipped: false, credentialsMissing: false });
    store.record(full);
    store.record(minimal);

    expect(store.history('openai-chat', 0, 10)).toStrictEqual([
      full,
      {
        dependency: 'openai-chat',
        check: 'models',
        at: T0 + 1000,
        ok: true,
        latencyMs: 100,
        attempts: 1,
      },
    ]);
  });

  it('keeps messages to 1,000 characters', () => {
    const { store } = memStore();
    store.record(result({ message: 'x'.repeat(5000) }));
    expect(store.recent('openai-chat', 1)[0]?.message).toHaveLength(1000);
  });

  // Recorded out of order on purpose; the two at T0 + 60s tie and keep insertion order.
  const ats = [T0 + 60_000, T0, T0 + 120_000, T0 + 60_000, T0 + 30_000];
  const seeded = () => {
    const { store } = memStore();
    ats.forEach((at, i) => {
      store.record(result({ at, attempts: i + 1 }));
    });
    store.record(result({ dependency: 'other', at: T0 + 90_000 }));
    return store;
  };
  const tag = (rs: StoredResult[]) => rs.map((r) => `${(r.at - T0) / 1000}s#${r.attempts}`);

  it.each([
    [0, []],
    [-1, []],
    [Number.NaN, []],
    [1, ['120s#3']],
    [3, ['120s#3', '60s#4', '60s#1']],
    [2.9, ['120s#3', '60s#4']],
    [100, ['120s#3', '60s#4', '60s#1', '30s#5', '0s#2']],
  ])('recent(limit %s) is newest first', (limit, expected) => {
    expect(tag(seeded().recent('openai-chat', limit))).toEqual(expected);
  });

  it.each([
    [0, 100, ['0s#2', '30s#5', '60s#1', '60s#4', '120s#3']],
    [T0 + 30_000, 100, ['30s#5', '60s#1', '60s#4', '120s#3']],
    [T0 + 30_001, 100, ['60s#1', '60s#4', '120s#3']],
    [T0, 2, ['0s#2', '30s#5']],
    [T0 + 121_000, 100, []],
    [T0, 0, []],
  ])('history(since %s, limit %s) is oldest first from since', (since, limit, expected) => {
    expect(tag(seeded().history('openai-chat', since, limit))).toEqual(expected);
  });

  it('answers empty for a dependency it has never seen', () => {
    const store = seeded();
    expect(store.recent('nope', 10)).toEqual([]);
    expect(store.history('nope', 0, 10)).toEqual([]);
    expect(store.uptime('nope', 0)).toBeNull();
    expect(store.latencyPercentiles('nope', 0)).toBeNull();
  });
});

describe('uptime', () => {
  it.each<[string, Partial<StoredResult>[], number | null]>([
    ['all ok', [{}, {}, {}], 1],
    ['one failure in four', [{}, {}, {}, fail('server_error')], 0.75],
    ['every vendor-side class counts', [fail('timeout'), fail('rate_limited'), {}, {}], 0.5],
    ['skipped results are left out', [{}, { skipped: true }, { ok: false, skipped: true }], 1],
    [
      'circuit_open is left out',
      [{}, fail('network'), fail('circuit_open'), fail('circuit_open')],
      0.5,
    ],
    ['auth is left out', [{}, fail('auth'), fail('auth')], 1],
    ['nothing countable is null', [{ skipped: true }, fail('circuit_open'), fail('auth')], null],
    [
      'reachability without credentials counts',
      [{ credentialsMissing: true }, fail('timeout')],
      0.5,
    ],
    ['no results is null', [], null],
  ])('%s', (_name, parts, expected) => {
    const { store } = memStore();
    recordAll(store, parts);
    expect(store.uptime('dep', 0)).toBe(expected);
    expect(store.summaries({ all: 0 }).get('dep')?.uptime.all ?? null).toBe(expected);
  });

  it.each([
    ['before everything', T0 - H, 0.6],
    ['a millisecond before the hour that holds them all', T0 - 1, 0.6],
    ['inclusive at a result', T0 + 60_000, 1 / 3],
    ['inside the hour', T0 + 61_000, 0.5],
    ['after everything', T0 + H, null],
  ])('counts only results since the cut: %s', (_name, since, expected) => {
    const { store } = memStore();
    recordAll(store, [{}, {}, fail('timeout'), {}, fail('timeout')]);
    expect(store.uptime('dep', since)).toBe(expected);
  });
});

describe('latency percentiles (nearest rank)', () => {
  const shuffled = (xs: number[]) => {
    const next = rng(7);
    return xs
      .map((x) => ({ x, k: next() }))
      .sort((a, b) => a.k - b.k)
      .map(({ x }) => x);
  };
  const range = (n: number, step = 1) => Array.from({ length: n }, (_, i) => (i + 1) * step);

  it.each([
    ['one value', [42], 42, 42],
    ['two values', [20, 10], 10, 20],
    ['seven values', [5, 1, 4, 2, 3, 7, 6], 4, 7],
    ['ties', [3, 1, 2, 3], 2, 3],
    ['20 values (rank 19 for p95)', shuffled(range(20, 10)), 100, 190],
    ['60 values (0.95 × 60 is 57.00000000000001 in floating point)', shuffled(range(60)), 30, 57],
    ['100 values', shuffled(range(100)), 50, 95],
    ['101 values', shuffled(range(101)), 51, 96],
    ['fractional milliseconds', [0.5, 1.25, 2.75], 1.25, 2.75],
  ])('%s', (_name, latencies, p50, p95) => {
    const { store } = memStore();
    recordAll(store, [
      // Failed and skipped results never count, however fast.
      fail('server_error', { latencyMs: 0.001 }),
      { skipped: true, latencyMs: 0 },
      fail('timeout', { latencyMs: 1e9 }),
      ...latencies.map((latencyMs) => ({ latencyMs })),
    ]);
    expect(store.latencyPercentiles('dep', 0)).toEqual({ p50, p95 });
    expect(store.summaries({ all: 0 }).get('dep')).toMatchObject({ p50, p95 });
  });

  it('is null when nothing succeeded in the window', () => {
    const { store } = memStore();
    recordAll(store, [fail('server_error'), { skipped: true }]);
    store.record(result({ dependency: 'dep', at: T0 - H, latencyMs: 5 }));
    expect(store.latencyPercentiles('dep', T0)).toBeNull();
    expect(store.latencyPercentiles('dep', T0 - H)).toEqual({ p50: 5, p95: 5 });
  });
});

describe('summaries', () => {
  it('answers every window and the latency of the shortest by default', () => {
    const { store } = memStore();
    // a: one failure two hours ago, healthy and fast in the last hour.
    store.record(result({ dependency: 'a', at: T0 - 2 * H, ok: false, errorClass: 'timeout' }));
    store.record(result({ dependency: 'a', at: T0 - 2 * H + 1, latencyMs: 900 }));
    store.record(result({ dependency: 'a', at: T0 - 10, latencyMs: 10 }));
    store.record(result({ dependency: 'a', at: T0 - 5, latencyMs: 30 }));
    // b: only older data inside 24h.
    store.record(result({ dependency: 'b', at: T0 - 3 * H, latencyMs: 50 }));
    // c: only data older than every window, so absent.
    store.record(result({ dependency: 'c', at: T0 - 48 * H }));
    // d: only skipped results, nothing to say, so absent.
    store.record(result({ dependency: 'd', at: T0 - 10, skipped: true }));

    const windows = { '1h': T0 - H, '24h': T0 - 24 * H };
    const summaries = store.summaries(windows);
    expect([...summaries.keys()].sort()).toEqual(['a', 'b']);
    expect(summaries.get('a')).toEqual({ uptime: { '1h': 1, '24h': 0.75 }, p50: 10, p95: 30 });
    expect(summaries.get('b')).toEqual({ uptime: { '1h': null, '24h': 1 }, p50: null, p95: null });

    const wide = store.summaries(windows, T0 - 24 * H);
    expect(wide.get('a')).toMatchObject({ p50: 30, p95: 900 });
    expect(wide.get('b')).toMatchObject({ p50: 50, p95: 50 });
  });

  it('is empty for an empty store or no windows', () => {
    const { store } = memStore();
    expect(store.summaries({ '1h': T0 - H })).toEqual(new Map());
    store.record(result());
    expect(store.summaries({})).toEqual(new Map());
    expect(store.summaries({}, 0).get('openai-chat')).toEqual({ uptime: {}, p50: 100, p95: 100 });
  });
});

describe('windows, hourly rollups and prune against a reference', () => {
  // Results land in random order over ~50 hours, so whole hours come from the rollup and the
  // partial first hour of each window from raw rows; the store must match a plain filter.
  const deps = ['alpha', 'beta', 'gamma'];
  const classes: ErrorClass[] = ['timeout', 'server_error', 'circuit_open', 'auth', 'rate_limited'];

  function randomResults(next: () => number, count: number, from: number, span: number) {
    return Array.from({ length: count }, (): StoredResult => {
      const roll = next();
      const ok = roll < 0.8;
      return result({
        dependency: deps[Math.floor(next() * deps.length)] as string,
        // Some land exactly on an hour boundary, where rollup and raw edge meet.
        at:
          next() < 0.1
            ? from + Math.floor(next() * (span / H)) * H
            : from + Math.floor(next() * span),
        ok,
        errorClass: ok ? undefined : classes[Math.floor(next() * classes.length)],
        skipped: next() < 0.05 ? true : undefined,
        latencyMs: Math.round(next() * 2000) / 4,
      });
    });
  }

  function expectMatches(store: HistoryStore, all: StoredResult[], sinces: number[]) {
    for (const since of sinces) {
      for (const dep of deps) {
        expect(store.uptime(dep, since), `uptime ${dep} since ${since - T0}`).toBe(
          naiveUptime(all, dep, since),
        );
        expect(store.latencyPercentiles(dep, since), `latency ${dep} since ${since - T0}`).toEqual(
          naivePercentiles(all, dep, since),
        );
        const history = store.history(dep, since, 100_000);
        expect(history.length).toBe(
          all.filter((r) => r.dependency === dep && r.at >= since).length,
        );
      }
      const windows = { a: since, b: since + 7 * H + 123 };
      const summaries = store.summaries(windows, since);
      for (const dep of deps) {
        const expected = {
          uptime: { a: naiveUptime(all, dep, since), b: naiveUptime(all, dep, windows.b) },
          ...(naivePercentiles(all, dep, since) ?? { p50: null, p95: null }),
        };
        const hasData =
          expected.uptime.a !== null || expected.uptime.b !== null || expected.p50 !== null;
        expect(summaries.get(dep), `summary ${dep}`).toEqual(hasData ? expected : undefined);
      }
    }
  }

  it.each([1, 2, 3])('matches the reference before and after prune (seed %s)', (seed) => {
    const next = rng(seed);
    const { store, failures } = memStore();
    const all = randomResults(next, 1500, T0 - 50 * H, 50 * H);
    for (const r of all) store.record(r);

    const sinces = [
      0,
      T0 - 50 * H,
      T0 - 24 * H, // aligned
      T0 - 24 * H + 1,
      T0 - 24 * H - 1,
      T0 - H - 1,
      T0 - Math.floor(next() * 50 * H),
      all[17]?.at ?? 0, // exactly at a result: inclusive
      T0 + H,
    ];
    expectMatches(store, all, sinces);

    // Cut inside an hour: the rollup for that hour must be recounted.
    const cut = T0 - 30 * H + 1_234_567;
    const pruned = store.prune(cut);
    let kept = all.filter((r) => r.at >= cut);
    expect(pruned).toBe(all.length - kept.length);
    expectMatches(store, kept, [...sinces, cut, cut - 1, cut + 1]);

    // Late results landing in the recounted hour and later.
    const late = randomResults(next, 200, cut, 3 * H);
    for (const r of late) store.record(r);
    kept = [...kept, ...late];
    expectMatches(store, kept, [0, cut, cut + H / 2, T0 - 29 * H]);

    // Cut exactly on an hour boundary.
    const aligned = T0 - 20 * H;
    expect(store.prune(aligned)).toBe(kept.filter((r) => r.at < aligned).length);
    kept = kept.filter((r) => r.at >= aligned);
    expectMatches(store, kept, [0, aligned, aligned + 1, T0 - 2 * H]);

    expect(store.prune(aligned)).toBe(0);
    expect(failures).toEqual([]);
  });
});

describe('prune', () => {
  it('deletes older results, keeps the rest and reports the count', () => {
    const { store } = memStore();
    recordAll(store, [fail('timeout'), {}, {}, fail('timeout'), {}]);
    expect(store.prune(T0 + 60_000)).toBe(2);
    expect(store.history('dep', 0, 10).map((r) => r.at)).toEqual([
      T0 + 60_000,
      T0 + 90_000,
      T0 + 120_000,
    ]);
    expect(store.uptime('dep', 0)).toBe(2 / 3);
    expect(store.prune(0)).toBe(0);
  });
});

describe('opening', () => {
  it('keeps data across close and reopen of a file, creating the parent directory', () => {
    const path = join(tempDir(), 'nested', 'deeper', 'history.db');
    const first = openSqliteStore({ path });
    recordAll(first, [{}, fail('timeout', { httpStatus: 504, message: 'gateway' })]);
    first.close();
    first.close(); // twice is harmless

    const again = track(openSqliteStore({ path }));
    expect(again.recent('dep', 10)).toEqual([
      result({
        dependency: 'dep',
        at: T0 + 30_000,
        ok: false,
        errorClass: 'timeout',
        httpStatus: 504,
        message: 'gateway',
      }),
      result({ dependency: 'dep', at: T0 }),
    ]);
    expect(again.uptime('dep', 0)).toBe(0.5);
    again.record(result({ dependency: 'dep', at: T0 + 60_000 }));
    expect(again.uptime('dep', 0)).toBe(2 / 3);
  });

  it('sets WAL, synchronous=NORMAL, a busy timeout, the schema version and indexes', () => {
    const { db } = attachedStore(join(tempDir(), 'history.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    const indexes = db.pragma('index_list(results)') as { name: string }[];
    expect(indexes.map((i) => i.name)).toContain('results_dep_at');
    const canaryIndexes = db.pragma('index_list(canary_runs)') as { name: string }[];
    expect(canaryIndexes.map((i) => i.name)).toContain('canary_runs_dep_canary_at');
    const changeIndexes = db.pragma('index_list(model_changes)') as { name: string }[];
    expect(changeIndexes.map((i) => i.name)).toContain('model_changes_dep_at');
  });

  it('keeps a failed result’s vendor request id, and migrates a version-1 file without losing rows', () => {
    const path = join(tempDir(), 'v1.db');
    const first = openSqliteStore({ path });
    first.record(result({ dependency: 'dep', at: T0, ok: true, latencyMs: 12 }));
    first.close();
    // Back to the version-1 schema, as shipped before request ids were kept.
    const old = new Database(path);
    old.exec('ALTER TABLE results DROP COLUMN request_id');
    old.pragma('user_version = 1');
    old.close();
    const store = track(openSqliteStore({ path }));
    store.record(
      result({
        dependency: 'dep',
        at: T0 + 1000,
        ok: false,
        errorClass: 'overloaded',
        requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
      }),
    );
    const [failed, kept] = store.recent('dep', 2);
    expect(failed?.requestId).toBe('req_011CSHoEeqs5C35K2UUqR7Fy');
    expect(kept).toMatchObject({ at: T0, ok: true, latencyMs: 12 });
    expect(kept?.requestId).toBeUndefined();
  });

  it('keeps separate :memory: stores apart', () => {
    const a = memStore().store;
    const b = memStore().store;
    a.record(result());
    expect(a.recent('openai-chat', 5)).toHaveLength(1);
    expect(b.recent('openai-chat', 5)).toEqual([]);
  });

  const cases: [string, (dir: string) => string, RegExp][] = [
    ['the path is a directory', (dir) => dir, /unable to open|directory/i],
    [
      'the parent is a file',
      (dir) => {
        writeFileSync(join(dir, 'file'), 'x');
        return join(dir, 'file', 'history.db');
      },
      /EEXIST|ENOTDIR/,
    ],
    [
      'the file is not a database',
      (dir) => {
        writeFileSync(join(dir, 'junk.db'), 'this is not sqlite'.repeat(100));
        return join(dir, 'junk.db');
      },
      /not a database/i,
    ],
    [
      'the schema is newer than this code',
      (dir) => {
        const path = join(dir, 'future.db');
        const db = new Database(path);
        db.pragma('user_version = 99');
        db.close();
        return path;
      },
      /newer/,
    ],
  ];
  it.each(cases)('throws an Error naming the path when %s', (_name, makePath, detail) => {
    const path = makePath(tempDir());
    let thrown: unknown;
    try {
      track(openSqliteStore({ path }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toContain(`Cannot open history store at ${path}`);
    expect((thrown as Error).message).toMatch(detail);
  });

  it('refuses to open a missing file read-only', () => {
    const path = join(tempDir(), 'missing.db');
    expect(() => openSqliteStore({ path, readonly: true })).toThrow(path);
  });
});

describe('batched writes', () => {
  const rows = (db: Database.Database): number =>
    db.prepare('SELECT count(*) FROM results').pluck().get() as number;

  it.each<[string, (store: SqliteHistoryStore) => unknown]>([
    ['recent', (s) => s.recent('openai-chat', 1)],
    ['history', (s) => s.history('openai-chat', 0, 1)],
    ['uptime', (s) => s.uptime('openai-chat', 0)],
    ['latencyPercentiles', (s) => s.latencyPercentiles('openai-chat', 0)],
    ['summaries', (s) => s.summaries({ all: 0 })],
    ['canaryTally', (s) => s.canaryTally('openai-chat', 0, T0)],
    ['recentCanaryRuns', (s) => s.recentCanaryRuns('openai-chat', 'c', 1)],
    ['modelBaseline', (s) => s.modelBaseline('openai-chat')],
    ['recentModelChanges', (s) => s.recentModelChanges('openai-chat', 1)],
    ['saveModelBaseline', (s) => s.saveModelBaseline('openai-chat', {})],
    ['prune', (s) => s.prune(0)],
    ['health', (s) => s.health()],
    ['flush', (s) => s.flush()],
  ])('writes waiting results before %s', (_op, op) => {
    const { db, store } = attachedStore();
    store.record(result());
    store.record(result({ at: T0 + 1 }));
    expect(rows(db)).toBe(0);
    op(store);
    expect(rows(db)).toBe(2);
  });

  it('writes them after the flush interval, or at once when a batch is full', () => {
    vi.useFakeTimers();
    try {
      const { db, store } = attachedStore();
      store.record(result());
      vi.advanceTimersByTime(RESULT_FLUSH_MS - 1);
      expect(rows(db)).toBe(0);
      vi.advanceTimersByTime(1);
      expect(rows(db)).toBe(1);
      for (let i = 0; i < RESULT_BATCH_ROWS; i++) store.record(result({ at: T0 + i }));
      expect(rows(db)).toBe(1 + RESULT_BATCH_ROWS);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes each result at once with flushMs 0', () => {
    const db = new Database(':memory:');
    track(attachSqliteStore(db, { flushMs: 0 })).record(result());
    expect(rows(db)).toBe(1);
  });

  it('keeps the rest of a batch when one result cannot be written', () => {
    const { store, failures } = attachedStore();
    store.record(result());
    store.record({ ...result({ at: T0 + 1 }), attempts: undefined as unknown as number });
    store.record(result({ at: T0 + 2 }));
    store.flush();
    expect(failures.map((f) => [f.op, f.err.message])).toEqual([
      ['record', 'NOT NULL constraint failed: results.attempts'],
    ]);
    expect(store.recent('openai-chat', 10).map((r) => r.at)).toEqual([T0 + 2, T0]);
    // The write after it landed, so the store is healthy again; the failure stays counted.
    expect(store.health()).toEqual({ healthy: true, writeErrors: 1 });
  });

  it('writes waiting results on close', () => {
    const path = join(tempDir(), 'history.db');
    const store = openSqliteStore({ path });
    store.record(result());
    store.close();
    const reopened = track(openSqliteStore({ path }));
    expect(reopened.recent('openai-chat', 10)).toHaveLength(1);
  });
});

describe('failures never escape', () => {
  // We run as root, where chmod does not stop writes; a read-only connection gives a real
  // SQLITE_READONLY, and PRAGMA query_only / max_page_count on the store's own connection give
  // SQLITE_READONLY / SQLITE_FULL where the test controls when they start and stop.
  it('reports writes to a read-only store and still answers reads', () => {
    const path = join(tempDir(), 'history.db');
    const writer = openSqliteStore({ path });
    writer.record(result());
    writer.close();

    const failures: Failure[] = [];
    const reader = track(
      openSqliteStore({ path, readonly: true, onError: (err, op) => failures.push({ err, op }) }),
    );
    expect(() => reader.record(result({ at: T0 + 1 }))).not.toThrow();
    expect(failures.map((f) => [f.op, f.err.code])).toEqual([['record', 'SQLITE_READONLY']]);
    expect(reader.recent('openai-chat', 10)).toHaveLength(1);
    expect(reader.prune(T0 + 1)).toBe(0);
    expect(failures.map((f) => f.op)).toEqual(['record', 'prune']);
  });

  it('keeps going once a read-only spell (query_only) ends, without half-written state', () => {
    const { db, store, failures } = attachedStore();
    store.record(result({ dependency: 'a' }));
    store.flush();
    db.pragma('query_only = 1');
    store.record(result({ dependency: 'a', at: T0 + 1, ok: false, errorClass: 'timeout' }));
    store.record(result({ dependency: 'new', at: T0 + 1 }));
    // Waiting results are written (and fail) as one batch, then one by one.
    expect(failures).toEqual([]);
    store.flush();
    expect(failures.map((f) => [f.op, f.err.code])).toEqual([
      ['record', 'SQLITE_READONLY'],
      ['record', 'SQLITE_READONLY'],
    ]);
    db.pragma('query_only = 0');
    store.record(result({ dependency: 'new', at: T0 + 2 }));
    expect(store.uptime('a', 0)).toBe(1);
    expect(store.recent('new', 10).map((r) => r.at)).toEqual([T0 + 2]);
    expect(store.summaries({ all: 0 }).get('new')?.uptime.all).toBe(1);
  });

  it('reports a full disk (SQLITE_FULL) without throwing and keeps what was written', () => {
    const { db, store, failures } = attachedStore(join(tempDir(), 'history.db'));
    store.record(result());
    store.flush();
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const big = 'x'.repeat(1000);
    for (let i = 1; i <= 200; i++) store.record(result({ at: T0 + i, message: big }));
    store.flush();
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.op === 'record' && f.err.code === 'SQLITE_FULL')).toBe(true);
    const kept = store.recent('openai-chat', 1000);
    expect(kept.length).toBe(201 - failures.length);
    expect(store.uptime('openai-chat', 0)).toBe(1);
    expect(store.summaries({ all: 0 }).size).toBe(1);
  });

  it('survives an onError that throws', () => {
    const store = track(
      openSqliteStore({
        path: ':memory:',
        onError: () => {
          throw new Error('logger broke');
        },
      }),
    );
    expect(() => store.record(result({ at: Number.NaN }))).not.toThrow();
  });

  it('reports bad input instead of storing it', () => {
    const { store, failures } = memStore();
    store.record(result({ at: Number.NaN }));
    store.record(result({ dependency: '' }));
    expect(store.uptime('openai-chat', Number.NaN)).toBeNull();
    expect(failures.map((f) => [f.op, f.err.name])).toEqual([
      ['record', 'RangeError'],
      ['record', 'TypeError'],
      ['uptime', 'RangeError'],
    ]);
    expect(store.recent('openai-chat', 10)).toEqual([]);
  });

  it('answers empty and reports after close', () => {
    const { store, failures } = memStore();
    store.record(result());
    store.recent('openai-chat', 1); // caches the dependency id; the closed db must still fail softly
    store.close();
    expect(() => store.record(result())).not.toThrow();
    expect(store.recent('openai-chat', 1)).toEqual([]);
    expect(store.history('openai-chat', 0, 1)).toEqual([]);
    expect(store.uptime('openai-chat', 0)).toBeNull();
    expect(store.latencyPercentiles('openai-chat', 0)).toBeNull();
    expect(store.summaries({ '1h': 0 })).toEqual(new Map());
    expect(store.prune(T0)).toBe(0);
    expect(failures.map((f) => f.op)).toEqual([
      'record',
      'recent',
      'history',
      'uptime',
      'latencyPercentiles',
      'summaries',
      'prune',
    ]);
  });

  it('warns through the process when no onError is given', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const store = track(openSqliteStore({ path: ':memory:' }));
    store.record(result({ at: Number.NaN }));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('history store record failed'));
  });
});
