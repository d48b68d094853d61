import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { CanaryOutcome, CanaryRun } from '../canary/types.js';
import { countsForUptime, resultVerdict } from '../evaluate/verdict.js';
import type { ModelBaseline, ModelChange, ModelChangeKind } from '../models/changes.js';
import type { CheckName, ErrorClass } from '../probes/types.js';
import { messageOf, type StoreErrorHandler, storeFailures, warnAs } from './failures.js';

/** One probe result as the history store keeps it. */
export interface StoredResult {
  dependency: string;
  check: CheckName;
  /** Epoch milliseconds at the start of the probe. */
  at: number;
  ok: boolean;
  latencyMs: number;
  ttftMs?: number;
  errorClass?: ErrorClass;
  httpStatus?: number;
  attempts: number;
  /** Kept up to 1,000 characters. */
  message?: string;
  /** Only present when true: `false` reads back as absent. */
  skipped?: boolean;
  /** Only present when true: `false` reads back as absent. */
  credentialsMissing?: boolean;
  /** The vendor's request id of a failed probe, to quote to its support (up to 128 characters). */
  requestId?: string;
}

/** What the status API shows for one dependency; `null` where the window holds no counted result. */
export interface DependencySummary {
  /** Keyed like the `sinceByWindow` argument of {@link HistoryStore.summaries}. */
  uptime: Record<string, number | null>;
  p50: number | null;
  p95: number | null;
}

/**
 * Probe history with the uptime and latency queries the status API needs.
 *
 * Uptime counts only results that say something about the vendor: `skipped` results,
 * `circuit_open` (already counted when the breaker opened) and `auth` (our credentials,
 * not the vendor) are left out. Latency percentiles are nearest-rank over successful,
 * non-skipped results. Writes never throw (probing must go on): failures go to `onError`;
 * failed reads report there too and answer empty or `null`.
 */
export interface HistoryStore {
  record(result: StoredResult): void;
  /** One run of a security canary on a dependency. */
  recordCanary(dependency: string, run: CanaryRun): void;
  /** A canary's runs on a dependency, newest first. */
  recentCanaryRuns(dependency: string, canary: string, limit: number): CanaryRun[];
  /** Runs of all the dependency's canaries with `fromMs <= at < toMs`, and how many passed. */
  canaryTally(dependency: string, fromMs: number, toMs: number): { runs: number; passed: number };
  /** The dependency's model baseline (src/models/changes.ts); kept whatever the retention. */
  modelBaseline(dependency: string): ModelBaseline | undefined;
  saveModelBaseline(dependency: string, baseline: ModelBaseline): void;
  /** One detected model change (pruned with the results). */
  recordModelChange(dependency: string, change: ModelChange): void;
  /** The dependency's model changes, newest first. */
  recentModelChanges(dependency: string, limit: number): ModelChange[];
  /** Newest first. */
  recent(dependency: string, limit: number): StoredResult[];
  /** Oldest first, `at >= sinceMs`, at most `limit` results. */
  history(dependency: string, sinceMs: number, limit: number): StoredResult[];
  /** Fraction 0..1 of counted results since `sinceMs`; `null` when none counted. */
  uptime(dependency: string, sinceMs: number): number | null;
  /** Nearest-rank p50/p95 of successful results since `sinceMs`; `null` when there are none. */
  latencyPercentiles(dependency: string, sinceMs: number): { p50: number; p95: number } | null;
  /**
   * Summary of every dependency with data in some window, for the status API: one query per
   * uptime window, then one for latency plus two indexed lookups per dependency. Percentiles
   * cover `latencySinceMs`, by default the most recent `since` (the shortest window); their cost
   * grows with the rows in that window. A dependency with no data in any window is absent.
   */
  summaries(
    sinceByWindow: Record<string, number>,
    latencySinceMs?: number,
  ): Map<string, DependencySummary>;
  /**
   * Deletes results with `at < olderThanMs`; returns how many were deleted. With
   * `retentionMs`, retention is held against the data and the monotonic clock rather than the
   * wall clock alone: the first cut never passes `newest result − retentionMs`, and each later
   * cut moves on from the previous one by at most the monotonic time since. A wall clock set
   * days ahead (at a restart or while running) cannot delete history still within retention.
   */
  prune(olderThanMs: number, retentionMs?: number): number;
  /** Whether history is being kept where it should be, and writes are landing. */
  health(): StoreHealth;
  close(): void;
}

