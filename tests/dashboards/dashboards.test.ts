import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  bellwetherMetrics,
  DASHBOARD_DIR,
  forParsing,
  type Json,
  LINT_CONFIG,
  loadDashboards,
  MAGIC_DURATIONS,
  PENDING_METRICS,
  PROMETHEUS_BUILTINS,
  panelsOf,
  parsePromql,
  queriesOf,
  recordingRules,
  SCHEMA_VERSION,
  type Selector,
  totalPanels,
} from './support.js';

// Grafana 13.x writes classic dashboard JSON with schemaVersion 42, the last version of the
// classic (v1) model: Grafana migrates older JSON on load and rejects a version newer than
// it knows. Newer backends add migration 43, which only rewrites `formatTime`
// transformations; these dashboards use none, so 43 is a no-op for them.

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
const DS_VAR = '${datasource}';

const dashboards = loadDashboards();
const queries = dashboards.flatMap(queriesOf);
const byFile = (file: string): Json => dashboards.find((d) => d.file === file)?.json;

/** Core panel plugins of current Grafana (no Angular: Grafana 12 removed it). */
const PANEL_TYPES = new Set([
  'stat',
  'timeseries',
  'state-timeline',
  'status-history',
  'table',
  'bargauge',
  'gauge',
  'text',
  'row',
  'heatmap',
]);

