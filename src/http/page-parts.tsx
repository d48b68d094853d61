/** @jsxImportSource hono/jsx */

import type { FC } from 'hono/jsx';
import { isFailure, resultVerdict, roundVerdict } from '../evaluate/verdict.js';
import type { StoredResult } from '../store/sqlite-store.js';
import { vendorDisplayName } from '../vendors/registry.js';
import type { statusView } from './views.js';

/** The /api/v1/status body the page is drawn from. */
export type StatusBody = ReturnType<typeof statusView>;
/** One dependency of the status body. */
export type DependencyBody = StatusBody['dependencies'][number];
/** One consumer of the status body. */
export type ConsumerBody = StatusBody['consumers'][number];

/** Plain words for each error class, for people rather than dashboards. */
export const ERROR_CLASS_WORDS: Record<string, string> = {
  auth: 'API key rejected or missing',
  rate_limited: 'rate limited',
  overloaded: 'vendor overloaded',
  server_error: 'vendor server error',
  model_unavailable: 'model unavailable',
  bad_request: 'request rejected (API change?)',
  timeout: 'timed out',
  network: 'network error (DNS, connection or TLS)',
  bad_response: 'unexpected answer',
  circuit_open: 'paused: circuit breaker open',
};

const DEPENDENCY_WORDS: Record<string, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
};
const CONSUMER_WORDS: Record<string, string> = { ok: 'OK', degraded: 'Degraded', down: 'Down' };
const BREAKER_WORDS: Record<string, string> = {
  closed: 'closed (normal)',
  open: 'open: probes paused',
  half_open: 'half-open: testing recovery',
};
const RESOURCE_WORDS: Record<string, string> = {
  requests: 'requests',
  tokens: 'tokens',
  input_tokens: 'input tokens',
  output_tokens: 'output tokens',
};

/** The state a badge, card or banner shows; drives both its class and its icon. */
type Tone = 'ok' | 'healthy' | 'degraded' | 'down' | 'unknown';

const toneIcon = (tone: Tone): IconName =>
  tone === 'ok' || tone === 'healthy'
    ? 'check'
    : tone === 'degraded'
      ? 'warn'
      : tone === 'down'
        ? 'cross'
        : 'question';

/** Replaces error-class tokens in evaluator reasons ("models check: server_error") with words. */
export function plainReason(reason: string): string {
  return reason.replace(/(check: )([a-z_]+)/g, (whole, lead: string, cls: string) =>
    ERROR_CLASS_WORDS[cls] ? `${lead}${ERROR_CLASS_WORDS[cls]}` : whole,
  );
}

