import { Hono } from 'hono';
import { vendorModule } from '../vendors/registry.js';
import { urlWithoutCredentials } from './credentials.js';
import { apiError } from './errors.js';
import { consumerView, type ViewDeps } from './views.js';

/** /api/v1/consumers, /:id and /:id/route: which dependency a security tool should call now. */
export function consumersRouter(deps: ViewDeps): Hono {
  const app = new Hono();
  const find = (id: string) => deps.consumers.find((c) => c.id === id);
  app.get('/', (c) =>
    c.json({
      consumers: deps.consumers.map((k) => consumerView(k, deps.monitor.consumer(k.id))),
    }),
  );
  app.get('/:id', (c) => {
    const consumer = find(c.req.param('id'));
    if (!consumer) return apiError(c, 404, 'not_found', 'no consumer with that id');
    return c.json(consumerView(consumer, deps.monitor.consumer(consumer.id)));
  });
  app.get('/:id/route', (c) => {
    const consumer = find(c.req.param('id'));
    if (!consumer) return apiError(c, 404, 'not_found', 'no consumer with that id');
    const view = consumerView(consumer, deps.monitor.consumer(consumer.id));
    const chosen = view.route ? deps.monitor.dependency(view.route) : undefined;
    return c.json({
      consumer: view.id,
      state: view.state,
      route: chosen
        ? {
            dependency: chosen.config.id,
            vendor: chosen.config.vendor,
            model: chosen.config.model ?? null,
            // A plain URL probe is no vendor a tool would call; a URL never shows its
            // userinfo or query (where keys ride).
            baseUrl: vendorModule(chosen.config.vendor).llm
              ? urlWithoutCredentials(chosen.config.baseUrl)
              : null,
            state: chosen.evaluation.state,
            fallback: view.route !== consumer.uses[0],
          }
        : null,
      reason: view.reason,
      chain: view.chain,
      generatedAt: new Date(deps.clock()).toISOString(),
    });
  });
  return app;
}
