import {
  cleanText,
  httpUrl,
  indicatorOfComponent,
  indicatorOfImpact,
  isFinished,
  isInProgress,
  isoTime,
  mapComponentStatus,
  mapIndicator,
  matchingNames,
  worstIndicator,
} from './normalise.js';
import type {
  ParseOptions,
  ParseResult,
  StatusComponent,
  StatusIncident,
  StatusIndicator,
  StatusMaintenance,
} from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

// incident.io ids are ULIDs; Statuspage's are 12 lower-case characters.
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const INCIDENT_IO_WORDS = /maintenance_in_progress|maintenance_scheduled|full_outage/;

/**
 * Parses an Atlassian Statuspage `/api/v2/summary.json`, or incident.io's compatible one, into
 * the normalised model, filtered to `opts.components`. Unknown values map to `unknown` (or
 * `maintenance` when they say so); garbage gives `{ok: false}`, never a throw.
 */
export function parseSummary(body: string, opts: ParseOptions = {}): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message.slice(0, 120)}` };
  }
  return parseSummaryObject(doc, opts);
}

/** {@link parseSummary} on an already parsed JSON value. */
export function parseSummaryObject(doc: unknown, opts: ParseOptions = {}): ParseResult {
  if (!isObj(doc)) {
    return {
      ok: false,
      error: `not a status summary: the JSON is ${describe(doc)}, not an object`,
    };
  }
  const status = isObj(doc.status) ? doc.status : undefined;
  const hasAny =
    status !== undefined ||
    Array.isArray(doc.components) ||
    Array.isArray(doc.incidents) ||
    Array.isArray(doc.scheduled_maintenances);
  if (!hasAny) {
    return {
      ok: false,
      error: 'not a status summary: no status, components, incidents or scheduled_maintenances',
    };
  }
  const wanted = (opts.components ?? []).filter((c) => c.trim() !== '');
  const filtering = wanted.length > 0;

  const rawComponents = objects(doc.components);
  const groupNames = new Map<string, string>();
  for (const c of rawComponents) {
    const id = typeof c.id === 'string' ? c.id : undefined;
    const name = cleanText(c.name, 200);
    if (
      id !== undefined &&
      name !== undefined &&
      (c.group === true || Array.isArray(c.components))
    ) {
      groupNames.set(id, name);
    }
  }

  const components: StatusComponent[] = [];
  const matched = new Set<string>();
  for (const c of rawComponents) {
    const name = cleanText(c.name, 200);
    // Group containers only blend their children's statuses, which are listed themselves.
    if (name === undefined || c.group === true) continue;
    const group =
      (typeof c.group_id === 'string' ? groupNames.get(c.group_id) : undefined) ??
      cleanText(c.group_name, 200);
    if (filtering) {
      const hits = matchingNames(wanted, name, group);
      if (hits.length === 0) continue;
      for (const h of hits) matched.add(h);
    }
    const out: StatusComponent = { name, status: mapComponentStatus(c.status ?? c.current_status) };
    if (group !== undefined) out.group = group;
    components.push(out);
  }
  const unmatchedComponents = wanted.filter((w) => !matched.has(w));
  for (const name of unmatchedComponents) components.push({ name, status: 'unknown' });

  const affects = (names: string[]): boolean =>
    !filtering || names.length === 0 || names.some((n) => matchingNames(wanted, n).length > 0);

  const incidents: StatusIncident[] = [];
  for (const i of objects(doc.incidents)) {
    const state = cleanText(i.status, 60)?.toLowerCase() ?? 'active';
    if (isFinished(state)) continue;
    const names = componentNames(i.components ?? i.affected_components);
    if (!affects(names)) continue;
    const incident: StatusIncident = {
      name: cleanText(i.name) ?? 'unnamed incident',
      status: state,
      components: names,
    };
    const impact = cleanText(i.impact ?? i.current_worst_impact, 60)?.toLowerCase();
    if (impact !== undefined) incident.impact = impact;
    const url = httpUrl(i.shortlink) ?? httpUrl(i.url);
    if (url !== undefined) incident.url = url;
    const startedAt = isoTime(i.started_at) ?? isoTime(i.created_at);
    if (startedAt !== undefined) incident.startedAt = startedAt;
    const updatedAt = isoTime(i.updated_at) ?? isoTime(i.last_update_at);
    if (updatedAt !== undefined) incident.updatedAt = updatedAt;
    incidents.push(incident);
  }

  const maintenance: StatusMaintenance[] = [];
  for (const m of objects(doc.scheduled_maintenances)) {
    const state = cleanText(m.status, 60)?.toLowerCase() ?? 'scheduled';
    if (isFinished(state)) continue;
    const names = componentNames(m.components ?? m.affected_components);
    if (!affects(names)) continue;
    const item: StatusMaintenance = {
      name: cleanText(m.name) ?? 'unnamed maintenance',
      status: state,
      inProgress: isInProgress(state),
      components: names,
    };
    const from = isoTime(m.scheduled_for ?? m.starts_at);
    if (from !== undefined) item.scheduledFor = from;
    const until = isoTime(m.scheduled_until ?? m.ends_at);
    if (until !== undefined) item.scheduledUntil = until;
    const url = httpUrl(m.shortlink) ?? httpUrl(m.url);
    if (url !== undefined) item.url = url;
    maintenance.push(item);
  }

  const derived = worstIndicator(
    ...components.map((c) => indicatorOfComponent(c.status)),
    ...incidents.map((i) => indicatorOfImpact(i.impact)),
    ...maintenance.filter((m) => m.inProgress).map((): StatusIndicator => 'maintenance'),
  );
  // The page-wide indicator also covers components the operator filtered out, so with a
  // filter only what matched counts.
  const indicator = filtering ? derived : worstIndicator(mapIndicator(status?.indicator), derived);

  const result: ParseResult = {
    ok: true,
    status: {
      source: looksLikeIncidentIo(doc) ? 'incident.io' : 'statuspage',
      indicator,
      components,
      incidents,
      maintenance,
      unmatchedComponents,
    },
  };
  const description = cleanText(status?.description, 200);
  if (description !== undefined) result.status.description = description;
  return result;
}

function componentNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names: string[] = [];
  for (const c of value) {
    const name =
      typeof c === 'string' ? cleanText(c, 200) : isObj(c) ? cleanText(c.name, 200) : undefined;
    if (name !== undefined) names.push(name);
  }
  return names;
}

function looksLikeIncidentIo(doc: Obj): boolean {
  const page = isObj(doc.page) ? doc.page : {};
  if (typeof page.id === 'string' && ULID.test(page.id)) return true;
  if (typeof page.url === 'string' && /incident\.io/i.test(page.url)) return true;
  const status = isObj(doc.status) ? doc.status : {};
  if (typeof status.indicator === 'string' && /maintenance/i.test(status.indicator)) return true;
  const words = [
    ...objects(doc.components).map((c) => c.status),
    ...objects(doc.scheduled_maintenances).map((m) => m.status),
  ];
  return words.some((w) => typeof w === 'string' && INCIDENT_IO_WORDS.test(w));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
