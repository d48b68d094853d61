import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createIncidentRecorder,
  MERGE_GAP_MS,
  type ObservedMonitor,
} from '../../src/incidents/recorder.js';
import type { DependencySnapshot } from '../../src/monitor.js';
import { type IncidentStore, openIncidentStore } from '../../src/store/incidents.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { testDependency } from '../support/dependency.js';
import { MIN, play, type Step, T0 } from '../support/incident-steps.js';

const summary = (store: IncidentStore) =>
  store
    .incidents({ sinceMs: 0 })
    .reverse()
    .map((i) => ({
      from: (i.startedAt - T0) / MIN,
      to: i.endedAt === undefined ? null : (i.endedAt - T0) / MIN,
      worst: i.worst,
      errorClasses: i.errorClasses,
      cause: i.cause,
      vendorIncident: i.vendorIncident ?? null,
      vantage: i.vantage,
    }));

describe('incident recorder', () => {
  let store: IncidentStore;
  afterEach(() => store?.close());

  it.each<[string, Step[], ReturnType<typeof summary>]>([
    [
      'degraded, then down, then healthy: one incident, worst down, classes in order',
      [
        { at: 0, state: 'healthy' },
        { at: 1, state: 'degraded', errorClass: 'timeout' },
        { at: 2, state: 'down', errorClass: 'server_error' },
        { at: 3, state: 'down', errorClass: 'timeout' },
        { at: 5, state: 'healthy' },
      ],
      [
        {
          from: 1,
          to: 5,
          worst: 'down',
          errorClasses: ['timeout', 'server_error'],
          cause: 'down at 2',
          vendorIncident: null,
          vantage: 'eu',
        },
      ],
    ],
    [
      'a flap back within the merge gap is the same incident',
      [
        { at: 0, state: 'down', errorClass: 'network' },
        { at: 1, state: 'healthy' },
        { at: 1 + MERGE_GAP_MS / MIN, state: 'degraded', errorClass: 'overloaded' },
        { at: 10, state: 'healthy' },
      ],
      [
        {
          from: 0,
          to: 10,
          worst: 'down',
          errorClasses: ['network', 'overloaded'],
          cause: 'down at 0',
          vendorIncident: null,
          vantage: 'eu',
        },
      ],
    ],
    [
      'trouble after the merge gap is a new incident; an open one stays open',
      [
        { at: 0, state: 'degraded', errorClass: 'timeout' },
        { at: 1, state: 'healthy' },
        { at: 2 + MERGE_GAP_MS / MIN, state: 'down', errorClass: 'server_error' },
      ],
      [
        {
          from: 0,
          to: 1,
          worst: 'degraded',
          errorClasses: ['timeout'],
          cause: 'degraded at 0',
          vendorIncident: null,
          vantage: 'eu',
        },
        {
          from: 7,
          to: null,
          worst: 'down',
          errorClasses: ['server_error'],
          cause: 'down at 7',
          vendorIncident: null,
          vantage: 'eu',
        },
      ],
    ],
    [
      'unknown (our credentials) ends the incident; healthy rounds open none',
      [
        { at: 0, state: 'healthy' },
        { at: 1, state: 'down', errorClass: 'server_error' },
        { at: 4, state: 'unknown', errorClass: 'auth' },
        { at: 20, state: 'healthy' },
      ],
      [
        {
          from: 1,
          to: 4,
          worst: 'down',
          errorClasses: ['server_error'],
          cause: 'down at 1',
          vendorIncident: null,
          vantage: 'eu',
        },
      ],
    ],
    [
      "the vendor's declared incident is linked when its status page declares one",
      [
        { at: 0, state: 'degraded', errorClass: 'timeout' },
        {
          at: 1,
          state: 'degraded',
          vendorIncident: {
            name: 'Elevated errors',
            url: 'https://status.openai.com/incidents/abc',
          },
        },
        { at: 2, state: 'healthy' },
      ],
      [
        {
          from: 0,
          to: 2,
          worst: 'degraded',
          errorClasses: ['timeout'],
          cause: 'degraded at 0',
          vendorIncident: {
            name: 'Elevated errors',
            url: 'https://status.openai.com/incidents/abc',
          },
          vantage: 'eu',
        },
      ],
    ],
  ])('%s', (_name, steps, expected) => {
    store = openIncidentStore({ path: ':memory:' });
    play(store, steps);
    expect(summary(store)).toEqual(expected);
  });

  it('records the time spent in each state as spans', () => {
    store = openIncidentStore({ path: ':memory:' });
    play(store, [
      { at: 0, state: 'degraded', errorClass: 'timeout' },
      { at: 2, state: 'down', errorClass: 'timeout' },
      { at: 5, state: 'degraded', errorClass: 'timeout' },
      { at: 6, state: 'healthy' },
    ]);
    expect(
      store
        .spans(0, Number.MAX_SAFE_INTEGER)
        .map((s) => [s.state, (s.startedAt - T0) / MIN, ((s.endedAt ?? 0) - T0) / MIN]),
    ).toEqual([
      ['degraded', 0, 2],
      ['down', 2, 5],
      ['degraded', 5, 6],
    ]);
  });

  it('counts each round per UTC day as the history store counts uptime', () => {
    store = openIncidentStore({ path: ':memory:' });
    play(store, [
      { at: 0, state: 'healthy' },
      { at: 1, state: 'degraded', errorClass: 'timeout' },
      // auth says nothing about the vendor: not counted.
      { at: 2, state: 'unknown', errorClass: 'auth' },
      { at: 3, state: 'healthy' },
    ]);
    expect(store.days(0, Number.MAX_SAFE_INTEGER)).toEqual([
      { dependency: 'dep', day: Date.UTC(2026, 10, 20), counted: 3, up: 2 },
    ]);
  });

  it('an incident open at a restart goes on in the next process and ends there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bellwether-incidents-'));
    try {
      const path = join(dir, 'history.db');
      store = openIncidentStore({ path });
      play(store, [{ at: 0, state: 'down', errorClass: 'network' }]);
      store.close();
      store = openIncidentStore({ path });
      // A new process: its monitor starts unknown, then sees down again, then healthy.
      play(store, [
        { at: 10, state: 'down', errorClass: 'timeout' },
        { at: 12, state: 'healthy' },
      ]);
      expect(summary(store)).toEqual([
        {
          from: 0,
          to: 12,
          worst: 'down',
          errorClasses: ['network', 'timeout'],
          cause: 'down at 0',
          vendorIncident: null,
          vantage: 'eu',
        },
      ]);
      const reader = openIncidentStore({ path, readonly: true });
      expect(reader.incidents({ sinceMs: 0 })).toHaveLength(1);
      reader.close();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends the open incident of a dependency a reload removed', () => {
    store = openIncidentStore({ path: ':memory:' });
    const recorder = createIncidentRecorder({
      store,
      vantage: () => 'eu',
      clock: () => T0 + 30 * MIN,
    });
    const monitor = (ids: string[]): ObservedMonitor => ({
      onRoundCompleted: () => () => true,
      dependency: () => undefined,
      dependencies: () =>
        ids.map((id) => ({ config: testDependency({ id }) }) as DependencySnapshot),
    });
    recorder.observe(monitor(['dep', 'gone']));
    for (const dependency of ['dep', 'gone']) {
      recorder.record(
        {
          config: testDependency({ id: dependency }),
          evaluation: { state: 'down', reasons: ['down'] },
          breaker: 'open',
          since: T0,
          overruns: 0,
          canaries: [],
        },
        { startedAt: T0, finishedAt: T0, results: [] },
      );
    }
    recorder.observe(monitor(['dep']));
    expect(
      store
        .incidents({ sinceMs: 0 })
        .map((i) => [i.dependency, i.endedAt === undefined ? null : (i.endedAt - T0) / MIN]),
    ).toEqual([
      ['gone', 30],
      ['dep', null],
    ]);
  });

  it('reads a history database written before incidents existed as having none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bellwether-incidents-old-'));
    try {
      const path = join(dir, 'history.db');
      const history = openSqliteStore({ path });
      history.record({
        dependency: 'dep',
        check: 'models',
        at: T0,
        ok: true,
        latencyMs: 5,
        attempts: 1,
      });
      history.close();
      store = openIncidentStore({ path, readonly: true });
      expect(store.incidents({ sinceMs: 0 })).toEqual([]);
      expect(store.days(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a read-only open of a missing file says so', () => {
    expect(() => openIncidentStore({ path: '/nonexistent/bellwether.db', readonly: true })).toThrow(
      'No history at /nonexistent/bellwether.db: Bellwether has not run with this storage.path yet',
    );
  });
});
