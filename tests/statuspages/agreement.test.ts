import { describe, expect, it } from 'vitest';
import type { DependencyState } from '../../src/evaluate/states.js';
import { agreement, declaredReason } from '../../src/statuspages/agreement.js';
import { incidentActive, vendorStatusSeries } from '../../src/statuspages/series.js';
import {
  COMPONENT_STATUSES,
  type StatusComponent,
  type StatusIncident,
  type StatusMaintenance,
  type VendorStatus,
} from '../../src/statuspages/types.js';

const incident: StatusIncident = {
  name: 'Elevated errors on the API',
  status: 'investigating',
  impact: 'major',
  url: 'https://stspg.io/x',
  components: ['API'],
};
const running: StatusMaintenance = {
  name: 'DB upgrade',
  status: 'in_progress',
  inProgress: true,
  components: ['API'],
};

const vendorStatus = (over: Partial<VendorStatus> = {}): VendorStatus => ({
  vendor: 'openai',
  source: 'statuspage',
  url: 'https://status.openai.com/api/v2/summary.json',
  fetchedAt: 1_000,
  ok: true,
  stale: false,
  lastSuccessAt: 1_000,
  indicator: 'none',
  components: [{ name: 'API', status: 'operational' }],
  incidents: [],
  maintenance: [],
  unmatchedComponents: [],
  ...over,
});

const quiet = vendorStatus();
const declared = vendorStatus({ indicator: 'major', incidents: [incident] });
const componentOutage = vendorStatus({
  indicator: 'critical',
  components: [{ name: 'API', status: 'major_outage' }],
});
const maintenance = vendorStatus({
  indicator: 'maintenance',
  components: [{ name: 'API', status: 'under_maintenance' }],
  maintenance: [running],
});
const staleDeclared = {
  ...declared,
  ok: false,
  stale: true,
  error: 'HTTP 500 from status.openai.com',
};

describe('agreement', () => {
  it.each<[string, VendorStatus | undefined, DependencyState, string]>([
    ['incident, we see degraded', declared, 'degraded', 'agree'],
    ['incident, we see down', declared, 'down', 'agree'],
    ['incident, our probes pass', declared, 'healthy', 'vendor_only'],
    ['component outage, our probes pass', componentOutage, 'healthy', 'vendor_only'],
    ['component outage, we see down', componentOutage, 'down', 'agree'],
    ['all well, we see healthy', quiet, 'healthy', 'agree'],
    ['all well, we see down', quiet, 'down', 'probes_only'],
    ['all well, we see degraded', quiet, 'degraded', 'probes_only'],
    ['maintenance, we see down', maintenance, 'down', 'agree'],
    ['maintenance, we see healthy', maintenance, 'healthy', 'agree'],
    ['our state unknown', declared, 'unknown', 'unknown'],
    ['no status page', undefined, 'down', 'unknown'],
    ['status page unreadable (stale data)', staleDeclared, 'healthy', 'unknown'],
  ])('%s → %s', (_name, status, state, expected) => {
    expect(agreement(status, state)).toBe(expected);
  });
});

describe('incidentActive', () => {
  it.each<[string, VendorStatus, 0 | 1]>([
    ['quiet', quiet, 0],
    ['an incident', declared, 1],
    ['a component outage without incident', componentOutage, 1],
    ['maintenance only', maintenance, 0],
    ['stale data keeps the last word', staleDeclared, 1],
    ['never fetched', vendorStatus({ ok: false, indicator: 'unknown', components: [] }), 0],
  ])('%s → %s', (_name, status, expected) => {
    expect(incidentActive(status)).toBe(expected);
  });
});

describe('vendorStatusSeries', () => {
  it.each<[string, StatusComponent[], Record<string, string>]>([
    [
      'one-hot per component',
      [
        { name: 'API', status: 'partial_outage' },
        { name: 'ChatGPT', status: 'operational' },
      ],
      { API: 'partial_outage', ChatGPT: 'operational' },
    ],
    [
      'a configured component the page lacks',
      [{ name: 'Codex', status: 'unknown' }],
      { Codex: 'unknown' },
    ],
    [
      'same name in two groups: the worse wins',
      [
        { name: 'API', status: 'operational', group: 'EU' },
        { name: 'API', status: 'degraded_performance', group: 'US' },
      ],
      { API: 'degraded_performance' },
    ],
    ['no components', [], {}],
  ])('%s', (_name, components, hot) => {
    const series = vendorStatusSeries(vendorStatus({ components }));
    expect(series).toHaveLength(Object.keys(hot).length * COMPONENT_STATUSES.length);
    const ones = series.filter((s) => s.value === 1);
    expect(Object.fromEntries(ones.map((s) => [s.component, s.status]))).toEqual(hot);
    expect(ones).toHaveLength(Object.keys(hot).length);
  });
});

describe('declaredReason', () => {
  it.each<[string, VendorStatus, RegExp | undefined]>([
    ['quiet', quiet, undefined],
    ['maintenance', maintenance, undefined],
    [
      'an incident',
      declared,
      /^openai status page: incident "Elevated errors on the API" \(investigating, impact major\)$/,
    ],
    [
      'two incidents',
      vendorStatus({ incidents: [incident, { ...incident, name: 'Other' }] }),
      / and 1 more$/,
    ],
    ['component outage', componentOutage, /^openai status page: API major_outage$/],
    ['stale', staleDeclared, /\[stale: status page unreadable since last check\]$/],
  ])('%s', (_name, status, expected) => {
    const reason = declaredReason(status);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
  });
});
