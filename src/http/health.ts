import { Hono } from 'hono';

/** /healthz: the process answers. /readyz: config loaded and the scheduler running. */
export function healthRouter(deps: { ready: () => boolean }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) =>
    deps.ready() ? c.text('ready\n') : c.text('not ready: scheduler not running\n', 503),
  );
  return app;
}
