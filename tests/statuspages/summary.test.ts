import { describe, expect, it } from 'vitest';
import { parseSummary, parseSummaryObject } from '../../src/statuspages/summary.js';
import type { ParsedStatus } from '../../src/statuspages/types.js';

const statuspageOk = {
  page: { id: 'kctbh9vrtdwd', name: 'Anthropic', url: 'https://status.claude.com' },
  status: { indicator: 'none', description: 'All Systems Operational' },
  components: [
    { id: 'g1', name: 'Claude', status: 'operational', group: true, components: ['c1', 'c2'] },
    { id: 'c1', name: 'claude.ai', status: 'operational', group_id: 'g1', group: false },
    { id: 'c2', name: 'Claude API (api.anthropic.com)', status: 'operational', group_id: 'g1' },
    { id: 'c3', name: 'Console', status: 'operational', group_id: null },
  ],
  incidents: [],
  scheduled_maintenances: [],
};

const statuspageIncident = {
  ...statuspageOk,
  status: { indicator: 'major', description: 'Partial System Outage' },
  components: [
    { id: 'c2', name: 'Claude API (api.anthropic.com)', status: 'partial_outage' },
    { id: 'c3', name: 'Console', status: 'degraded_performance' },
    { id: 'c4', name: 'Billing', status: 'operational' },
  ],
  incidents: [
    {
      id: 'abc123def456',
      name: 'Elevated errors on Claude Sonnet',
      status: 'identified',
      impact: 'major',
      shortlink: 'https://stspg.io/abc',
      created_at: '2026-03-01T10:00:00.000Z',
      updated_at: '2026-03-01T10:20:00.000Z',
      components: [{ id: 'c2', name: 'Claude API (api.anthropic.com)', status: 'partial_outage' }],
    },
    {
      id: 'old000000001',
      name: 'Yesterday',
      status: 'resolved',
      impact: 'minor',
      components: [],
    },
    {
      id: 'billing00001',
      name: 'Invoices delayed',
      status: 'monitoring',
      impact: 'minor',
      components: [{ name: 'Billing' }],
    },
  ],
  scheduled_maintenances: [
    {
      id: 'm1',
      name: 'Database upgrade',
      status: 'scheduled',
      scheduled_for: '2026-03-05T02:00:00Z',
      scheduled_until: '2026-03-05T04:00:00Z',
      shortlink: 'https://stspg.io/m1',
      components: [{ name: 'Console' }],
    },
    { id: 'm0', name: 'Done', status: 'completed', components: [] },
  ],
};

