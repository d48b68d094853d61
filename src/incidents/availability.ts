import type { DependencyConfig } from '../config/types.js';
import type { IncidentState, IncidentStore, StateSpan } from '../store/incidents.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const RANK: Record<IncidentState, number> = { degraded: 1, down: 2 };

/** A UTC calendar month, [start, end). */
export interface Month {
  /** YYYY-MM */
  label: string;
  start: number;
  end: number;
}

/** Reads `YYYY-MM` (a month that has begun by `now`) or explains what is wrong. */
export function parseMonth(text: string | undefined, now: number): Month | Error {
  if (text === undefined || text === '') return new Error('month is required, as YYYY-MM');
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text.slice(0, 16));
  if (!m || text.length > 7) {
    return new Error(`month must be YYYY-MM, like 2026-11, got "${text.slice(0, 32)}"`);
  }
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const start = Date.UTC(year, month, 1);
  if (start > now) return new Error(`month ${text} has not begun yet`);
  return { label: text, start, end: Date.UTC(year, month + 1, 1) };
}

type Interval = [number, number];

/** The part of a span inside [from, to), open spans lasting until `now`. */
function clip(span: StateSpan, from: number, to: number, now: number): Interval | undefined {
  const start = Math.max(span.startedAt, from);
  const end = Math.min(span.endedAt ?? now, to);
  return end > start ? [start, end] : undefined;
}

/** Total length of intervals, overlaps counted once. */
function unionMs(intervals: Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: Interval | undefined;
  for (const [start, end] of sorted) {
    if (current && start <= current[1]) {
      current[1] = Math.max(current[1], end);
    } else {
      if (current) total += current[1] - current[0];
      current = [start, end];
    }
  }
  return current ? total + current[1] - current[0] : total;
}

const worstOf = (states: Iterable<IncidentState>): IncidentState | null => {
  let worst: IncidentState | null = null;
  for (const s of states) if (worst === null || RANK[s] > RANK[worst]) worst = s;
  return worst;
};

/** One day of a dependency's uptime bar. */
export interface DayBar {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Counted probe results that day, and how many passed. */
  checks: number;
  passed: number;
  /** passed / checks; null when nothing was counted that day. */
  uptime: number | null;
  /** The worst state of any incident that day; null when there was none. */
  worst: IncidentState | null;
  downMinutes: number;
  degradedMinutes: number;
}

/** The last `days` UTC days (today included, oldest first) of each dependency. */
export function dailyBars(
  store: IncidentStore,
  dependencies: readonly string[],
  now: number,
  days = 90,
): Map<string, DayBar[]> {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const from = today - (days - 1) * DAY_MS;
  const grid = store.dayGrid(from, days);
  const spansOf = new Map<string, StateSpan[]>();
  for (const s of store.spans(from, today + DAY_MS)) {
    const list = spansOf.get(s.dependency) ?? [];
    list.push(s);
    spansOf.set(s.dependency, list);
  }
  const dates = Array.from({ length: days }, (_, i) =>
    new Date(from + i * DAY_MS).toISOString().slice(0, 10),
  );
  const out = new Map<string, DayBar[]>();
  for (const dependency of dependencies) {
    const counts = grid.get(dependency);
    const own = spansOf.get(dependency) ?? [];
    const bars = dates.map((date, i): DayBar => {
      const checks = counts?.counted[i] ?? 0;
      const passed = counts?.up[i] ?? 0;
      const bar: DayBar = {
        date,
        checks,
        passed,
        uptime: checks > 0 ? passed / checks : null,
        worst: null,
        downMinutes: 0,
        degradedMinutes: 0,
      };
      if (own.length === 0) return bar;
      const day = from + i * DAY_MS;
      const within = own.flatMap((s) => {
        const part = clip(s, day, day + DAY_MS, now);
        return part ? [{ state: s.state, part }] : [];
      });
      const minutes = (state: IncidentState) =>
        Math.round(unionMs(within.filter((w) => w.state === state).map((w) => w.part)) / MINUTE_MS);
      bar.worst = worstOf(within.map((w) => w.state));
      bar.downMinutes = minutes('down');
      bar.degradedMinutes = minutes('degraded');
      return bar;
    });
    out.set(dependency, bars);
  }
  return out;
}

