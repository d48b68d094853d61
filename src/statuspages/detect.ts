import { parseFeed } from './feed.js';
import { parseSummary } from './summary.js';
import type { ParseOptions, ParseResult, StatusSource } from './types.js';

/** What a configured status page URL is expected to serve. */
export type PageKind = 'summary' | 'feed' | 'auto';

/** The URL to fetch for a configured page, and what it should hold. */
export interface FetchPlan {
  url: string;
  expect: PageKind;
  /** The source reported before anything was parsed (a guess from the URL). */
  guessedSource: StatusSource;
}

const FEED_PATH = /(?:\.(?:rss|xml|atom)$)|(?:(?:^|\/)(?:feed|feeds|rss|atom)(?:\/|$))/i;
const HAS_EXTENSION = /\/[^/]*\.[a-z0-9]{1,8}$/i;

/**
 * Decides what to fetch: a bare page (`https://status.openai.com`, or an incident.io page
 * with a path such as `https://status.example.com/acme`) → its `/api/v2/summary.json`;
 * `…json` → a summary; `…rss`, `…xml`, `…atom` or a `/feed/` path → a feed; anything else
 * is fetched as given and recognised by its body. Throws on an invalid URL.
 */
export function planFetch(pageUrl: string): FetchPlan {
  const url = new URL(pageUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported protocol ${url.protocol}`);
  }
  const path = url.pathname;
  if (/\.json$/i.test(path))
    return { url: url.toString(), expect: 'summary', guessedSource: 'statuspage' };
  if (FEED_PATH.test(path)) {
    return {
      url: url.toString(),
      expect: 'feed',
      guessedSource: /atom/i.test(path) ? 'atom' : 'rss',
    };
  }
  if (HAS_EXTENSION.test(path))
    return { url: url.toString(), expect: 'auto', guessedSource: 'statuspage' };
  const base = path.replace(/\/+$/, '');
  const summary = new URL(url.toString());
  summary.pathname = `${base}/api/v2/summary.json`;
  summary.search = '';
  summary.hash = '';
  return { url: summary.toString(), expect: 'summary', guessedSource: 'statuspage' };
}

/** A URL safe to show: no credentials, no query string or fragment. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Parses a fetched body as a summary or a feed. The body decides (`{` → JSON, `<` → XML),
 * because servers mislabel feeds (RSS as text/html, JSON as text/plain); the content type
 * only shapes the error message.
 */
export function parseStatusBody(
  body: string,
  contentType: string | undefined,
  opts: ParseOptions = {},
): ParseResult {
  const text = body.replace(/^\uFEFF/, '').trimStart();
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() || 'no content type';
  if (text === '') return { ok: false, error: `empty body (${type})` };
  const first = text[0];
  if (first === '{' || first === '[') return parseSummary(text, opts);
  if (first === '<') {
    if (/^<!doctype\s+html|^<html[\s>]/i.test(text)) {
      return {
        ok: false,
        error: `got an HTML page (${type}), not a status summary or feed: point the URL at /api/v2/summary.json or the page's RSS/Atom feed`,
      };
    }
    return parseFeed(text, opts);
  }
  return { ok: false, error: `neither JSON nor XML (${type})` };
}