/** What {@link HistoryStore.health} reports (bellwether_store_healthy, bellwether_store_write_errors_total). */
export interface StoreHealth {
  healthy: boolean;
  /** Why not, when not healthy. */
  reason?: string;
  /** Failed writes (records and prunes) since the store was opened. */
  writeErrors: number;
}

/** Options for {@link openSqliteStore} and {@link attachSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file, or `':memory:'`. The parent directory is created when missing. */
  path: string;
  /** Told about every failed write or read; the store itself never throws after opening. */
  onError?: StoreErrorHandler;
  /** Open an existing store without writing to it (writes then fail through `onError`). */
  readonly?: boolean;
  /** Monotonic milliseconds (default performance.now): how fast a pruning cut may advance. */
  monotonic?: () => number;
  /**
   * How long a recorded result may wait before it is written (default
   * {@link RESULT_FLUSH_MS}); results waiting together share one transaction. 0 writes each
   * result as it is recorded.
   */
  flushMs?: number;
}

/**
 * The history store on one SQLite connection. `flush` writes the results still waiting
 * (every read, every other write and `close` do so first).
 */
export interface SqliteHistoryStore extends HistoryStore {
  flush(): void;
}

/**
 * Default wait of a recorded result before it is written. A process that dies without
 * `close` (SIGKILL, power loss) loses at most the results of this last stretch, and at most
 * {@link RESULT_BATCH_ROWS} of them.
 */
export const RESULT_FLUSH_MS = 200;
/** Waiting results are written at once when this many have piled up. */
export const RESULT_BATCH_ROWS = 500;

const HOUR_MS = 3_600_000;
const MESSAGE_MAX_CHARS = 1000;
const REQUEST_ID_MAX_CHARS = 128;
const BUSY_TIMEOUT_MS = 5000;
const CACHE_KIB = 16 * 1024;

