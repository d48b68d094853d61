/**
 * Generates deploy/kubernetes/kube-prometheus-stack/alertmanagerconfig.yaml, a Prometheus
 * Operator `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1), from the routing in
 * config/alertmanager/alertmanager.yml, so kube-prometheus-stack users get the same routes,
 * receivers and inhibitions as a standalone Alertmanager:
 *
 * - matchers `name="value"` become `{name, value, matchType}`; snake_case keys camelCase;
 * - `*_file` secrets (and the global Slack URL and Opsgenie key) become references to keys
 *   of one Secret, named after the files;
 * - the Watchdog route and receivers nothing routes to are left out: kube-prometheus-stack
 *   runs its own Watchdog, and the operator adds a namespace matcher that Watchdog lacks.
 *
 *   npx tsx scripts/generate-alertmanagerconfig.ts           # write the file
 *   npx tsx scripts/generate-alertmanagerconfig.ts --check   # exit 1 when it is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const SOURCE = 'config/alertmanager/alertmanager.yml';
export const OUT = 'deploy/kubernetes/kube-prometheus-stack/alertmanagerconfig.yaml';
/** The namespace Bellwether runs in (deploy/kubernetes/base) and the resource's name. */
export const NAMESPACE = 'bellwether';
/** The Secret every receiver credential is read from, in {@link NAMESPACE}. */
export const SECRET = 'bellwether-alertmanager';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `severity=~"warning|info"` → `{name: 'severity', value: 'warning|info', matchType: '=~'}`. */
export function parseMatcher(text: string): { name: string; value: string; matchType: string } {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(text);
  if (!m) throw new Error(`${SOURCE}: cannot read the matcher ${JSON.stringify(text)}`);
  return {
    name: m[1] as string,
    matchType: m[2] as string,
    value: (m[3] as string).replace(/\\(.)/g, '$1'),
  };
}

const isWatchdog = (route: Json): boolean =>
  Array.isArray(route.matchers) &&
  route.matchers.some(
    (m) =>
      parseMatcher(String(m)).name === 'alertname' && parseMatcher(String(m)).value === 'Watchdog',
  );

const ROUTE_KEYS: Record<string, string> = {
  receiver: 'receiver',
  group_by: 'groupBy',
  group_wait: 'groupWait',
  group_interval: 'groupInterval',
  repeat_interval: 'repeatInterval',
  continue: 'continue',
};

function convertRoute(route: Json, used: Set<string>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(route)) {
    if (key === 'matchers') out.matchers = (value as string[]).map(parseMatcher);
    else if (key === 'routes') {
      out.routes = (value as Json[])
        .filter((r) => !isWatchdog(r))
        .map((r) => convertRoute(r, used));
    } else if (ROUTE_KEYS[key]) out[ROUTE_KEYS[key]] = value;
    else throw new Error(`${SOURCE}: route key ${key} has no AlertmanagerConfig equivalent here`);
  }
  if (typeof out.receiver === 'string') used.add(out.receiver);
  return out;
}

/** A Secret key named after the file the standalone config reads: …/slack-webhook-url → slack-webhook-url. */
const secretRef = (file: unknown) => ({ name: SECRET, key: basename(String(file)) });

/** snake_case → camelCase for the plain fields of a notifier. */
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function convertNotifier(kind: string, config: Json, global: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'routing_key_file') out.routingKey = secretRef(value);
    else if (key === 'details' && isRecord(value)) {
      out.details = Object.entries(value).map(([k, v]) => ({ key: k, value: String(v) }));
    } else if (key === 'http_config' && isRecord(value)) {
      const auth = value.authorization;
      if (!isRecord(auth) || Object.keys(value).length !== 1) {
        throw new Error(`${SOURCE}: only http_config.authorization is converted`);
      }
      out.httpConfig = {
        authorization: { type: auth.type, credentials: secretRef(auth.credentials_file) },
      };
    } else if (key.endsWith('_file')) {
      throw new Error(`${SOURCE}: ${kind}.${key} has no conversion yet`);
    } else out[camel(key)] = value;
  }
  if (kind === 'slack_configs' && out.apiURL === undefined && global.slack_api_url_file) {
    out.apiURL = secretRef(global.slack_api_url_file);
  }
  if (kind === 'opsgenie_configs' && out.apiKey === undefined && global.opsgenie_api_key_file) {
    out.apiKey = secretRef(global.opsgenie_api_key_file);
  }
  return out;
}

function convertInhibit(rule: Json): Json {
  return {
    sourceMatch: (rule.source_matchers as string[]).map(parseMatcher),
    targetMatch: (rule.target_matchers as string[]).map(parseMatcher),
    ...(rule.equal ? { equal: rule.equal } : {}),
  };
}

/** Every Secret key the resource references, sorted (for the README's kubectl command). */
export function secretKeys(resource: Json): string[] {
  const keys = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isRecord(v)) {
      if (v.name === SECRET && typeof v.key === 'string') keys.add(v.key);
      Object.values(v).forEach(visit);
    }
  };
  visit(resource);
  return [...keys].sort();
}

/** The AlertmanagerConfig resource for the standalone config `text`. */
export function toAlertmanagerConfig(text: string): Json {
  const source = parse(text) as Json;
  const global = isRecord(source.global) ? source.global : {};
  const used = new Set<string>();
  const route = convertRoute(source.route as Json, used);
  const receivers = (source.receivers as Json[])
    .filter((r) => used.has(String(r.name)))
    .map((r) => {
      const out: Json = { name: r.name };
      for (const [key, value] of Object.entries(r)) {
        if (key === 'name') continue;
        if (!key.endsWith('_configs')) throw new Error(`${SOURCE}: receiver key ${key}`);
        out[camel(key)] = (value as Json[]).map((c) => convertNotifier(key, c, global));
      }
      return out;
    });
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: 'bellwether',
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'bellwether' },
    },
    spec: {
      route,
      receivers,
      inhibitRules: ((source.inhibit_rules as Json[]) ?? []).map(convertInhibit),
    },
  };
}

/** The file as written: a header, then the resource. */
export function render(text: string): string {
  const resource = toAlertmanagerConfig(text);
  const keys = secretKeys(resource);
  return [
    `# Generated by scripts/generate-alertmanagerconfig.ts from ${SOURCE}: do not edit.`,
    '# Change the source and run: npm run generate:k8s',
    `# Receiver credentials come from the Secret ${SECRET} in namespace ${NAMESPACE}, keys:`,
    `#   ${keys.join(', ')}`,
    '# The operator matches only alerts labelled namespace="bellwether": see README.md here.',
    stringify(resource, { lineWidth: 0 }),
  ].join('\n');
}

function main(argv: string[]): number {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const content = render(readFileSync(join(root, SOURCE), 'utf8'));
  const target = join(root, OUT);
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current === content) return 0;
    process.stderr.write(
      `${OUT} is out of date: run npx tsx scripts/generate-alertmanagerconfig.ts\n`,
    );
    return 1;
  }
  writeFileSync(target, content);
  process.stdout.write(`wrote ${OUT}\n`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
