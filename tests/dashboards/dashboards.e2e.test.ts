import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import {
  type DashboardQuery,
  type Json,
  loadDashboards,
  queriesOf,
  startFakeStatusPages,
  statusSummary,
} from './support.js';

const PROMETHEUS = '/usr/bin/prometheus';

/**
 * Panels whose metric legitimately has no series in this fixture. Every query still has to
 * execute without an error; these may come back empty.
 */
const EXPECTED_EMPTY: Readonly<Record<string, string>> = {
  'bellwether-overview.json panel 13 «Firing Bellwether alerts» A':
    'this Prometheus loads no alert rules, so ALERTS has no series',
  'bellwether-dependency.json panel 14 «TLS certificate expires in» A':
    'the fake vendor speaks plain HTTP: there is no certificate',
  'bellwether-self.json panel 10 «Notifier outcomes» A':
    'no notifier is configured here (and issue 4 adds bellwether_notifications_total)',
};

const dashboards = loadDashboards();
const queries = dashboards.flatMap(queriesOf);
const panelQueries = queries.filter((q) => q.kind !== 'variable');
const variableQueries = queries.filter((q) => q.kind === 'variable');
const key = (q: DashboardQuery) => `${q.file} ${q.where}`;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Grafana's escaping of a multi-value variable inside a Prometheus regex matcher. */
const regexEscape = (v: string) => v.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
const allValue = (values: string[]) =>
  values.length === 1 ? regexEscape(values[0] as string) : `(${values.map(regexEscape).join('|')})`;

