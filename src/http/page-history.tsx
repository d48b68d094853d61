/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { DayBar } from '../incidents/availability.js';
import type { Incident } from '../store/incidents.js';
import {
  Badge,
  clockTime,
  ERROR_CLASS_WORDS,
  plainReason,
  safeUrl,
  spanWords,
  uptimeText,
} from './page-parts.js';

/** Days of history the daily bars show, as Statuspage and OpenStatus do. */
export const HISTORY_DAYS = 90;
/** How far back the page lists incidents, and at most how many. */
export const RECENT_INCIDENT_DAYS = 30;
export const RECENT_INCIDENTS = 10;

/** The history sections' styles, added to the page's one stylesheet. */
export const HISTORY_CSS = `
.days-list { list-style: none; margin: 0; padding: 0; display: grid; gap: .9rem; }
.days-row { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: .75rem 1rem; box-shadow: var(--shadow); min-width: 0; }
.days-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .25rem 1rem; font-size: .9rem; }
.days-head strong { overflow-wrap: anywhere; }
.days-head span { color: var(--muted); }
.days { display: flex; gap: 1px; height: 2rem; align-items: flex-end; margin-top: .45rem; }
.days span { flex: 1 1 0; min-width: 1px; border-radius: 1px; height: 100%; background: var(--ok-bar); }
.days .d-degraded { background: var(--warn-bar); height: 75%; }
.days .d-down { background: repeating-linear-gradient(135deg, var(--down-bar) 0 3px, var(--card) 3px 4.5px); box-shadow: inset 0 0 0 1px var(--down-bar); }
.days .d-none { background: var(--border); height: 3px; }
.days-scale { display: flex; justify-content: space-between; font-size: .75rem; color: var(--muted); margin-top: .2rem; }
.incidents { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
.incident { background: var(--card); border: 1px solid var(--border); border-left: 4px solid var(--line); border-radius: 10px; padding: .75rem 1rem; box-shadow: var(--shadow); min-width: 0; }
.incident-head { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .75rem; }
.incident-head h3 { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
.incident p { margin: .35rem 0 0; font-size: .875rem; overflow-wrap: anywhere; }
.incident .when { color: var(--muted); }
`;

const STATE_WORDS = { down: 'Down', degraded: 'Degraded' } as const;

function dayWords(b: DayBar): string {
  const parts = [
    b.uptime === null ? 'no probes counted' : `${uptimeText(b.uptime)} of probes passed`,
  ];
  if (b.downMinutes > 0) parts.push(`down ${spanWords(b.downMinutes * 60_000)}`);
  if (b.degradedMinutes > 0) parts.push(`degraded ${spanWords(b.degradedMinutes * 60_000)}`);
  return `${b.date}: ${parts.join(' · ')}`;
}

/** Uptime of the whole period: passed over counted, all days together. */
function periodUptime(bars: readonly DayBar[]): number | null {
  const checks = bars.reduce((n, b) => n + b.checks, 0);
  return checks === 0 ? null : bars.reduce((n, b) => n + b.passed, 0) / checks;
}

/** One bar per UTC day and dependency, oldest on the left; a text summary for screen readers. */
export const DailyBars: FC<{ bars: Map<string, DayBar[]> }> = ({ bars }) => (
  <section aria-labelledby="days-h">
    <h2 id="days-h">
      Uptime, last {HISTORY_DAYS} days
      <span class="hint">
        one bar per UTC day: its worst incident and the share of probes that passed
      </span>
    </h2>
    <ul class="days-list">
      {[...bars].map(([id, days]) => {
        const uptime = periodUptime(days);
        const down = days.filter((d) => d.worst === 'down').length;
        const degraded = days.filter((d) => d.worst === 'degraded').length;
        const label = `${id}, last ${days.length} days: ${down} with an outage, ${degraded} degraded, ${uptimeText(uptime)} of probes passed`;
        return (
          <li class="days-row" data-history={id}>
            <div class="days-head">
              <strong>{id}</strong>
              <span>{uptime === null ? 'no data yet' : `${uptimeText(uptime)} uptime`}</span>
            </div>
            <div class="days" role="img" aria-label={label} data-days={days.length}>
              {days.map((d) => (
                <span
                  class={d.worst ? `d-${d.worst}` : d.uptime === null ? 'd-none' : 'd-ok'}
                  title={dayWords(d)}
                  data-date={d.date}
                />
              ))}
            </div>
            <div class="days-scale" aria-hidden="true">
              <span>{days.length} days ago</span>
              <span>today</span>
            </div>
          </li>
        );
      })}
    </ul>
  </section>
);

/** The recent incidents, newest first: what, how bad, how long, why, and the vendor's word. */
export const RecentIncidents: FC<{ incidents: Incident[]; now: number }> = ({ incidents, now }) => (
  <section aria-labelledby="incidents-h">
    <h2 id="incidents-h">
      Recent incidents
      <span class="hint">last {RECENT_INCIDENT_DAYS} days, newest first</span>
    </h2>
    {incidents.length === 0 ? (
      <p class="empty">No incidents in the last {RECENT_INCIDENT_DAYS} days.</p>
    ) : (
      <ol class="incidents">
        {incidents.map((i) => {
          const link = safeUrl(i.vendorIncident?.url);
          const classes = i.errorClasses.map((c) => ERROR_CLASS_WORDS[c] ?? c);
          const cause = plainReason(i.cause);
          return (
            <li class={`incident s-${i.worst}`} data-incident={i.id}>
              <div class="incident-head">
                <h3>{i.dependency}</h3>
                <Badge tone={i.worst} label={STATE_WORDS[i.worst]} />
                <span class={i.endedAt === undefined ? 'fail-text' : 'muted'}>
                  {i.endedAt === undefined ? 'Ongoing' : 'Resolved'}
                </span>
              </div>
              <p class="when">
                {`Started ${clockTime(i.startedAt, now)}, `}
                {i.endedAt === undefined
                  ? `${spanWords(now - i.startedAt)} so far`
                  : `lasted ${spanWords(i.endedAt - i.startedAt)}`}
                {` · seen from ${i.vantage}`}
              </p>
              {classes.length > 0 && <p>Failures: {classes.join(', ')}</p>}
              <p title={cause.length > 180 ? cause : undefined}>
                {cause.length > 180 ? `${cause.slice(0, 177)}…` : cause}
              </p>
              {i.vendorIncident && (
                <p>
                  Vendor incident:{' '}
                  {link ? <a href={link}>{i.vendorIncident.name}</a> : i.vendorIncident.name}
                </p>
              )}
            </li>
          );
        })}
      </ol>
    )}
  </section>
);
