import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerForTest, compressRules } from '../../scripts/generate-rules.js';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

// End to end: Bellwether probing the fake vendor every second, a real Prometheus scraping it
// every second and evaluating the shipped rules with every `for:` and range divided by 30
// (30 s probing becomes 1 s), and a real Alertmanager with the shipped routing tree and
// inhibitions whose receivers all post to a local webhook named after them.

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const FACTOR = 30;
const ROOT = new URL('../../', import.meta.url);

interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Alert[];
  at: number;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

interface Child {
  name: string;
  proc: ChildProcess;
  output: string[];
}

function startChild(name: string, bin: string, args: string[]): Child {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { name, proc, output };
}

async function stopChild(child: Child): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

const ready = async (url: string): Promise<true | undefined> => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  } catch {
    return undefined;
  }
};

const missing = [PROMETHEUS, ALERTMANAGER].filter((bin) => !existsSync(bin));

describe('alerting end to end: Bellwether → Prometheus → Alertmanager → webhook', () => {
  let dir = '';
  let outageVendor: FakeVendor | undefined;
  let flakyVendor: FakeVendor | undefined;
  let bw: Bellwether | undefined;
  let hook: http.Server | undefined;
  const children: Child[] = [];
  const notifications: Notification[] = [];
  let promUrl = '';

  const dump = (): string =>
    children.map((c) => `--- ${c.name}\n${c.output.join('').slice(-3000)}`).join('\n');

  beforeAll(async () => {
    if (missing.length > 0) {
      throw new Error(
        `missing ${missing.join(', ')}: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'bellwether-alerting-'));

    hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as Omit<Notification, 'at'>;
          notifications.push({
            receiver: decodeURIComponent((req.url ?? '/').slice(1)),
            status: body.status,
            alerts: body.alerts,
            at: Date.now(),
          });
        } finally {
          res.writeHead(200).end();
        }
      });
    });
    await new Promise<void>((resolve) => hook?.listen(0, '127.0.0.1', resolve));
    const hookAddress = hook.address();
    const hookPort = typeof hookAddress === 'object' && hookAddress ? hookAddress.port : 0;

    outageVendor = await startFakeVendor({ anonymous: true });
    flakyVendor = await startFakeVendor({ anonymous: true });
    const parsed = parseConfigText(
      `vantage: e2e
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
# 30x faster than production: rounds every second; no retry, so one injected fault is one
# failed probe; the breaker tries again after 2 s instead of 60 s.
defaults: { interval: 1s, timeout: 800ms, retries: 0, breaker: { resetTimeout: 2s } }
dependencies:
  - { id: outage-chat, vendor: openai-compatible, team: secops, baseUrl: "${outageVendor.url}/v1", model: gpt-4o-mini, checks: [models] }
  - { id: flaky-chat, vendor: openai-compatible, team: secops, baseUrl: "${flakyVendor.url}/v1", model: gpt-4o-mini, checks: [models] }
consumers:
  - { id: phishing-triage, team: secops, uses: [outage-chat] }
  - { id: siem-copilot, team: secops, uses: [flaky-chat] }
`,
      'alerting-e2e.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent', firstRunSpreadMs: 50 });

    const [promPort, amPort] = [await freePort(), await freePort()];
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, 'rules.yml'),
      compressRules(readFileSync(new URL('config/prometheus/bellwether.rules.yml', ROOT), 'utf8'), {
        factor: FACTOR,
        interval: '1s',
      }),
    );
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      alertmanagerForTest(
        readFileSync(new URL('config/alertmanager/alertmanager.yml', ROOT), 'utf8'),
        {
          webhookBase: `http://127.0.0.1:${hookPort}`,
          groupWait: '1s',
          groupInterval: '2s',
          repeatInterval: '1h',
        },
      ),
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }]
scrape_configs:
  - job_name: bellwether
    static_configs: [{ targets: ["127.0.0.1:${bw.port}"] }]
`,
    );
    children.push(
      startChild('alertmanager', ALERTMANAGER, [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ]),
      startChild('prometheus', PROMETHEUS, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--rules.alert.resend-delay=1s',
        '--log.level=warn',
      ]),
    );
    try {
      await waitFor('Alertmanager ready', 20_000, () =>
        ready(`http://127.0.0.1:${amPort}/-/ready`),
      );
      await waitFor('Prometheus ready', 20_000, () => ready(`${promUrl}/-/ready`));
      await waitFor('Prometheus scraping Bellwether', 20_000, async () => {
        const body = (await getJson(
          `${promUrl}/api/v1/query?query=${encodeURIComponent('up{job="bellwether"} == 1')}`,
        )) as { data: { result: unknown[] } };
        return body.data.result.length > 0 ? true : undefined;
      });
      // The pipeline is live once the always-firing Watchdog reaches its receiver.
      await waitFor('the Watchdog at the dead man’s switch', 20_000, () =>
        notifications.some((n) => n.receiver === 'deadmans-switch') ? true : undefined,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.map(stopChild));
    await bw?.stop();
    await outageVendor?.stop();
    await flakyVendor?.stop();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const notAboutWatchdog = (n: Notification): boolean =>
    n.alerts.some((a) => a.labels.alertname !== 'Watchdog');

  it('a vendor failing 5% of probes sends nothing', async () => {
    if (!bw || !flakyVendor) throw new Error('not started');
    const vendor = flakyVendor;
    const since = Date.now();
    let rounds = 0;
    let failed = 0;
    // One probe in 20 fails: the round after every 20th gets one 503.
    const unsubscribe = bw.monitor.onRoundCompleted((dependency, round) => {
      if (dependency !== 'flaky-chat') return;
      rounds++;
      if (round.results.some((r) => !r.ok)) failed++;
      if (rounds % 20 === 0) vendor.setFault('models', { status: 503, times: 1 });
    });
    try {
      await sleep(60_000);
    } finally {
      unsubscribe();
    }
    expect(rounds).toBeGreaterThanOrEqual(45);
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(failed / rounds).toBeLessThanOrEqual(0.07);
    const sent = notifications.filter((n) => n.at >= since && notAboutWatchdog(n));
    expect(sent, JSON.stringify(sent, null, 2)).toEqual([]);
  }, 90_000);

  it('an outage pages the consumer’s team and the vendor-outage rotation, then resolves', async () => {
    if (!outageVendor) throw new Error('not started');
    const since = Date.now();
    outageVendor.setFault('*', { status: 503 });
    const carries = (n: Notification, alertname: string, status: Alert['status']): boolean =>
      n.status === status &&
      n.alerts.some((a) => a.status === status && a.labels.alertname === alertname);
    const arrival = (receiver: string, alertname: string, status: Alert['status'], after: number) =>
      waitFor(`${alertname} ${status} at ${receiver}`, 60_000, () =>
        notifications.find(
          (n) => n.at >= after && n.receiver === receiver && carries(n, alertname, status),
        ),
      );
    let consumerPage: Notification;
    let dependencyPage: Notification;
    try {
      // Routing: the consumer's page goes to its team, the dependency's to the vendor path.
      [consumerPage, dependencyPage] = await Promise.all([
        arrival('pagerduty-secops', 'BellwetherConsumerDown', 'firing', since),
        arrival('pagerduty-vendor-outages', 'BellwetherDependencyDown', 'firing', since),
      ]);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    }
    const firstPage = notifications.find(
      (n) => n.at >= since && n.receiver.startsWith('pagerduty-') && n.status === 'firing',
    ) as Notification;
    const faultToPage = firstPage.at - since;
    process.stdout.write(
      `alerting e2e: fault → first page ${(faultToPage / 1000).toFixed(1)} s ` +
        `(${firstPage.alerts.map((a) => a.labels.alertname).join(', ')} → ${firstPage.receiver}); ` +
        `consumer page ${((consumerPage.at - since) / 1000).toFixed(1)} s, ` +
        `dependency page ${((dependencyPage.at - since) / 1000).toFixed(1)} s, at 1 s probing ` +
        `and every for:/window divided by ${FACTOR}\n`,
    );
    const summary = dependencyPage.alerts.find(
      (a) => a.labels.alertname === 'BellwetherDependencyDown',
    )?.annotations.summary;
    expect(summary).toBe(
      'outage-chat (openai-compatible) is down from 1 vantage point(s): overloaded',
    );
    expect(consumerPage.alerts[0]?.labels).toMatchObject({
      consumer: 'phishing-triage',
      team: 'secops',
      severity: 'critical',
    });

    const recovered = Date.now();
    outageVendor.clearFaults();
    const [consumerResolved, dependencyResolved] = await Promise.all([
      arrival('pagerduty-secops', 'BellwetherConsumerDown', 'resolved', recovered),
      arrival('pagerduty-vendor-outages', 'BellwetherDependencyDown', 'resolved', recovered),
    ]);
    process.stdout.write(
      `alerting e2e: recovery → resolved: consumer ${((consumerResolved.at - recovered) / 1000).toFixed(1)} s, ` +
        `dependency ${((dependencyResolved.at - recovered) / 1000).toFixed(1)} s\n`,
    );
  }, 150_000);
});
