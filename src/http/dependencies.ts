import { Hono } from 'hono';
import { parseDuration } from '../config/duration.js';
import { apiError } from './errors.js';
import { dependencyView, historyEntry, summaries, summaryOf, type ViewDeps } from './views.js';

const MAX_HISTORY = 5000;

/** Earliest and latest `since` accepted: the epoch, and the last millisecond of year 9999. */
const SINCE_MIN = 0;
const SINCE_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * `since` is an ISO 8601 time, epoch milliseconds, or a look-back duration like `6h`; it must
 * land between 1970-01-01 and 9999-12-31, so every answer can print it.
 */
export function parseSince(value: string | undefined, now: number): number | Error {
  if (value === undefined || value === '') return now - 3_600_000;
  if (value.length > 64) return new Error('since is too long');
  let since: number | undefined;
  if (/^\d{10,16}$/.test(value)) {
    since = Number(value);
  } else {
    const duration = parseDuration(value);
    if (duration.ok) since = now - duration.ms;
    else if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
      const t = Date.parse(value);
      if (Number.isFinite(t)) since = t;
    }
  }
  if (since === undefined) {
    return new Error(
      `since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "${value}"`,
    );
  }
  if (since < SINCE_MIN || since > SINCE_MAX) {
    return new Error(
      `since must fall between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, got "${value}"`,
    );
  }
  return since;
}

/** `limit`: how many results /history returns, 1 to {@link MAX_HISTORY} (default 1000). */
export function parseLimit(value: string | undefined): number | Error {
  if (value === undefined) return 1000;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  return n >= 1 && n <= MAX_HISTORY
    ? n
    : new Error(`limit must be an integer from 1 to ${MAX_HISTORY}, got "${value.slice(0, 64)}"`);
}

/** /api/v1/dependencies, /:id and /:id/history. */
export function dependenciesRouter(deps: ViewDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const sums = summaries(deps);
    return c.json({
      dependencies: deps.monitor
        .dependencies()
        .map((s) => dependencyView(s, sums.get(s.config.id))),
    });
  });
  app.get('/:id', (c) => {
    const s = deps.monitor.dependency(c.req.param('id'));
    if (!s) return apiError(c, 404, 'not_found', 'no dependency with that id');
    return c.json(dependencyView(s, summaryOf(deps, s.config.id)));
  });
  app.get('/:id/history', (c) => {
    const id = c.req.param('id');
    if (!deps.monitor.dependency(id)) {
      return apiError(c, 404, 'not_found', 'no dependency with that id');
    }
    const since = parseSince(c.req.query('since'), deps.clock());
    if (since instanceof Error) return apiError(c, 400, 'bad_request', since.message);
    const limit = parseLimit(c.req.query('limit'));
    if (limit instanceof Error) return apiError(c, 400, 'bad_request', limit.message);
    const results = deps.store.history(id, since, limit);
    return c.json({
      dependency: id,
      since: new Date(since).toISOString(),
      results: results.map(historyEntry),
    });
  });
  return app;
}
