import type { StatusPageConfig } from '../config/types.js';
import { type HttpClient, HttpClientError, type HttpResponse } from '../transport/http-client.js';
import { displayUrl, type FetchPlan, parseStatusBody, planFetch } from './detect.js';
import { DEFAULT_RECENCY_MS } from './feed.js';
import type { ParsedStatus, VendorStatus } from './types.js';

/** The logging the poller does; a pino Logger fits. */
export interface StatusPageLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options for {@link createStatusPagePoller}. */
export interface StatusPagePollerOptions {
  /** Vendor names must be unique. */
  pages: readonly StatusPageConfig[];
  http: HttpClient;
  /** Time between the end of one poll and the start of the next (default 60 s). */
  intervalMs?: number;
  /** Per-fetch timeout, headers and body (default 10 s). */
  timeoutMs?: number;
  /** Feeds: how recent an unresolved item must be to count as active (default 24 h). */
  recencyMs?: number;
  /** Larger bodies are an error (default 2 MiB). */
  maxBodyBytes?: number;
  /** Epoch milliseconds. */
  clock: () => number;
  logger: StatusPageLogger;
  /** Called for every page after every poll (also when nothing changed); errors are logged. */
  onUpdate: (status: VendorStatus) => void;
}

/** A running status-page poller. */
export interface StatusPagePoller {
  /** Polls now, then every intervalMs. Idempotent. */
  start(): void;
  /** Clears the timer and aborts fetches in flight (their results are dropped). */
  stop(): void;
  /** Polls every page now, or joins the poll already running; resolves in page order. */
  pollNow(): Promise<VendorStatus[]>;
  current(vendor: string): VendorStatus | undefined;
}

export const DEFAULT_STATUS_INTERVAL_MS = 60_000;
export const DEFAULT_STATUS_TIMEOUT_MS = 10_000;
export const DEFAULT_STATUS_MAX_BODY_BYTES = 2 * 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

const ACCEPT =
  'application/json, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

interface PageState {
  config: StatusPageConfig;
  plan: FetchPlan | undefined;
  planError: string | undefined;
  shownUrl: string;
  current: VendorStatus | undefined;
  lastGood: VendorStatus | undefined;
  /** The failure class last logged, undefined while healthy: warnings go out on change only. */
  failure: string | undefined;
  /** Unmatched component names last warned about. */
  unmatchedLogged: string;
}

interface Failure {
  /** Stable class for "state change" logging, e.g. http_500, timeout, parse. */
  kind: string;
  message: string;
}

/**
 * Polls vendor status pages (Statuspage/incident.io `summary.json`, RSS, Atom) on one timer for
 * all pages, never two polls at once. A page that cannot be fetched or read is reported with
 * `ok: false` and its error, keeps its last good data marked `stale`, and is logged at warn
 * once per change of failure, not every poll. Nothing a page serves can crash the poller.
 */