// Skipped on a workstation without it; in CI (CI set) a missing binary fails the run.
describe.skipIf(!existsSync(PROMETHEUS) && !process.env.CI)(
  'dashboards against a real Prometheus',
  () => {
    let good: FakeVendor;
    let bad: FakeVendor;
    let statusPages: Awaited<ReturnType<typeof startFakeStatusPages>>;
    let bw: Bellwether;
    let prometheus: ChildProcess | undefined;
    let promLog = '';
    let promUrl = '';
    let dir = '';
    const vars: Record<string, string> = {};

    const api = async (path: string, params: Record<string, string | string[]>): Promise<Json> => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      }
      // The query API takes a form POST (long expressions); label values only answer GET.
      const res = path.startsWith('/api/v1/label/')
        ? await fetch(`${promUrl}${path}?${body}`)
        : await fetch(`${promUrl}${path}`, { method: 'POST', body });
      const json = (await res.json()) as Json;
      if (json.status !== 'success') {
        throw new Error(`${path} ${JSON.stringify(params)}: ${json.errorType}: ${json.error}`);
      }
      return json.data;
    };
    const query = (expr: string): Promise<Json> =>
      api('/api/v1/query', { query: expr, time: String(Date.now() / 1000) });

    /** Variables as Grafana fills them when "All" is selected; the rest the way Grafana expands its built-ins. */
    const substitute = (expr: string): string =>
      expr
        .replace(/\$__rate_interval\b/g, '1m')
        .replace(/\$__interval\b/g, '15s')
        .replace(/\$__range_s\b/g, '3600')
        .replace(/\$__range_ms\b/g, '3600000')
        .replace(/\$__range\b/g, '1h')
        .replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
          const name = (a ?? b) as string;
          const value = vars[name];
          if (value === undefined) throw new Error(`no value for ${whole} in ${expr}`);
          return value;
        });

    beforeAll(async () => {
      good = await startFakeVendor({ openaiKey: 'sk-e2e-openai', anthropicKey: 'sk-ant-e2e' });
      bad = await startFakeVendor({ anonymous: true });
      statusPages = await startFakeStatusPages({
        openai: statusSummary('OpenAI', {
          name: 'Elevated error rates',
          status: 'investigating',
          impact: 'major',
        }),
      });
      const parsed = parseConfigText(
        `vantage: e2e
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1s, timeout: 900ms, retries: 1 }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "${good.url}/v1", apiKey: "\${OPENAI_KEY}", model: gpt-4o-mini }
  - { id: anthropic-chat, vendor: anthropic, baseUrl: "${good.url}", apiKey: "\${ANTHROPIC_KEY}", model: claude-3-5-haiku-latest }
  - id: flaky
    vendor: openai-compatible
    baseUrl: "${bad.url}/v1"
    model: gpt-4o-mini
    breaker: { resetTimeout: 2s }
  - { id: status-http, vendor: http, url: "${good.url}/health" }
consumers:
  - { id: phishing-triage, team: secops, uses: [flaky, anthropic-chat] }
  - { id: siem-copilot, team: soc, uses: [openai-chat] }
statusPages:
  - { vendor: openai, url: "${statusPages.url}/openai" }
`,
        'dashboards-e2e.yaml',
        { OPENAI_KEY: 'sk-e2e-openai', ANTHROPIC_KEY: 'sk-ant-e2e' },
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      bw = await startBellwether({
        config: parsed.config,
        logLevel: 'silent',
        firstRunSpreadMs: 200,
      });

      dir = mkdtempSync(join(tmpdir(), 'bellwether-prometheus-'));
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: bellwether
    static_configs: [{ targets: ["127.0.0.1:${bw.port}"] }]
`,
      );
      prometheus = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (d) => {
        promLog = (promLog + String(d)).slice(-4000);
      });

      // A healthy start, then the flaky vendor fails: its breaker opens, half-opens and
      // re-opens every few seconds, and every error-path metric gets series.
      await sleep(2500);
      bad.setFault('*', { status: 500 });
      // Two rounds at once: the second is an overrun.
      await Promise.all([bw.monitor.probeNow('status-http'), bw.monitor.probeNow('status-http')]);

      const deadline = Date.now() + 60_000;
      const ready = [
        'up{job="bellwether"} == 1',
        'count_over_time(bellwether_build_info[1m]) >= 15',
        'increase(bellwether_breaker_transitions_total[1m]) > 0',
        'bellwether_probe_retries_total',
        'bellwether_probe_overruns_total',
        'bellwether_probe_time_to_first_token_seconds_bucket',
        'bellwether_vendor_incident_active == 1',
      ];
      for (;;) {
        const missing: string[] = [];
        for (const expr of ready) {
          const data = await query(expr).catch(() => ({ result: [] }));
          if (data.result.length === 0) missing.push(expr);
        }
        if (missing.length === 0) break;
        if (Date.now() > deadline || prometheus.exitCode !== null) {
          throw new Error(`Prometheus never had ${missing.join(', ')}\n${promLog}`);
        }
        await sleep(1000);
      }

      // Variables in dashboard order, each answered the way Grafana asks Prometheus for them.
      vars.datasource = '';
      vars.vantage = '.*';
      for (const name of ['vantage', 'vendor', 'dependency', 'consumer', 'job']) {
        const v = variableQueries.find((q) => q.where === `variable ${name}`);
        if (!v) continue;
        const values: string[] = await api(`/api/v1/label/${v.label}/values`, {
          'match[]': substitute(v.expr),
        });
        if (name !== 'vantage' && name !== 'job') vars[name] = allValue(values);
        else vars[name] = '.*';
      }
    }, 120_000);

    afterAll(async () => {
      prometheus?.kill('SIGTERM');
      await bw?.stop();
      await good?.stop();
      await bad?.stop();
      await statusPages?.stop();
      if (prometheus && prometheus.exitCode === null) {
        await new Promise((r) => prometheus?.once('exit', r));
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it.each(variableQueries)('$file $where lists what the fixture has', async (q) => {
      const values: string[] = await api(`/api/v1/label/${q.label}/values`, {
        'match[]': substitute(q.expr),
      });
      const expected: Record<string, string[]> = {
        vantage: ['e2e'],
        vendor: ['anthropic', 'http', 'openai', 'openai-compatible'],
        dependency: ['anthropic-chat', 'flaky', 'openai-chat', 'status-http'],
        consumer: ['phishing-triage', 'siem-copilot'],
        job: ['bellwether'],
      };
      expect(values.sort()).toEqual(expected[q.where.replace('variable ', '')]);
    });

    it('lists expected-empty panels that exist', () => {
      const keys = new Set(panelQueries.map(key));
      for (const k of Object.keys(EXPECTED_EMPTY)) expect(keys.has(k), k).toBe(true);
    });

    it.each(panelQueries)('$file $where returns data', async (q) => {
      const data = await query(substitute(q.expr));
      const reason = EXPECTED_EMPTY[key(q)];
      if (reason) return;
      expect(data.result.length, `no series for ${q.expr}`).toBeGreaterThan(0);
      for (const r of data.result) {
        const value = Number(r.value[1]);
        expect(Number.isNaN(value), `NaN from ${JSON.stringify(r.metric)}`).toBe(false);
      }
    });
  },
);
