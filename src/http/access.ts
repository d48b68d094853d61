import type { MiddlewareHandler } from 'hono';
import { authorizationParts, sameSecret } from './credentials.js';
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

function basicMatches(credentials: string, basic: { user: string; password: string }): boolean {
  let decoded: string;
  try {
    decoded = Buffer.from(credentials, 'base64').toString('utf8');
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
    const { scheme, credentials } = authorizationParts(c.req.header('authorization') ?? '');
    let allowed = false;
    if (scheme === 'bearer' && credentials !== '') {
      // Check every token so the time taken does not depend on which one matched.
      for (const t of tokens) allowed = sameSecret(credentials, t) || allowed;
    } else if (scheme === 'basic' && opts.basic) {
      allowed = basicMatches(credentials, opts.basic);
    }
    if (allowed) return next();
    c.header(
      'www-authenticate',
      opts.basic ? 'Basic realm="bellwether", charset="UTF-8"' : 'Bearer realm="bellwether"',
    );
    return apiError(c, 401, 'unauthorized', 'credentials are required for this endpoint');
  };
}

/** Open connections the HTTP server accepts by default (Prometheus's `--web.max-connections` is 512). */
export const DEFAULT_MAX_CONNECTIONS = 512;
const MAX_CONNECTIONS_LIMIT = 1_000_000;

/** Access and connection settings read from the environment, or why they are unusable. */
export type EnvAccess =
  | { ok: true; access: AccessOptions; maxConnections: number }
  | { ok: false; errors: string[] };

/**
 * Reads BELLWETHER_API_TOKENS (comma-separated bearer tokens), BELLWETHER_BASIC_AUTH
 * (`user:password`) and BELLWETHER_MAX_CONNECTIONS. An unset or empty variable means "not
 * set"; a value that is set but yields no usable credential is an error, never open access.
 */
export function accessFromEnv(env: NodeJS.ProcessEnv): EnvAccess {
  const errors: string[] = [];
  const tokensText = env.BELLWETHER_API_TOKENS ?? '';
  const tokens = tokensText
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokensText !== '' && tokens.length === 0) {
    errors.push(
      'BELLWETHER_API_TOKENS is set but holds no token (expected comma-separated tokens); unset it to leave the API open',
    );
  }
  const basicText = env.BELLWETHER_BASIC_AUTH ?? '';
  let basic: AccessOptions['basic'];
  if (basicText !== '') {
    const colon = basicText.indexOf(':');
    const user = colon < 0 ? '' : basicText.slice(0, colon);
    const password = colon < 0 ? '' : basicText.slice(colon + 1);
    if (colon < 0) {
      errors.push('BELLWETHER_BASIC_AUTH must be user:password, got no ":"');
    } else if (user === '' || password === '') {
      errors.push(
        `BELLWETHER_BASIC_AUTH must be user:password with both parts non-empty, got an empty ${user === '' ? 'user' : 'password'}`,
      );
    } else {
      basic = { user, password };
    }
  }
  const capText = (env.BELLWETHER_MAX_CONNECTIONS ?? '').trim();
  const cap = capText === '' ? DEFAULT_MAX_CONNECTIONS : Number(capText);
  if (
    !/^\d{0,7}$/.test(capText) ||
    !Number.isInteger(cap) ||
    cap < 1 ||
    cap > MAX_CONNECTIONS_LIMIT
  ) {
    errors.push(
      `BELLWETHER_MAX_CONNECTIONS must be an integer from 1 to ${MAX_CONNECTIONS_LIMIT}, got "${capText.slice(0, 32)}"`,
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, access: { tokens, basic }, maxConnections: cap };
}
