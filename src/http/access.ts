import type { MiddlewareHandler } from 'hono';
import { sameSecret } from './credentials.js';
import { apiError } from './errors.js';

/** Who may read /api/*, /metrics and the status page. Empty: everyone (the default). */
export interface AccessOptions {
  /** Bearer tokens accepted (several, so they can be rotated one at a time). */
  tokens?: string[];
  /** HTTP basic credentials accepted. */
  basic?: { user: string; password: string };
}

/** Paths always open: orchestrators probe them without credentials. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

function basicMatches(header: string, basic: { user: string; password: string }): boolean {
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  } catch {
    return false;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both halves are always compared, so timing does not tell which one was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), basic.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), basic.password);
  return userOk && passwordOk;
}

/**
 * Optional protection for everything but /healthz and /readyz: a bearer token or basic
 * credentials, compared in constant time. /-/reload has its own token and is left to its
 * router.
 */
export function accessControl(opts: AccessOptions): MiddlewareHandler {
  const tokens = opts.tokens?.filter((t) => t.length > 0) ?? [];
  const enabled = tokens.length > 0 || opts.basic !== undefined;
  return async (c, next) => {
    if (!enabled || OPEN_PATHS.has(c.req.path) || c.req.path === '/-/reload') return next();
    const header = c.req.header('authorization') ?? '';
    let allowed = false;
    if (header.startsWith('Bearer ')) {
      const given = header.slice(7);
      // Check every token so the time taken does not depend on which one matched.
      for (const t of tokens) allowed = sameSecret(given, t) || allowed;
    } else if (header.startsWith('Basic ') && opts.basic) {
      allowed = basicMatches(header, opts.basic);
    }
    if (allowed) return next();
    c.header(
      'www-authenticate',
      opts.basic ? 'Basic realm="bellwether", charset="UTF-8"' : 'Bearer realm="bellwether"',
    );
    return apiError(c, 401, 'unauthorized', 'credentials are required for this endpoint');
  };
}

/** Reads access settings from the environment: BELLWETHER_API_TOKENS (comma-separated), BELLWETHER_BASIC_AUTH (user:password). */
export function accessFromEnv(env: NodeJS.ProcessEnv): AccessOptions {
  const tokens = (env.BELLWETHER_API_TOKENS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const basicText = env.BELLWETHER_BASIC_AUTH ?? '';
  const colon = basicText.indexOf(':');
  const basic =
    colon > 0
      ? { user: basicText.slice(0, colon), password: basicText.slice(colon + 1) }
      : undefined;
  return { tokens, basic };
}
