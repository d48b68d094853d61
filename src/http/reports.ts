import { Hono } from 'hono';
import {
  availabilityReport,
  parseMonth,
  reportCsv,
  reportedDependency,
  reportMarkdown,
} from '../incidents/availability.js';
import type { IncidentStore } from '../store/incidents.js';
import { apiError } from './errors.js';
import type { ViewDeps } from './views.js';

/** GET /availability?month=YYYY-MM[&format=json|csv|markdown] (mounted at /api/v1/reports). */
export function reportsRouter(deps: ViewDeps, store: IncidentStore): Hono {
  const app = new Hono();
  app.get('/availability', (c) => {
    const now = deps.clock();
    const month = parseMonth(c.req.query('month'), now);
    if (month instanceof Error) return apiError(c, 400, 'bad_request', month.message);
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'markdown') {
      return apiError(c, 400, 'bad_request', 'format must be json, csv or markdown');
    }
    const report = availabilityReport({
      store,
      dependencies: deps.monitor.dependencies().map((s) => reportedDependency(s.config)),
      month,
      now,
      vantage: deps.vantage,
    });
    if (format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8; header=present');
      return c.body(reportCsv(report));
    }
    if (format === 'markdown') {
      c.header('content-type', 'text/markdown; charset=utf-8');
      return c.body(reportMarkdown(report));
    }
    return c.json(report);
  });
  return app;
}
