import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { build } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics/metrics.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const DASHBOARD_DIR = join(ROOT, 'dashboards');
/** dashboard-linter's configuration: the exceptions to its rules, each with a reason. */
export const LINT_CONFIG = join(DASHBOARD_DIR, '.lint');

/** The Grafana release whose dashboard schema the JSON targets (see dashboards.test.ts). */
export const SCHEMA_VERSION = 42;

// biome-ignore lint/suspicious/noExplicitAny: Grafana dashboard JSON is walked generically
export type Json = any;

export interface DashboardFile {
  file: string;
  json: Json;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) }));
}

/** Every panel, rows' collapsed children included. */
export function panelsOf(d: Json): Json[] {
  const out: Json[] = [];
  const walk = (list: Json[] | undefined): void => {
    for (const p of list ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

/**
 * Panels whose figure is a sum over the time range: bar charts with a legend total, stats
 * that reduce by sum.
 */
export function totalPanels(dashboards: DashboardFile[]): { file: string; panel: Json }[] {
  return dashboards.flatMap((d) =>
    panelsOf(d.json)
      .filter(
        (p) =>
          (p.type === 'timeseries' && p.options?.legend?.calcs?.includes('sum')) ||
          (p.type === 'stat' && p.options?.reduceOptions?.calcs?.includes('sum')),
      )
      .map((panel) => ({ file: d.file, panel })),
  );
}

/** One PromQL expression a dashboard sends, and where it comes from. */
export interface DashboardQuery {
  file: string;
  /** "panel 3 «Title» A", "annotation «Breaker transitions»", "variable dependency". */
  where: string;
  kind: 'panel' | 'annotation' | 'variable';
  /** As written, with Grafana variables. */
  expr: string;
  /** Variable queries: the label whose values are asked for. */
  label?: string;
}

const LABEL_VALUES = /^\s*label_values\(\s*(.*?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s;

/** Panel targets, annotation queries and label_values() variable queries of a dashboard. */
export function queriesOf({ file, json }: DashboardFile): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of panelsOf(json)) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr === 'string') {
        out.push({
          file,
          where: `panel ${p.id} «${p.title}» ${t.refId}`,
          kind: 'panel',
          expr: t.expr,
        });
      }
    }
  }
  for (const a of json.annotations?.list ?? []) {
    const expr = a.target?.expr ?? a.expr;
    if (typeof expr === 'string') {
      out.push({ file, where: `annotation «${a.name}»`, kind: 'annotation', expr });
    }
  }
  for (const v of json.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = LABEL_VALUES.exec(text ?? '');
    if (!m) throw new Error(`${file}: variable ${v.name} is not a label_values() query: ${text}`);
    out.push({
      file,
      where: `variable ${v.name}`,
      kind: 'variable',
      expr: m[1] as string,
      label: m[2] as string,
    });
  }
  return out;
}

/**
 * Durations that stand for Grafana's interval variables when parsing, so a check can still
 * tell which one was written (dashboard-linter's own sample values).
 */
export const MAGIC_DURATIONS = {
  __rate_interval: '8869990787ms',
  __interval: '4867856611ms',
  __range: '6069770749ms',
} as const;

/**
 * Grafana's variables replaced by values PromQL accepts, for parsing only. As in
 * dashboard-linter, variables inside quoted strings stay as written (`job=~"$job"`).
 */
