import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  OUT,
  render,
  SOURCE,
  secretKeys,
  toAlertmanagerConfig,
} from '../../scripts/generate-alertmanagerconfig.js';
import { type FakeReceiver, startFakeReceiver } from '../support/fake-receiver.js';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.js';
import { ALERTMANAGERCONFIG_SCHEMA, ROUTE_SCHEMA } from './support/alertmanagerconfig-schema.js';
import { kustomize } from './support/kustomize.js';

const DIR = 'deploy/kubernetes/kube-prometheus-stack';

type Json = Record<string, unknown>;
interface CrMatcher {
  name: string;
  value: string;
  matchType: string;
}
interface CrRoute {
  receiver?: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  continue?: boolean;
  matchers?: CrMatcher[];
  routes?: CrRoute[];
}

const resource = () => {
  const objects = kustomize(DIR);
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
    'AlertmanagerConfig/bellwether/bellwether',
  ]);
  return objects[0] as unknown as { spec: { route: CrRoute; receivers: { name: string }[] } };
};

describe('kube-prometheus-stack: the AlertmanagerConfig', () => {
  it(`is generated from ${SOURCE} (npm run generate:k8s)`, () => {
    expect(readFileSync(OUT, 'utf8')).toBe(render(readFileSync(SOURCE, 'utf8')));
  });

  it('README.md creates the Secret with every key the resource reads', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    const created = [...readme.matchAll(/--from-literal=([a-z0-9-]+)=/g)].map((m) => m[1]).sort();
    expect(created).toEqual(secretKeys(toAlertmanagerConfig(readFileSync(SOURCE, 'utf8'))));
  });

  it('validates against the Prometheus Operator CRD schema (v1alpha1), nested routes too', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(ALERTMANAGERCONFIG_SCHEMA);
    // The CRD leaves nested routes unvalidated (preserve-unknown-fields); the operator reads
    // them as the same Route type, so each one is held to the top route's schema.
    const validateRoute = ajv.compile(ROUTE_SCHEMA);
    const cr = resource();
    expect(validate(cr), ajv.errorsText(validate.errors)).toBe(true);
    const nested: CrRoute[] = [];
    const walk = (r: CrRoute) => {
      for (const child of r.routes ?? []) {
        nested.push(child);
        walk(child);
      }
    };
    walk(cr.spec.route);
    expect(nested.length).toBeGreaterThan(5);
    for (const r of nested)
      expect(validateRoute(r), ajv.errorsText(validateRoute.errors)).toBe(true);
    // The validators are not rubber stamps: a string for a list, a wrong match type fail.
    const broken = structuredClone(cr) as unknown as { spec: { route: Json } };
    broken.spec.route.groupBy = 'vendor';
    expect(validate(broken)).toBe(false);
    const wrongMatch = structuredClone(nested[0] as CrRoute);
    (wrongMatch.matchers?.[0] as CrMatcher).matchType = '==';
    expect(validateRoute(wrongMatch)).toBe(false);
  });
});

/**
 * The operator adds `namespace="bellwether"` to the AlertmanagerConfig's top route
 * (alertmanagerConfigMatcherStrategy OnNamespace, the default) and prefixes receivers with
 * namespace/name/ (pkg/alertmanager/amcfg.go, namespaceEnforcer and continueToNextRoute).
 */
