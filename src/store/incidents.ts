import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf, type StoreErrorHandler, storeFailures, warnAs } from './failures.js';
import { RESULT_FLUSH_MS } from './sqlite-store.js';

/** The states an incident is made of; the worst one names it. */
export const INCIDENT_STATES = ['degraded', 'down'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** A vendor's own incident, as its status page declared it while ours was open. */
export interface VendorIncidentLink {
  name: string;
  url?: string;
}

/** Consecutive time a dependency was degraded or down, state changes merged. */
export interface Incident {
  id: number;
  dependency: string;
  vendor: string;
  vantage: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; absent while the incident is open. */
  endedAt?: number;
  worst: IncidentState;
  /** Error classes of the failed checks seen during the incident, first seen first. */
  errorClasses: string[];
  /** The evaluation's reasons when it opened, or when it became as bad as `worst`. */
  cause: string;
  vendorIncident?: VendorIncidentLink;
}

/** Time spent in one state within an incident. */
export interface StateSpan {
  incidentId: number;
  dependency: string;
  state: IncidentState;
  startedAt: number;
  /** Absent while it lasts. */
  endedAt?: number;
}

/** Counted probe results of one dependency on one UTC day (counted as the history store counts). */
export interface DayCount {
  dependency: string;
  /** Epoch ms of the day's 00:00 UTC. */
  day: number;
  counted: number;
  up: number;
}

/** What {@link IncidentStore.openIncident} writes. */
export type NewIncident = Omit<Incident, 'id' | 'endedAt'>;

/** What may change on an open incident. */
export interface IncidentPatch {
  worst?: IncidentState;
  cause?: string;
  errorClasses?: string[];
  vendorIncident?: VendorIncidentLink;
  /** `null` reopens an ended incident (a flap merged into it). */
  endedAt?: number | null;
}

/**
 * Incidents, their state spans and daily uptime counts, kept in the history database in
 * tables of their own (retained longer than probe results: monthly reports need them).
 * Like the history store, writes never throw (probing must go on): failures go to `onError`,
 * failed reads report there and answer empty.
 */
export interface IncidentStore {
  openIncident(incident: NewIncident): number | undefined;
  updateIncident(id: number, patch: IncidentPatch): void;
  /** The most recent incident of `dependency`, open or not. */
  lastIncident(dependency: string): Incident | undefined;
  /** Ends the open span of the incident (if any) at `at` and, with `state`, opens the next. */
  switchSpan(incidentId: number, dependency: string, at: number, state?: IncidentState): void;
  /** Adds one round's counted results to the day of `at`. */
  countDay(dependency: string, at: number, counted: number, up: number): void;
  /** Incidents overlapping [sinceMs, untilMs), newest first; one dependency or all. */
  incidents(query: {
    sinceMs: number;
    untilMs?: number;
    dependency?: string;
    limit?: number;
  }): Incident[];
  /** Spans overlapping [sinceMs, untilMs), oldest first. */
  spans(sinceMs: number, untilMs: number): StateSpan[];
  /** Daily counts of the days starting in [sinceMs, untilMs). */
  days(sinceMs: number, untilMs: number): DayCount[];
  /** Per dependency, the sums of the daily counts of the days starting in [sinceMs, untilMs). */
  dayTotals(sinceMs: number, untilMs: number): Map<string, { counted: number; up: number }>;
  /**
   * Per dependency, `days` days from the UTC day of `sinceMs`: counted and passed results, by
   * day index (0 = that day). One row per dependency from SQLite: the page asks this often.
   */
  dayGrid(sinceMs: number, days: number): Map<string, { counted: number[]; up: number[] }>;
  /** Deletes incidents that ended before `olderThanMs` (with their spans) and older days. */
  prune(olderThanMs: number): number;
  close(): void;
}

/** Options for {@link openIncidentStore}. */
export interface IncidentStoreOptions {
  /** The history database file (the same file the history store opens), or `':memory:'`. */
  path: string;
  onError?: StoreErrorHandler;
  /** Read only (`bellwether report`): never creates the file or the tables. */
  readonly?: boolean;
}

const DAY_MS = 86_400_000;
const CAUSE_MAX_CHARS = 500;
const MAX_LIST = 1000;

// CREATE … IF NOT EXISTS: these tables live beside the history store's, whose schema version
// (user_version) they must not touch. A later change adds columns with its own check.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY,
    dependency TEXT NOT NULL,
    vendor TEXT NOT NULL,
    vantage TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    worst TEXT NOT NULL,
    error_classes TEXT NOT NULL,
    cause TEXT NOT NULL,
    vendor_incident_name TEXT,
    vendor_incident_url TEXT
  );
  CREATE INDEX IF NOT EXISTS incidents_dep_start ON incidents (dependency, started_at);
  CREATE INDEX IF NOT EXISTS incidents_start ON incidents (started_at);
  CREATE TABLE IF NOT EXISTS incident_spans (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    dependency TEXT NOT NULL,
    state TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS incident_spans_incident ON incident_spans (incident_id);
  CREATE INDEX IF NOT EXISTS incident_spans_start ON incident_spans (started_at);
  CREATE TABLE IF NOT EXISTS daily_uptime (
    dependency TEXT NOT NULL,
    day INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    up INTEGER NOT NULL,
    PRIMARY KEY (dependency, day)
  ) WITHOUT ROWID;
`;

interface IncidentRow {
  id: number;
  dependency: string;
  vendor: string;
  vantage: string;
  started_at: number;
  ended_at: number | null;
  worst: string;
  error_classes: string;
  cause: string;
  vendor_incident_name: string | null;
  vendor_incident_url: string | null;
}

interface SpanRow {
  incident_id: number;
  dependency: string;
  state: string;
  started_at: number;
  ended_at: number | null;
}

const INCIDENT_COLUMNS = `id, dependency, vendor, vantage, started_at, ended_at, worst,
  error_classes, cause, vendor_incident_name, vendor_incident_url`;

/**
 * Opens the incident tables in the history database at `opts.path` (its own connection: WAL
 * lets it and the history store share the file). Throws an Error naming the path when the file
 * cannot be opened.
 */
export function openIncidentStore(opts: IncidentStoreOptions): IncidentStore {
  const { path } = opts;
  const readonly = opts.readonly ?? false;
  const onError = opts.onError ?? warnAs('incident store');
  const memory = path === ':memory:' || path === '';
  if (readonly && !memory && !existsSync(path)) {
    throw new Error(`No history at ${path}: Bellwether has not run with this storage.path yet`);
  }
  let db: Database.Database | undefined;
  try {
    if (!memory && !readonly) mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
    }
    return attach(db, onError);
  } catch (err) {
    if (db?.open) db.close();
    throw new Error(`Cannot open incident history at ${path}: ${messageOf(err)}`, { cause: err });
  }
}

function attach(db: Database.Database, onError: StoreErrorHandler): IncidentStore {
  const { guard } = storeFailures(onError);
  // A database written by an older Bellwether, opened read only, has no tables yet: no incidents.
  const hasTables =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'incidents'").get() !==
    undefined;
  if (!hasTables) return emptyStore(() => db.close());

  const insertIncident = db.prepare(`
    INSERT INTO incidents (dependency, vendor, vantage, started_at, worst, error_classes, cause,
      vendor_incident_name, vendor_incident_url)
    VALUES (@dependency, @vendor, @vantage, @startedAt, @worst, @errorClasses, @cause,
      @vendorName, @vendorUrl)`);
  const lastStmt = db.prepare<[string], IncidentRow>(`
    SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE dependency = ?
    ORDER BY started_at DESC, id DESC LIMIT 1`);
  const closeSpan = db.prepare<[number, number]>(
    'UPDATE incident_spans SET ended_at = ? WHERE incident_id = ? AND ended_at IS NULL',
  );
  const insertSpan = db.prepare<[number, string, string, number]>(
    'INSERT INTO incident_spans (incident_id, dependency, state, started_at) VALUES (?, ?, ?, ?)',
  );
  const bumpDay = db.prepare<[string, number, number, number]>(`
    INSERT INTO daily_uptime (dependency, day, counted, up) VALUES (?, ?, ?, ?)
    ON CONFLICT (dependency, day) DO UPDATE SET counted = counted + excluded.counted,
      up = up + excluded.up`);
  const listAll = db.prepare<[number, number, number], IncidentRow>(`
    SELECT ${INCIDENT_COLUMNS} FROM incidents
    WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?)
    ORDER BY started_at DESC, id DESC LIMIT ?`);
  const listOne = db.prepare<[string, number, number, number], IncidentRow>(`
    SELECT ${INCIDENT_COLUMNS} FROM incidents
    WHERE dependency = ? AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?)
    ORDER BY started_at DESC, id DESC LIMIT ?`);
  const spansStmt = db.prepare<[number, number], SpanRow>(`
    SELECT incident_id, dependency, state, started_at, ended_at FROM incident_spans
    WHERE started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at, id`);
  const daysStmt = db.prepare<[number, number], DayCount>(
    'SELECT dependency, day, counted, up FROM daily_uptime WHERE day >= ? AND day < ? ORDER BY day',
  );
  const totalsStmt = db.prepare<[number, number], [string, number, number]>(
    'SELECT dependency, sum(counted), sum(up) FROM daily_uptime WHERE day >= ? AND day < ? GROUP BY dependency',
  );
  totalsStmt.raw();
  // group_concat builds each dependency's days in C: a third of the cost of one row per day.
  const gridStmt = db.prepare<[number, number, number], [string, string]>(`
    SELECT dependency, group_concat(((day - ?) / ${DAY_MS}) || ' ' || counted || ' ' || up, ' ')
    FROM daily_uptime WHERE day >= ? AND day < ? GROUP BY dependency`);
  gridStmt.raw();
  const deleteIncidents = db.prepare<[number]>(
    'DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?',
  );
  const deleteDays = db.prepare<[number]>('DELETE FROM daily_uptime WHERE day < ?');

  const switchTx = db.transaction(
    (incidentId: number, dependency: string, at: number, state?: IncidentState) => {
      closeSpan.run(at, incidentId);
      if (state !== undefined) insertSpan.run(incidentId, dependency, state, at);
    },
  );
  // Day counts wait like the history store's results (one commit per round was a sixth of
  // the process's CPU per probe), added up per dependency and day; reads write them first.
  const pendingDays = new Map<string, [string, number, number, number]>();
  let daysTimer: NodeJS.Timeout | undefined;
  const writeDays = db.transaction((rows: [string, number, number, number][]) => {
    for (const row of rows) bumpDay.run(...row);
  });
  const flushDays = (): void => {
    if (daysTimer !== undefined) {
      clearTimeout(daysTimer);
      daysTimer = undefined;
    }
    if (pendingDays.size === 0) return;
    const rows = [...pendingDays.values()];
    pendingDays.clear();
    guard('countDay', undefined, () => writeDays(rows));
  };
  const guardFlushed = <T>(op: string, fallback: T, fn: () => T): T => {
    flushDays();
    return guard(op, fallback, fn);
  };

  const pruneTx = db.transaction((olderThanMs: number) => {
    const removed = deleteIncidents.run(olderThanMs).changes;
    deleteDays.run(Math.floor(olderThanMs / DAY_MS) * DAY_MS);
    return removed;
  });

  return {
    openIncident(i) {
      return guard('openIncident', undefined, () =>
        Number(
          insertIncident.run({
            dependency: i.dependency,
            vendor: i.vendor,
            vantage: i.vantage,
            startedAt: i.startedAt,
            worst: i.worst,
            errorClasses: JSON.stringify(i.errorClasses),
            cause: i.cause.slice(0, CAUSE_MAX_CHARS),
            vendorName: i.vendorIncident?.name ?? null,
            vendorUrl: i.vendorIncident?.url ?? null,
          }).lastInsertRowid,
        ),
      );
    },
    updateIncident(id, patch) {
      guard('updateIncident', undefined, () => {
        const sets: string[] = [];
        const values: Record<string, unknown> = { id };
        if (patch.worst !== undefined) {
          sets.push('worst = @worst');
          values.worst = patch.worst;
        }
        if (patch.cause !== undefined) {
          sets.push('cause = @cause');
          values.cause = patch.cause.slice(0, CAUSE_MAX_CHARS);
        }
        if (patch.errorClasses !== undefined) {
          sets.push('error_classes = @errorClasses');
          values.errorClasses = JSON.stringify(patch.errorClasses);
        }
        if (patch.vendorIncident !== undefined) {
          sets.push('vendor_incident_name = @vendorName, vendor_incident_url = @vendorUrl');
          values.vendorName = patch.vendorIncident.name;
          values.vendorUrl = patch.vendorIncident.url ?? null;
        }
        if (patch.endedAt !== undefined) {
          sets.push('ended_at = @endedAt');
          values.endedAt = patch.endedAt;
        }
        if (sets.length === 0) return;
        // Only fixed column names reach the SQL text; values are bound.
        db.prepare(`UPDATE incidents SET ${sets.join(', ')} WHERE id = @id`).run(values);
      });
    },
    lastIncident(dependency) {
      return guard('lastIncident', undefined, () => {
        const row = lastStmt.get(dependency);
        return row === undefined ? undefined : toIncident(row);
      });
    },
    switchSpan(incidentId, dependency, at, state) {
      guard('switchSpan', undefined, () => switchTx(incidentId, dependency, at, state));
    },
    countDay(dependency, at, counted, up) {
      if (counted === 0) return;
      const day = Math.floor(at / DAY_MS) * DAY_MS;
      const key = `${day} ${dependency}`;
      const row = pendingDays.get(key);
      if (row === undefined) pendingDays.set(key, [dependency, day, counted, up]);
      else {
        row[2] += counted;
        row[3] += up;
      }
      if (daysTimer === undefined) {
        daysTimer = setTimeout(flushDays, RESULT_FLUSH_MS);
        daysTimer.unref();
      }
    },
    incidents({ sinceMs, untilMs = Number.MAX_SAFE_INTEGER, dependency, limit = MAX_LIST }) {
      return guard('incidents', [], () => {
        const n = Math.max(0, Math.min(MAX_LIST, Math.floor(limit)));
        const rows =
          dependency === undefined
            ? listAll.all(untilMs, sinceMs, n)
            : listOne.all(dependency, untilMs, sinceMs, n);
        return rows.map(toIncident);
      });
    },
    spans(sinceMs, untilMs) {
      return guard('spans', [], () => spansStmt.all(untilMs, sinceMs).map(toSpan));
    },
    days(sinceMs, untilMs) {
      return guardFlushed('days', [], () => daysStmt.all(sinceMs, untilMs));
    },
    dayTotals(sinceMs, untilMs) {
      return guardFlushed('dayTotals', new Map(), () => {
        const out = new Map<string, { counted: number; up: number }>();
        for (const [dependency, counted, up] of totalsStmt.all(sinceMs, untilMs)) {
          out.set(dependency, { counted, up });
        }
        return out;
      });
    },
    dayGrid(sinceMs, days) {
      return guardFlushed('dayGrid', new Map(), () => {
        const from = Math.floor(sinceMs / DAY_MS) * DAY_MS;
        const out = new Map<string, { counted: number[]; up: number[] }>();
        for (const [dependency, text] of gridStmt.all(from, from, from + days * DAY_MS)) {
          const counted = new Array<number>(days).fill(0);
          const up = new Array<number>(days).fill(0);
          const parts = text.split(' ');
          for (let i = 0; i + 2 < parts.length; i += 3) {
            const index = Number(parts[i]);
            counted[index] = Number(parts[i + 1]);
            up[index] = Number(parts[i + 2]);
          }
          out.set(dependency, { counted, up });
        }
        return out;
      });
    },
    prune(olderThanMs) {
      return guardFlushed('prune', 0, () => pruneTx(olderThanMs));
    },
    close() {
      if (!db.open) return;
      flushDays();
      db.close();
    },
  };
}

function emptyStore(close: () => void): IncidentStore {
  return {
    openIncident: () => undefined,
    updateIncident: () => undefined,
    lastIncident: () => undefined,
    switchSpan: () => undefined,
    countDay: () => undefined,
    incidents: () => [],
    spans: () => [],
    days: () => [],
    dayTotals: () => new Map(),
    dayGrid: () => new Map(),
    prune: () => 0,
    close,
  };
}

const isState = (s: string): s is IncidentState =>
  (INCIDENT_STATES as readonly string[]).includes(s);

function toIncident(row: IncidentRow): Incident {
  const out: Incident = {
    id: row.id,
    dependency: row.dependency,
    vendor: row.vendor,
    vantage: row.vantage,
    startedAt: row.started_at,
    worst: isState(row.worst) ? row.worst : 'down',
    errorClasses: parseClasses(row.error_classes),
    cause: row.cause,
  };
  if (row.ended_at !== null) out.endedAt = row.ended_at;
  if (row.vendor_incident_name !== null) {
    out.vendorIncident = { name: row.vendor_incident_name };
    if (row.vendor_incident_url !== null) out.vendorIncident.url = row.vendor_incident_url;
  }
  return out;
}

function toSpan(row: SpanRow): StateSpan {
  const out: StateSpan = {
    incidentId: row.incident_id,
    dependency: row.dependency,
    state: isState(row.state) ? row.state : 'down',
    startedAt: row.started_at,
  };
  if (row.ended_at !== null) out.endedAt = row.ended_at;
  return out;
}

function parseClasses(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}
