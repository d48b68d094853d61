import { Hono } from 'hono';
import { parseDuration } from '../config/duration.js';
import { apiError } from './errors.js';
import { dependencyView, historyEntry, summaries, summaryOf, type ViewDeps } from './views.js';

const MAX_HISTORY = 5000;

/** `since` is an ISO 8601 time, epoch milliseconds, or a look-back duration like `6h`. */
export function parseSince(value: string | undefined, now: number): number | Error {
  if (value === undefined || value === '') return now - 3_600_000;
  if (value.length > 64) return new Error('since is too long');
  if (/^\d{10,16}$/.test(value)) return Number(value);
  const duration = parseDuration(value);
  if (duration.ok) return now - duration.ms;
  const t = Date.parse(value);
  if (Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}/.test(value)) return t;
  return new Error(
    `since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "${value.slice(0, 64)}"`,
  );
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
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY) {
      return apiError(c, 400, 'bad_request', `limit must be an integer from 1 to ${MAX_HISTORY}`);
    }
    const results = deps.store.history(id, since, limit);
    return c.json({
      dependency: id,
      since: new Date(since).toISOString(),
      results: results.map(historyEntry),
    });
  });
  return app;
}
