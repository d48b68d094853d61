import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  cleanText,
  httpUrl,
  indicatorOfImpact,
  isObj,
  isoTime,
  matchingNames,
  wantedComponents,
  worstComponentStatus,
  worstIndicator,
} from './normalise.js';
import type {
  ComponentStatus,
  ParseOptions,
  ParseResult,
  StatusComponent,
  StatusIncident,
  StatusIndicator,
  StatusMaintenance,
} from './types.js';

/** Feed items older than this are history, not active incidents (by pubDate/updated). */
export const DEFAULT_RECENCY_MS = 24 * 3_600_000;

interface FeedItem {
  title: string;
  /** Description/summary/content, HTML as published. */
  text: string;
  categories: string[];
  link?: string;
  /** Epoch ms, when the item has a parseable date. */
  at?: number;
}

const ARRAY_TAGS = new Set(['item', 'entry', 'category', 'link']);

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The text of an element that may carry attributes or CDATA. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length > 0 ? textOf(v[0]) : '';
  if (isObj(v)) return textOf(v['#text']);
  return '';
}

const stripTags = (html: string): string =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Statuspage (and look-alike) feeds write each update as `<strong>Resolved</strong> - …`,
 * newest first: the first such word is the incident's current state.
 */
const LATEST_STATE = /<strong>\s*([A-Za-z][A-Za-z ]{1,30}?)\s*<\/strong>/;
const STATE_WORDS = new Set([
  'investigating',
  'identified',
  'monitoring',
  'update',
  'resolved',
  'postmortem',
  'scheduled',
  'in progress',
  'verifying',
  'completed',
]);

// Prefixes vendors put before an incident's name ("Informational message: …",
// "[RESOLVED] …", "RESOLVED: …"); dropping them lets updates of one incident group together.
const TITLE_PREFIX =
  /^\s*(?:\[[^\]]{1,40}\]|(?:resolved|update|updated|investigating|identified|monitoring|mitigated|informational message|service disruption|service impact|performance issues|service is operating normally|degraded performance|outage|new incident|active incident)\s*[:\-–—|]\s*)/i;

/** The incident name without status prefixes, for grouping updates of one incident. */
export function incidentKey(title: string): string {
  let key = title.trim();
  for (let i = 0; i < 5; i++) {
    const next = key.replace(TITLE_PREFIX, '');
    if (next === key) break;
    key = next;
  }
  return key.toLowerCase().replace(/\s+/g, ' ').trim();
}

const RESOLVED_IN_TITLE = [/\bresolved\b/i, /\boperating normally\b/i, /^\s*mitigated\b/i];
// Prose may say "will be resolved" or "unresolved": only these phrasings mean it is over.
const RESOLVED_IN_TEXT = [
  /^\W*resolved\b/i,
  /\[resolved\]/i,
  /\b(?:has|have|is|was|were|are)\s+(?:now\s+)?(?:been\s+)?(?:fully\s+)?resolved\b/i,
  /\bstatus:?\s*resolved\b/i,
  /\boperating normally\b/i,
];

/** The current state word of a Statuspage-style item (`resolved`, `in progress`, …), if any. */
export function latestStateWord(html: string): string | undefined {
  const m = LATEST_STATE.exec(html);
  const w = m?.[1]?.trim().toLowerCase();
  return w !== undefined && STATE_WORDS.has(w) ? w : undefined;
}

/** Whether a feed item reads as over: resolved, completed, "operating normally". */
export function looksResolved(title: string, html: string): boolean {
  const state = latestStateWord(html);
  if (state !== undefined)
    return state === 'resolved' || state === 'completed' || state === 'postmortem';
  if (RESOLVED_IN_TITLE.some((re) => re.test(title))) return true;
  const text = stripTags(html);
  return RESOLVED_IN_TEXT.some((re) => re.test(text));
}

function isMaintenance(title: string, html: string): { maintenance: boolean; inProgress: boolean } {
  const state = latestStateWord(html);
  if (state === 'scheduled') return { maintenance: true, inProgress: false };
  if (state === 'in progress' || state === 'verifying')
    return { maintenance: true, inProgress: true };
  const m = /\bmaintenance\b/i.test(title);
  return { maintenance: m, inProgress: m && /\b(?:in progress|underway|ongoing)\b/i.test(title) };
}

