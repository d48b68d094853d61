import { Hono } from 'hono';
import type { StoreHealth } from '../store/sqlite-store.js';

/**
 * /healthz: the process answers. /readyz: config loaded, the scheduler running and start-up
 * over (503 with the reason otherwise). A history store in trouble does not make it unready —
 * probing and the status API go on, and taking the pod out of service would hide them — but
 * /readyz says so in its body, and bellwether_store_healthy is 0.
 */
export function healthRouter(deps: {
  notReady: () => string | null;
  store?: { health(): StoreHealth };
}): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', (c) => {
    const why = deps.notReady();
    if (why !== null) return c.text(`not ready: ${why}\n`, 503);
    const store = deps.store?.health();
    return c.text(
      store && !store.healthy ? `ready; history store degraded: ${store.reason}\n` : 'ready\n',
    );
  });
  return app;
}
