import { Hono } from 'hono';

/**
 * /healthz: the process answers. /readyz: config loaded, the scheduler running and start-up
 * over; `notReady` says why not (null when ready).
 */
export function healthRouter(deps: { notReady: () => string | null }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) => {
    const why = deps.notReady();
    return why === null ? c.text('ready\n') : c.text(`not ready: ${why}\n`, 503);
  });
  return app;
}
