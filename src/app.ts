import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Registry } from 'prom-client';
import { type AccessOptions, accessControl } from './http/access.js';
import { consumersRouter } from './http/consumers.js';
import { dependenciesRouter } from './http/dependencies.js';
import { apiError } from './http/errors.js';
import { healthRouter } from './http/health.js';
import { incidentsRouter } from './http/incidents.js';
import { metricsRouter } from './http/metrics.js';
import { openapiRouter } from './http/openapi.js';
import { pageRouter, STATUS_PAGE_STYLE_HASH } from './http/page.js';
import { reloadRouter } from './http/reload.js';
import { reportsRouter } from './http/reports.js';
import { statusRouter } from './http/status.js';
import type { ViewDeps } from './http/views.js';
import type { Logger } from './log.js';
import type { ReloadOutcome } from './runtime.js';
import type { IncidentStore } from './store/incidents.js';

/** What the HTTP app needs; built in bellwether.ts (or a test). */
export interface AppDeps extends ViewDeps {
  registry: Registry;
  logger: Logger;
  /** Null when ready; else why not (/readyz answers 503 with it). */
  notReady: () => string | null;
  reload?: () => Promise<ReloadOutcome>;
  reloadToken?: string;
  access?: AccessOptions;
  /** Incidents and daily uptime: the incident and report routes, and the page's history. */
  incidents?: IncidentStore;
}

/**
 * The methods `app` serves at `path` (GET implies HEAD, which Hono answers from the GET
 * handler); empty for a path no route knows. Middleware (`ALL`) does not count.
 */
function allowedMethods(app: Hono, path: string): string[] {
  const segments = path.split('/');
  const matches = (route: string): boolean => {
    const parts = route.split('/');
    return (
      parts.length === segments.length &&
      parts.every((p, i) => p === segments[i] || (p.startsWith(':') && segments[i] !== ''))
    );
  };
  const methods = new Set(
    app.routes.filter((r) => r.method !== 'ALL' && matches(r.path)).map((r) => r.method),
  );
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** Requests larger than this are refused: no route takes a body bigger than a token. */
const MAX_BODY_BYTES = 16 * 1024;

/** The Hono app: one router per resource, no I/O at import. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // The page's one inline <style>, by hash: no 'unsafe-inline'.
        styleSrc: ["'self'", STATUS_PAGE_STYLE_HASH],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        apiError(c, 413, 'too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`),
    }),
  );
  app.use('*', accessControl(deps.access ?? {}));
  app.route('/', healthRouter(deps));
  app.route('/', metricsRouter({ registry: deps.registry }));
  app.route('/api/v1/status', statusRouter(deps));
  app.route('/api/v1/dependencies', dependenciesRouter(deps));
  app.route('/api/v1/consumers', consumersRouter(deps));
  if (deps.incidents) {
    app.route('/api/v1', incidentsRouter(deps, deps.incidents));
    app.route('/api/v1/reports', reportsRouter(deps, deps.incidents));
  }
  app.route('/api/v1/openapi.json', openapiRouter());
  app.route('/', reloadRouter(deps));
  app.route('/', pageRouter(deps));
  app.notFound((c) => {
    const allow = allowedMethods(app, c.req.path);
    if (allow.length === 0) return apiError(c, 404, 'not_found', 'no such route');
    // RFC 9110 §15.5.6: a known path, a method it does not serve.
    c.header('allow', allow.join(', '));
    return apiError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here`);
  });
  app.onError((err, c) => {
    deps.logger.error({ err: err.message, path: c.req.path }, 'request failed');
    return apiError(c, 500, 'internal', 'internal error');
  });
  return app;
}
