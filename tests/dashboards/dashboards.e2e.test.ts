import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import {
  type DashboardQuery,
  forParsing,
  type Json,
  loadDashboards,
  parsePromql,
  queriesOf,
  startFakeStatusPages,
  statusSummary,
  totalPanels,
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
  'bellwether-dependency.json annotation «Model changes»':
    'the fake vendor names the same served model throughout: no change to mark',
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

/**
 * Seconds of the window the totals are measured over (default 20; steps up to a third of it).
 * A longer one reproduces the figures at Grafana's usual steps:
 * BELLWETHER_TOTALS_WINDOW_S=600 npx vitest run tests/dashboards/dashboards.e2e.test.ts
 */
const WINDOW_S = Math.max(20, Number(process.env.BELLWETHER_TOTALS_WINDOW_S ?? 20) || 20);

/** The panels whose legend or value is a sum over the time range. */
const totals = totalPanels(dashboards).flatMap(({ file, panel }) =>
  panel.targets.map((t: Json) => ({ file, title: panel.title as string, expr: t.expr as string })),
);

/**
 * A counter's increase over (from, to] from its raw samples: its last value at or before
 * `from` (within Prometheus's 5 min lookback; a series without one starts from 0, as a new
 * counter does) to its value at `to`, a reset counting the new value from 0.
 */
function increaseFromSamples(values: [number, string][], from: number, to: number): number {
  let total = 0;
  let previous = 0;
  for (const [t, v] of values) {
    const value = Number(v);
    if (t > to) break;
    if (t <= from) {
      previous = t >= from - 300 ? value : 0;
      continue;
    }
    total += value >= previous ? value - previous : value;
    previous = value;
  }
  return total;
}

/** A per-step expression (see dashboards.test.ts) rewritten as increase() over `range`. */
const asIncrease = (expr: string, range: (step: string) => string): string =>
  expr.replace(
    /\((\w+\{[^}]*\}) - last_over_time\(\1\[5m\] offset (\d+s)\)\) >= 0 or \1/g,
    (_w, selector: string, step: string) => `increase(${selector}[${range(step)}])`,
  );