export function createStatusPagePoller(opts: StatusPagePollerOptions): StatusPagePoller {
  const intervalMs =
    opts.intervalMs !== undefined && opts.intervalMs > 0
      ? opts.intervalMs
      : DEFAULT_STATUS_INTERVAL_MS;
  const timeoutMs =
    opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULT_STATUS_TIMEOUT_MS;
  const recencyMs = opts.recencyMs ?? DEFAULT_RECENCY_MS;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_STATUS_MAX_BODY_BYTES;
  const { http, clock, logger } = opts;

  const pages = new Map<string, PageState>();
  for (const config of opts.pages) {
    if (pages.has(config.vendor)) {
      throw new Error(
        `statusPages: vendor "${config.vendor}" is listed twice; vendor names must be unique`,
      );
    }
    let plan: FetchPlan | undefined;
    let planError: string | undefined;
    try {
      plan = planFetch(config.url);
    } catch (err) {
      planError = `invalid status page URL: ${(err as Error).message.slice(0, 100)}`;
    }
    pages.set(config.vendor, {
      config,
      plan,
      planError,
      shownUrl: displayUrl(plan?.url ?? config.url),
      current: undefined,
      lastGood: undefined,
      failure: undefined,
      unmatchedLogged: '',
    });
  }

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<VendorStatus[]> | undefined;
  let pollAbort: AbortController | undefined;
  // Bumped by stop(): a poll that started before it must not report afterwards.
  let generation = 0;

  /**
   * GET, following up to MAX_REDIRECTS redirects on the page's own host only: a status page
   * that sends us elsewhere (another host, or https down to http) is a failure naming where,
   * so the operator can configure that URL on purpose (status.anthropic.com moved to
   * status.claude.com this way).
   */
  async function getFollowingSameHost(
    url: string,
    signal: AbortSignal,
  ): Promise<HttpResponse | { failure: Failure }> {
    let current = new URL(url);
    for (let hops = 0; ; hops++) {
      const res = await http.request({
        method: 'GET',
        url: current.href,
        headers: { accept: ACCEPT },
        signal,
      });
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(res.status) || location === undefined) return res;
      res.discard();
      const from = current.host;
      let next: URL | undefined;
      try {
        next = new URL(location, current);
      } catch {
        next = undefined;
      }
      if (next === undefined || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
        return {
          failure: { kind: 'redirect', message: `${from} redirected to an invalid location` },
        };
      }
      if (
        next.host !== current.host ||
        (current.protocol === 'https:' && next.protocol === 'http:')
      ) {
        return {
          failure: {
            kind: 'redirect',
            message: `${from} redirected to ${next.protocol}//${next.host}, another host or a downgrade: not followed; configure that URL if it is the vendor's page`,
          },
        };
      }
      if (hops >= MAX_REDIRECTS) {
        return {
          failure: {
            kind: 'redirect',
            message: `${from}: too many redirects (more than ${MAX_REDIRECTS})`,
          },
        };
      }
      current = next;
    }
  }

  async function fetchPage(
    page: PageState,
    plan: FetchPlan,
    stopSignal: AbortSignal,
  ): Promise<{ parsed: ParsedStatus } | { failure: Failure }> {
    const host = new URL(plan.url).host;
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    stopSignal.addEventListener('abort', abort, { once: true });
    const timeout = setTimeout(abort, timeoutMs);
    try {
      const res = await getFollowingSameHost(plan.url, controller.signal);
      if ('failure' in res) return res;
      if (res.status < 200 || res.status >= 300) {
        res.discard();
        const hint =
          res.status === 404 && plan.expect === 'summary'
            ? ': this page may have no Statuspage-style summary; configure its RSS/Atom feed URL instead'
            : '';
        return {
          failure: {
            kind: `http_${res.status}`,
            message: `HTTP ${res.status} from ${host}${hint}`,
          },
        };
      }
      const body = await res.text(maxBodyBytes);
      const parsed = parseStatusBody(body, res.headers['content-type'], {
        components: page.config.components ?? [],
        now: clock(),
        recencyMs,
      });
      if (!parsed.ok) {
        return {
          failure: { kind: 'parse', message: `unreadable answer from ${host}: ${parsed.error}` },
        };
      }
      return { parsed: parsed.status };
    } catch (err) {
      if (err instanceof HttpClientError) {
        if (err.kind === 'timeout') {
          return {
            failure: {
              kind: 'timeout',
              message: `no complete answer from ${host} within ${timeoutMs} ms`,
            },
          };
        }
        if (err.kind === 'body_too_large') {
          return {
            failure: {
              kind: 'too_large',
              message: `answer from ${host} is larger than ${maxBodyBytes} bytes`,
            },
          };
        }
        return { failure: { kind: err.kind, message: err.message.slice(0, 300) } };
      }
      // The transport promises HttpClientError; anything else is a bug worth seeing, not a crash.
      return {
        failure: {
          kind: 'internal',
          message: `status poll of ${host} failed: ${String(err).slice(0, 200)}`,
        },
      };
    } finally {
      clearTimeout(timeout);
      stopSignal.removeEventListener('abort', abort);
    }
  }

  function succeed(page: PageState, parsed: ParsedStatus, now: number): VendorStatus {
    const status: VendorStatus = {
      vendor: page.config.vendor,
      url: page.shownUrl,
      fetchedAt: now,
      ok: true,
      stale: false,
      lastSuccessAt: now,
      ...parsed,
    };
    if (page.failure !== undefined) {
      logger.info({ vendor: status.vendor, url: status.url }, 'status page readable again');
      page.failure = undefined;
    }
    const unmatched = status.unmatchedComponents.join('\n');
    if (unmatched !== page.unmatchedLogged) {
      if (unmatched !== '') {
        logger.warn(
          { vendor: status.vendor, components: status.unmatchedComponents },
          'configured components not found on the status page (reported as unknown)',
        );
      }
      page.unmatchedLogged = unmatched;
    }
    const before = page.lastGood;
    const names = (s: VendorStatus | undefined): string =>
      (s?.incidents ?? []).map((i) => `${i.name}|${i.status}`).join('\n');
    if (
      before === undefined
        ? status.incidents.length > 0 || status.indicator !== 'none'
        : before.indicator !== status.indicator || names(before) !== names(status)
    ) {
      logger.info(
        {
          vendor: status.vendor,
          indicator: status.indicator,
          incidents: status.incidents.map((i) => `${i.name} (${i.status})`),
        },
        'vendor status changed',
      );
    }
    page.lastGood = status;
    return status;
  }

  function unknownStatus(page: PageState, now: number, error: string): VendorStatus {
    return {
      vendor: page.config.vendor,
      source: page.plan?.guessedSource ?? 'statuspage',
      url: page.shownUrl,
      fetchedAt: now,
      ok: false,
      error,
      stale: false,
      indicator: 'unknown',
      components: (page.config.components ?? []).map((name) => ({ name, status: 'unknown' })),
      incidents: [],
      maintenance: [],
      unmatchedComponents: [],
    };
  }

  function fail(page: PageState, failure: Failure, now: number): VendorStatus {
    const good = page.lastGood;
    const status: VendorStatus =
      good === undefined
        ? unknownStatus(page, now, failure.message)
        : { ...good, fetchedAt: now, ok: false, error: failure.message, stale: true };
    if (page.failure !== failure.kind) {
      logger.warn(
        {
          vendor: status.vendor,
          url: status.url,
          error: failure.message,
          keptStaleData: good !== undefined,
        },
        'status page unreachable or unreadable',
      );
      page.failure = failure.kind;
    } else {
      logger.debug({ vendor: status.vendor, error: failure.message }, 'status page still failing');
    }
    return status;
  }

  async function pollPage(
    page: PageState,
    stopSignal: AbortSignal,
    gen: number,
  ): Promise<VendorStatus> {
    const outcome =
      page.plan === undefined
        ? { failure: { kind: 'config', message: page.planError ?? 'invalid status page URL' } }
        : await fetchPage(page, page.plan, stopSignal);
    const now = clock();
    if (gen !== generation) {
      // Stopped meanwhile: report nothing, change nothing.
      return page.current ?? unknownStatus(page, now, 'poller stopped');
    }
    const status =
      'parsed' in outcome ? succeed(page, outcome.parsed, now) : fail(page, outcome.failure, now);
    page.current = status;
    try {
      opts.onUpdate(status);
    } catch (err) {
      logger.warn(
        { vendor: status.vendor, err: String(err).slice(0, 200) },
        'status update handler failed',
      );
    }
    return status;
  }

  function pollNow(): Promise<VendorStatus[]> {
    if (inFlight !== undefined) return inFlight;
    const controller = new AbortController();
    pollAbort = controller;
    const gen = generation;
    const run = Promise.all([...pages.values()].map((p) => pollPage(p, controller.signal, gen)));
    const tracked = run.finally(() => {
      if (inFlight === tracked) inFlight = undefined;
      if (pollAbort === controller) pollAbort = undefined;
    });
    inFlight = tracked;
    return tracked;
  }

  function tick(): void {
    timer = undefined;
    if (!running) return;
    const gen = generation;
    pollNow()
      .catch((err: unknown) => {
        logger.warn({ err: String(err).slice(0, 200) }, 'status page poll failed');
      })
      .finally(() => {
        if (running && gen === generation && timer === undefined) {
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        }
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      if (pages.size === 0) return;
      tick();
    },
    stop() {
      running = false;
      generation += 1;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pollAbort?.abort();
      pollAbort = undefined;
      inFlight = undefined;
    },
    pollNow,
    current(vendor) {
      return pages.get(vendor)?.current;
    },
  };
}