describe('dashboard files', () => {
  it('exist: overview, dependency detail and Bellwether itself', () => {
    expect(dashboards.map((d) => d.file)).toEqual([
      'bellwether-dependency.json',
      'bellwether-overview.json',
      'bellwether-self.json',
    ]);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
  });

  describe.each(dashboards)('$file', ({ json }) => {
    it('targets the current Grafana schema and is importable anywhere', () => {
      expect(json.schemaVersion).toBe(SCHEMA_VERSION);
      expect(json.id).toBeNull();
      expect(json.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(json.title).toMatch(/^Bellwether \/ /);
      expect(json.tags).toContain('bellwether');
      expect(json.__inputs).toBeUndefined();
    });

    it('has the datasource, job and instance variables, then vantage, vendor, dependency and consumer', () => {
      expect(json.templating.list.map((v: Json) => v.name)).toEqual([
        'datasource',
        'job',
        'instance',
        'vantage',
        'vendor',
        'dependency',
        'consumer',
      ]);
      const vars = new Map<string, Json>(json.templating.list.map((v: Json) => [v.name, v]));
      // dashboard-linter template-datasource-rule: named datasource, labelled "Data source".
      expect(vars.get('datasource')).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
        label: 'Data source',
      });
      // template-job-rule / template-instance-rule.
      expect(vars.get('job')).toMatchObject({ label: 'Job' });
      expect(vars.get('instance')).toMatchObject({ label: 'Instance' });
      for (const name of ['job', 'instance', 'vantage', 'vendor', 'dependency', 'consumer']) {
        const v = vars.get(name);
        // At 1,000 dependencies "All" as a regex of every value is kilobytes in every query:
        // allValue ".+" keeps it short (and is what the linter asks of job and instance).
        expect(v, name).toMatchObject({
          type: 'query',
          datasource: { uid: DS_VAR },
          includeAll: true,
          multi: true,
          allValue: '.+',
          // template-on-time-change-reload-rule.
          refresh: 2,
        });
        expect(v.definition, name).toMatch(/^label_values\(/);
        expect(v.query.query, name).toBe(v.definition);
      }
      // Every variable below job and instance is narrowed by them.
      for (const name of ['vantage', 'vendor', 'dependency', 'consumer']) {
        expect(vars.get(name).definition, name).toContain('job=~"$job", instance=~"$instance"');
      }
    });

    it('is read-only (dashboard-linter uneditable-dashboard): change the JSON here instead', () => {
      expect(json.editable).toBe(false);
    });

    it('names no data source by UID: everything goes through the datasource variable', () => {
      const found: string[] = [];
      const walk = (node: Json, path: string): void => {
        if (Array.isArray(node)) {
          node.forEach((n, i) => {
            walk(n, `${path}[${i}]`);
          });
        } else if (node && typeof node === 'object') {
          for (const [k, v] of Object.entries(node)) {
            if (k === 'datasource' && v && typeof v === 'object' && !Array.isArray(v)) {
              const uid = (v as Json).uid;
              const builtIn = (v as Json).type === 'grafana' && uid === '-- Grafana --';
              if (uid !== DS_VAR && !builtIn) found.push(`${path}.datasource: ${uid}`);
            } else if (k === 'datasource' && typeof v === 'string') {
              found.push(`${path}.datasource: "${v}"`);
            }
            walk(v, `${path}.${k}`);
          }
        }
      };
      walk(json, '$');
      expect(found).toEqual([]);
    });

    it('gives every panel a description, a unit and thresholds, on a grid without overlaps', () => {
      const panels = panelsOf(json).filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThanOrEqual(8);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Map<string, number>();
      for (const p of panels) {
        const name = `panel ${p.id} «${p.title}»`;
        expect(PANEL_TYPES.has(p.type), `${name}: ${p.type}`).toBe(true);
        expect(p.description?.length ?? 0, `${name} description`).toBeGreaterThan(20);
        expect(p.fieldConfig?.defaults?.unit, `${name} unit`).toBeTruthy();
        expect(
          p.fieldConfig?.defaults?.thresholds?.steps?.length,
          `${name} thresholds`,
        ).toBeGreaterThan(0);
        expect(p.targets?.length, `${name} targets`).toBeGreaterThan(0);
        expect(p.datasource).toEqual({ type: 'prometheus', uid: DS_VAR });
        for (const t of p.transformations ?? []) {
          // The only thing migration 43 rewrites; keep the JSON valid for 42 and 43 alike.
          expect(t.id, name).not.toBe('formatTime');
        }
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${name} width`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            const other = cells.get(`${i},${j}`);
            expect(other, `${name} overlaps panel ${other}`).toBeUndefined();
            cells.set(`${i},${j}`, p.id);
          }
        }
      }
    });

    it('marks circuit breaker transitions as annotations', () => {
      const anno = json.annotations.list.find((a: Json) => a.name === 'Breaker transitions');
      expect(anno).toMatchObject({ enable: true, datasource: { uid: DS_VAR } });
      expect(anno.target.expr).toContain('bellwether_breaker_transitions_total');
      expect(anno.textFormat).toContain('{{dependency}}');
    });
  });

  it.each([
    [
      'bellwether-overview.json',
      [
        'bellwether_consumer_state',
        'bellwether_consumer_dependency',
        'bellwether_dependency_state',
        'bellwether_dependency_objective_ratio',
        'bellwether_probe_results_total',
        'bellwether_vendor_incident_active',
        'bellwether_breaker_state',
      ],
    ],
    [
      'bellwether-dependency.json',
      [
        'bellwether_probe_duration_seconds_bucket',
        'bellwether_probe_time_to_first_token_seconds_bucket',
        'bellwether_probe_phase_seconds',
        'bellwether_probe_results_total',
        'bellwether_probe_retries_total',
        'bellwether_ratelimit_remaining',
        'bellwether_ratelimit_limit',
        'bellwether_probe_tokens_total',
        'bellwether_tls_cert_expiry_timestamp_seconds',
      ],
    ],
    [
      'bellwether-self.json',
      [
        'bellwether_probe_results_total',
        'bellwether_probe_overruns_total',
        'scrape_samples_scraped',
        'bellwether_notifications_total',
      ],
    ],
  ])('%s shows what the issue asks for', (file, metrics) => {
    const used = new Set(
      queriesOf({ file, json: byFile(file) }).flatMap((q) =>
        parsePromql(forParsing(q.expr)).selectors.map((s) => s.metric),
      ),
    );
    for (const m of metrics) expect(used.has(m), m).toBe(true);
  });

  it('histogram_quantile over p50, p95 and p99 for latency and time to first token', () => {
    const exprs = queriesOf({ file: 'x', json: byFile('bellwether-dependency.json') }).map(
      (q) => q.expr,
    );
    for (const metric of [
      'bellwether_probe_duration_seconds',
      'bellwether_probe_time_to_first_token_seconds',
    ]) {
      for (const p of ['0.5', '0.95', '0.99']) {
        expect(
          exprs.some(
            (e) => e.includes(`histogram_quantile(${p},`) && e.includes(`${metric}_bucket`),
          ),
          `${metric} p${p}`,
        ).toBe(true);
      }
    }
  });
});

/** Target labels Prometheus adds to every scraped series. */
const SCRAPE_LABELS = new Set(['job', 'instance']);

describe('every dashboard query', () => {
  let exported: Map<string, Set<string>>;
  let rules: Set<string>;
  beforeAll(async () => {
    exported = await bellwetherMetrics();
    rules = recordingRules();
  });

  it('found queries in every dashboard', () => {
    expect(queries.length).toBeGreaterThan(40);
    expect(exported.has('bellwether_probe_results_total')).toBe(true);
  });

  it.each(queries)('$file $where parses and names only metrics that exist', ({ expr, label }) => {
    const { selectors, errors } = parsePromql(forParsing(expr));
    expect(errors).toEqual([]);
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) {
      expect(s.metric, `selector without a metric name: ${s.text}`).not.toBe('');
      const known =
        exported.has(s.metric) ||
        rules.has(s.metric) ||
        PROMETHEUS_BUILTINS.has(s.metric) ||
        s.metric in PENDING_METRICS;
      expect(known, `${s.metric} is neither exported, a recording rule, nor a built-in`).toBe(true);
      const labels = exported.get(s.metric);
      if (!labels || labels.size === 0) continue;
      for (const l of [...s.labels, ...(label ? [label] : [])]) {
        if (SCRAPE_LABELS.has(l)) continue;
        expect(
          labels.has(l),
          `${s.metric} has no label "${l}" (it has ${[...labels].join(', ')})`,
        ).toBe(true);
      }
    }
  });
});

describe('provisioning', () => {
  const read = (path: string): Json =>
    parseYaml(readFileSync(join(DASHBOARD_DIR, 'provisioning', path), 'utf8'));

  it('provisions a Prometheus data source', () => {
    const doc = read('datasources/bellwether.yaml');
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toHaveLength(1);
    expect(doc.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy' });
    expect(doc.datasources[0].url).toBe('$PROMETHEUS_URL');
  });

  it('provisions the dashboards folder from files', () => {
    const doc = read('dashboards/bellwether.yaml');
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers[0]).toMatchObject({
      type: 'file',
      folder: 'Bellwether',
      options: { path: expect.stringMatching(/^\//) },
    });
  });
});

/** A panel query as dashboard-linter sees it: the dashboard and panel by title. */
interface PanelTarget {
  dashboard: string;
  panel: string;
  panelJson: Json;
  targetIdx: number;
  expr: string;
  selectors: Selector[];
}

const panelTargets: PanelTarget[] = dashboards.flatMap((d) =>
  panelsOf(d.json).flatMap((p: Json) =>
    (p.targets ?? []).map((t: Json, i: number) => ({
      dashboard: d.json.title as string,
      panel: p.title as string,
      panelJson: p,
      targetIdx: i,
      expr: t.expr as string,
      selectors: parsePromql(forParsing(t.expr)).selectors,
    })),
  ),
);

// dashboard-linter's .lint: exclusions by rule, each naming dashboard and panel titles.
const lint = parseYaml(readFileSync(LINT_CONFIG, 'utf8')) as {
  exclusions: Record<string, { reason: string; entries: { dashboard: string; panel: string }[] }>;
};
const usedExclusions = new Set<string>();
const excluded = (rule: string, t: PanelTarget): boolean => {
  const entries = lint.exclusions[rule]?.entries ?? [];
  const i = entries.findIndex((e) => e.dashboard === t.dashboard && e.panel === t.panel);
  if (i >= 0) usedExclusions.add(`${rule} ${i}`);
  return i >= 0;
};
const where = (t: PanelTarget) => `${t.dashboard} «${t.panel}» #${t.targetIdx}`;

/**
 * The counter's change over exactly one step: its value now minus its last value one step ago
 * (last_over_time bridges a failed scrape's staleness marker); where there is none (a new
 * series) or it went down (a restart), the value itself, the increase from 0. Bars of it
 * tile the range.
 */
const perStep = (selector: string) =>
  `(${selector} - last_over_time(${selector}[5m] offset $__interval)) >= 0 or ${selector}`;

describe("dashboard-linter's rules (grafana/dashboard-linter lint/rule_*.go)", () => {
  it.each([
    ['target-job-rule', 'job'],
    ['target-instance-rule', 'instance'],
  ])('%s: every selector has the %s matcher of its variable', (rule, label) => {
    const missing: string[] = [];
    for (const t of panelTargets) {
      if (excluded(rule, t)) continue;
      for (const s of t.selectors) {
        const ok = s.matchers.some(
          (m) => m.name === label && m.op === '=~' && m.value === `$${label}`,
        );
        if (!ok) missing.push(`${where(t)}: ${s.text}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('target-rate-interval-rule: rate() and irate() use $__rate_interval', () => {
    const wrong = panelTargets.flatMap((t) =>
      t.selectors
        .filter(
          (s) =>
            (s.func === 'rate' || s.func === 'irate') &&
            s.range !== MAGIC_DURATIONS.__rate_interval,
        )
        .map((s) => `${where(t)}: ${s.text}[${s.range}]`),
    );
    expect(wrong).toEqual([]);
  });

  it('target-counter-agg-rule: counters only inside rate, irate or increase, or as a per-step total', () => {
    const wrong: string[] = [];
    for (const t of panelTargets) {
      for (const s of t.selectors) {
        if (!s.metric.endsWith('_total')) continue;
        if (s.range !== undefined && ['rate', 'irate', 'increase'].includes(s.func ?? '')) continue;
        // The exclusion covers exactly the per-step form, nothing else.
        if (excluded('target-counter-agg-rule', t) && t.expr.includes(perStep(s.text))) continue;
        wrong.push(`${where(t)}: ${s.text}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('panel-units-rule and panel-title-description-rule hold for every panel', () => {
    for (const t of panelTargets) {
      expect(t.panelJson.title, where(t)).toBeTruthy();
      expect(t.panelJson.description, where(t)).toBeTruthy();
      expect(t.panelJson.fieldConfig.defaults.unit, where(t)).toMatch(
        /^(none|short|ops|s|percentunit|bytes|dtdurations)$/,
      );
    }
  });

  it('every exclusion in dashboards/.lint has a reason and still matches a panel', () => {
    const all = Object.entries(lint.exclusions).flatMap(([rule, e]) => {
      expect(e.reason.length, rule).toBeGreaterThan(40);
      return e.entries.map((_, i) => `${rule} ${i}`);
    });
    expect(all.filter((k) => !usedExclusions.has(k))).toEqual([]);
  });
});

describe('totals over the time range', () => {
  const totals = totalPanels(dashboards);

  it('found the bar and stat panels that sum', () => {
    expect(totals.map((t) => `${t.file} ${t.panel.title}`)).toEqual([
      'bellwether-dependency.json Failed probe checks by error class',
      'bellwether-dependency.json Retries',
      'bellwether-dependency.json Token spend of the probes',
      'bellwether-self.json Overruns (time range)',
      'bellwether-self.json Probe overruns',
      'bellwether-self.json Notifier outcomes',
    ]);
  });

  it.each(totals)('$file «$panel.title» sums per-step changes that tile the range', ({ panel }) => {
    // Grafana's Prometheus backend sets the step and $__interval to the same calculated
    // interval (at least the panel's min interval) and aligns start and end to it; a whole
    // unit ("1m", not "90s") formats back to exactly the step.
    expect(panel.interval).toMatch(/^[1-9]\d*[smhd]$/);
    for (const t of panel.targets) {
      expect(t.range).toBe(true);
      expect(t.instant).toBe(false);
      const counters = parsePromql(forParsing(t.expr)).selectors.filter((s) =>
        s.metric.endsWith('_total'),
      );
      expect(counters.length).toBeGreaterThan(0);
      for (const s of counters) expect(t.expr).toContain(perStep(s.text));
    }
  });

  it('no query adds up increase() over overlapping $__rate_interval windows', () => {
    const overlapping = queries.filter((q) =>
      /increase\([^)]*\[\$__rate_interval\]\)/.test(q.expr),
    );
    expect(overlapping.map((q) => `${q.file} ${q.where}`)).toEqual([]);
  });
});