export function forParsing(expr: string): string {
  return expr
    .split('"')
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\$__range_(s|ms)\b/g, '300')
            .replace(
              /\$(__rate_interval|__interval|__range)\b/g,
              (_w, name: keyof typeof MAGIC_DURATIONS) => MAGIC_DURATIONS[name],
            )
            .replace(/\$\{(\w+)(:[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g, 'x'),
    )
    .join('"');
}

/** A label matcher as written: `job=~"$job"` is {name: job, op: =~, value: $job}. */
export interface Matcher {
  name: string;
  op: string;
  value: string;
}

/** A metric selector found in an expression: its name and the labels it matches on. */
export interface Selector {
  metric: string;
  labels: string[];
  matchers: Matcher[];
  text: string;
  /** Range selectors: the range as written (`[5m]` → `5m`). */
  range?: string;
  /** The function the selector (or its range) is the direct argument of, if any. */
  func?: string;
}

/** Parses PromQL with the Prometheus UI's own grammar; `errors` lists unparsable spans. */
export function parsePromql(expr: string): { selectors: Selector[]; errors: string[] } {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const errors: string[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        errors.push(`at ${ref.from}: «${expr.slice(Math.max(0, ref.from - 20), ref.to + 20)}»`);
      }
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const metric = node.getChild('Identifier');
      const labels: string[] = [];
      const matchers: Matcher[] = [];
      const matcherList = node.getChild('LabelMatchers');
      for (const m of matcherList?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!name) continue;
        labels.push(expr.slice(name.from, name.to));
        matchers.push({
          name: expr.slice(name.from, name.to),
          op: op ? expr.slice(op.from, op.to) : '',
          value: value ? expr.slice(value.from + 1, value.to - 1) : '',
        });
      }
      const matrix = node.parent?.name === 'MatrixSelector' ? node.parent : null;
      const duration = matrix?.lastChild;
      const call =
        (matrix ?? node).parent?.name === 'FunctionCallBody'
          ? (matrix ?? node).parent?.parent
          : null;
      const funcName = call?.getChild('FunctionIdentifier');
      selectors.push({
        metric: metric ? expr.slice(metric.from, metric.to) : '',
        labels,
        matchers,
        text: expr.slice(ref.from, ref.to),
        range: duration ? expr.slice(duration.from, duration.to) : undefined,
        func: funcName ? expr.slice(funcName.from, funcName.to) : undefined,
      });
    },
  });
  return { selectors, errors };
}

/** Metric name → the label names its samples carry, from a Prometheus text exposition. */
export function exposedMetrics(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (name: string, labels: string[] = []) => {
    const set = out.get(name) ?? new Set<string>();
    for (const l of labels) set.add(l);
    out.set(name, set);
  };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      add(name);
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) add(name + s);
      if (kind === 'summary') for (const s of ['_sum', '_count']) add(name + s);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!sample) continue;
    const labels = [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map(
      (m) => m[1] as string,
    );
    add(sample[1] as string, labels);
  }
  return out;
}

const CONFIG = `
vantage: dashboards-test
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
canaries:
  - { id: phishing-verdict, use: phishing-verdict }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: sk-test, model: gpt-4o-mini, canaries: [phishing-verdict] }
consumers:
  - { id: phishing-triage, team: secops, uses: [openai-chat] }
`;

/**
 * What Bellwether exports, from real /metrics renders: the registry main.ts builds (so
 * metrics other modules register at start-up count), and a createMetrics registry after
 * recording one of every kind of result (so labelled series have their label names).
 */