/** A dependency as the report needs it. */
export interface ReportedDependency {
  id: string;
  vendor: string;
  /** Availability objective, 0..1. */
  objective: number;
}

/**
 * A dependency as the report sees it. Its vendor is the status page it follows when it names one
 * (`statusPage: mistral` on an openai-compatible dependency), else its vendor id: the company
 * whose availability the line is about.
 */
export function reportedDependency(
  dep: Pick<DependencyConfig, 'id' | 'vendor' | 'statusPage' | 'objective'>,
): ReportedDependency {
  return { id: dep.id, vendor: dep.statusPage ?? dep.vendor, objective: dep.objective };
}

/** One line of the availability report. */
export interface AvailabilityLine {
  /** Dependency id, or vendor id in the vendor lines. */
  id: string;
  vendor: string;
  /** Counted probe results (as the status API's uptime counts them) and how many succeeded. */
  checks: number;
  passed: number;
  /** passed / checks; null when nothing was counted. */
  uptime: number | null;
  incidents: number;
  /** Minutes in state down within the month (for a vendor: any of its dependencies down). */
  minutesDown: number;
  minutesDegraded: number;
  worst: IncidentState | null;
  objective: number;
  /** uptime >= objective; null when nothing was counted. */
  meetsObjective: boolean | null;
}

/** The monthly availability report. */
export interface AvailabilityReport {
  month: string;
  from: string;
  /** The end of the month, or now when the month is still running. */
  to: string;
  complete: boolean;
  vantage: string;
  dependencies: AvailabilityLine[];
  vendors: AvailabilityLine[];
}

/**
 * Uptime, incidents, minutes down and degraded and the worst state of each dependency and each
 * vendor in `month`, compared with the objective (a vendor's is the strictest of its
 * dependencies'). Uptime is the share of counted probe results that passed, as the status API
 * and the SLO rules count it; minutes come from the incidents' state changes.
 */
export function availabilityReport(opts: {
  store: IncidentStore;
  dependencies: readonly ReportedDependency[];
  month: Month;
  now: number;
  vantage: string;
}): AvailabilityReport {
  const { store, month, now } = opts;
  const to = Math.min(month.end, now);
  const counts = store.dayTotals(month.start, month.end);
  const spans = store.spans(month.start, to);
  const incidents = store.incidents({ sinceMs: month.start, untilMs: to, limit: 1000 });
  const partsOf = (ids: ReadonlySet<string>, state: IncidentState): Interval[] =>
    spans
      .filter((s) => ids.has(s.dependency) && s.state === state)
      .flatMap((s): Interval[] => {
        const part = clip(s, month.start, to, now);
        return part ? [part] : [];
      });

  const line = (
    id: string,
    vendor: string,
    ids: ReadonlySet<string>,
    objective: number,
  ): AvailabilityLine => {
    let checks = 0;
    let passed = 0;
    for (const dep of ids) {
      checks += counts.get(dep)?.counted ?? 0;
      passed += counts.get(dep)?.up ?? 0;
    }
    const uptime = checks > 0 ? passed / checks : null;
    const own = incidents.filter((i) => ids.has(i.dependency));
    return {
      id,
      vendor,
      checks,
      passed,
      uptime,
      incidents: own.length,
      minutesDown: Math.round(unionMs(partsOf(ids, 'down')) / MINUTE_MS),
      minutesDegraded: Math.round(unionMs(partsOf(ids, 'degraded')) / MINUTE_MS),
      worst: worstOf(own.map((i) => i.worst)),
      objective,
      meetsObjective: uptime === null ? null : uptime >= objective,
    };
  };

  const dependencies = opts.dependencies.map((d) =>
    line(d.id, d.vendor, new Set([d.id]), d.objective),
  );
  const vendorIds = [...new Set(opts.dependencies.map((d) => d.vendor))].sort();
  const vendors = vendorIds.map((vendor) => {
    const own = opts.dependencies.filter((d) => d.vendor === vendor);
    return line(
      vendor,
      vendor,
      new Set(own.map((d) => d.id)),
      Math.max(...own.map((d) => d.objective)),
    );
  });
  return {
    month: month.label,
    from: new Date(month.start).toISOString(),
    to: new Date(to).toISOString(),
    complete: now >= month.end,
    vantage: opts.vantage,
    dependencies,
    vendors,
  };
}