// Skipped on a workstation without it; in CI (CI set) a missing binary fails the run.
describe.skipIf(!existsSync(PROMETHEUS) && !process.env.CI)(
  'dashboards against a real Prometheus',
  () => {
    let good: FakeVendor;
    let bad: FakeVendor;
    let hooks: FakeReceiver;
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
    const query = (expr: string, time = Date.now() / 1000): Promise<Json> =>
      api('/api/v1/query', { query: expr, time: String(time) });

    /**
     * Variables as Grafana fills them when "All" is selected (every multi-select has allValue
     * ".+"); the rest the way Grafana's Prometheus backend expands its built-ins: $__interval
     * is the step, $__rate_interval max(step + scrape interval, 4 × scrape interval).
     */
    const substitute = (expr: string, stepS = 15): string =>
      expr
        .replace(/\$__rate_interval\b/g, `${Math.max(stepS + 1, 4)}s`)
        .replace(/\$__interval\b/g, `${stepS}s`)
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
      hooks = await startFakeReceiver();
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
canaries:
  # Any text passes: the fake vendor answers every prompt the same way.
  - { id: e2e-canary, prompt: "Say anything.", expect: { matches: "^" }, interval: 1s }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "${good.url}/v1", apiKey: "\${OPENAI_KEY}", model: gpt-4o-mini, canaries: [e2e-canary] }
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
notify:
  - { type: webhook, url: "${hooks.url}/hook", minSeverity: info, failuresToAlert: 1, successesToResolve: 1 }
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
        // Enough history for the per-step panels' `offset` at a 15 s step.
        'count_over_time(bellwether_build_info[1m]) >= 20',
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

      // "All" of every multi-select is its allValue.
      vars.datasource = '';
      for (const name of ['job', 'instance', 'vantage', 'vendor', 'dependency', 'consumer']) {
        vars[name] = '.+';
      }
    }, 120_000);

    afterAll(async () => {
      prometheus?.kill('SIGTERM');
      await bw?.stop();
      await good?.stop();
      await bad?.stop();
      await statusPages?.stop();
      await hooks?.stop();
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
        instance: [`127.0.0.1:${bw.port}`],
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

    // Bars of the per-step change tile the range: their sum is the counter's increase over
    // it, whatever the step. Measured against the raw samples Prometheus stored, next to
    // what the previous queries (increase over $__rate_interval, or over $__interval) add up to.
    it(
      "every total equals the counters' increase over the range, at every step",
      async () => {
        // A window in which every counter moves: the flaky vendor keeps failing and retrying,
        // tokens are spent every round, and the health check hangs for a while, so its rounds
        // (2 × 900 ms) overrun the 1 s interval and it degrades and goes down (notifications).
        const from = Math.ceil(Date.now() / 1000) + 1;
        await sleep(4000);
        good.setFault('health', { hang: 'before-headers' });
        await sleep(8000);
        good.setFault('health', null);
        await sleep(Math.max(8, WINDOW_S - 12) * 1000);
        const to = Math.floor(Date.now() / 1000) - 1;
        await sleep(2500); // the last scrapes before `to` are in
        const rows: string[] = [];
        const mismatches: string[] = [];
        const summed = async (expr: string, start: number, end: number, step: number) => {
          const data = await api('/api/v1/query_range', {
            query: expr,
            start: String(start),
            end: String(end),
            step: String(step),
          });
          return (data.result as { values: [number, string][] }[]).reduce(
            (sum, r) => sum + r.values.reduce((s2, [, v]) => s2 + Number(v), 0),
            0,
          );
        };
        for (const step of [1, 2, 5, 15, 20].filter((st) => st * 3 <= WINDOW_S)) {
          // Grafana aligns start and end down to a multiple of the step.
          const start = Math.ceil(from / step) * step;
          const end = Math.floor(to / step) * step;
          for (const t of totals) {
            const expr = substitute(t.expr, step);
            const bars = await summed(expr, start, end, step);
            // The counters' increase from their raw samples over what the bars cover: (start − step, end].
            let truth = 0;
            const counters = parsePromql(forParsing(t.expr)).selectors.filter((s) =>
              s.metric.endsWith('_total'),
            );
            const selector = substitute(counters[0]?.text as string, step);
            const raw = await query(`${selector}[${end - start + step + 300}s]`, end);
            for (const series of raw.result as { values: [number, string][] }[]) {
              truth += increaseFromSamples(series.values, start - step, end);
            }
            // What the previous queries gave: increase over $__rate_interval, and tiled over $__interval.
            const rateInterval = `${Math.max(step + 1, 4)}s`;
            const overlapping = asIncrease(expr, () => rateInterval);
            const tiledExpr = asIncrease(expr, (s) => s);
            expect(overlapping).not.toBe(expr);
            const old = await summed(overlapping, start, end, step);
            const tiled = await summed(tiledExpr, start, end, step);
            rows.push(
              `| ${t.title} | ${step}s | ${truth} | ${bars} | ${old.toFixed(1)} | ${tiled.toFixed(1)} |`,
            );
            if (bars !== truth) {
              mismatches.push(`${t.file} «${t.title}» at a ${step}s step: ${bars} ≠ ${truth}`);
            }
          }
        }
        console.info(
          [
            `Dashboard totals against the counters, ${to - from} s window (scrape 1 s, probes every 1 s):`,
            "| panel | step | counters' increase | dashboard total | old: increase[$__rate_interval] | increase[$__interval] |",
            '|---|---|---|---|---|---|',
            ...rows,
          ].join('\n'),
        );
        expect(mismatches).toEqual([]);
        // The window saw every kind of total move, so the equality is not 0 = 0.
        for (const title of [
          'Token spend of the probes',
          'Failed probe checks by error class',
          'Retries',
          'Probe overruns',
          'Notifier outcomes',
        ]) {
          expect(
            rows.some((r) => r.startsWith(`| ${title} |`) && !/\| \d+s \| 0 \|/.test(r)),
            title,
          ).toBe(true);
        }
      },
      60_000 + WINDOW_S * 2000,
    );
  },
);
