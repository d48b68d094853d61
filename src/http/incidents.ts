import { Hono } from 'hono';
import type { Incident, IncidentStore } from '../store/incidents.js';
import { parseSince } from './dependencies.js';
import { apiError } from './errors.js';
import type { ViewDeps } from './views.js';

const MAX_INCIDENTS = 1000;
/** How far back the incident lists look when `since` is not given. */
const DEFAULT_SINCE = '30d';

/** An incident as the API shows it. */
export function incidentView(i: Incident, now: number) {
  return {
    id: i.id,
    dependency: i.dependency,
    vendor: i.vendor,
    vantage: i.vantage,
    startedAt: new Date(i.startedAt).toISOString(),
    endedAt: i.endedAt === undefined ? null : new Date(i.endedAt).toISOString(),
    ongoing: i.endedAt === undefined,
    durationMs: (i.endedAt ?? now) - i.startedAt,
    worst: i.worst,
    errorClasses: i.errorClasses,
    cause: i.cause,
    vendorIncident: i.vendorIncident
      ? { name: i.vendorIncident.name, url: i.vendorIncident.url ?? null }
      : null,
  };
}

/** GET /incidents and /dependencies/:id/incidents (mounted at /api/v1): newest first. */
export function incidentsRouter(deps: ViewDeps, store: IncidentStore): Hono {
  const app = new Hono();
  const list = (dependency: string | undefined, since?: string, limitText?: string) => {
    const now = deps.clock();
    const sinceMs = parseSince(since || DEFAULT_SINCE, now);
    if (sinceMs instanceof Error) return sinceMs;
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INCIDENTS) {
      return new Error(`limit must be an integer from 1 to ${MAX_INCIDENTS}`);
    }
    const incidents = store.incidents({ sinceMs, dependency, limit });
    return {
      since: new Date(sinceMs).toISOString(),
      incidents: incidents.map((i) => incidentView(i, now)),
    };
  };
  app.get('/incidents', (c) => {
    const body = list(undefined, c.req.query('since'), c.req.query('limit'));
    if (body instanceof Error) return apiError(c, 400, 'bad_request', body.message);
    return c.json(body);
  });
  app.get('/dependencies/:id/incidents', (c) => {
    const id = c.req.param('id');
    if (!deps.monitor.dependency(id)) {
      return apiError(c, 404, 'not_found', 'no dependency with that id');
    }
    const body = list(id, c.req.query('since'), c.req.query('limit'));
    if (body instanceof Error) return apiError(c, 400, 'bad_request', body.message);
    return c.json({ dependency: id, ...body });
  });
  return app;
}
