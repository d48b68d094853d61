import {
  cleanText,
  httpUrl,
  indicatorOfComponent,
  indicatorOfImpact,
  isFinished,
  isInProgress,
  isObj,
  isoTime,
  mapComponentStatus,
  mapIndicator,
  matchingNames,
  type Obj,
  wantedComponents,
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
  const wanted = wantedComponents(opts);
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
  // What incidents and maintenances share: they count until finished, and only when they touch
  // a wanted component (or name none).
  const unfinished = (list: unknown, state: string, unnamed: string) =>
    objects(list).flatMap((raw) => {
      const status = cleanText(raw.status, 60)?.toLowerCase() ?? state;
      const components = componentNames(raw.components ?? raw.affected_components);
      if (isFinished(status) || !affects(components)) return [];
      const url = httpUrl(raw.shortlink) ?? httpUrl(raw.url);
      const name = cleanText(raw.name) ?? unnamed;
      return [{ raw, item: { name, status, components, ...(url === undefined ? {} : { url }) } }];
    });

  const incidents = unfinished(doc.incidents, 'active', 'unnamed incident').map(({ raw, item }) => {
    const incident: StatusIncident = item;
    const impact = cleanText(raw.impact ?? raw.current_worst_impact, 60)?.toLowerCase();
    if (impact !== undefined) incident.impact = impact;
    const startedAt = isoTime(raw.started_at) ?? isoTime(raw.created_at);
    if (startedAt !== undefined) incident.startedAt = startedAt;
    const updatedAt = isoTime(raw.updated_at) ?? isoTime(raw.last_update_at);
    if (updatedAt !== undefined) incident.updatedAt = updatedAt;
    return incident;
  });

  const maintenance = unfinished(
    doc.scheduled_maintenances,
    'scheduled',
    'unnamed maintenance',
  ).map(({ raw, item }) => {
    const m: StatusMaintenance = { ...item, inProgress: isInProgress(item.status) };
    const from = isoTime(raw.scheduled_for ?? raw.starts_at);
    if (from !== undefined) m.scheduledFor = from;
    const until = isoTime(raw.scheduled_until ?? raw.ends_at);
    if (until !== undefined) m.scheduledUntil = until;
    return m;
  });

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