// Each entry moves the schema up one `user_version`; never edit a shipped entry, append one.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS dependencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    dep_id INTEGER NOT NULL REFERENCES dependencies (id),
    at INTEGER NOT NULL,
    check_name TEXT NOT NULL,
    ok INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    ttft_ms REAL,
    error_class TEXT,
    http_status INTEGER,
    attempts INTEGER NOT NULL,
    message TEXT,
    skipped INTEGER NOT NULL,
    credentials_missing INTEGER NOT NULL,
    counted INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS results_dep_at ON results (dep_id, at);
  CREATE INDEX IF NOT EXISTS results_counted ON results (dep_id, at, ok) WHERE counted = 1;
  CREATE INDEX IF NOT EXISTS results_samples_at
    ON results (dep_id, at, latency_ms) WHERE ok = 1 AND skipped = 0;
  CREATE TABLE IF NOT EXISTS hourly (
    dep_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    up INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    PRIMARY KEY (dep_id, hour)
  ) WITHOUT ROWID;
  `,
  'ALTER TABLE results ADD COLUMN request_id TEXT;',
  `
  CREATE TABLE IF NOT EXISTS canary_runs (
    id INTEGER PRIMARY KEY,
    dep_id INTEGER NOT NULL REFERENCES dependencies (id),
    canary TEXT NOT NULL,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    excerpt TEXT,
    latency_ms REAL NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    http_status INTEGER,
    message TEXT
  );
  CREATE INDEX IF NOT EXISTS canary_runs_dep_canary_at ON canary_runs (dep_id, canary, at);
  CREATE INDEX IF NOT EXISTS canary_runs_at ON canary_runs (at);
  `,
  `
  CREATE TABLE IF NOT EXISTS model_baselines (
    dep_id INTEGER PRIMARY KEY REFERENCES dependencies (id),
    served TEXT,
    embedding_model TEXT,
    embedding_label TEXT,
    embedding BLOB
  );
  CREATE TABLE IF NOT EXISTS model_changes (
    id INTEGER PRIMARY KEY,
    dep_id INTEGER NOT NULL REFERENCES dependencies (id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value TEXT NOT NULL,
    similarity REAL
  );
  CREATE INDEX IF NOT EXISTS model_changes_dep_at ON model_changes (dep_id, at);
  CREATE INDEX IF NOT EXISTS model_changes_at ON model_changes (at);
  CREATE INDEX IF NOT EXISTS canary_runs_dep_at ON canary_runs (dep_id, at);
  `,
];

interface ResultRow {
  check_name: string;
  at: number;
  ok: number;
  latency_ms: number;
  ttft_ms: number | null;
  error_class: string | null;
  http_status: number | null;
  attempts: number;
  message: string | null;
  skipped: number;
  credentials_missing: number;
  request_id: string | null;
}

interface WindowParams {
  since: number;
  fromHour: number;
  edgeEnd: number;
}

interface UptimeRow {
  id: number;
  name: string;
  total: number;
  up: number;
}

interface SamplesRow {
  id: number;
  name: string;
  n: number;
}

const RESULT_COLUMNS = `check_name, at, ok, latency_ms, ttft_ms, error_class, http_status, attempts,
  message, skipped, credentials_missing, request_id`;

// Hourly rollups cover whole hours from `fromHour`; the partial hour at the start of the window
// ([since, edgeEnd)) is counted from raw rows, so answers are exact without scanning a week of rows.
const UPTIME_SQL = `
  SELECT d.id AS id, d.name AS name,
    coalesce((SELECT sum(h.counted) FROM hourly h WHERE h.dep_id = d.id AND h.hour >= @fromHour), 0)
    + (SELECT count(*) FROM results r INDEXED BY results_counted
       WHERE r.dep_id = d.id AND r.counted = 1 AND r.at >= @since AND r.at < @edgeEnd) AS total,
    coalesce((SELECT sum(h.up) FROM hourly h WHERE h.dep_id = d.id AND h.hour >= @fromHour), 0)
    + (SELECT coalesce(sum(r.ok), 0) FROM results r INDEXED BY results_counted
       WHERE r.dep_id = d.id AND r.counted = 1 AND r.at >= @since AND r.at < @edgeEnd) AS up
  FROM dependencies d`;

const SAMPLES_SQL = `
  SELECT d.id AS id, d.name AS name,
    coalesce((SELECT sum(h.samples) FROM hourly h WHERE h.dep_id = d.id AND h.hour >= @fromHour), 0)
    + (SELECT count(*) FROM results r INDEXED BY results_samples_at
       WHERE r.dep_id = d.id AND r.ok = 1 AND r.skipped = 0 AND r.at >= @since AND r.at < @edgeEnd)
      AS n
  FROM dependencies d`;

const percentileSql = (index: string, direction: 'ASC' | 'DESC') => `
  SELECT latency_ms FROM results INDEXED BY ${index}
  WHERE dep_id = ? AND ok = 1 AND skipped = 0 AND at >= ?
  ORDER BY latency_ms ${direction} LIMIT 1 OFFSET ?`;

/**
 * Opens (creating when needed) the SQLite history store at `opts.path`.
 * Throws an Error naming the path when the file cannot be opened or is not a Bellwether store.
 */
export function openSqliteStore(opts: SqliteStoreOptions): SqliteHistoryStore {
  const { path } = opts;
  const readonly = opts.readonly ?? false;
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '' && !readonly) {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    }
    db = new Database(path, { readonly, fileMustExist: readonly });
    return attachSqliteStore(db, opts);
  } catch (err) {
    if (db?.open) db.close();
    throw new Error(`Cannot open history store at ${path}: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Builds the store on an already open better-sqlite3 connection: sets pragmas, migrates the
 * schema and prepares statements. The store owns `db` from then on (`close()` closes it).
 * Throws when the schema cannot be set up.
 */
export function attachSqliteStore(
  db: Database.Database,
  opts: Pick<SqliteStoreOptions, 'onError' | 'monotonic' | 'flushMs'> = {},
): SqliteHistoryStore {
  const onError = opts.onError ?? warnAs('history store');

  if (!db.readonly) {
    // WAL lets the status API read while the runner writes; NORMAL is durable across crashes
    // of the process (not of the machine), plenty for history.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Each dependency keeps hot pages at the end of three indexes plus its rollups; with 1,000
  // dependencies the 2 MiB default thrashes (prune 5x slower, summaries 1.5x, measured). The
  // bound is part of the memory budget (README, Performance); pages are allocated as used.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  migrate(db);

  const selectDepId = db.prepare<[string], number>('SELECT id FROM dependencies WHERE name = ?');
  selectDepId.pluck();
  const insertDep = db.prepare<[string]>('INSERT INTO dependencies (name) VALUES (?)');
  const insertResult = db.prepare(`
    INSERT INTO results (dep_id, ${RESULT_COLUMNS}, counted)
    VALUES (@depId, @check, @at, @ok, @latencyMs, @ttftMs, @errorClass, @httpStatus, @attempts,
      @message, @skipped, @credentialsMissing, @requestId, @counted)`);
  const insertCanary = db.prepare(`
    INSERT INTO canary_runs (dep_id, canary, at, outcome, reason, excerpt, latency_ms,
      input_tokens, output_tokens, http_status, message)
    VALUES (@depId, @canary, @at, @outcome, @reason, @excerpt, @latencyMs, @inputTokens,
      @outputTokens, @httpStatus, @message)`);
  const recentCanaryStmt = db.prepare<[number, string, number], CanaryRow>(`
    SELECT canary, at, outcome, reason, excerpt, latency_ms, input_tokens, output_tokens,
      http_status, message
    FROM canary_runs WHERE dep_id = ? AND canary = ? ORDER BY at DESC, id DESC LIMIT ?`);
  const deleteCanaryRuns = db.prepare<[number]>('DELETE FROM canary_runs WHERE at < ?');
  const canaryTallyStmt = db.prepare<[number, number, number], { runs: number; passed: number }>(`
    SELECT count(*) AS runs, coalesce(sum(outcome = 'pass'), 0) AS passed
    FROM canary_runs INDEXED BY canary_runs_dep_at WHERE dep_id = ? AND at >= ? AND at < ?`);
  const selectBaseline = db.prepare<[number], BaselineRow>(`
    SELECT served, embedding_model, embedding_label, embedding FROM model_baselines
    WHERE dep_id = ?`);
  const upsertBaseline = db.prepare(`
    INSERT INTO model_baselines (dep_id, served, embedding_model, embedding_label, embedding)
    VALUES (@depId, @served, @embeddingModel, @embeddingLabel, @embedding)
    ON CONFLICT (dep_id) DO UPDATE SET served = excluded.served,
      embedding_model = excluded.embedding_model, embedding_label = excluded.embedding_label,
      embedding = excluded.embedding`);
  const insertModelChange = db.prepare(`
    INSERT INTO model_changes (dep_id, at, kind, from_value, to_value, similarity)
    VALUES (@depId, @at, @kind, @from, @to, @similarity)`);
  const recentModelChangesStmt = db.prepare<[number, number], ModelChangeRow>(`
    SELECT at, kind, from_value, to_value, similarity FROM model_changes
    WHERE dep_id = ? ORDER BY at DESC, id DESC LIMIT ?`);
  const deleteModelChanges = db.prepare<[number]>('DELETE FROM model_changes WHERE at < ?');
  const bumpHour = db.prepare<{
    depId: number;
    hour: number;
    counted: number;
    up: number;
    samples: number;
  }>(`
    INSERT INTO hourly (dep_id, hour, counted, up, samples)
    VALUES (@depId, @hour, @counted, @up, @samples)
    ON CONFLICT (dep_id, hour) DO UPDATE SET counted = counted + excluded.counted,
      up = up + excluded.up, samples = samples + excluded.samples`);
  const recentStmt = db.prepare<[number, number], ResultRow>(`
    SELECT ${RESULT_COLUMNS} FROM results INDEXED BY results_dep_at
    WHERE dep_id = ? ORDER BY at DESC, id DESC LIMIT ?`);
  const historyStmt = db.prepare<[number, number, number], ResultRow>(`
    SELECT ${RESULT_COLUMNS} FROM results INDEXED BY results_dep_at
    WHERE dep_id = ? AND at >= ? ORDER BY at, id LIMIT ?`);
  const uptimeAll = db.prepare<WindowParams, UptimeRow>(UPTIME_SQL);
  const uptimeOne = db.prepare<WindowParams & { depId: number }, UptimeRow>(
    `${UPTIME_SQL} WHERE d.id = @depId`,
  );
  const samplesAll = db.prepare<WindowParams, SamplesRow>(SAMPLES_SQL);
  const samplesOne = db.prepare<WindowParams & { depId: number }, SamplesRow>(
    `${SAMPLES_SQL} WHERE d.id = @depId`,
  );
  type PercentileStmt = Database.Statement<[number, number, number], number>;
  const percentile = (index: string, direction: 'ASC' | 'DESC'): PercentileStmt => {
    const stmt = db.prepare<[number, number, number], number>(percentileSql(index, direction));
    return stmt.pluck();
  };
  const ascending = percentile('results_samples_at', 'ASC');
  const descending = percentile('results_samples_at', 'DESC');
  // No index on `at` alone (one fewer to write per result): prune seeks each dependency's
  // range through results_dep_at instead.
  const deleteResults = db.prepare<[number]>(
    'DELETE FROM results WHERE dep_id IN (SELECT id FROM dependencies) AND at < ?',
  );
  const deleteHours = db.prepare<[number]>('DELETE FROM hourly WHERE hour < ?');
  // One indexed seek per dependency: there is no index on `at` alone.
  const newestAt = db.prepare<[], number | null>(
    'SELECT max((SELECT max(at) FROM results r WHERE r.dep_id = d.id)) FROM dependencies d',
  );
  newestAt.pluck();
  const rebuildHour = db.prepare<{ hour: number; from: number; to: number }>(`
    INSERT INTO hourly (dep_id, hour, counted, up, samples)
    SELECT dep_id, @hour, sum(counted), sum(counted AND ok), sum(ok AND NOT skipped)
    FROM results WHERE dep_id IN (SELECT id FROM dependencies) AND at >= @from AND at < @to
    GROUP BY dep_id`);

  const monotonic = opts.monotonic ?? (() => performance.now());
  let lastCut: { cut: number; at: number } | undefined;

  // Dependency ids are cached only after their transaction commits, so a rolled-back insert
  // never leaves a dangling id behind.
  const depIds = new Map<string, number>();

  let writeErrors = 0;
  let writeFailure: string | undefined;
  const { report, guard: read } = storeFailures(onError, (err, op) => {
    if (op === 'record' || op === 'prune') {
      writeErrors++;
      writeFailure = `${op} failed: ${messageOf(err)}`;
    }
  });

  const lookupDepId = (name: string): number | undefined => {
    const cached = depIds.get(name);
    if (cached !== undefined) return cached;
    const id = selectDepId.get(name);
    if (id !== undefined) depIds.set(name, id);
    return id;
  };

  // Writes insert a dependency on its first row; the caller caches the id once the write
  // commits (a rolled-back transaction takes the new row with it).
  const depIdOrInsert = (name: string): number =>
    depIds.get(name) ?? selectDepId.get(name) ?? Number(insertDep.run(name).lastInsertRowid);

  // A read about one dependency: `none` for one never recorded, and when the read fails. A bad
  // `sinceMs` is the caller's mistake, reported even for a dependency never recorded.
  const readDep = <T>(
    op: string,
    none: T,
    dependency: string,
    sinceMs: number | undefined,
    fn: (depId: number) => T,
  ): T =>
    read(op, none, () => {
      flush();
      if (sinceMs !== undefined) checkSince(sinceMs);
      const depId = lookupDepId(dependency);
      return depId === undefined ? none : fn(depId);
    });

  const insertOne = (r: StoredResult): number => {
    const depId = depIdOrInsert(r.dependency);
    const skipped = r.skipped === true;
    const counted = countsForUptime(r);
    const sample = resultVerdict(r) === 'success';
    insertResult.run({
      depId,
      check: r.check,
      at: r.at,
      ok: r.ok ? 1 : 0,
      latencyMs: r.latencyMs,
      ttftMs: r.ttftMs ?? null,
      errorClass: r.errorClass ?? null,
      httpStatus: r.httpStatus ?? null,
      attempts: r.attempts,
      message: r.message === undefined ? null : r.message.slice(0, MESSAGE_MAX_CHARS),
      skipped: skipped ? 1 : 0,
      credentialsMissing: r.credentialsMissing === true ? 1 : 0,
      requestId: r.requestId === undefined ? null : r.requestId.slice(0, REQUEST_ID_MAX_CHARS),
      counted: counted ? 1 : 0,
    });
    if (counted || sample) {
      bumpHour.run({
        depId,
        hour: Math.floor(r.at / HOUR_MS),
        counted: counted ? 1 : 0,
        up: counted && r.ok ? 1 : 0,
        samples: sample ? 1 : 0,
      });
    }
    return depId;
  };
  const recordTx = db.transaction(insertOne);
  const recordBatchTx = db.transaction((rows: readonly StoredResult[]): number[] =>
    rows.map(insertOne),
  );

  // Results wait here to share a transaction: one commit per result was most of the store's
  // cost per probe (a WAL append of the same hot index pages each time).
  const flushMs = opts.flushMs ?? RESULT_FLUSH_MS;
  let pending: StoredResult[] = [];
  let flushTimer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (flushTimer !== undefined) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    try {
      const ids = recordBatchTx(rows);
      for (const [i, r] of rows.entries()) depIds.set(r.dependency, ids[i] as number);
      writeFailure = undefined;
    } catch {
      // One bad row must not take the others with it: write them one by one, each reporting.
      for (const r of rows) writeNow(r);
    }
  };

  const writeNow = (r: StoredResult): void => {
    try {
      depIds.set(r.dependency, recordTx(r));
      writeFailure = undefined;
    } catch (err) {
      report(err, 'record');
    }
  };

  const pruneTx = db.transaction((requestedCut: number, retentionMs?: number): number => {
    if (!Number.isFinite(requestedCut)) throw new RangeError(`olderThanMs must be finite`);
    let olderThanMs = requestedCut;
    if (retentionMs !== undefined) {
      const at = monotonic();
      let allowed: number;
      if (lastCut === undefined) {
        const newest = newestAt.get();
        allowed = typeof newest === 'number' ? newest - retentionMs : requestedCut;
      } else {
        // The allowance keeps moving with real time, so a clock stepped back and put right
        // again leaves no lag behind.
        allowed = lastCut.cut + (at - lastCut.at);
      }
      olderThanMs = Math.min(requestedCut, allowed);
      lastCut = { cut: allowed, at };
    }
    deleteCanaryRuns.run(olderThanMs);
    deleteModelChanges.run(olderThanMs);
    const deleted = deleteResults.run(olderThanMs).changes;
    const hour = Math.floor(olderThanMs / HOUR_MS);
    const hourStart = hour * HOUR_MS;
    if (olderThanMs > hourStart) {
      // The cut falls inside this hour: recount what is left of it from raw rows.
      deleteHours.run(hour + 1);
      rebuildHour.run({ hour, from: hourStart, to: hourStart + HOUR_MS });
    } else {
      deleteHours.run(hour);
    }
    return deleted;
  });

  // Two small statements per dependency rather than one query for all: SQLite cannot take an
  // OFFSET from a correlated column, and a window function over every dependency's rows measured
  // 1.5x slower (a correlated row_number() subquery went quadratic).
  const percentilesFor = (
    depId: number,
    sinceMs: number,
    n: number,
  ): { p50: number; p95: number } | null => {
    const nth = (pct: number): number | undefined => {
      // Nearest rank, 1-based; integer arithmetic first so ceil never sees 19.000000000000004.
      const rank = Math.max(1, Math.ceil((pct * n) / 100));
      const fromTop = n - rank;
      // Count from the nearer end: ORDER BY … LIMIT keeps only OFFSET + 1 rows in the sorter.
      return rank - 1 <= fromTop
        ? ascending.get(depId, sinceMs, rank - 1)
        : descending.get(depId, sinceMs, fromTop);
    };
    const p50 = nth(50);
    const p95 = nth(95);
    return p50 === undefined || p95 === undefined ? null : { p50, p95 };
  };

  return {
    record(result) {
      try {
        checkResult(result);
      } catch (err) {
        report(err, 'record');
        return;
      }
      if (flushMs <= 0 || db.readonly || !db.open) {
        writeNow(result);
        return;
      }
      pending.push(result);
      if (pending.length >= RESULT_BATCH_ROWS) flush();
      else if (flushTimer === undefined) {
        flushTimer = setTimeout(flush, flushMs);
        // A waiting batch must not keep the process alive; close() writes it.
        flushTimer.unref();
      }
    },

    flush,

    recordCanary(dependency, run) {
      flush();
      try {
        const depId = depIdOrInsert(dependency);
        depIds.set(dependency, depId);
        insertCanary.run({
          depId,
          canary: run.canary,
          at: run.at,
          outcome: run.outcome,
          reason: run.reason ?? null,
          excerpt: run.answerExcerpt ?? null,
          latencyMs: run.latencyMs,
          inputTokens: run.tokens?.input ?? null,
          outputTokens: run.tokens?.output ?? null,
          httpStatus: run.httpStatus ?? null,
          message: run.message?.slice(0, MESSAGE_MAX_CHARS) ?? null,
        });
        writeFailure = undefined;
      } catch (err) {
        report(err, 'recordCanary');
      }
    },

    canaryTally(dependency, fromMs, toMs) {
      const none = { runs: 0, passed: 0 };
      return readDep(
        'canaryTally',
        none,
        dependency,
        undefined,
        (depId) => canaryTallyStmt.get(depId, fromMs, toMs) ?? none,
      );
    },

    modelBaseline(dependency) {
      return readDep('modelBaseline', undefined, dependency, undefined, (depId) => {
        const row = selectBaseline.get(depId);
        return row === undefined ? undefined : toBaseline(row);
      });
    },

    saveModelBaseline(dependency, baseline) {
      flush();
      try {
        const e = baseline.embedding;
        const depId = depIdOrInsert(dependency);
        upsertBaseline.run({
          depId,
          served: baseline.served === undefined ? null : JSON.stringify(baseline.served),
          embeddingModel: e?.model ?? null,
          embeddingLabel: e?.label ?? null,
          embedding: e === undefined ? null : Buffer.from(Float64Array.from(e.vector).buffer),
        });
        depIds.set(dependency, depId);
        writeFailure = undefined;
      } catch (err) {
        report(err, 'record');
      }
    },

    recordModelChange(dependency, change) {
      flush();
      try {
        const depId = depIdOrInsert(dependency);
        insertModelChange.run({
          depId,
          at: change.at,
          kind: change.kind,
          from: change.from,
          to: change.to,
          similarity: change.similarity ?? null,
        });
        depIds.set(dependency, depId);
        writeFailure = undefined;
      } catch (err) {
        report(err, 'record');
      }
    },

    recentModelChanges(dependency, limit) {
      return readDep('recentModelChanges', [], dependency, undefined, (depId) =>
        recentModelChangesStmt.all(depId, toLimit(limit)).map(toModelChange),
      );
    },

    // LIMIT 0 (what toLimit makes of a limit that is not positive) reads no rows.
    recentCanaryRuns(dependency, canary, limit) {
      return readDep('recentCanaryRuns', [], dependency, undefined, (depId) =>
        recentCanaryStmt.all(depId, canary, toLimit(limit)).map(toCanaryRun),
      );
    },

    recent(dependency, limit) {
      return readDep('recent', [], dependency, undefined, (depId) =>
        recentStmt.all(depId, toLimit(limit)).map((row) => toStored(dependency, row)),
      );
    },

    history(dependency, sinceMs, limit) {
      return readDep('history', [], dependency, sinceMs, (depId) =>
        historyStmt.all(depId, sinceMs, toLimit(limit)).map((row) => toStored(dependency, row)),
      );
    },

    uptime(dependency, sinceMs) {
      return readDep('uptime', null, dependency, sinceMs, (depId) => {
        const row = uptimeOne.get({ ...windowParams(sinceMs), depId });
        return row === undefined || row.total === 0 ? null : row.up / row.total;
      });
    },

    latencyPercentiles(dependency, sinceMs) {
      return readDep('latencyPercentiles', null, dependency, sinceMs, (depId) => {
        const row = samplesOne.get({ ...windowParams(sinceMs), depId });
        return row === undefined || row.n === 0 ? null : percentilesFor(depId, sinceMs, row.n);
      });
    },

    summaries(sinceByWindow, latencySinceMs) {
      return read('summaries', new Map<string, DependencySummary>(), () => {
        flush();
        const windows = Object.entries(sinceByWindow);
        const out = new Map<string, DependencySummary>();
        const entry = (name: string): DependencySummary => {
          let summary = out.get(name);
          if (summary === undefined) {
            const uptime = Object.fromEntries(windows.map(([w]) => [w, null]));
            summary = { uptime, p50: null, p95: null };
            out.set(name, summary);
          }
          return summary;
        };
        for (const [window, sinceMs] of windows) {
          for (const row of uptimeAll.all(windowParams(sinceMs))) {
            if (row.total > 0) entry(row.name).uptime[window] = row.up / row.total;
          }
        }
        const latencySince =
          latencySinceMs ??
          (windows.length > 0 ? Math.max(...windows.map(([, since]) => since)) : undefined);
        if (latencySince !== undefined) {
          for (const row of samplesAll.all(windowParams(latencySince))) {
            if (row.n === 0) continue;
            const p = percentilesFor(row.id, latencySince, row.n);
            if (p === null) continue;
            const summary = entry(row.name);
            summary.p50 = p.p50;
            summary.p95 = p.p95;
          }
        }
        return out;
      });
    },

    prune(olderThanMs, retentionMs) {
      flush();
      try {
        const removed = pruneTx(olderThanMs, retentionMs);
        writeFailure = undefined;
        return removed;
      } catch (err) {
        report(err, 'prune');
        return 0;
      }
    },

    health() {
      flush();
      return writeFailure === undefined
        ? { healthy: true, writeErrors }
        : { healthy: false, reason: writeFailure, writeErrors };
    },

    close() {
      if (!db.open) return;
      flush();
      try {
        if (!db.readonly) db.pragma('optimize');
      } catch (err) {
        report(err, 'close');
      }
      db.close();
    },
  };
}

interface CanaryRow {
  canary: string;
  at: number;
  outcome: string;
  reason: string | null;
  excerpt: string | null;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  http_status: number | null;
  message: string | null;
}

interface BaselineRow {
  served: string | null;
  embedding_model: string | null;
  embedding_label: string | null;
  embedding: Buffer | null;
}

interface ModelChangeRow {
  at: number;
  kind: string;
  from_value: string;
  to_value: string;
  similarity: number | null;
}

function toBaseline(row: BaselineRow): ModelBaseline {
  const out: ModelBaseline = {};
  if (row.served !== null) out.served = JSON.parse(row.served) as ModelBaseline['served'];
  if (row.embedding !== null && row.embedding_model !== null) {
    // Copied out: the Buffer may sit at an offset that is no multiple of 8 in a shared pool.
    const bytes = new Uint8Array(row.embedding);
    const vector = Array.from(new Float64Array(bytes.buffer, 0, bytes.byteLength / 8));
    out.embedding = { model: row.embedding_model, label: row.embedding_label ?? '', vector };
  }
  return out;
}

function toModelChange(row: ModelChangeRow): ModelChange {
  const change: ModelChange = {
    at: row.at,
    kind: row.kind as ModelChangeKind,
    from: row.from_value,
    to: row.to_value,
  };
  if (row.similarity !== null) change.similarity = row.similarity;
  return change;
}

function toCanaryRun(row: CanaryRow): CanaryRun {
  const run: CanaryRun = {
    canary: row.canary,
    at: row.at,
    outcome: row.outcome as CanaryOutcome,
    latencyMs: row.latency_ms,
  };
  if (row.reason !== null) run.reason = row.reason;
  if (row.excerpt !== null) run.answerExcerpt = row.excerpt;
  if (row.input_tokens !== null || row.output_tokens !== null) {
    run.tokens = { input: row.input_tokens ?? 0, output: row.output_tokens ?? 0 };
  }
  if (row.http_status !== null) run.httpStatus = row.http_status;
  if (row.message !== null) run.message = row.message;
  return run;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `schema version ${version} is newer than this Bellwether understands (${MIGRATIONS.length})`,
    );
  }
  if (version === MIGRATIONS.length) return;
  if (db.readonly) {
    throw new Error(
      `schema version ${version} needs migrating to ${MIGRATIONS.length}; open it writable once`,
    );
  }
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }
  })();
}