function operatorConfig(route: CrRoute, receivers: string[]): string {
  const prefix = (name: string) => `bellwether/bellwether/${name}`;
  const convert = (r: CrRoute, top: boolean): Json => ({
    ...(r.receiver ? { receiver: prefix(r.receiver) } : {}),
    ...(r.groupBy ? { group_by: r.groupBy } : {}),
    ...(r.groupWait ? { group_wait: r.groupWait } : {}),
    ...(r.groupInterval ? { group_interval: r.groupInterval } : {}),
    ...(r.repeatInterval ? { repeat_interval: r.repeatInterval } : {}),
    matchers: [
      ...(r.matchers ?? []).map((m) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`),
      ...(top ? ['namespace="bellwether"'] : []),
    ],
    ...(top || r.continue ? { continue: true } : {}),
    ...(r.routes ? { routes: r.routes.map((c) => convert(c, false)) } : {}),
  });
  return stringify({
    route: { receiver: 'cluster-default', routes: [convert(route, true)] },
    receivers: [{ name: 'cluster-default' }, ...receivers.map((name) => ({ name: prefix(name) }))],
  });
}

describe('kube-prometheus-stack: alerts leave Prometheus with the namespace the operator matches', {
  timeout: 90_000,
}, () => {
  let receiver: FakeReceiver;
  let prometheus: RunningPrometheus;
  let dir: string;
  const received = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-kps-'));
    receiver = await startFakeReceiver();
    const values = parse(readFileSync(join(DIR, 'values.yaml'), 'utf8')) as {
      prometheus: { prometheusSpec: { additionalAlertRelabelConfigs: unknown[] } };
    };
    prometheus = await startPrometheus({
      targets: [],
      alertmanagers: [new URL(receiver.url).host],
      alertRelabelConfigs: values.prometheus.prometheusSpec.additionalAlertRelabelConfigs,
      // The first send can precede Alertmanager discovery; resend soon instead of in 1 min.
      args: ['--rules.alert.resend-delay=1s'],
      rules: stringify({
        groups: [
          {
            name: 'kps',
            rules: [
              {
                // As the shipped rule leaves it: aggregated, no namespace.
                alert: 'BellwetherDependencyDown',
                expr: 'vector(1)',
                labels: {
                  dependency: 'openai-chat',
                  vendor: 'openai',
                  team: 'secops',
                  severity: 'critical',
                  priority: 'P2',
                  kind: 'outage',
                },
              },
              {
                alert: 'BellwetherConsumerDown',
                expr: 'vector(1)',
                labels: {
                  consumer: 'phishing-triage',
                  team: 'secops',
                  severity: 'critical',
                  kind: 'consumer',
                },
              },
              {
                alert: 'KubePodCrashLooping',
                expr: 'vector(1)',
                labels: { namespace: 'payments', severity: 'warning' },
              },
            ],
          },
        ],
      }),
    });
    const deadline = Date.now() + 45_000;
    while (received.size < 3 && Date.now() < deadline) {
      await receiver.waitFor(receiver.requests.length + 1, 45_000);
      for (const r of receiver.requests) {
        for (const a of (r.json as { labels: Record<string, string> }[] | undefined) ?? []) {
          received.set(a.labels.alertname ?? '', a.labels);
        }
      }
    }
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets namespace="bellwether" on Bellwether alerts only', () => {
    expect(received.get('BellwetherDependencyDown')?.namespace).toBe('bellwether');
    expect(received.get('BellwetherConsumerDown')?.namespace).toBe('bellwether');
    expect(received.get('KubePodCrashLooping')?.namespace).toBe('payments');
  });

  const route = (labels: Record<string, string>) => {
    const cr = resource();
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(
      file,
      operatorConfig(
        cr.spec.route,
        cr.spec.receivers.map((r) => r.name),
      ),
    );
    const check = spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const res = spawnSync(
      'amtool',
      ['config', 'routes', 'test', `--config.file=${file}`, ...pairs],
      {
        encoding: 'utf8',
      },
    );
    expect(res.status, res.stderr).toBe(0);
    return res.stdout.trim();
  };

  it.each<[string, string, string]>([
    [
      'BellwetherDependencyDown',
      'with the relabelled namespace',
      'bellwether/bellwether/pagerduty-vendor-outages,bellwether/bellwether/slack-vendor-outages',
    ],
    [
      'BellwetherConsumerDown',
      'with the relabelled namespace',
      'bellwether/bellwether/pagerduty-secops,bellwether/bellwether/slack-teams',
    ],
    ['KubePodCrashLooping', 'from another namespace', 'cluster-default'],
  ])('%s (%s) routes to %s', (alertname, _how, receivers) => {
    const labels = received.get(alertname);
    expect(labels, `Prometheus sent ${alertname}`).toBeDefined();
    expect(route(labels as Record<string, string>)).toBe(receivers);
  });

  it('without the relabelling, the operator-added matcher lets the page fall through', () => {
    const { namespace: _, ...labels } = received.get('BellwetherDependencyDown') ?? {};
    expect(route(labels)).toBe('cluster-default');
  });
});
