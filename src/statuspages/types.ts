/** Page indicator: Statuspage's four values, incident.io's `maintenance`, and `unknown`. */
export const STATUS_INDICATORS = [
  'none',
  'minor',
  'major',
  'critical',
  'maintenance',
  'unknown',
] as const;
export type StatusIndicator = (typeof STATUS_INDICATORS)[number];

/** Component status: Statuspage's five values and `unknown` (one-hot in `bellwether_vendor_status`). */
export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
  'unknown',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** Which kind of document the status came from. */
export type StatusSource = 'statuspage' | 'incident.io' | 'rss' | 'atom';

/** A vendor component, or a configured name the page did not list (status `unknown`). */
export interface StatusComponent {
  name: string;
  status: ComponentStatus;
  /** Name of the Statuspage component group it belongs to. */
  group?: string;
}

/** An active (unresolved) vendor incident. */
export interface StatusIncident {
  name: string;
  /** Vendor's word, lower case: investigating, identified, monitoring, … (feeds: `active` if none). */
  status: string;
  /** Vendor's impact word (none|minor|major|critical, incident.io's), or guessed from a feed item. */
  impact?: string;
  url?: string;
  /** ISO 8601. */
  startedAt?: string;
  /** ISO 8601, latest update. */
  updatedAt?: string;
  /** Affected component names (feeds: the configured names the item mentions). */
  components: string[];
}

/** A scheduled or running maintenance that has not completed. */
export interface StatusMaintenance {
  name: string;
  /** Vendor's word, lower case: scheduled, in_progress, verifying, maintenance_in_progress, … */
  status: string;
  /** Running now (in progress or verifying), as opposed to announced. */
  inProgress: boolean;
  /** ISO 8601. */
  scheduledFor?: string;
  /** ISO 8601. */
  scheduledUntil?: string;
  url?: string;
  components: string[];
}

/** What a parser read from one document, already filtered to the configured components. */
export interface ParsedStatus {
  source: StatusSource;
  indicator: StatusIndicator;
  /** The page's own words, e.g. "All Systems Operational" (summaries only). */
  description?: string;
  components: StatusComponent[];
  incidents: StatusIncident[];
  maintenance: StatusMaintenance[];
  /** Configured component names that matched nothing on the page (typo, renamed component). */
  unmatchedComponents: string[];
}

/** A parser's answer: parsers never throw on bad input. */
export type ParseResult = { ok: true; status: ParsedStatus } | { ok: false; error: string };

/** What a parser needs besides the body. */
export interface ParseOptions {
  /** Keep only these components (case-insensitive substring of the name or its group). */
  components?: readonly string[];
  /** Feeds: epoch ms "now" for the recency window. */
  now?: number;
  /** Feeds: items older than this (ms) are history, not active (default 24 h). */
  recencyMs?: number;
}

/**
 * One vendor's status as the poller last saw it. When a fetch fails, `ok` is false with the
 * error, and the last good data is kept with `stale: true`.
 */
export interface VendorStatus extends ParsedStatus {
  vendor: string;
  /** The URL fetched, without credentials or query string. */
  url: string;
  /** Epoch ms of this poll. */
  fetchedAt: number;
  /** This poll fetched and parsed the page. */
  ok: boolean;
  /** Why it did not (names the host, never credentials). */
  error?: string;
  /** The data below is from an earlier poll (this one failed). */
  stale: boolean;
  /** Epoch ms of the last poll that succeeded. */
  lastSuccessAt?: number;
}
