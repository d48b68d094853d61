import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf } from './failures.js';
import {
  attachSqliteStore,
  type SqliteHistoryStore,
  type SqliteStoreOptions,
  type StoreHealth,
} from './sqlite-store.js';

/** The logging the supervisor does; a pino Logger fits. */
export interface StoreLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Options for {@link openSupervisedStore}. */
export interface SupervisedStoreOptions
  extends Pick<SqliteStoreOptions, 'onError' | 'monotonic' | 'flushMs'> {
  /** Database file (not `:memory:`: there is nothing to supervise there). */
  path: string;
  logger: StoreLogger;
  /** How often, at most, a write first checks the file is still the one open (default 5 s). */
  checkIntervalMs?: number;
}

interface Open {
  db: Database.Database;
  store: SqliteHistoryStore;
  /** Identity of the file opened; undefined while history is kept in memory. */
  file?: { dev: number; ino: number };
}

const DEFAULT_CHECK_INTERVAL_MS = 5000;

/**
 * The history store on a file, watched. Before a write (at most every `checkIntervalMs`) it
 * checks that the path still names the file it has open: a data directory or database file
 * deleted under it (writes would go on to the unlinked file and vanish at exit) is recreated
 * from the open connection, history included; a file replaced by another is switched to. A
 * file that cannot be opened at start (corrupt, not a Bellwether store, a read-only or full
 * directory) leaves history in memory and is retried on the same schedule; once the path is
 * free again the memory history is written there. Never throws after the first open; every
 * problem is logged, counted and shown by {@link HistoryStore.health}.
 */
export function openSupervisedStore(opts: SupervisedStoreOptions): SqliteHistoryStore {
  const path = resolve(opts.path);
  const monotonic = opts.monotonic ?? (() => performance.now());
  const every = opts.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  let carriedWriteErrors = 0;
  let problem: string | undefined;
  let lastCheck = monotonic();

  const attach = (db: Database.Database): SqliteHistoryStore =>
    attachSqliteStore(db, {
      onError: opts.onError,
      monotonic: opts.monotonic,
      flushMs: opts.flushMs,
    });

  const openFile = (): Open => {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      const store = attach(db);
      const { dev, ino } = statSync(path);
      return { db, store, file: { dev, ino } };
    } catch (err) {
      db.close();
      throw err;
    }
  };

  const inMemoryBecause = (err: unknown): string =>
    `cannot open ${path}: ${messageOf(err)}; history is kept in memory until it is fixed (lost on restart)`;

  let current: Open;
  try {
    current = openFile();
  } catch (err) {
    problem = inMemoryBecause(err);
    opts.logger.error({ path }, `history store unavailable: ${problem}`);
    const db = new Database(':memory:');
    current = { db, store: attach(db) };
  }

  let rebuilds = 0;
  /**
   * Leaves the connection for `path` opened again; with `rebuild`, first writes what the
   * connection holds to a staging file that then becomes `path`.
   */
  const reopen = (rebuild: boolean): void => {
    let staging: string | undefined;
    if (rebuild) {
      mkdirSync(dirname(path), { recursive: true });
      staging = `${path}.rebuild-${process.pid}-${++rebuilds}`;
      rmSync(staging, { force: true });
      try {
        // Results still waiting for their batch belong in the copy.
        current.store.flush();
        current.db.prepare('VACUUM INTO ?').run(staging);
      } catch (err) {
        // Nothing changed yet: the connection stays; no half-written copy is left (a full disk).
        rmSync(staging, { force: true });
        throw err;
      }
    }
    const previous = current;
    const retire = (): void => {
      carriedWriteErrors += previous.store.health().writeErrors;
      previous.store.close();
    };
    // A file connection goes first: closing it removes `path-wal` and `path-shm`, which must
    // not be the new file's by then. A memory one only once the file is open, so its history
    // is not lost if that fails.
    const fromFile = previous.file !== undefined;
    if (fromFile) retire();
    try {
      if (staging !== undefined) renameSync(staging, path);
      current = openFile();
      problem = undefined;
      if (!fromFile) retire();
    } catch (err) {
      if (fromFile) {
        const db = new Database(':memory:');
        current = { db, store: attach(db) };
      }
      const kept =
        staging !== undefined && existsSync(staging) ? ` (history so far is in ${staging})` : '';
      throw new Error(`${messageOf(err)}${kept}`, { cause: err });
    }
  };

  /** Is the path still the file we write to? If not, put that right, or say why not. */
  const check = (): void => {
    lastCheck = monotonic();
    let seen: { dev: number; ino: number } | undefined;
    try {
      const st = statSync(path);
      seen = { dev: st.dev, ino: st.ino };
    } catch {
      seen = undefined;
    }
    const file = current.file;
    if (file && seen && seen.dev === file.dev && seen.ino === file.ino) return;
    // Gone (the file, or its directory): recreate it from what the connection still holds.
    // Another file there: switch to it.
    const what =
      seen === undefined
        ? file
          ? 'history database file was deleted; recreated it from the open connection'
          : 'history database path is free again; wrote the history kept in memory there'
        : file
          ? 'history database file was replaced; switched to the new file'
          : 'history database file can be opened again; switched to it (memory history dropped)';
    try {
      reopen(seen === undefined);
      if (seen === undefined && file) opts.logger.error({ path }, what);
      else opts.logger.warn({ path }, what);
    } catch (err) {
      const was = problem;
      problem = inMemoryBecause(err);
      if (problem !== was) opts.logger.error({ path }, `history store unavailable: ${problem}`);
    }
  };

  const maybeCheck = (): void => {
    if (monotonic() - lastCheck >= every) check();
  };

  return {
    record(result) {
      maybeCheck();
      current.store.record(result);
    },
    recordCanary(dependency, run) {
      maybeCheck();
      current.store.recordCanary(dependency, run);
    },
    recentCanaryRuns: (dependency, canary, limit) =>
      current.store.recentCanaryRuns(dependency, canary, limit),
    canaryTally: (dependency, from, to) => current.store.canaryTally(dependency, from, to),
    modelBaseline: (dependency) => current.store.modelBaseline(dependency),
    saveModelBaseline(dependency, baseline) {
      maybeCheck();
      current.store.saveModelBaseline(dependency, baseline);
    },
    recordModelChange(dependency, change) {
      maybeCheck();
      current.store.recordModelChange(dependency, change);
    },
    recentModelChanges: (dependency, limit) => current.store.recentModelChanges(dependency, limit),
    recent: (dependency, limit) => current.store.recent(dependency, limit),
    history: (dependency, since, limit) => current.store.history(dependency, since, limit),
    uptime: (dependency, since) => current.store.uptime(dependency, since),
    latencyPercentiles: (dependency, since) => current.store.latencyPercentiles(dependency, since),
    summaries: (windows, latencySince) => current.store.summaries(windows, latencySince),
    prune(olderThanMs, retentionMs) {
      check();
      return current.store.prune(olderThanMs, retentionMs);
    },
    health(): StoreHealth {
      const inner = current.store.health();
      const writeErrors = carriedWriteErrors + inner.writeErrors;
      const reason = problem ?? inner.reason;
      return reason === undefined
        ? { healthy: true, writeErrors }
        : { healthy: false, reason, writeErrors };
    },
    flush: () => current.store.flush(),
    close() {
      current.store.close();
    },
  };
}
