import { Hono } from 'hono';
import { statusView, type ViewDeps } from './views.js';

/** GET /api/v1/status: every dependency and consumer at once. */
export function statusRouter(deps: ViewDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json(statusView(deps)));
  return app;
}
