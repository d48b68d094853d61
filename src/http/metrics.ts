import { Hono } from 'hono';
import { type OpenMetricsContentType, Registry } from 'prom-client';

const wantsOpenMetrics = (accept: string | undefined): boolean =>
  accept?.includes('application/openmetrics-text') === true;

/**
 * /metrics in the Prometheus text format, or OpenMetrics when the scraper asks for it.
 * The OpenMetrics view shares the same metric objects; it is built once on first use.
 */
export function metricsRouter(deps: { registry: Registry; vantage: string }): Hono {
  const app = new Hono();
  let openMetrics: Registry<OpenMetricsContentType> | undefined;
  const openMetricsView = (): Registry<OpenMetricsContentType> => {
    if (openMetrics) return openMetrics;
    const view = new Registry<OpenMetricsContentType>();
    view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    view.setDefaultLabels({ vantage: deps.vantage });
    for (const m of deps.registry.getMetricsAsArray()) {
      view.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    }
    openMetrics = view;
    return view;
  };
  app.get('/metrics', async (c) => {
    const registry = wantsOpenMetrics(c.req.header('accept')) ? openMetricsView() : deps.registry;
    const body = await registry.metrics();
    return c.body(body, 200, { 'content-type': registry.contentType });
  });
  return app;
}
