import type { CanaryRun } from '../canary/types.js';
import type { ConsumerEvaluation } from '../evaluate/evaluate.js';
import { resultVerdict } from '../evaluate/verdict.js';
import type { ModelView } from '../models/tracker.js';
import type { DependencySnapshot } from '../monitor.js';
import type { RateLimitReading } from '../probes/types.js';
import { isDate } from '../probes/vendor-numbers.js';
import type { Agreement, VendorStatus } from '../statuspages/index.js';
import type { HistoryStore, StoredResult } from '../store/sqlite-store.js';

/** Uptime windows the status API reports (docs/contracts.md). */
export const UPTIME_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
type WindowName = keyof typeof UPTIME_WINDOWS;

/** The monitor as the HTTP layer sees it. */
export interface MonitorView {
  dependencies(): DependencySnapshot[];
  dependency(id: string): DependencySnapshot | undefined;
  consumer(id: string): ConsumerEvaluation | undefined;
}

/** What status views need; passed in by createApp. */
export interface ViewDeps {
  monitor: MonitorView;
  store: HistoryStore;
  consumers: { id: string; team?: string; uses: string[] }[];
  vantage: string;
  clock: () => number;
}

// Total: a time no Date can hold answers null rather than a RangeError and a 500 for everyone.
const iso = (ms: number | undefined): string | null =>
  ms === undefined || !isDate(ms) ? null : new Date(ms).toISOString();
const round1 = (ms: number | undefined): number | null =>
  ms === undefined ? null : Math.round(ms * 10) / 10;

type Summary = { uptime: Record<string, number | null>; p50: number | null; p95: number | null };

function rateLimitView(readings: RateLimitReading[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of readings) {
    out[r.resource] = {
      limit: r.limit ?? null,
      remaining: r.remaining ?? null,
      resetAt: iso(r.resetAt),
    };
  }
  return out;
}

/** What the vendor's own status page says, and whether our probes agree. */
function vendorStatusView(v: VendorStatus, agreement: Agreement | undefined) {
  return {
    vendor: v.vendor,
    url: v.url,
    ok: v.ok,
    stale: v.stale,
    error: v.error ?? null,
    indicator: v.indicator,
    fetchedAt: iso(v.fetchedAt),
    lastSuccessAt: iso(v.lastSuccessAt),
    incidents: v.incidents.map((i) => ({
      name: i.name,
      status: i.status,
      impact: i.impact ?? null,
      url: i.url ?? null,
      startedAt: i.startedAt ?? null,
    })),
    maintenance: v.maintenance.map((m) => ({
      name: m.name,
      status: m.status,
      inProgress: m.inProgress,
      url: m.url ?? null,
    })),
    components: v.components,
    agreement: agreement ?? 'unknown',
  };
}

/** One dependency as /api/v1/status and /api/v1/dependencies/:id show it. */
export function dependencyView(s: DependencySnapshot, summary: Summary | undefined) {
  const round = s.lastRound;
  const counted = round?.results.filter((r) => resultVerdict(r) !== 'skipped') ?? [];
  const failed = counted.find((r) => !r.ok);
  const completion = round?.results.find((r) => r.ttftMs !== undefined);
  const readings = round?.results.flatMap((r) => r.rateLimits ?? []) ?? [];
  const uptime = Object.fromEntries(
    (Object.keys(UPTIME_WINDOWS) as WindowName[]).map((w) => [w, summary?.uptime[w] ?? null]),
  );
  return {
    id: s.config.id,
    vendor: s.config.vendor,
    model: s.config.model ?? null,
    state: s.evaluation.state,
    reasons: s.evaluation.reasons,
    credentialProblem: s.evaluation.credentialProblem ?? null,
    stale: s.evaluation.stale !== undefined,
    since: iso(s.since),
    breaker: s.breaker,
    lastProbe: round
      ? {
          at: iso(round.startedAt),
          ok: counted.length > 0 && !failed,
          latencyMs: round1(counted.reduce((sum, r) => sum + r.latencyMs, 0)),
          ttftMs: round1(completion?.ttftMs),
          errorClass: failed?.errorClass ?? null,
          httpStatus: (failed ?? counted[counted.length - 1])?.httpStatus ?? null,
          checks: round.results.map((r) => ({ ...resultView(r), tokens: r.tokens ?? null })),
        }
      : null,
    uptime,
    latencyMs: { p50: round1(summary?.p50 ?? undefined), p95: round1(summary?.p95 ?? undefined) },
    rateLimit: rateLimitView(readings),
    vendorStatus: s.vendorStatus ? vendorStatusView(s.vendorStatus, s.agreement) : null,
    overruns: s.overruns,
    canaries: s.canaries.map((c) => canaryView(c.spec.id, c.runs, c.failing)),
    ...modelsView(s.models),
  };
}

