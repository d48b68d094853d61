import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { incidentView } from '../../src/http/incidents.js';
import { openApiDocument } from '../../src/http/openapi.js';
import {
  type AvailabilityLineSchema,
  AvailabilityReportSchema,
  HISTORY_EXAMPLES,
  IncidentListSchema,
  type IncidentSchema,
} from '../../src/http/openapi-history.js';
import type { AvailabilityLine, AvailabilityReport } from '../../src/incidents/availability.js';
import { createIncidentRecorder } from '../../src/incidents/recorder.js';
import { type IncidentStore, openIncidentStore } from '../../src/store/incidents.js';
import { createTestApp, harnessConfig } from '../support/app-harness.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
const json = async (res: Response): Promise<any> => res.json();

// Compile-time: the OpenAPI schemas name exactly the fields the routes produce.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: [
  Same<keyof ReturnType<typeof incidentView>, keyof z.infer<typeof IncidentSchema>>,
  Same<keyof AvailabilityReport, keyof z.infer<typeof AvailabilityReportSchema>>,
  Same<keyof AvailabilityLine, keyof z.infer<typeof AvailabilityLineSchema>>,
] = [true, true, true];

describe('incident and report routes', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(async () => close());

  const setup = () => {
    const incidents: IncidentStore = openIncidentStore({ path: ':memory:' });
    // A breaker that never opens here: every round is probed, and recovery needs no waiting.
    const config = harnessConfig();
    for (const d of config.dependencies)
      d.breaker = { ...d.breaker, volumeThreshold: 50, windowRounds: 50 };
    const t = createTestApp({ incidents }, config);
    const recorder = createIncidentRecorder({
      store: incidents,
      vantage: () => 'test-vantage',
      clock: () => Date.now(),
    });
    const off = recorder.observe(t.monitor);
    close = async () => {
      off();
      await t.close();
      incidents.close();
    };
    return t;
  };

  // A real outage of `primary` through the monitor: two failed rounds make it down (DEFAULT_POLICY),
  // good rounds then make it degraded and, once the failures leave the ratio window, healthy.
  // Returns how many rounds it took.
  const outage = async (t: ReturnType<typeof setup>): Promise<number> => {
    await t.monitor.probeNow('primary');
    t.script.primary = (check) => ({
      check,
      ok: false,
      latencyMs: 15,
      errorClass: 'server_error',
      httpStatus: 503,
    });
    await t.monitor.probeNow('primary');
    await t.monitor.probeNow('primary');
    t.script.primary = (check) => ({ check, ok: true, latencyMs: 100 });
    let rounds = 3;
    while (t.monitor.dependency('primary')?.evaluation.state !== 'healthy' && rounds < 30) {
      await t.monitor.probeNow('primary');
      rounds++;
    }
    return rounds;
  };

  it('lists the incident of a real outage, overall and per dependency', async () => {
    const t = setup();
    await outage(t);
    const all = await json(await t.app.request('/api/v1/incidents'));
    expect(all.incidents).toHaveLength(1);
    const [incident] = all.incidents;
    expect(incident).toMatchObject({
      dependency: 'primary',
      vendor: 'openai',
      vantage: 'test-vantage',
      ongoing: false,
      worst: 'down',
      errorClasses: ['server_error'],
      vendorIncident: null,
    });
    expect(incident.cause).toContain('server_error (HTTP 503)');
    expect(Date.parse(incident.endedAt)).toBeGreaterThanOrEqual(Date.parse(incident.startedAt));
    const one = await json(await t.app.request('/api/v1/dependencies/primary/incidents'));
    expect(one).toMatchObject({ dependency: 'primary', incidents: [incident] });
    const none = await json(await t.app.request('/api/v1/dependencies/fallback/incidents'));
    expect(none.incidents).toEqual([]);
  });

  it('answers what the OpenAPI document describes, and documents every route it adds', async () => {
    expect(sameKeys).toEqual([true, true, true]);
    const t = setup();
    await outage(t);
    const month = new Date().toISOString().slice(0, 7);
    for (const [path, schema] of [
      ['/api/v1/incidents', IncidentListSchema],
      ['/api/v1/dependencies/primary/incidents', IncidentListSchema],
      [`/api/v1/reports/availability?month=${month}`, AvailabilityReportSchema],
    ] as const) {
      const parsed = schema.safeParse(await json(await t.app.request(path)));
      expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
    }
    const documented = Object.keys(openApiDocument().paths as object);
    const served = t.app.routes
      .filter((r) => r.method === 'GET' && /incidents|reports/.test(r.path))
      .map((r) => r.path.replace(/:([a-zA-Z]+)/g, '{$1}'));
    expect(served.sort()).toEqual([
      '/api/v1/dependencies/{id}/incidents',
      '/api/v1/incidents',
      '/api/v1/reports/availability',
    ]);
    for (const p of served) expect(documented).toContain(p);
  });

  it.each([
    '/api/v1/incidents',
    '/api/v1/dependencies/primary/incidents',
    '/api/v1/reports/availability?month=2026-11',
  ])('POST %s is 405 with Allow', async (path) => {
    const t = setup();
    const res = await t.app.request(path, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });

  it.each([
    ['IncidentList', IncidentListSchema],
    ['AvailabilityReport', AvailabilityReportSchema],
  ] as const)(
    'the document example of %s is what the schema accepts, field for field',
    (name, schema) => {
      const example = HISTORY_EXAMPLES[name];
      const parsed = schema.safeParse(example);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data).toEqual(example);
    },
  );

  it.each([
    ['/api/v1/incidents?since=yesterday', 400, 'since must be an ISO 8601 time'],
    ['/api/v1/incidents?limit=0', 400, 'limit must be an integer from 1 to 1000'],
    ['/api/v1/dependencies/nope/incidents', 404, 'no dependency with that id'],
    ['/api/v1/reports/availability', 400, 'month is required, as YYYY-MM'],
    ['/api/v1/reports/availability?month=2026-13', 400, 'month must be YYYY-MM'],
    ['/api/v1/reports/availability?month=2999-01', 400, 'month 2999-01 has not begun yet'],
    [
      `/api/v1/reports/availability?month=2026-11&format=xml`,
      400,
      'format must be json, csv or markdown',
    ],
  ])('%s → %i', async (path, status, message) => {
    const t = setup();
    const res = await t.app.request(path);
    expect(res.status).toBe(status);
    expect(JSON.stringify(await res.json())).toContain(message);
  });

  it('reports this month per dependency and vendor, as JSON, CSV and Markdown', async () => {
    const t = setup();
    const rounds = await outage(t);
    // Two checks a round; every one passed but those of the two failed rounds.
    const checks = 2 * rounds;
    const month = new Date().toISOString().slice(0, 7);
    const res = await t.app.request(`/api/v1/reports/availability?month=${month}`);
    expect(res.status).toBe(200);
    const report = await json(res);
    expect(report).toMatchObject({ month, complete: false, vantage: 'test-vantage' });
    expect(report.dependencies[0]).toMatchObject({
      id: 'primary',
      vendor: 'openai',
      checks,
      passed: checks - 4,
      uptime: (checks - 4) / checks,
      incidents: 1,
      worst: 'down',
      objective: 0.99,
      meetsObjective: false,
    });
    expect(report.vendors.map((v: { id: string }) => v.id)).toEqual(['anthropic', 'openai']);
    const csv = await t.app.request(`/api/v1/reports/availability?month=${month}&format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect((await csv.text()).split('\r\n')[1]).toBe(
      `${month},dependency,primary,openai,${(checks - 4) / checks},0.99,false,1,0,0,down,${checks},${checks - 4}`,
    );
    const md = await t.app.request(`/api/v1/reports/availability?month=${month}&format=markdown`);
    expect(await md.text()).toContain('| primary | openai |');
  });
});
