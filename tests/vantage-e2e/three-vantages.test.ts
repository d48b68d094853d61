import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compressRules, parseDuration } from '../../scripts/generate-rules.js';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import {
  type ActiveAlert,
  type RunningPrometheus,
  sleep,
  startPrometheus,
  waitFor,
} from '../support/prometheus.js';

// Three Bellwether instances, one per vantage point, each probing the same dependency through
// its own fake vendor (so a fault reaches one vantage only), and a real Prometheus scraping
// all three and evaluating the shipped rules with every `for:` and range divided by 30
// (30 s probing becomes 1 s). One vantage failing is a warning naming it; the quorum page
// waits for a second one.

const FACTOR = 30;
const ROOT = new URL('../../', import.meta.url);
const VANTAGES = ['eu-west-1', 'us-east-1', 'ap-southeast-1'] as const;
type Vantage = (typeof VANTAGES)[number];
const DEPENDENCY = 'openai-chat';
const OPENAI_KEY = 'sk-vantage-e2e-0123456789abcdef';
const PAGE = 'BellwetherDependencyDown';
const WARNING = 'BellwetherDependencyDownOneVantage';
const OUTAGE = { status: 503 } as const;

const RULES = compressRules(
  readFileSync(new URL('config/prometheus/bellwether.rules.yml', ROOT), 'utf8'),
  { factor: FACTOR, interval: '1s' },
);

/** The compressed `for:` of an alert, in ms, as Prometheus will apply it. */
function forOf(alert: string): number {
  const file = parse(RULES) as { groups: { rules: { alert?: string; for?: string }[] }[] };
  const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule?.for) throw new Error(`${alert} has no for: in the shipped rules`);
  return parseDuration(rule.for);
}

const PAGE_FOR_MS = forOf(PAGE);
const WARNING_FOR_MS = forOf(WARNING);
// Long enough for the page to have fired three times over had one vantage been a quorum.
const QUIET_WINDOW_MS = 3 * PAGE_FOR_MS;

