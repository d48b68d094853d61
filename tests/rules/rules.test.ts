import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  alertmanagerForTest,
  compressRules,
  formatDuration,
  parseDuration,
  scaleRanges,
} from '../../scripts/generate-rules.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES = join(ROOT, 'config/prometheus/bellwether.rules.yml');
const ALERTMANAGER = join(ROOT, 'config/alertmanager/alertmanager.yml');
const TESTS_DIR = join(ROOT, 'tests/rules');
const RUNBOOK = join(ROOT, 'docs/runbook.md');
const ALERT_TABLE = join(ROOT, 'docs/alerts.md');
const RUNBOOK_URL = 'https://github.com/bellwether-monitor/bellwether/blob/main/docs/runbook.md#';

interface Run {
  code: number;
  output: string;
}

const run = (bin: string, args: string[], cwd = ROOT): Promise<Run> =>
  new Promise((resolve) => {
    execFile(bin, args, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rulesFile = parse(readFileSync(RULES, 'utf8')) as {
  groups: { name: string; rules: (AlertRule | { record: string; expr: string })[] }[];
};
const alerts = rulesFile.groups.flatMap((g) => g.rules.filter((r): r is AlertRule => 'alert' in r));
const alertNames = [...new Set(alerts.map((a) => a.alert))];
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .sort();

/** GitHub's heading anchors: lower case, punctuation dropped, spaces become hyphens. */
const anchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      (m[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );

const tools = ['promtool', 'amtool'].map((t) => `/usr/bin/${t}`);
const missingTools = tools.filter((t) => !existsSync(t));

describe('shipped alerting config', () => {
  it('has its tools installed (Debian prometheus and prometheus-alertmanager)', () => {
    expect(missingTools, 'apt-get install prometheus prometheus-alertmanager').toEqual([]);
  });

  it('passes promtool check rules', async () => {
    const { code, output } = await run('promtool', ['check', 'rules', RULES]);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it.each(testFiles)(
    'passes promtool test rules %s',
    async (file) => {
      const { code, output } = await run('promtool', ['test', 'rules', file], TESTS_DIR);
      expect(code, output).toBe(0);
    },
    120_000,
  );

  it('passes amtool check-config', async () => {
    const { code, output } = await run('amtool', ['check-config', ALERTMANAGER]);
    expect(code, output).toBe(0);
  });

  // Which receivers an alert reaches, resolved by Alertmanager's own routing code.
  it.each([
    {
      what: 'a consumer page → its team on PagerDuty and Slack',
      labels:
        'alertname=BellwetherConsumerDown severity=critical kind=consumer consumer=phishing-triage team=secops',
      receivers: 'pagerduty-secops,slack-teams',
    },
    {
      what: 'a vendor outage page → the vendor-outage rotation, even with a team',
      labels:
        'alertname=BellwetherDependencyDown severity=critical kind=outage dependency=openai-chat vendor=openai team=secops',
      receivers: 'pagerduty-vendor-outages,slack-vendor-outages',
    },
    {
      what: 'an outage warning → an Opsgenie ticket and the vendor channel',
      labels:
        'alertname=BellwetherBreakerOpen severity=warning kind=outage dependency=openai-chat vendor=openai',
      receivers: 'opsgenie-tickets,slack-vendor-outages',
    },
    {
      what: 'a credential failure → the owning team, not the vendor path',
      labels:
        'alertname=BellwetherCredentialFailure severity=critical kind=config dependency=openai-chat vendor=openai team=secops',
      receivers: 'pagerduty-secops,slack-teams',
    },
    {
      what: 'a config warning without a team → the platform team',
      labels:
        'alertname=BellwetherCertificateExpiring severity=warning kind=config dependency=vllm',
      receivers: 'opsgenie-tickets,slack-platform',
    },
    {
      what: 'info → Slack only',
      labels: 'alertname=BellwetherVendorIncident severity=info kind=vendor vendor=openai',
      receivers: 'slack-vendor-outages',
    },
    {
      what: 'Bellwether itself down → the platform team',
      labels: 'alertname=BellwetherDown severity=critical kind=self instance=bw:9477',
      receivers: 'pagerduty-platform,slack-platform',
    },
    {
      what: 'the Watchdog → the dead man’s switch only',
      labels: 'alertname=Watchdog severity=none kind=self',
      receivers: 'deadmans-switch',
    },
    {
      what: 'the inhibition helper → nobody',
      labels:
        'alertname=BellwetherConsumerDownLink severity=none kind=consumer consumer=c dependency=d',
      receivers: 'blackhole',
    },
  ])('routes $what', async ({ labels, receivers }) => {
    const { code, output } = await run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER}`,
      `--verify.receivers=${receivers}`,
      ...labels.split(' '),
    ]);
    expect(code, output).toBe(0);
  });
});

describe('every alert', () => {
  const runbookAnchors = anchors(readFileSync(RUNBOOK, 'utf8'));
  const table = readFileSync(ALERT_TABLE, 'utf8');
  const unitTests = testFiles.map((f) => readFileSync(join(TESTS_DIR, f), 'utf8')).join('\n');

  it.each(alerts.map((a) => [`${a.alert} (${a.labels.severity})`, a] as const))(
    '%s has severity, kind, summary, description and a runbook section',
    (_name, a) => {
      expect(['critical', 'warning', 'info', 'none']).toContain(a.labels.severity);
      expect(['outage', 'consumer', 'config', 'capacity', 'vendor', 'self']).toContain(
        a.labels.kind,
      );
      expect(a.annotations.summary?.length).toBeGreaterThan(10);
      expect(a.annotations.description?.length).toBeGreaterThan(10);
      const url = a.annotations.runbook_url ?? '';
      expect(url.startsWith(RUNBOOK_URL), url).toBe(true);
      expect(runbookAnchors.has(url.slice(RUNBOOK_URL.length)), url).toBe(true);
    },
  );

  it.each(alertNames.filter((n) => n !== 'BellwetherConsumerDownLink'))(
    '%s is in the alert table and has a promtool unit test',
    (name) => {
      expect(table).toContain(`| \`${name}\``);
      expect(unitTests).toMatch(new RegExp(`alertname(: |=")${name}\\b`));
    },
  );

  it.each(
    alerts.filter((a) =>
      ['outage', 'config', 'capacity', 'consumer'].includes(a.labels.kind ?? ''),
    ),
  )('$alert carries the owning team', (a) => {
    if (a.labels.severity === 'none') return;
    expect(a.expr).toMatch(
      /group_left \([^)]*\bteam\b[^)]*\) bellwether:(dependency|consumer):info/,
    );
  });
});

describe('generate-rules (test copies with compressed time)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['3d', 259_200_000],
    ['500ms', 500],
    ['0s', 0],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [10_000, '10s'],
    [8_640_000, '2h24m'],
    [1500, '1s500ms'],
    [0, '0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    ['rate(x[5m])', 'rate(x[10s])'],
    ['increase(x[3d]) / increase(y[1h])', 'increase(x[2h24m]) / increase(y[2m])'],
    ['max_over_time(x[1h:5m])', 'max_over_time(x[2m:10s])'],
    ['max_over_time(x[1h:])', 'max_over_time(x[2m:])'],
    ['x{a="[5m]"} > 14 * 86400', 'x{a="[10s]"} > 14 * 86400'],
  ])('scales %s by 30', (expr, scaled) => {
    expect(scaleRanges(expr, 30)).toBe(scaled);
  });

  it('rejects what is not a duration', () => {
    expect(() => parseDuration('5 minutes')).toThrow(/not a Prometheus duration/);
  });

  it('writes a rules copy that promtool accepts, with every for: and range divided', async () => {
    const text = compressRules(readFileSync(RULES, 'utf8'), { factor: 30, interval: '1s' });
    const path = join(dir, 'rules.yml');
    writeFileSync(path, text);
    const { code, output } = await run('promtool', ['check', 'rules', path]);
    expect(code, output).toBe(0);
    const copy = parse(text) as typeof rulesFile;
    const down = copy.groups
      .flatMap((g) => g.rules)
      .find((r) => 'alert' in r && r.alert === 'BellwetherDependencyDown') as AlertRule;
    expect(down.for).toBe('6s');
    expect(copy.groups.every((g) => (g as { interval?: string }).interval === '1s')).toBe(true);
    expect(text).not.toMatch(/\[(5m|1h|3d)\]/);
  });

  it('writes an Alertmanager copy that amtool accepts, every receiver a local webhook', async () => {
    const text = alertmanagerForTest(readFileSync(ALERTMANAGER, 'utf8'), {
      webhookBase: 'http://127.0.0.1:9',
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
    });
    const path = join(dir, 'alertmanager.yml');
    writeFileSync(path, text);
    const { code, output } = await run('amtool', ['check-config', path]);
    expect(code, output).toBe(0);
    expect(text).not.toMatch(/_file:|pagerduty_configs|opsgenie_configs|slack_configs/);
    expect(text).toContain('url: http://127.0.0.1:9/pagerduty-secops');
  });
});
