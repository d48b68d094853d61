import type { ComponentStatus, ParseOptions, StatusIndicator } from './types.js';

/** An object of a parsed vendor document (not an array). */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The component names `opts.components` asks for, blanks dropped; none means no filter. */
export const wantedComponents = (opts: ParseOptions): string[] =>
  (opts.components ?? []).filter((c) => c.trim() !== '');

/** Severity order for picking the worst indicator; `unknown` loses to anything known. */
const INDICATOR_RANK: Record<StatusIndicator, number> = {
  unknown: -1,
  none: 0,
  maintenance: 1,
  minor: 2,
  major: 3,
  critical: 4,
};

/** Severity order for merging two statuses of one component. */
const COMPONENT_RANK: Record<ComponentStatus, number> = {
  unknown: 0,
  operational: 1,
  under_maintenance: 2,
  degraded_performance: 3,
  partial_outage: 4,
  major_outage: 5,
};

export function worstIndicator(...values: StatusIndicator[]): StatusIndicator {
  let worst: StatusIndicator = 'unknown';
  for (const v of values) if (INDICATOR_RANK[v] > INDICATOR_RANK[worst]) worst = v;
  return worst;
}

export function worstComponentStatus(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return COMPONENT_RANK[b] > COMPONENT_RANK[a] ? b : a;
}

const word = (value: unknown): string =>
  typeof value === 'string'
    ? value
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
    : '';

/** Maps a page indicator, including incident.io's and unexpected spellings. */
export function mapIndicator(value: unknown): StatusIndicator {
  const v = word(value);
  switch (v) {
    case 'none':
    case 'operational':
    case 'ok':
      return 'none';
    case 'minor':
    case 'major':
    case 'critical':
      return v;
    default:
      if (v.includes('maintenance')) return 'maintenance';
      return 'unknown';
  }
}

/** Maps a component status, including incident.io's (`full_outage`, `maintenance_in_progress`). */
export function mapComponentStatus(value: unknown): ComponentStatus {
  const v = word(value);
  switch (v) {
    case 'operational':
    case 'degraded_performance':
    case 'partial_outage':
    case 'major_outage':
    case 'under_maintenance':
      return v;
    case 'full_outage':
    case 'outage':
      return 'major_outage';
    case 'degraded':
      return 'degraded_performance';
    default:
      if (v.includes('maintenance')) return 'under_maintenance';
      if (v.includes('full') && v.includes('outage')) return 'major_outage';
      if (v.includes('outage')) return 'partial_outage';
      if (v.includes('degraded')) return 'degraded_performance';
      return 'unknown';
  }
}

/** The indicator a component status implies (Statuspage's own blending, roughly). */
export function indicatorOfComponent(status: ComponentStatus): StatusIndicator {
  switch (status) {
    case 'operational':
      return 'none';
    case 'degraded_performance':
      return 'minor';
    case 'partial_outage':
      return 'major';
    case 'major_outage':
      return 'critical';
    case 'under_maintenance':
      return 'maintenance';
    default:
      return 'unknown';
  }
}

/** The indicator an active incident's impact implies; an unknown impact counts as minor. */
export function indicatorOfImpact(impact: string | undefined): StatusIndicator {
  const v = word(impact);
  if (v === 'none') return 'none';
  if (v === 'maintenance' || v.includes('maintenance')) return 'maintenance';
  const asIndicator = mapIndicator(v);
  if (asIndicator !== 'unknown') return asIndicator;
  const asComponent = mapComponentStatus(v);
  if (asComponent !== 'unknown' && asComponent !== 'operational') {
    return indicatorOfComponent(asComponent);
  }
  return 'minor';
}

/** Incident and maintenance states that mean "over". */
const FINISHED = new Set([
  'resolved',
  'postmortem',
  'completed',
  'complete',
  'closed',
  'cancelled',
  'canceled',
  'maintenance_complete',
  'maintenance_completed',
]);

export function isFinished(status: string): boolean {
  return FINISHED.has(word(status));
}

/** A maintenance status that means "running now". */
export function isInProgress(status: string): boolean {
  const v = word(status);
  return v.includes('in_progress') || v === 'verifying' || v === 'maintenance_verifying';
}

/** Component filtering: case-insensitive substring of any of the texts. */
export function matchingNames(
  configured: readonly string[],
  ...texts: (string | undefined)[]
): string[] {
  const hay = texts.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
  return configured.filter((name) => {
    const needle = name.toLowerCase();
    return needle !== '' && hay.some((h) => h.includes(needle));
  });
}

/** A timestamp as ISO 8601, or undefined when it does not parse. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A short, single-line string from untrusted text (names from vendor documents). */
export function cleanText(value: unknown, max = 300): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An http(s) URL from untrusted text, else undefined. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