const percent = (v: number | null): string =>
  v === null ? 'no data' : `${(Math.floor(v * 100_000) / 1000).toFixed(3)} %`;
const verdict = (l: AvailabilityLine): string =>
  l.meetsObjective === null ? 'no data' : l.meetsObjective ? 'met' : 'MISSED';

const COLUMNS = [
  'Uptime',
  'Objective',
  'Met',
  'Incidents',
  'Minutes down',
  'Minutes degraded',
  'Worst',
  'Checks',
] as const;

function cells(l: AvailabilityLine): string[] {
  return [
    percent(l.uptime),
    percent(l.objective),
    verdict(l),
    String(l.incidents),
    String(l.minutesDown),
    String(l.minutesDegraded),
    l.worst ?? '-',
    String(l.checks),
  ];
}

// Markdown table cells: ids are [a-z0-9._-], but a pipe or newline must never break the table.
const mdCell = (text: string): string => text.replace(/[|\\]/g, '\\$&').replace(/[\r\n]+/g, ' ');

/** The report as Markdown: a heading, then one table per dependency and per vendor. */
export function reportMarkdown(r: AvailabilityReport): string {
  const table = (
    first: string[],
    lines: AvailabilityLine[],
    lead: (l: AvailabilityLine) => string[],
  ) => {
    const header = [...first, ...COLUMNS];
    const rows = lines.map((l) => [...lead(l), ...cells(l)].map(mdCell));
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i < first.length ? ' --- ' : ' ---: ')).join('|')}|`,
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
  };
  const span = r.complete ? '' : ` (month in progress, up to ${r.to})`;
  return [
    `# Availability ${r.month}${span}`,
    '',
    `Vantage ${mdCell(r.vantage)} · ${r.from} to ${r.to} · uptime is the share of counted probe results that passed; minutes come from incidents.`,
    '',
    '## Dependencies',
    '',
    table(['Dependency', 'Vendor'], r.dependencies, (l) => [l.id, l.vendor]),
    '',
    '## Vendors',
    '',
    table(['Vendor'], r.vendors, (l) => [l.id]),
    '',
  ].join('\n');
}

// RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside.
const csvField = (text: string): string =>
  /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/** The report as CSV (RFC 4180), one row per dependency then per vendor, `kind` telling which. */
export function reportCsv(r: AvailabilityReport): string {
  const header = [
    'month',
    'kind',
    'id',
    'vendor',
    'uptime',
    'objective',
    'meets_objective',
    'incidents',
    'minutes_down',
    'minutes_degraded',
    'worst',
    'checks',
    'passed',
  ];
  const row = (kind: string, l: AvailabilityLine) => [
    r.month,
    kind,
    l.id,
    l.vendor,
    l.uptime === null ? '' : String(l.uptime),
    String(l.objective),
    l.meetsObjective === null ? '' : String(l.meetsObjective),
    String(l.incidents),
    String(l.minutesDown),
    String(l.minutesDegraded),
    l.worst ?? '',
    String(l.checks),
    String(l.passed),
  ];
  const rows = [
    header,
    ...r.dependencies.map((l) => row('dependency', l)),
    ...r.vendors.map((l) => row('vendor', l)),
  ];
  return `${rows.map((cols) => cols.map(csvField).join(',')).join('\r\n')}\r\n`;
}
