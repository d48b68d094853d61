/** @jsxImportSource hono/jsx */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { type DayBar, dailyBars } from '../incidents/availability.js';
import type { Incident, IncidentStore } from '../store/incidents.js';
import {
  DailyBars,
  HISTORY_CSS,
  HISTORY_DAYS,
  RECENT_INCIDENT_DAYS,
  RECENT_INCIDENTS,
  RecentIncidents,
} from './page-history.js';
import {
  type BarRound,
  bannerText,
  barRounds,
  ConsumerCard,
  clockTime,
  type DependencyBody,
  DependencyCard,
  Icon,
  Legend,
  type StatusBody,
  tallyText,
} from './page-parts.js';
import { STATUS_PAGE_CSS } from './page-style.js';
import { statusView, type ViewDeps } from './views.js';

export { ERROR_CLASS_WORDS } from './page-parts.js';

/** Seconds between the page's own refreshes (meta refresh: no JavaScript). */
export const PAGE_REFRESH_SECONDS = 30;

/** Probe rounds the uptime bar shows per dependency. */
const BAR_ROUNDS = 40;

/**
 * The CSP source that allows the page's one inline stylesheet, for a Content-Security-Policy
 * such as `style-src 'self' ${STATUS_PAGE_STYLE_HASH}`. The page has no script at all.
 */
const PAGE_CSS = STATUS_PAGE_CSS + HISTORY_CSS;
export const STATUS_PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

const SEVERITY: Record<string, number> = { down: 0, degraded: 1, unknown: 2, healthy: 3, ok: 3 };
const bySeverity = <T extends { state: string }>(list: readonly T[]): T[] =>
  list
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (SEVERITY[a.item.state] ?? 9) - (SEVERITY[b.item.state] ?? 9) || a.i - b.i)
    .map(({ item }) => item);

const STATUS_WORDS: Record<string, string> = {
  ok: 'Operational',
  degraded: 'Degraded',
  down: 'Outage',
};

const StatusPage: FC<{
  s: StatusBody;
  bars: Map<string, BarRound[]>;
  now: number;
  history?: { incidents: Incident[]; days: Map<string, DayBar[]> };
}> = ({ s, bars, now, history }) => {
  const banner = bannerText(s, now);
  const byId = new Map<string, DependencyBody>(s.dependencies.map((d) => [d.id, d]));
  const tone = s.status === 'ok' ? 'ok' : s.status === 'down' ? 'down' : 'degraded';
  const toolTally = tallyText(
    s.consumers.map((c) =>
      c.state === 'degraded' ? 'on fallback' : c.state === 'ok' ? 'OK' : c.state,
    ),
    ['down', 'on fallback', 'OK'],
  );
  const depTally = tallyText(
    s.dependencies.map((d) => d.state),
    ['down', 'degraded', 'unknown', 'healthy'],
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content={String(PAGE_REFRESH_SECONDS)} />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex" />
        <title>{`${STATUS_WORDS[s.status] ?? s.status} · AI vendor status · Bellwether`}</title>
        <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <div class="wrap">
          <header class="top">
            <h1 class="brand">
              AI vendor status
              <small>Bellwether · the AI services our security tools depend on</small>
            </h1>
            <p class="meta">
              Vantage <strong>{s.vantage}</strong> · updated{' '}
              <time datetime={s.generatedAt}>{clockTime(Date.parse(s.generatedAt), now)}</time> ·
              refreshes every {PAGE_REFRESH_SECONDS} s
            </p>
          </header>
          <main id="main">
            <div class={`banner s-${tone}`} role="status" data-status={s.status}>
              <Icon name={tone === 'ok' ? 'check' : tone === 'down' ? 'cross' : 'warn'} />
              <div>
                <h2>{banner.headline}</h2>
                {banner.lines.length > 0 && (
                  <ul>
                    {banner.lines.map((l) => (
                      <li>
                        <strong>{l.subject}</strong> {l.text}
                      </li>
                    ))}
                  </ul>
                )}
                <ul class="counts">
                  {toolTally && <li>Security tools: {toolTally}</li>}
                  {depTally && <li>AI vendors: {depTally}</li>}
                </ul>
              </div>
            </div>
            <section aria-labelledby="tools-h">
              <h2 id="tools-h">
                Security tools
                <span class="hint">which AI vendor each tool should call now</span>
              </h2>
              {s.consumers.length === 0 ? (
                <p class="empty">No security tools configured (consumers in the config).</p>
              ) : (
                <div class="grid">
                  {bySeverity(s.consumers).map((c) => (
                    <ConsumerCard c={c} byId={byId} now={now} />
                  ))}
                </div>
              )}
            </section>
            <section aria-labelledby="deps-h">
              <h2 id="deps-h">
                AI vendors
                <span class="hint">each dependency as Bellwether probes it</span>
              </h2>
              <Legend />
              {s.dependencies.length === 0 ? (
                <p class="empty">No dependencies configured.</p>
              ) : (
                <div class="grid wide">
                  {bySeverity(s.dependencies).map((d) => (
                    <DependencyCard
                      d={d}
                      rounds={bars.get(d.id) ?? []}
                      slots={BAR_ROUNDS}
                      now={now}
                    />
                  ))}
                </div>
              )}
            </section>
            {history && <RecentIncidents incidents={history.incidents} now={now} />}
            {history && history.days.size > 0 && <DailyBars bars={history.days} />}
          </main>
          <footer>
            <span>Works without JavaScript. Times are UTC.</span>
            <nav aria-label="Machine-readable status">
              <a href="/api/v1/status">Status JSON</a>
              <a href="/api/v1/openapi.json">API description (OpenAPI)</a>
              <a href="/metrics">Prometheus metrics</a>
            </nav>
          </footer>
        </div>
      </body>
    </html>
  );
};

/** GET /: the human status page, server-rendered from the same view as /api/v1/status. */
export function pageRouter(deps: ViewDeps & { incidents?: IncidentStore }): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const s = statusView(deps);
    const now = deps.clock();
    const bars = new Map<string, BarRound[]>();
    for (const d of s.dependencies) {
      const config = deps.monitor.dependency(d.id)?.config;
      const perRound = Math.max(1, config?.checks.length ?? 1);
      // recent() is newest first; history() is oldest first and would cut the newest at its limit.
      const results = deps.store.recent(d.id, BAR_ROUNDS * perRound);
      bars.set(d.id, barRounds(results, config?.degradedLatencyMs ?? Infinity, BAR_ROUNDS));
    }
    const history = deps.incidents && {
      incidents: deps.incidents.incidents({
        sinceMs: now - RECENT_INCIDENT_DAYS * 86_400_000,
        limit: RECENT_INCIDENTS,
      }),
      days: dailyBars(
        deps.incidents,
        s.dependencies.map((d) => d.id),
        now,
        HISTORY_DAYS,
      ),
    };
    c.header('cache-control', 'no-store');
    return c.html(`<!doctype html>${<StatusPage s={s} bars={bars} now={now} history={history} />}`);
  });
  return app;
}
