import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { Gauge, Histogram, type OpenMetricsContentType, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricsRouter } from '../../src/http/metrics.js';
import { createExposition } from '../../src/metrics/exposition.js';
import {
  createMetrics,
  DURATION_BUCKETS,
  type Metrics,
  TTFT_BUCKETS,
} from '../../src/metrics/metrics.js';
import { ERROR_CLASSES } from '../../src/probes/types.js';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const DEP = { dependency: 'openai-chat', vendor: 'openai', model: 'gpt-4o-mini' };

/** A registry holding every kind of series Bellwether exports, with awkward label values. */
function populated(vantage = 'eu-west-1'): { registry: Registry; metrics: Metrics } {
  const registry = new Registry();
  registry.setDefaultLabels({ vantage });
  const metrics = createMetrics(registry, { version: '1.2.3' });
  metrics.describeDependency({
    ...DEP,
    team: 'sec "ops"\\blue\nteam',
    objective: 0.995,
    checks: ['models', 'completion'],
  });
  metrics.describeConsumer({ id: 'triage', team: 'secops', uses: ['openai-chat', 'backup'] });
  metrics.setDependencyState(DEP, 'degraded');
  metrics.setBreakerState(DEP.dependency, 'half_open');
  metrics.breakerTransition(DEP.dependency, 'open');
  metrics.recordCheck(
    DEP,
    {
      check: 'models',
      ok: true,
      latencyMs: 7.5,
      httpStatus: 200,
      phases: { dnsMs: 0.4, connectMs: 1.2, ttfbMs: 5 },
      rateLimits: [{ resource: 'requests', limit: 500, remaining: 499, resetAt: AT + 60_000 }],
      tlsCertNotAfter: AT + 86_400_000,
      attempts: 2,
    },
    AT,
  );
  metrics.recordCheck(
    DEP,
    { check: 'completion', ok: false, latencyMs: 30_000, errorClass: 'timeout', attempts: 1 },
    AT,
  );
  metrics.recordCheck(
    DEP,
    {
      check: 'completion',
      ok: true,
      latencyMs: 420,
      ttftMs: 12,
      tokens: { input: 8, output: 1 },
      attempts: 1,
    },
    AT,
  );
  metrics.setBillingExhausted(DEP.dependency, false);
  metrics.setConfigReloadSuccess(true, AT);
  // A gauge filled by a collect callback, and a summary (a shape the writer leaves to prom-client).
  let collected = 0;
  new Gauge({
    name: 'test_collected',
    help: 'Set at collection.',
    registers: [registry],
    collect() {
      this.set(++collected);
    },
  });
  const summary = new Summary({
    name: 'test_latency_seconds',
    help: 'A summary.',
    percentiles: [0.5],
    registers: [registry],
  });
  summary.observe(0.25);
  return { registry, metrics };
}

/** The collect-driven gauge changes at every render: blank its value to compare two renders. */
const withoutCollected = (t: string) =>
  t.replace(/^test_collected\{[^}]*\} \d+$/m, 'test_collected N');

const joined = async (registry: Registry, format: 'prometheus' | 'openmetrics') =>
  (await createExposition(registry).render(format)).join('');