export async function bellwetherMetrics(): Promise<Map<string, Set<string>>> {
  const parsed = parseConfigText(CONFIG, 'dashboards-test.yaml', {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const built = build({ config: parsed.config, logLevel: 'silent', storePath: ':memory:' });
  const startup = await built.registry.metrics();
  built.http.close();
  built.store.close();

  const registry = new Registry();
  registry.setDefaultLabels({ vantage: 'dashboards-test' });
  collectDefaultMetrics({ register: registry });
  const m = createMetrics(registry, { version: '0.0.0-test' });
  const dep = { dependency: 'openai-chat', vendor: 'openai', model: 'gpt-4o-mini' };
  m.describeDependency({
    ...dep,
    team: 'secops',
    objective: 0.99,
    checks: ['models', 'completion'],
  });
  m.describeConsumer({ id: 'phishing-triage', team: 'secops', uses: ['openai-chat'] });
  m.describeCanaries('openai-chat', ['phishing-verdict']);
  m.recordCanary(
    dep,
    {
      canary: 'phishing-verdict',
      at: Date.now(),
      outcome: 'pass',
      latencyMs: 300,
      tokens: { input: 90, output: 2 },
    },
    false,
  );
  m.recordCheck(
    dep,
    {
      check: 'completion',
      ok: true,
      latencyMs: 420,
      ttftMs: 200,
      attempts: 2,
      tokens: { input: 8, output: 1 },
      rateLimits: [{ resource: 'requests', limit: 500, remaining: 499 }],
      phases: { dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 150, transferMs: 20 },
      tlsCertNotAfter: Date.now() + 86_400_000,
    },
    Date.now(),
  );
  m.recordCheck(
    dep,
    { check: 'models', ok: false, latencyMs: 9, errorClass: 'server_error', attempts: 1 },
    Date.now(),
  );
  m.recordCheck(
    dep,
    { check: 'models', ok: false, latencyMs: 0, errorClass: 'circuit_open', attempts: 0 },
    Date.now(),
  );
  m.setDependencyState(dep, 'down');
  m.setBreakerState('openai-chat', 'open');
  m.breakerTransition('openai-chat', 'open');
  m.setConsumerState('phishing-triage', 'down');
  m.probeOverrun('openai-chat');
  m.setVendorStatus({
    vendor: 'openai',
    source: 'statuspage',
    url: 'https://status.openai.com/api/v2/summary.json',
    fetchedAt: Date.now(),
    ok: true,
    stale: false,
    indicator: 'major',
    components: [{ name: 'Chat Completions', status: 'partial_outage' }],
    incidents: [{ name: 'Elevated errors', status: 'investigating', components: [] }],
    maintenance: [],
    unmatchedComponents: [],
  });
  const recorded = await registry.metrics();

  const all = exposedMetrics(startup);
  for (const [name, labels] of exposedMetrics(recorded)) {
    const set = all.get(name) ?? new Set<string>();
    for (const l of labels) set.add(l);
    all.set(name, set);
  }
  return all;
}

/** Recording rules defined in config/prometheus/*.yml (none when the folder is absent). */
export function recordingRules(): Set<string> {
  const dir = join(ROOT, 'config', 'prometheus');
  const out = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return out;
  }
  for (const f of files) {
    const doc = parseYaml(readFileSync(join(dir, f), 'utf8')) as {
      groups?: { rules?: { record?: string }[] }[];
    } | null;
    for (const g of doc?.groups ?? []) {
      for (const r of g.rules ?? []) if (r.record) out.add(r.record);
    }
  }
  return out;
}

/** Series Prometheus makes itself: per-target scrape series and alert state. */
export const PROMETHEUS_BUILTINS: ReadonlySet<string> = new Set([
  'up',
  'scrape_samples_scraped',
  'scrape_duration_seconds',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

/**
 * Metrics the dashboards show that other issues add to Bellwether. Accepted while the /metrics
 * render lacks them; the test checks them like any other once they are exported.
 */
export const PENDING_METRICS: Readonly<Record<string, string>> = {
  bellwether_notifications_total: 'issue 4 (notifiers) registers it when it wires the dispatcher',
};

/** A vendor status page as Atlassian Statuspage serves `/api/v2/summary.json`. */
export function statusSummary(
  name: string,
  incident?: { name: string; status: string; impact: string },
): unknown {
  const now = new Date().toISOString();
  return {
    page: { id: 'kctbh9vrtdwd', name, url: 'https://status.example.test', updated_at: now },
    status: incident
      ? { indicator: incident.impact, description: 'Partial System Outage' }
      : { indicator: 'none', description: 'All Systems Operational' },
    components: [
      {
        id: 'c0mp0nent001',
        name: 'Chat Completions',
        status: incident ? 'partial_outage' : 'operational',
        group_id: null,
      },
    ],
    incidents: incident
      ? [
          {
            id: 'inc0000000a1',
            name: incident.name,
            status: incident.status,
            impact: incident.impact,
            shortlink: 'https://stspg.io/bellwether-test',
            created_at: now,
            updated_at: now,
            incident_updates: [],
            components: [{ id: 'c0mp0nent001', name: 'Chat Completions' }],
          },
        ]
      : [],
    scheduled_maintenances: [],
  };
}

/** Serves status summaries at `/<key>/api/v2/summary.json` on 127.0.0.1. */
export async function startFakeStatusPages(
  pages: Record<string, unknown>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const key = /^\/([^/]+)\/api\/v2\/summary\.json$/.exec(req.url ?? '')?.[1];
    const body = key === undefined ? undefined : pages[key];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