function checkResult(r: StoredResult): void {
  if (typeof r.dependency !== 'string' || r.dependency === '') {
    throw new TypeError('result.dependency must be a non-empty string');
  }
  if (!Number.isFinite(r.at)) throw new RangeError(`result.at must be finite, got ${r.at}`);
}

function windowParams(sinceMs: number): WindowParams {
  checkSince(sinceMs);
  const fromHour = Math.ceil(sinceMs / HOUR_MS);
  return { since: sinceMs, fromHour, edgeEnd: fromHour * HOUR_MS };
}

function checkSince(sinceMs: number): void {
  if (!Number.isFinite(sinceMs)) throw new RangeError(`since must be finite, got ${sinceMs}`);
}

function toLimit(limit: number): number {
  // SQLite reads a negative LIMIT as "no limit"; an unbounded answer is never what was meant.
  return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
}

function toStored(dependency: string, row: ResultRow): StoredResult {
  const out: StoredResult = {
    dependency,
    check: row.check_name as CheckName,
    at: row.at,
    ok: row.ok === 1,
    latencyMs: row.latency_ms,
    attempts: row.attempts,
  };
  if (row.ttft_ms !== null) out.ttftMs = row.ttft_ms;
  if (row.error_class !== null) out.errorClass = row.error_class as ErrorClass;
  if (row.http_status !== null) out.httpStatus = row.http_status;
  if (row.message !== null) out.message = row.message;
  if (row.skipped === 1) out.skipped = true;
  if (row.credentials_missing === 1) out.credentialsMissing = true;
  if (row.request_id !== null) out.requestId = row.request_id;
  return out;
}