interface Instance {
  vantage: Vantage;
  vendor: FakeVendor;
  bw: Bellwether;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const named = (alerts: ActiveAlert[], name: string): ActiveAlert[] =>
  alerts.filter((a) => a.labels.alertname === name);

describe('three vantage points, one Prometheus, the shipped quorum rules', () => {
  const instances: Instance[] = [];
  let prom: RunningPrometheus | undefined;

  const instance = (vantage: Vantage): Instance => {
    const found = instances.find((i) => i.vantage === vantage);
    if (!found) throw new Error(`${vantage} not started`);
    return found;
  };
  const prometheus = (): RunningPrometheus => {
    if (!prom) throw new Error('Prometheus not started');
    return prom;
  };
  const downVantages = async (): Promise<string[]> =>
    (await prometheus().query(`bellwether:dependency_down:vantage{dependency="${DEPENDENCY}"}`))
      .map((s) => s.metric.vantage ?? '')
      .sort();
  const withOutput = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${prom?.output() ?? ''}`);
    }
  };

  beforeAll(async () => {
    for (const vantage of VANTAGES) {
      const vendor = await startFakeVendor({ openaiKey: OPENAI_KEY });
      const parsed = parseConfigText(
        `vantage: ${vantage}
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
# 30x faster than production: rounds every second, no retry (one fault, one failed probe),
# and the breaker tries again after 2 s instead of 60 s.
defaults: { interval: 1s, timeout: 900ms, retries: 0, breaker: { resetTimeout: 2s } }
dependencies:
  - id: ${DEPENDENCY}
    vendor: openai
    team: secops
    baseUrl: ${vendor.url}/v1
    apiKey: \${OPENAI_API_KEY}
    model: gpt-4o-mini
    checks: [models]
`,
        `${vantage}.yaml`,
        { OPENAI_API_KEY: OPENAI_KEY },
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const bw = await startBellwether({
        config: parsed.config,
        logLevel: 'silent',
        firstRunSpreadMs: 50,
      });
      instances.push({ vantage, vendor, bw });
    }
    prom = await startPrometheus({
      targets: instances.map((i) => `127.0.0.1:${i.bw.port}`),
      rules: RULES,
    });
    await withOutput(async () => {
      await waitFor('Prometheus scraping all three instances', 30_000, async () =>
        (await prometheus().query('up{job="bellwether"} == 1')).length === VANTAGES.length
          ? true
          : undefined,
      );
      // The rules see three healthy vantages before any fault is injected.
      await waitFor(`${DEPENDENCY} healthy from every vantage`, 30_000, async () => {
        const healthy = await prometheus().query(
          `bellwether_dependency_state{dependency="${DEPENDENCY}",state="healthy"} == 1`,
        );
        const counted = await prometheus().query(
          `bellwether:dependency_vantages:count{dependency="${DEPENDENCY}"}`,
        );
        return healthy.length === VANTAGES.length && counted[0]?.value === VANTAGES.length
          ? true
          : undefined;
      });
    });
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await Promise.all(instances.map((i) => i.bw.stop()));
    await Promise.all(instances.map((i) => i.vendor.stop()));
  }, 30_000);

  it.each(VANTAGES)(
    '%s: its /metrics and its series in Prometheus carry its vantage',
    async (vantage) => {
      const { bw } = instance(vantage);
      const res = await fetch(`http://127.0.0.1:${bw.port}/metrics`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(200);
      const samples = (await res.text()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(samples.length).toBeGreaterThan(20);
      const vantages = new Set(samples.map((l) => l.match(/[{,]vantage="([^"]*)"/)?.[1]));
      expect([...vantages]).toEqual([vantage]);
      expect(samples).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^bellwether_dependency_state\\{.*dependency="${DEPENDENCY}".*vantage="${vantage}"`,
          ),
        ),
      );
      // Prometheus keeps the three apart: this target's series are this vantage's.
      const built = await prometheus().query(
        `bellwether_build_info{instance="127.0.0.1:${bw.port}"}`,
      );
      expect(built.map((s) => s.metric.vantage)).toEqual([vantage]);
    },
  );

  it('one vantage failing: a warning naming it, and no page', async () => {
    const eu = instance('eu-west-1');
    const faultAt = Date.now();
    eu.vendor.setFault('*', OUTAGE);
    await withOutput(() =>
      waitFor('eu-west-1 down in Prometheus', 30_000, async () =>
        (await downVantages()).includes('eu-west-1') ? true : undefined,
      ),
    );
    const downAt = Date.now();
    let warnedAt: number | undefined;
    let warning: ActiveAlert[] = [];
    await withOutput(async () => {
      // Every poll, from the moment Prometheus sees eu-west-1 down until the quiet window is
      // over and the warning fires: only eu-west-1 down, no quorum, no page (not even pending).
      for (;;) {
        const [alerts, down, quorum] = await Promise.all([
          prometheus().alerts(),
          downVantages(),
          prometheus().query('bellwether:dependency_down:quorum'),
        ]);
        const at = secs(Date.now() - downAt);
        expect(down, `vantages down ${at} after eu-west-1 went down`).toEqual(['eu-west-1']);
        expect(quorum, `quorum ${at} after eu-west-1 went down`).toEqual([]);
        expect(named(alerts, PAGE), `${PAGE} ${at} after eu-west-1 went down`).toEqual([]);
        const firing = named(alerts, WARNING).filter((a) => a.state === 'firing');
        if (firing.length > 0 && warnedAt === undefined) {
          warnedAt = Date.now();
          warning = firing;
        }
        if (warnedAt !== undefined && Date.now() - downAt >= QUIET_WINDOW_MS) break;
        if (Date.now() - downAt > QUIET_WINDOW_MS + 60_000) {
          throw new Error(`${WARNING} not firing ${at} after eu-west-1 went down`);
        }
        await sleep(500);
      }
    });
    expect(warning).toHaveLength(1);
    expect(warning[0]?.labels).toMatchObject({
      alertname: WARNING,
      dependency: DEPENDENCY,
      vendor: 'openai',
      vantage: 'eu-west-1',
      team: 'secops',
      severity: 'warning',
      kind: 'outage',
    });
    expect(warning[0]?.annotations.summary).toBe(
      `${DEPENDENCY} (openai) is down as seen from eu-west-1 only: overloaded`,
    );
    process.stdout.write(
      `three vantages: fault at eu-west-1 → down in Prometheus ${secs(downAt - faultAt)}, ` +
        `${WARNING} firing ${secs((warnedAt as number) - faultAt)} (for: ${secs(WARNING_FOR_MS)}); ` +
        `${PAGE} stayed quiet for ${secs(Date.now() - downAt)} with one vantage down ` +
        `(for: ${secs(PAGE_FOR_MS)})\n`,
    );
  }, 120_000);

  it('a second vantage failing: the quorum page fires, the one-vantage warning stops', async () => {
    const us = instance('us-east-1');
    const faultAt = Date.now();
    us.vendor.setFault('*', OUTAGE);
    let pendingAt: number | undefined;
    let warningGoneAt: number | undefined;
    const page = await withOutput(() =>
      waitFor(
        `${PAGE} firing`,
        60_000,
        async () => {
          const all = await prometheus().alerts();
          if (named(all, WARNING).length === 0) warningGoneAt ??= Date.now();
          const alerts = named(all, PAGE);
          if (alerts.length > 0) pendingAt ??= Date.now();
          const firing = alerts.filter((a) => a.state === 'firing');
          return firing.length > 0 ? firing : undefined;
        },
        250,
      ),
    );
    const firedAt = Date.now();
    expect(page).toHaveLength(1);
    expect(page[0]?.labels).toEqual({
      alertname: PAGE,
      dependency: DEPENDENCY,
      vendor: 'openai',
      team: 'secops',
      severity: 'critical',
      priority: 'P2',
      kind: 'outage',
    });
    expect(page[0]?.annotations.summary).toBe(
      `${DEPENDENCY} (openai) is down from 2 vantage point(s): overloaded`,
    );
    expect(await downVantages()).toEqual(['eu-west-1', 'us-east-1']);
    // A majority is an outage, not two regional problems: the warning gives way to the page.
    expect(named(await prometheus().alerts(), WARNING)).toEqual([]);
    process.stdout.write(
      `three vantages: second fault (us-east-1) → ${WARNING} gone ${secs((warningGoneAt as number) - faultAt)}, ` +
        `${PAGE} pending ${secs((pendingAt as number) - faultAt)}, ` +
        `firing ${secs(firedAt - faultAt)} (for: ${secs(PAGE_FOR_MS)}, probing every 1 s, ` +
        `scrape and evaluation every 1 s)\n`,
    );
  }, 90_000);

  it('faults cleared: the page resolves', async () => {
    const clearedAt = Date.now();
    for (const i of instances) i.vendor.clearFaults();
    await withOutput(() =>
      waitFor(
        `${PAGE} resolved and no vantage down`,
        60_000,
        async () => {
          const alerts = await prometheus().alerts();
          const down = await downVantages();
          return named(alerts, PAGE).length === 0 && down.length === 0 ? true : undefined;
        },
        250,
      ),
    );
    process.stdout.write(
      `three vantages: faults cleared → ${PAGE} resolved ${secs(Date.now() - clearedAt)}\n`,
    );
  }, 90_000);
});
