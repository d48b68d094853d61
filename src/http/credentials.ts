import { timingSafeEqual } from 'node:crypto';

/** True when `given` equals `expected`, compared in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare against itself on a length mismatch so timing does not tell the length apart.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

/** Splits `Authorization` into its scheme (lower-cased: schemes are case-insensitive, RFC 9110 §11.1) and credentials. */
export function authorizationParts(header: string): { scheme: string; credentials: string } {
  const space = header.indexOf(' ');
  if (space < 0) return { scheme: header.toLowerCase(), credentials: '' };
  return {
    scheme: header.slice(0, space).toLowerCase(),
    credentials: header.slice(space + 1).trim(),
  };
}

/** The token of an `Authorization: Bearer <token>` header ('' when there is none). */
export function bearerToken(header: string | undefined): string {
  const { scheme, credentials } = authorizationParts(header ?? '');
  return scheme === 'bearer' ? credentials : '';
}

/** The URL without userinfo, query or fragment, where credentials ride; as written otherwise. */
export function urlWithoutCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  if (
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.search === '' &&
    parsed.hash === ''
  ) {
    return url;
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