/** A feed has no impact field: guess it from the words, erring towards minor. */
function guessImpact(title: string, text: string): 'major' | 'minor' {
  const words = `${title} ${stripTags(text).slice(0, 500)}`;
  return /\b(?:service disruption|outage|unavailable|down)\b/i.test(words) ? 'major' : 'minor';
}

function stateOf(title: string, html: string): string {
  const state = latestStateWord(html);
  if (state !== undefined) return state.replace(/ /g, '_');
  const prefix = /^\s*([A-Za-z][A-Za-z ]{2,40}?)\s*:/.exec(title)?.[1]?.toLowerCase();
  return prefix ?? 'active';
}

/**
 * Parses an RSS 2.0 (or RSS 1.0) or Atom feed: items within `opts.recencyMs` (default 24 h)
 * that do not read as resolved are active incidents; updates of one incident (same title
 * without prefixes such as "[RESOLVED]") count once, by their newest item. With
 * `opts.components`, only items that mention one (title, summary or category,
 * case-insensitive) count. Feeds carry no component statuses: each configured component is
 * `operational` unless an active item mentions it. Never throws.
 */
export function parseFeed(xml: string, opts: ParseOptions = {}): ParseResult {
  const now = opts.now ?? Date.now();
  const recencyMs = opts.recencyMs ?? DEFAULT_RECENCY_MS;
  const read = readFeed(xml);
  if (!read.ok) return read;
  const { source, items } = read;

  const wanted = wantedComponents(opts);
  const filtering = wanted.length > 0;

  const groups = new Map<string, FeedItem[]>();
  for (const item of items) {
    const key = incidentKey(item.title) || item.link || item.title;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }

  const incidents: StatusIncident[] = [];
  const maintenance: StatusMaintenance[] = [];
  const statusOf = new Map<string, ComponentStatus>(wanted.map((w) => [w, 'operational']));
  let worst: StatusIndicator = 'none';

  for (const group of groups.values()) {
    // Undated items sort last: a dated update decides when there is one.
    group.sort((a, b) => (b.at ?? Number.NEGATIVE_INFINITY) - (a.at ?? Number.NEGATIVE_INFINITY));
    const newest = group[0] as FeedItem;
    const names = filtering
      ? [
          ...new Set(
            group.flatMap((i) =>
              matchingNames(wanted, i.title, stripTags(i.text), ...i.categories),
            ),
          ),
        ]
      : [...new Set(group.flatMap((i) => i.categories))];
    if (filtering && names.length === 0) continue;
    if (looksResolved(newest.title, newest.text)) continue;
    // An undated item is taken as current: feeds that do not date items list only current ones.
    if (newest.at !== undefined && newest.at < now - recencyMs) continue;
    const dates = group.map((i) => i.at).filter((t): t is number => t !== undefined);
    const startedAt = dates.length > 0 ? isoTime(Math.min(...dates)) : undefined;
    const updatedAt = newest.at !== undefined ? isoTime(newest.at) : undefined;
    const kind = isMaintenance(newest.title, newest.text);
    const name = cleanText(newest.title) ?? 'untitled item';

    if (kind.maintenance) {
      const item: StatusMaintenance = {
        name,
        status: stateOf(newest.title, newest.text),
        inProgress: kind.inProgress,
        components: names,
      };
      if (newest.link !== undefined) item.url = newest.link;
      maintenance.push(item);
      if (kind.inProgress) {
        worst = worstIndicator(worst, 'maintenance');
        for (const n of names) {
          statusOf.set(
            n,
            worstComponentStatus(statusOf.get(n) ?? 'operational', 'under_maintenance'),
          );
        }
      }
      continue;
    }

    const impact = guessImpact(newest.title, newest.text);
    const incident: StatusIncident = {
      name,
      status: stateOf(newest.title, newest.text),
      impact,
      components: names,
    };
    if (newest.link !== undefined) incident.url = newest.link;
    if (startedAt !== undefined) incident.startedAt = startedAt;
    if (updatedAt !== undefined) incident.updatedAt = updatedAt;
    incidents.push(incident);
    worst = worstIndicator(worst, indicatorOfImpact(impact));
    const componentStatus: ComponentStatus =
      impact === 'major' ? 'partial_outage' : 'degraded_performance';
    for (const n of names) {
      statusOf.set(n, worstComponentStatus(statusOf.get(n) ?? 'operational', componentStatus));
    }
  }

  const components: StatusComponent[] = wanted.map((name) => ({
    name,
    status: statusOf.get(name) ?? 'operational',
  }));
  return {
    ok: true,
    status: {
      source,
      indicator: worst,
      components,
      incidents,
      maintenance,
      // A feed lists incidents, not components: a quiet feed mentions none, which is normal.
      unmatchedComponents: [],
    },
  };
}

