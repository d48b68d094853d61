import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  bellwetherMetrics,
  DASHBOARD_DIR,
  forParsing,
  type Json,
  loadDashboards,
  PENDING_METRICS,
  PROMETHEUS_BUILTINS,
  panelsOf,
  parsePromql,
  queriesOf,
  recordingRules,
  SCHEMA_VERSION,
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

    it('has a datasource variable and the vantage, vendor, dependency and consumer variables', () => {
      const vars = new Map<string, Json>(json.templating.list.map((v: Json) => [v.name, v]));
      expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const name of ['vantage', 'vendor', 'dependency', 'consumer']) {
        const v = vars.get(name);
        expect(v, name).toMatchObject({ type: 'query', includeAll: true, multi: true });
        expect(v.definition, name).toMatch(/^label_values\(/);
        expect(v.query.query, name).toBe(v.definition);
      }
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