/** "14:02:31 UTC", with the date when it is not the same UTC day as `now`. */
export function clockTime(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A duration in words a person reads at a glance: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function spanWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Uptime as a percentage that never rounds a failure up to 100%. */
export function uptimeText(v: number | null): string {
  if (v === null) return 'no data';
  if (v >= 1) return '100%';
  return `${(Math.floor(v * 10_000) / 100).toFixed(2)}%`;
}

/** "123 ms", "1.24 s"; an en dash when unknown. */
export function msText(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const num = (n: number): string => n.toLocaleString('en-US');

type IconName = 'check' | 'warn' | 'cross' | 'question';

/** Decorative icon: the word next to it carries the meaning for screen readers. */
export const Icon: FC<{ name: IconName }> = ({ name }) => (
  <svg
    class="icon"
    viewBox="0 0 24 24"
    width="16"
    height="16"
    aria-hidden="true"
    focusable="false"
    fill="none"
    stroke="currentColor"
    stroke-width="2.4"
    stroke-linecap="round"
    stroke-linejoin="round"
  >
    {name === 'warn' ? (
      <>
        <path d="M12 3 2.5 20h19z" />
        <path d="M12 10v4.5M12 17.3v.2" />
      </>
    ) : (
      <>
        <circle cx="12" cy="12" r="9.5" />
        {name === 'check' && <path d="m7.5 12.5 3 3 6-6.5" />}
        {name === 'cross' && <path d="m8.5 8.5 7 7m0-7-7 7" />}
        {name === 'question' && (
          <path d="M9.5 9.5a2.6 2.6 0 1 1 3.6 2.4c-.8.4-1.1.9-1.1 1.7M12 17v.2" />
        )}
      </>
    )}
  </svg>
);

/** A state shown by icon, word and colour together. */
export const Badge: FC<{ tone: Tone; label: string }> = ({ tone, label }) => (
  <span class={`badge s-${tone}`} data-state={tone}>
    <Icon name={toneIcon(tone)} />
    {label}
  </span>
);

/** One probe round as a bar segment. */
export interface BarRound {
  at: number;
  kind: 'ok' | 'slow' | 'fail' | 'paused' | 'auth';
  words: string;
}

/**
 * Groups stored results (newest first) into rounds (results of a round share `at`), newest
 * first, and labels each the way the uptime bar shows it.
 */
export function barRounds(
  newestFirst: readonly StoredResult[],
  degradedLatencyMs: number,
  max: number,
): BarRound[] {
  // A round's results share `at`; a repeated check starts the next round (two rounds can
  // start in the same millisecond).
  const groups: StoredResult[][] = [];
  for (const r of newestFirst) {
    const current = groups[groups.length - 1];
    if (current && current[0]?.at === r.at && !current.some((x) => x.check === r.check)) {
      current.push(r);
    } else if (groups.length < max) {
      groups.push([r]);
    } else {
      break;
    }
  }
  return groups.map((results) => {
    const at = (results[0] as StoredResult).at;
    const verdict = roundVerdict(results);
    if (verdict === 'circuit_open') {
      return { at, kind: 'paused', words: 'not probed: circuit breaker open' };
    }
    const counted = results.filter((r) => resultVerdict(r) !== 'skipped');
    const first = results.find(isFailure);
    if (first) {
      const words = `failed: ${ERROR_CLASS_WORDS[first.errorClass ?? ''] ?? 'failed'}${first.httpStatus ? ` (HTTP ${first.httpStatus})` : ''}`;
      return { at, kind: verdict === 'auth' ? 'auth' : 'fail', words };
    }
    const slowest = Math.max(0, ...counted.map((r) => r.latencyMs));
    return slowest > degradedLatencyMs
      ? { at, kind: 'slow', words: `slow: ${msText(slowest)}` }
      : { at, kind: 'ok', words: `ok in ${msText(slowest)}` };
  });
}

/** The uptime bar: oldest round on the left; a text summary carries it for screen readers. */
export const UptimeBar: FC<{ rounds: BarRound[]; slots: number; now: number }> = ({
  rounds,
  slots,
  now,
}) => {
  const oldestFirst = [...rounds].reverse();
  const tally = (k: BarRound['kind']) => rounds.filter((r) => r.kind === k).length;
  const ok = tally('ok') + tally('slow');
  const failed = tally('fail');
  const parts = [`${ok} answered`, `${failed} failed`];
  if (tally('slow')) parts.push(`${tally('slow')} of them slow`);
  if (tally('paused')) parts.push(`${tally('paused')} paused by the breaker`);
  if (tally('auth')) parts.push(`${tally('auth')} with our key rejected`);
  const first = oldestFirst[0];
  const summary =
    rounds.length === 0 || !first
      ? 'No probe rounds recorded yet'
      : `Last ${count(rounds.length, 'probe round')} (since ${clockTime(first.at, now)}): ${parts.join(', ')}`;
  return (
    <div class="bar-wrap">
      <p class="bar-label">{summary}</p>
      <div class="bar" role="img" aria-label={summary} data-rounds={rounds.length}>
        {Array.from({ length: Math.max(0, slots - rounds.length) }, () => (
          <span class="none" />
        ))}
        {oldestFirst.map((r) => (
          <span class={r.kind} title={`${clockTime(r.at, now)}: ${r.words}`} />
        ))}
      </div>
    </div>
  );
};

/** The key to the uptime bars, once per page. */
export const Legend: FC = () => (
  <ul class="legend" aria-label="Uptime bar key">
    <li>
      <i class="k-ok" />
      answered
    </li>
    <li>
      <i class="k-slow" />
      answered, slow
    </li>
    <li>
      <i class="k-fail" />
      failed (striped)
    </li>
    <li>
      <i class="k-paused" />
      paused or key rejected (short)
    </li>
  </ul>
);

/** How the last probe went, in words. */
const LastProbe: FC<{ d: DependencyBody; now: number }> = ({ d, now }) => {
  const p = d.lastProbe;
  if (!p) return <span class="muted">not probed yet</span>;
  const at = p.at ? Date.parse(p.at) : now;
  const when = <span class="muted"> · {spanWords(now - at)} ago</span>;
  if (p.ok) {
    return (
      <>
        <span class="ok-text">Answered</span> in {msText(p.latencyMs)}
        {when}
      </>
    );
  }
  if (p.errorClass === 'circuit_open') {
    return (
      <>
        <span class="warn-text">Not probed: circuit breaker open</span>
        {when}
      </>
    );
  }
  const skippedOnly = p.checks.every((c) => c.skipped || c.ok) && p.errorClass === null;
  if (skippedOnly) return <span class="muted">Skipped (no key){when}</span>;
  return (
    <>
      <span class="fail-text">
        Failed: {ERROR_CLASS_WORDS[p.errorClass ?? ''] ?? 'failed'}
        {p.httpStatus ? ` (HTTP ${p.httpStatus})` : ''}
      </span>
      {when}
    </>
  );
};

/** The tightest rate limit, as a meter and words; the others only counted. */
const Headroom: FC<{ d: DependencyBody }> = ({ d }) => {
  const rows = Object.entries(d.rateLimit as Record<string, RateLimitBody>)
    .filter(([, r]) => typeof r?.limit === 'number' && typeof r?.remaining === 'number')
    .map(([resource, r]) => ({
      resource,
      limit: r.limit as number,
      remaining: r.remaining as number,
    }))
    .sort((a, b) => a.remaining / (a.limit || 1) - b.remaining / (b.limit || 1));
  const tightest = rows[0];
  if (!tightest) return <span class="muted">not reported by the vendor</span>;
  const fraction = tightest.limit > 0 ? tightest.remaining / tightest.limit : 0;
  const words = RESOURCE_WORDS[tightest.resource] ?? tightest.resource;
  return (
    <>
      {num(tightest.remaining)} of {num(tightest.limit)} {words} left ({(fraction * 100).toFixed(1)}
      %)
      {rows.length > 1 && <span class="muted"> · tightest of {rows.length} limits</span>}
      <meter
        min={0}
        max={tightest.limit}
        value={tightest.remaining}
        low={tightest.limit * 0.1}
        high={tightest.limit * 0.25}
        optimum={tightest.limit}
        aria-label={`${words} headroom`}
      />
    </>
  );
};

interface RateLimitBody {
  limit: number | null;
  remaining: number | null;
}

const INDICATOR_WORDS: Record<string, string> = {
  none: 'all systems operational',
  minor: 'minor issues',
  major: 'major outage',
  critical: 'critical outage',
  maintenance: 'maintenance',
};

const AGREEMENT_WORDS: Record<string, string> = {
  vendor_only: 'The vendor declares a problem our probes do not see.',
  probes_only: 'Our probes see a problem the vendor has not declared.',
};

/** What the vendor's own status page says, with links; every URL is checked to be http(s). */
const VendorStatus: FC<{ d: DependencyBody }> = ({ d }) => {
  const vs = d.vendorStatus;
  if (!vs) return <span class="muted">not watched</span>;
  // The poller reads a summary document; people want the page it belongs to.
  const pageUrl = safeUrl(vs.url)?.replace(/\/api\/v2\/summary\.json$/, '');
  const pageLink = pageUrl && (
    <>
      {' · '}
      <a href={pageUrl}>status page</a>
    </>
  );
  const failed = !vs.ok || vs.stale ? <span class="muted"> · last read failed</span> : null;
  const agreement = AGREEMENT_WORDS[vs.agreement];
  const note = agreement && <div class="muted">{agreement}</div>;
  if (vs.incidents.length > 0) {
    return (
      <>
        {vs.incidents.map((i) => {
          const href = safeUrl(i.url) ?? pageUrl;
          const text = `Vendor incident: ${i.name} (${i.status})`;
          return <div class="fail-text">{href ? <a href={href}>{text}</a> : text}</div>;
        })}
        {failed}
        {note}
      </>
    );
  }
  const running = vs.maintenance.find((m) => m.inProgress);
  if (running) {
    return (
      <>
        <span class="warn-text">Maintenance in progress: {running.name}</span>
        {pageLink}
        {failed}
        {note}
      </>
    );
  }
  const words = INDICATOR_WORDS[vs.indicator];
  return (
    <>
      No incident reported{words ? ` (${words})` : ''}
      {pageLink}
      {failed}
      {note}
    </>
  );
};

/** Only http(s) links reach the page: a vendor feed must not inject javascript: URLs. */
export function safeUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** One dependency: state, why, since when, and the facts on-call asks next. */
export const DependencyCard: FC<{
  d: DependencyBody;
  rounds: BarRound[];
  slots: number;
  now: number;
}> = ({ d, rounds, slots, now }) => {
  const since = d.since ? Date.parse(d.since) : undefined;
  const headingId = `dep-${d.id}`;
  return (
    <article class={`card s-${d.state}`} aria-labelledby={headingId} data-dependency={d.id}>
      <div class="card-head">
        <div>
          <h3 id={headingId}>{d.id}</h3>
          <p class="sub">
            {vendorDisplayName(d.vendor)}
            {d.model ? ` · ${d.model}` : ''}
          </p>
        </div>
        <Badge tone={d.state} label={DEPENDENCY_WORDS[d.state] ?? d.state} />
      </div>
      {since !== undefined && (
        <p class="since">
          {DEPENDENCY_WORDS[d.state]} <strong>since {clockTime(since, now)}</strong> (
          {spanWords(now - since)})
        </p>
      )}
      {d.reasons.length > 0 && (
        <ul class="reasons">
          {d.reasons.map((r) => {
            const text = plainReason(r);
            return text.length > 180 ? (
              <li title={text}>{`${text.slice(0, 177)}…`}</li>
            ) : (
              <li>{text}</li>
            );
          })}
        </ul>
      )}
      {d.credentialProblem && (
        <p class="note">
          {d.credentialProblem === 'missing'
            ? 'No API key configured: only reachability is checked. This is our configuration, not a vendor outage.'
            : 'Our API key is rejected: fix the credential. This is not a vendor outage.'}
        </p>
      )}
      <dl class="facts">
        <dt>Last probe</dt>
        <dd>
          <LastProbe d={d} now={now} />
        </dd>
        <dt>Latency (1 h)</dt>
        <dd>
          p50 {msText(d.latencyMs.p50)} · p95 {msText(d.latencyMs.p95)}
        </dd>
        {d.lastProbe?.ttftMs !== null && d.lastProbe?.ttftMs !== undefined && (
          <>
            <dt>First token</dt>
            <dd>{msText(d.lastProbe.ttftMs)}</dd>
          </>
        )}
        <dt>Uptime</dt>
        <dd>
          24 h {uptimeText(d.uptime['24h'] ?? null)} · 7 d {uptimeText(d.uptime['7d'] ?? null)}
        </dd>
        <dt>Breaker</dt>
        <dd>{BREAKER_WORDS[d.breaker] ?? d.breaker}</dd>
        <dt>Headroom</dt>
        <dd>
          <Headroom d={d} />
        </dd>
        <dt>Vendor page</dt>
        <dd>
          <VendorStatus d={d} />
        </dd>
        {d.servedModel !== null && (
          <>
            <dt>Served by</dt>
            <dd>
              {d.servedModel}
              {d.systemFingerprint ? ` · ${d.systemFingerprint}` : ''}
            </dd>
          </>
        )}
        {d.modelChanges[0] && (
          <>
            <dt>Model change</dt>
            <dd class="model-change">{modelChangeWords(d.modelChanges[0], now)}</dd>
          </>
        )}
      </dl>
      {d.canaries.length > 0 && <Canaries d={d} />}
      <UptimeBar rounds={rounds} slots={slots} now={now} />
    </article>
  );
};

const CHANGE_WORDS: Record<string, string> = {
  served_model: 'served model',
  fingerprint: 'backend fingerprint',
  embedding: 'embedding',
};

/** The last model change in words: what, from and to, when, and the canaries around it. */
export function modelChangeWords(c: DependencyBody['modelChanges'][number], now: number): string {
  const at = c.at === null ? undefined : Date.parse(c.at);
  const when = at === undefined ? '' : ` at ${clockTime(at, now)} (${spanWords(now - at)} ago)`;
  const similarity = c.similarity === null ? '' : `, similarity ${c.similarity.toFixed(3)}`;
  const canaries =
    c.canaries === null
      ? ''
      : `; canaries passed ${c.canaries.before.passed} of ${c.canaries.before.runs} before, ${c.canaries.after.passed} of ${c.canaries.after.runs} since`;
  return `${CHANGE_WORDS[c.kind] ?? c.kind} ${c.from} → ${c.to}${similarity}${when}${canaries}`;
}

const CANARY_WORDS: Record<string, string> = {
  pass: 'passes',
  wrong_answer: 'wrong answer',
  refused: 'refused',
};

/** How the dependency does on its security canaries: last outcome, why, and the pass ratio. */
const Canaries: FC<{ d: DependencyBody }> = ({ d }) => (
  <table class="canaries">
    <caption>Security canaries</caption>
    <thead>
      <tr>
        <th scope="col">Canary</th>
        <th scope="col">Last run</th>
        <th scope="col">Passed</th>
      </tr>
    </thead>
    <tbody>
      {d.canaries.map((c) => (
        <tr class={c.failing ? 'fail-text' : c.ok === false ? 'warn-text' : ''} data-canary={c.id}>
          <th scope="row">{c.id}</th>
          <td title={c.answerExcerpt ?? undefined}>
            {c.outcome === null
              ? 'not run yet'
              : `${CANARY_WORDS[c.outcome] ?? ERROR_CLASS_WORDS[c.outcome] ?? c.outcome}${c.reason ? ` (${c.reason})` : ''}${c.failing ? ', failing' : ''}`}
          </td>
          <td>
            {c.passRatio.passed} of {c.passRatio.runs}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** Why a consumer is not on its primary: the links before its route, with since when. */
export function blockers(
  c: ConsumerBody,
  byId: Map<string, DependencyBody>,
  now: number,
): { id: string; state: string; since: string | null; failingCanaries?: string[] }[] {
  const upTo = c.route === null ? c.chain.length : c.chain.findIndex((l) => l.usable);
  return c.chain.slice(0, Math.max(0, upTo)).map((l) => {
    const since = byId.get(l.dependency)?.since;
    const t = since ? Date.parse(since) : undefined;
    return {
      id: l.dependency,
      state: l.state,
      since: t === undefined ? null : `since ${clockTime(t, now)} (${spanWords(now - t)})`,
      ...(l.failingCanaries ? { failingCanaries: l.failingCanaries } : {}),
    };
  });
}

/** One security tool: its state, the dependency it should call now, and why. */
export const ConsumerCard: FC<{
  c: ConsumerBody;
  byId: Map<string, DependencyBody>;
  now: number;
}> = ({ c, byId, now }) => {
  const position = c.route === null ? -1 : c.uses.indexOf(c.route);
  const headingId = `tool-${c.id}`;
  const blocked = blockers(c, byId, now);
  return (
    <article class={`card s-${c.state}`} aria-labelledby={headingId} data-consumer={c.id}>
      <div class="card-head">
        <div>
          <h3 id={headingId}>{c.id}</h3>
          {c.team && <p class="sub">team {c.team}</p>}
        </div>
        <Badge tone={c.state} label={CONSUMER_WORDS[c.state] ?? c.state} />
      </div>
      <p class="route" data-route={c.route ?? ''}>
        {c.route === null ? (
          <strong>No usable AI vendor: calls will fail</strong>
        ) : position === 0 ? (
          <>
            Using <strong>{c.route}</strong> (primary)
          </>
        ) : (
          <>
            Using <strong>{c.route}</strong> (fallback {position} of {c.uses.length - 1})
          </>
        )}
      </p>
      {blocked.length > 0 && (
        <p class="reason">
          Because{' '}
          {blocked.map((b, i) => (
            <>
              {i > 0 && (i === blocked.length - 1 ? ' and ' : ', ')}
              <strong>{b.id}</strong> is {b.state}
              {b.failingCanaries ? ` but fails canary ${b.failingCanaries.join(', ')}` : ''}
              {b.since ? ` ${b.since}` : ''}
            </>
          ))}
          .
        </p>
      )}
      {c.requires.length > 0 && <p class="requires">Requires canaries: {c.requires.join(', ')}</p>}
      <ol class="chain" aria-label={`${c.id} dependency chain, in order of preference`}>
        {c.chain.map((l, i) => {
          const inUse = l.dependency === c.route;
          return (
            <li class={`s-${l.state}${inUse ? ' in-use' : ''}`}>
              <Icon name={toneIcon(l.state)} />
              <span class="pos">{i === 0 ? 'primary' : `fallback ${i}`}</span>
              <span class="dep">
                {l.dependency} · {DEPENDENCY_WORDS[l.state]?.toLowerCase()}
                {inUse ? ' · in use' : ''}
              </span>
            </li>
          );
        })}
      </ol>
    </article>
  );
};

/** One line of the banner: who (in bold) and what is wrong. */
export interface BannerLine {
  subject: string;
  text: string;
}

/** The banner's headline and the at-risk list: who is at risk, because of which vendor, since when. */
export function bannerText(s: StatusBody, now: number): { headline: string; lines: BannerLine[] } {
  const byId = new Map(s.dependencies.map((d) => [d.id, d]));
  const onFallback = s.consumers.filter((c) => c.state === 'degraded');
  const down = s.consumers.filter((c) => c.state === 'down');
  const troubled = s.dependencies.filter((d) => d.state !== 'healthy');
  const lines: BannerLine[] = [];
  for (const c of [...down, ...onFallback]) {
    const why = blockers(c, byId, now)
      .map((b) => `${b.id} is ${b.state}${b.since ? ` ${b.since}` : ''}`)
      .join('; ');
    lines.push({
      subject: c.id,
      text:
        c.route === null
          ? `has no usable AI vendor: ${why}.`
          : `is running on fallback ${c.route}: ${why}.`,
    });
  }
  const inChains = new Set(
    [...down, ...onFallback].flatMap((c) => blockers(c, byId, now).map((b) => b.id)),
  );
  for (const d of troubled) {
    if (inChains.has(d.id)) continue;
    const t = d.since ? Date.parse(d.since) : undefined;
    const first = d.reasons[0];
    lines.push({
      subject: d.id,
      text: `is ${d.state}${t === undefined ? '' : ` since ${clockTime(t, now)}`}${first ? `: ${plainReason(first)}` : ''}.`,
    });
  }
  let headline: string;
  if (s.status === 'ok') {
    headline =
      s.consumers.length > 0
        ? 'Operational: every security tool has a working AI vendor'
        : 'Operational: every AI vendor is healthy';
  } else if (down.length > 0) {
    headline = `Outage: ${count(down.length, 'security tool has', 'security tools have')} no usable AI vendor`;
  } else if (onFallback.length > 0) {
    headline = `Degraded: ${count(onFallback.length, 'security tool is', 'security tools are')} running on a fallback vendor`;
  } else if (s.status === 'down') {
    headline = `Outage: ${count(troubled.filter((d) => d.state === 'down').length, 'AI vendor is', 'AI vendors are')} down`;
  } else {
    headline = `Degraded: security tools are working, but ${count(troubled.length, 'AI vendor needs', 'AI vendors need')} attention`;
  }
  return { headline, lines };
}

/** "2 OK · 1 degraded · 1 down": only the states that occur, in severity order. */
export function tallyText(states: readonly string[], order: readonly string[]): string {
  return order
    .map((st) => [st, states.filter((x) => x === st).length] as const)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${n} ${st}`)
    .join(' · ');
}