type ReadResult =
  | { ok: true; source: 'rss' | 'atom'; items: FeedItem[] }
  | { ok: false; error: string };

function readFeed(xml: string): ReadResult {
  const trimmed = xml.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return { ok: false, error: 'empty feed' };
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) {
    return {
      ok: false,
      error: `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg.slice(0, 120)}`,
    };
  }
  let doc: unknown;
  try {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      parseTagValue: false,
      removeNSPrefix: true,
      isArray: (name) => ARRAY_TAGS.has(name),
    });
    doc = parser.parse(trimmed);
  } catch (err) {
    return { ok: false, error: `unreadable XML: ${(err as Error).message.slice(0, 120)}` };
  }
  if (!isObj(doc)) return { ok: false, error: 'not an RSS or Atom feed' };

  if (isObj(doc.rss)) {
    const channel = list(doc.rss.channel)[0];
    return {
      ok: true,
      source: 'rss',
      items: list(isObj(channel) ? channel.item : []).map(rssItem),
    };
  }
  if (isObj(doc.RDF)) {
    return { ok: true, source: 'rss', items: list(doc.RDF.item).map(rssItem) };
  }
  if (isObj(doc.feed)) {
    return { ok: true, source: 'atom', items: list(doc.feed.entry).map(atomEntry) };
  }
  // An empty <feed/> or <rss/> parses to an empty string.
  if (doc.feed === '') return { ok: true, source: 'atom', items: [] };
  if (doc.rss === '') return { ok: true, source: 'rss', items: [] };
  const root = Object.keys(doc).find((k) => k !== '?xml');
  if (root?.toLowerCase() === 'html') {
    return { ok: false, error: 'an HTML page, not a feed' };
  }
  return { ok: false, error: `not an RSS or Atom feed (root element <${root ?? 'none'}>)` };
}

function dateOf(...values: unknown[]): number | undefined {
  for (const v of values) {
    const ms = Date.parse(textOf(v).trim());
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

function rssItem(raw: unknown): FeedItem {
  const item = isObj(raw) ? raw : {};
  const guid = item.guid;
  const guidIsLink = !isObj(guid) || guid['@_isPermaLink'] !== 'false';
  const out: FeedItem = {
    title: textOf(item.title).trim(),
    text: textOf(item.description) || textOf(item.encoded),
    categories: list(item.category)
      .map((c) => textOf(c).trim())
      .filter((c) => c !== ''),
  };
  const link = httpUrl(textOf(item.link)) ?? (guidIsLink ? httpUrl(textOf(guid)) : undefined);
  if (link !== undefined) out.link = link;
  const at = dateOf(item.pubDate, item.date, item.updated);
  if (at !== undefined) out.at = at;
  return out;
}

function atomEntry(raw: unknown): FeedItem {
  const entry = isObj(raw) ? raw : {};
  const links = list(entry.link).filter(isObj);
  const alternate =
    links.find((l) => l['@_rel'] === undefined || l['@_rel'] === 'alternate') ?? links[0];
  const out: FeedItem = {
    title: textOf(entry.title).trim(),
    text: textOf(entry.content) || textOf(entry.summary),
    categories: list(entry.category)
      .map((c) => (isObj(c) ? textOf(c['@_term'] ?? c['@_label']) : textOf(c)).trim())
      .filter((c) => c !== ''),
  };
  const link = httpUrl(alternate?.['@_href']);
  if (link !== undefined) out.link = link;
  const at = dateOf(entry.updated, entry.published);
  if (at !== undefined) out.at = at;
  return out;
}