const incidentIoMaintenance = {
  page: { id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4V', name: 'OpenAI', url: 'https://status.openai.com' },
  status: { indicator: 'maintenance', description: 'Maintenance in progress' },
  components: [
    { id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4A', name: 'API', status: 'maintenance_in_progress' },
    { id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4B', name: 'ChatGPT', status: 'full_outage' },
    { id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4C', name: 'Sora', status: 'operational' },
    { id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4D', name: 'Codex', status: 'some_new_status' },
  ],
  incidents: [],
  scheduled_maintenances: [
    {
      id: '01HZ8Q3W5Y7K2M4N6P8R0S2T4E',
      name: 'API database migration',
      status: 'maintenance_in_progress',
      components: [{ name: 'API' }],
    },
  ],
};

const parse = (doc: unknown, components?: string[]): ParsedStatus => {
  const r = parseSummary(JSON.stringify(doc), components ? { components } : {});
  if (!r.ok) throw new Error(r.error);
  return r.status;
};

describe('parseSummary: flavours', () => {
  it.each([
    {
      name: 'Statuspage, all operational',
      doc: statuspageOk,
      source: 'statuspage',
      indicator: 'none',
      components: {
        'claude.ai': 'operational',
        'Claude API (api.anthropic.com)': 'operational',
        Console: 'operational',
      },
      incidents: [],
      maintenance: [],
    },
    {
      name: 'Statuspage with an incident (resolved and completed ones dropped)',
      doc: statuspageIncident,
      source: 'statuspage',
      indicator: 'major',
      components: {
        'Claude API (api.anthropic.com)': 'partial_outage',
        Console: 'degraded_performance',
        Billing: 'operational',
      },
      incidents: ['Elevated errors on Claude Sonnet', 'Invoices delayed'],
      maintenance: ['Database upgrade'],
    },
    {
      name: 'incident.io maintenance values',
      doc: incidentIoMaintenance,
      source: 'incident.io',
      // full_outage on ChatGPT is worse than the page-wide "maintenance".
      indicator: 'critical',
      components: {
        API: 'under_maintenance',
        ChatGPT: 'major_outage',
        Sora: 'operational',
        Codex: 'unknown',
      },
      incidents: [],
      maintenance: ['API database migration'],
    },
  ])('$name', ({ doc, source, indicator, components, incidents, maintenance }) => {
    const s = parse(doc);
    expect(s.source).toBe(source);
    expect(s.indicator).toBe(indicator);
    expect(Object.fromEntries(s.components.map((c) => [c.name, c.status]))).toEqual(components);
    expect(s.incidents.map((i) => i.name)).toEqual(incidents);
    expect(s.maintenance.map((m) => m.name)).toEqual(maintenance);
  });

  it('keeps the incident fields the status API shows', () => {
    const [incident] = parse(statuspageIncident).incidents;
    expect(incident).toEqual({
      name: 'Elevated errors on Claude Sonnet',
      status: 'identified',
      impact: 'major',
      url: 'https://stspg.io/abc',
      startedAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:20:00.000Z',
      components: ['Claude API (api.anthropic.com)'],
    });
  });

  it('names the group of grouped components and flags running maintenance', () => {
    const s = parse(statuspageOk);
    expect(s.components.find((c) => c.name === 'claude.ai')?.group).toBe('Claude');
    expect(s.description).toBe('All Systems Operational');
    const m = parse(incidentIoMaintenance).maintenance[0];
    expect(m?.inProgress).toBe(true);
    expect(parse(statuspageIncident).maintenance[0]?.inProgress).toBe(false);
  });

  it.each([
    ['none', 'none'],
    ['minor', 'minor'],
    ['major', 'major'],
    ['critical', 'critical'],
    ['maintenance', 'maintenance'],
    ['under_maintenance', 'maintenance'],
    ['MAJOR', 'major'],
    ['degraded', 'unknown'],
    [42, 'unknown'],
    [null, 'unknown'],
  ])('page indicator %j → %s (no components to blend)', (value, expected) => {
    const s = parse({ status: { indicator: value } });
    expect(s.indicator).toBe(expected);
  });

  it.each([
    ['operational', 'operational'],
    ['degraded_performance', 'degraded_performance'],
    ['partial_outage', 'partial_outage'],
    ['major_outage', 'major_outage'],
    ['under_maintenance', 'under_maintenance'],
    ['full_outage', 'major_outage'],
    ['maintenance_in_progress', 'under_maintenance'],
    ['maintenance', 'under_maintenance'],
    ['Degraded Performance', 'degraded_performance'],
    ['quantum_flux', 'unknown'],
    [undefined, 'unknown'],
    [7, 'unknown'],
  ])('component status %j → %s', (value, expected) => {
    const s = parse({ components: [{ name: 'X', status: value }] });
    expect(s.components).toEqual([{ name: 'X', status: expected }]);
  });
});

describe('parseSummary: component filtering', () => {
  it.each([
    {
      name: 'case-insensitive substring',
      wanted: ['claude api'],
      components: ['Claude API (api.anthropic.com)'],
      incidents: ['Elevated errors on Claude Sonnet'],
      indicator: 'major',
      unmatched: [],
    },
    {
      name: 'an unaffected component: its incidents and the page indicator do not count',
      wanted: ['Billing'],
      components: ['Billing'],
      incidents: ['Invoices delayed'],
      indicator: 'minor',
      unmatched: [],
    },
    {
      name: 'a configured name the page lacks is reported unknown',
      wanted: ['Console', 'Claude Code'],
      components: ['Console', 'Claude Code'],
      incidents: [],
      indicator: 'minor',
      unmatched: ['Claude Code'],
    },
  ])('$name', ({ wanted, components, incidents, indicator, unmatched }) => {
    const s = parse(statuspageIncident, wanted);
    expect(s.components.map((c) => c.name)).toEqual(components);
    expect(s.incidents.map((i) => i.name)).toEqual(incidents);
    expect(s.indicator).toBe(indicator);
    expect(s.unmatchedComponents).toEqual(unmatched);
    expect(s.components.find((c) => c.name === 'Claude Code')?.status ?? 'unknown').toBe('unknown');
  });

  it('matches a group name to its children', () => {
    const s = parse(statuspageOk, ['claude']);
    expect(s.components.map((c) => c.name)).toEqual([
      'claude.ai',
      'Claude API (api.anthropic.com)',
    ]);
  });

  it('keeps an incident that names no components (page-wide)', () => {
    const doc = {
      components: [{ name: 'API', status: 'operational' }],
      incidents: [{ name: 'Something', status: 'investigating', impact: 'minor', components: [] }],
    };
    expect(parse(doc, ['API']).incidents.map((i) => i.name)).toEqual(['Something']);
  });
});

describe('parseSummary: garbage never throws', () => {
  it.each([
    ['empty string', '', /malformed JSON/],
    ['truncated JSON', '{"status": {"indicator": "no', /malformed JSON/],
    ['HTML', '<html></html>', /malformed JSON/],
    ['null', 'null', /JSON is null/],
    ['an array', '[1,2]', /JSON is an array/],
    ['a number', '42', /JSON is a number/],
    ['an unrelated object', '{"hello":"world"}', /not a status summary/],
  ])('%s → error', (_name, body, error) => {
    const r = parseSummary(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it.each([
    ['components not an array', { status: { indicator: 'none' }, components: 'x' }],
    ['entries of the wrong type', { components: [null, 1, 'API', { status: 'operational' }] }],
    ['incidents with nothing in them', { incidents: [{}, null, { name: 7, components: 'API' }] }],
    [
      'bad dates and links',
      { incidents: [{ name: 'x', created_at: 'yesterday', shortlink: 'javascript:alert(1)' }] },
    ],
    ['a huge name', { incidents: [{ name: 'x'.repeat(10_000) }] }],
  ])('%s → tolerated', (_name, doc) => {
    const r = parseSummaryObject(doc);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const i of r.status.incidents) {
      expect(i.name.length).toBeLessThanOrEqual(300);
      expect(i.url).toBeUndefined();
      expect(i.startedAt).toBeUndefined();
    }
  });
});