/** prom-client's own OpenMetrics text for the same metric objects, as the old view rendered it. */
async function promClientOpenMetrics(registry: Registry, vantage: string): Promise<string> {
  const view = new Registry<OpenMetricsContentType>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  view.setDefaultLabels({ vantage });
  for (const m of registry.getMetricsAsArray()) {
    view.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return view.metrics();
}

describe('exposition writer', () => {
  it('writes byte for byte what prom-client writes, in both formats, also after values change', async () => {
    const { registry, metrics } = populated();
    const exposition = createExposition(registry);
    expect(withoutCollected((await exposition.render('prometheus')).join(''))).toBe(
      withoutCollected(await registry.metrics()),
    );
    metrics.recordCheck(
      DEP,
      { check: 'models', ok: false, latencyMs: 3, errorClass: 'network', attempts: 3 },
      AT + 1000,
    );
    metrics.setDependencyState(DEP, 'down');
    const second = (await exposition.render('prometheus')).join('');
    expect(withoutCollected(second)).toBe(withoutCollected(await registry.metrics()));
    expect(second).toContain(
      'bellwether_probe_results_total{dependency="openai-chat",vendor="openai",check="models",outcome="failure",error_class="network",vantage="eu-west-1"} 1',
    );
    // Last: prom-client's OpenMetrics rendering renames counter objects in place.
    const mine = (await exposition.render('openmetrics')).join('');
    expect(withoutCollected(mine)).toBe(
      withoutCollected(await promClientOpenMetrics(registry, 'eu-west-1')),
    );
  });

  // The writer keeps each metric's series keys between renders (no enumeration of a large
  // map per scrape); every way prom-client's map changes must still show, in its order.
  it.each<[string, (g: Gauge, h: Histogram) => void]>([
    ['a series added', (g) => g.set({ k: 'c' }, 3)],
    ['a series removed', (g) => g.remove({ k: 'a' })],
    [
      'removed and added again (it goes last)',
      (g) => {
        g.remove({ k: 'a' });
        g.set({ k: 'a' }, 9);
      },
    ],
    [
      'reset, then set',
      (g, h) => {
        g.reset();
        g.set({ k: 'b' }, 1);
        h.reset();
      },
    ],
    ['an integer-like label set hash', (g) => g.set({ k: '7' }, 7)],
    ['a histogram series added', (_g, h) => h.observe({ k: 'z' }, 0.3)],
  ])('follows prom-client after %s', async (_what, change) => {
    const registry = new Registry();
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['k'], registers: [registry] });
    const h = new Histogram({
      name: 'h',
      help: 'h',
      labelNames: ['k'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    g.set({ k: 'a' }, 1);
    g.set({ k: 'b' }, 2);
    h.observe({ k: 'y' }, 0.05);
    const exposition = createExposition(registry);
    expect((await exposition.render('prometheus')).join('')).toBe(await registry.metrics());
    change(g, h);
    expect((await exposition.render('prometheus')).join('')).toBe(await registry.metrics());
    g.set({ k: 'd' }, 4);
    expect((await exposition.render('prometheus')).join('')).toBe(await registry.metrics());
  });

  it('follows setDefaultLabels: a reload that changes the vantage shows in OpenMetrics', async () => {
    const { registry } = populated('eu-west-1');
    const app = metricsRouter({ registry });
    const scrape = async () =>
      (
        await app.request('/metrics', {
          headers: { accept: 'application/openmetrics-text; version=1.0.0' },
        })
      ).text();
    expect(await scrape()).toContain('vantage="eu-west-1"');
    registry.setDefaultLabels({ vantage: 'us-east-1' });
    const after = await scrape();
    expect(after).toContain(
      'bellwether_dependency_state{dependency="openai-chat",vendor="openai",state="degraded",vantage="us-east-1"} 1',
    );
    expect(after).not.toContain('eu-west-1');
    expect(after.endsWith('\n# EOF\n')).toBe(true);
  });

  it('yields to the event loop during a large render', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '1' });
    for (let i = 0; i < 300; i++) {
      metrics.describeDependency({
        dependency: `dep-${i}`,
        vendor: 'http',
        model: '',
        objective: 0.99,
        checks: ['http'],
      });
    }
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const pieces = await createExposition(registry, { sliceMs: 0 }).render('prometheus');
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(await registry.metrics());
  });

  it('promtool accepts the output, zero series included', () => {
    const { registry } = populated();
    return joined(registry, 'prometheus').then((text) => {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(
        check.error,
        'promtool must be installed (apt-get install prometheus)',
      ).toBeUndefined();
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    });
  });
});