/** What the vendor says serves a dependency, and its model changes, newest first. */
export function modelsView(m: ModelView | undefined) {
  return {
    servedModel: m?.servedModel ?? null,
    systemFingerprint: m?.systemFingerprint ?? null,
    modelChanges: (m?.changes ?? []).map(({ change, canaries }) => ({
      at: iso(change.at),
      kind: change.kind,
      from: change.from,
      to: change.to,
      similarity:
        change.similarity === undefined ? null : Math.round(change.similarity * 1e6) / 1e6,
      canaries,
    })),
  };
}

/** A canary on one dependency: its last run and its pass ratio over the runs kept. */
export function canaryView(id: string, runs: readonly CanaryRun[], failing: boolean) {
  const last = runs[0];
  return {
    id,
    outcome: last?.outcome ?? null,
    reason: last?.reason ?? null,
    ok: last === undefined ? null : last.outcome === 'pass',
    failing,
    at: last === undefined ? null : iso(last.at),
    answerExcerpt: last?.answerExcerpt ?? null,
    passRatio: { runs: runs.length, passed: runs.filter((r) => r.outcome === 'pass').length },
  };
}

/** One consumer with its route, as /api/v1/status and /api/v1/consumers show it. */
export function consumerView(
  c: { id: string; team?: string; uses: string[]; requires?: string[] },
  e: ConsumerEvaluation | undefined,
) {
  return {
    id: c.id,
    team: c.team ?? null,
    uses: c.uses,
    state: e?.state ?? 'down',
    route: e?.route ?? null,
    reason: e?.reason ?? 'not evaluated yet',
    chain: e?.chain ?? [],
    requires: c.requires ?? [],
  };
}

/** Summaries of every dependency over the uptime windows: one store query per window. */
export function summaries(deps: ViewDeps): Map<string, Summary> {
  const now = deps.clock();
  const since: Record<string, number> = {};
  for (const [w, ms] of Object.entries(UPTIME_WINDOWS)) since[w] = now - ms;
  return deps.store.summaries(since);
}

/** The summary of one dependency: its own indexed lookups, not every dependency's. */
export function summaryOf(deps: ViewDeps, id: string): Summary {
  const now = deps.clock();
  const uptime: Record<string, number | null> = {};
  for (const [w, ms] of Object.entries(UPTIME_WINDOWS)) uptime[w] = deps.store.uptime(id, now - ms);
  const latency = deps.store.latencyPercentiles(id, now - UPTIME_WINDOWS['1h']);
  return { uptime, p50: latency?.p50 ?? null, p95: latency?.p95 ?? null };
}

/** The whole /api/v1/status body (docs/contracts.md). */
export function statusView(deps: ViewDeps) {
  const sums = summaries(deps);
  const dependencies = deps.monitor
    .dependencies()
    .map((s) => dependencyView(s, sums.get(s.config.id)));
  const consumers = deps.consumers.map((c) => consumerView(c, deps.monitor.consumer(c.id)));
  const anyConsumerDown = consumers.some((c) => c.state === 'down');
  const anyDependencyDown = dependencies.some((d) => d.state === 'down');
  const allHealthy =
    dependencies.every((d) => d.state === 'healthy') && consumers.every((c) => c.state === 'ok');
  const status =
    anyConsumerDown || (consumers.length === 0 && anyDependencyDown)
      ? 'down'
      : allHealthy
        ? 'ok'
        : 'degraded';
  return {
    status,
    generatedAt: new Date(deps.clock()).toISOString(),
    vantage: deps.vantage,
    dependencies,
    consumers,
  };
}

/** One check result as the API shows it, live or from history. */
function resultView(r: Omit<StoredResult, 'dependency' | 'at'>) {
  return {
    check: r.check,
    ok: r.ok,
    skipped: r.skipped === true,
    latencyMs: round1(r.latencyMs),
    ttftMs: round1(r.ttftMs),
    errorClass: r.errorClass ?? null,
    httpStatus: r.httpStatus ?? null,
    attempts: r.attempts,
    message: r.message ?? null,
    requestId: r.ok ? null : (r.requestId ?? null),
  };
}

/** A stored result as /history shows it. */
export function historyEntry(r: StoredResult) {
  return { at: iso(r.at), ...resultView(r) };
}
