import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IncidentStore, openIncidentStore } from '../../src/store/incidents.js';
import { RESULT_FLUSH_MS } from '../../src/store/sqlite-store.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 11, 1);
const dirs: string[] = [];
const stores: IncidentStore[] = [];

afterEach(() => {
  vi.useRealTimers();
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileStore(): { store: IncidentStore; rows: () => unknown[] } {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-days-'));
  dirs.push(dir);
  const path = join(dir, 'history.db');
  const store = openIncidentStore({ path });
  stores.push(store);
  // A second connection sees only what was committed.
  const rows = () => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT dependency, day, counted, up FROM daily_uptime ORDER BY day').all();
    } finally {
      db.close();
    }
  };
  return { store, rows };
}

describe('daily counts wait and are added up before they are written', () => {
  it.each<[string, (s: IncidentStore) => unknown]>([
    ['days', (s) => s.days(0, D0 + 2 * DAY)],
    ['dayTotals', (s) => s.dayTotals(0, D0 + 2 * DAY)],
    ['dayGrid', (s) => s.dayGrid(D0, 2)],
    ['prune', (s) => s.prune(0)],
    ['close', (s) => s.close()],
  ])('writes them before %s', (_op, op) => {
    const { store, rows } = fileStore();
    store.countDay('a', D0 + 1000, 2, 1);
    store.countDay('a', D0 + 2000, 3, 3);
    store.countDay('a', D0 + DAY, 1, 0);
    store.countDay('b', D0, 0, 0);
    expect(rows()).toEqual([]);
    op(store);
    expect(rows()).toEqual([
      { dependency: 'a', day: D0, counted: 5, up: 4 },
      { dependency: 'a', day: D0 + DAY, counted: 1, up: 0 },
    ]);
  });

  it('writes them after the flush interval', () => {
    vi.useFakeTimers();
    const { store, rows } = fileStore();
    store.countDay('a', D0, 1, 1);
    vi.advanceTimersByTime(RESULT_FLUSH_MS - 1);
    expect(rows()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(rows()).toEqual([{ dependency: 'a', day: D0, counted: 1, up: 1 }]);
  });
});