describe('counters exported at 0 from the start', () => {
  it('has every label set a dependency can count before its first event', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '1' });
    metrics.describeDependency({ ...DEP, objective: 0.99, checks: ['models', 'completion'] });
    const text = await joined(registry, 'prometheus');
    const zero = (series: string) => expect(text).toContain(`${series} 0\n`);
    for (const check of ['models', 'completion']) {
      const labels = `dependency="openai-chat",vendor="openai",check="${check}"`;
      zero(`bellwether_probe_results_total{${labels},outcome="success",error_class="none"}`);
      for (const cls of ERROR_CLASSES) {
        zero(`bellwether_probe_results_total{${labels},outcome="failure",error_class="${cls}"}`);
      }
      zero(`bellwether_probe_retries_total{dependency="openai-chat",check="${check}"}`);
    }
    for (const reason of ['no_key', 'budget']) {
      zero(
        `bellwether_probe_skipped_total{dependency="openai-chat",check="completion",reason="${reason}"}`,
      );
    }
    expect(text).not.toContain('check="models",reason=');
    for (const to of ['closed', 'open', 'half_open']) {
      zero(`bellwether_breaker_transitions_total{dependency="openai-chat",to="${to}"}`);
    }
    for (const type of ['input', 'output']) {
      zero(`bellwether_probe_tokens_total{dependency="openai-chat",type="${type}"}`);
    }
    zero('bellwether_probe_overruns_total{dependency="openai-chat"}');
  });

  it('counts the first event on top of the zero series', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '1' });
    metrics.describeDependency({ ...DEP, objective: 0.99, checks: ['models'] });
    metrics.breakerTransition(DEP.dependency, 'open');
    const text = await joined(registry, 'prometheus');
    expect(text).toContain(
      'bellwether_breaker_transitions_total{dependency="openai-chat",to="open"} 1\n',
    );
    expect(text).toContain(
      'bellwether_breaker_transitions_total{dependency="openai-chat",to="closed"} 0\n',
    );
  });
});

describe('histogram buckets', () => {
  it.each([
    ['bellwether_probe_duration_seconds', DURATION_BUCKETS, 10],
    ['bellwether_probe_time_to_first_token_seconds', TTFT_BUCKETS, 8],
  ] as const)(
    '%s resolves 5–50 ms with no more buckets than before (%j)',
    (_name, buckets, before) => {
      expect(buckets.length).toBeLessThanOrEqual(before);
      expect(buckets.filter((b) => b >= 0.005 && b <= 0.05).length).toBeGreaterThanOrEqual(3);
    },
  );

  it('puts a 12 ms answer into the 25 ms bucket, not the first 50 ms one', async () => {
    const { registry } = populated();
    const text = await joined(registry, 'prometheus');
    // The completion's TTFT was 12 ms.
    expect(text).toMatch(
      /bellwether_probe_time_to_first_token_seconds_bucket\{le="0.005",[^}]*\} 0\nbellwether_probe_time_to_first_token_seconds_bucket\{le="0.025",[^}]*\} 1\n/,
    );
  });
});

describe('/metrics route', () => {
  const scrape = (app: ReturnType<typeof metricsRouter>, headers: Record<string, string> = {}) =>
    app.request('/metrics', { headers });

  it.each([
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['br;q=1, *;q=0.1', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['', false],
  ])('Accept-Encoding %j: gzip %s, same document', async (encoding, gzipped) => {
    const { registry } = populated();
    const app = metricsRouter({ registry });
    const plain = await (await scrape(app)).text();
    const res = await scrape(app, encoding === '' ? {} : { 'accept-encoding': encoding });
    expect(res.headers.get('content-encoding')).toBe(gzipped ? 'gzip' : null);
    expect(res.headers.get('vary')).toContain('Accept-Encoding');
    const body = Buffer.from(await res.arrayBuffer());
    expect(withoutCollected((gzipped ? gunzipSync(body) : body).toString('utf8'))).toBe(
      withoutCollected(plain),
    );
  });

  it('shows a change at the next scrape', async () => {
    const { registry, metrics } = populated();
    const app = metricsRouter({ registry });
    const line = (v: number) =>
      `bellwether_billing_exhausted{dependency="openai-chat",vantage="eu-west-1"} ${v}\n`;
    expect(await (await scrape(app)).text()).toContain(line(0));
    metrics.setBillingExhausted(DEP.dependency, true);
    expect(await (await scrape(app)).text()).toContain(line(1));
  });

  it('answers concurrent scrapes from one render', async () => {
    const { registry } = populated();
    let collections = 0;
    new Gauge({
      name: 'test_collections',
      help: 'Counts renders.',
      registers: [registry],
      collect() {
        this.set(++collections);
      },
    });
    const app = metricsRouter({ registry });
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async () => (await scrape(app)).text()),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(collections).toBe(1);
    await scrape(app);
    expect(collections).toBe(2);
  });
});
