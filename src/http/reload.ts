import { Hono } from 'hono';
import { formatConfigError } from '../config/load.js';
import type { ReloadOutcome } from '../runtime.js';
import { bearerToken, sameSecret } from './credentials.js';
import { apiError } from './errors.js';

/**
 * POST /-/reload: re-read the config file. Only with `Authorization: Bearer <token>` and a
 * token configured (BELLWETHER_RELOAD_TOKEN); SIGHUP does the same without HTTP.
 */
export function reloadRouter(deps: {
  reload?: () => Promise<ReloadOutcome>;
  reloadToken?: string;
}): Hono {
  const app = new Hono();
  app.post('/-/reload', async (c) => {
    if (!deps.reload || !deps.reloadToken) {
      return apiError(
        c,
        403,
        'reload_disabled',
        'reload over HTTP is off: set BELLWETHER_RELOAD_TOKEN, or send SIGHUP',
      );
    }
    const token = bearerToken(c.req.header('authorization'));
    if (!sameSecret(token, deps.reloadToken)) {
      c.header('www-authenticate', 'Bearer');
      return apiError(c, 401, 'unauthorized', 'a valid bearer token is required');
    }
    const outcome = await deps.reload();
    if (!outcome.ok) {
      return c.json(
        {
          error: {
            code: 'invalid_config',
            message: 'the new config was refused; the running config is kept',
            details: outcome.errors.map(formatConfigError),
          },
        },
        400,
      );
    }
    return c.json({
      ok: true,
      dependencies: outcome.dependencies,
      restartNeeded: outcome.restartNeeded,
    });
  });
  return app;
}
