import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

/**
 * Test copies of the shipped alerting config, with time compressed: Bellwether probes every
 * second instead of every 30 s in the end-to-end test, so every `for:` and every PromQL range
 * (`[5m]` becomes `[10s]` at factor 30) shrinks by the same factor. Numbers written as plain
 * thresholds (certificate days, ratios) are left alone.
 *
 *   tsx scripts/generate-rules.ts --factor 30 --interval 1s --out /tmp/rules.yml
 *
 * The objective needs no generated rules: each dependency exports it as
 * bellwether_dependency_objective_ratio (config key `objective`).
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const DURATION = /^(?:\d+(?:ms|[ywdhms]))+$/;
const PART = /(\d+)(ms|[ywdhms])/g;

/** Milliseconds of a Prometheus duration such as `1h30m` or `500ms`. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return ms;
}

/** A Prometheus duration for `ms`, largest units first (`2h24m`, `10s`, `500ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`cannot format ${ms} ms as a duration`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit] as number;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** `text` divided by `factor`, rounded to the millisecond and never below 1 ms. */
export function scaleDuration(text: string, factor: number): string {
  const ms = parseDuration(text);
  return formatDuration(ms === 0 ? 0 : Math.max(1, Math.round(ms / factor)));
}

/** Scales every range selector and subquery in a PromQL expression or alert template. */
export function scaleRanges(expr: string, factor: number): string {
  return expr.replace(
    /\[((?:\d+(?:ms|[ywdhms]))+)(?::((?:\d+(?:ms|[ywdhms]))+)?)?\]/g,
    (_all, range: string, step: string | undefined) => {
      const colon = _all.includes(':');
      const scaledStep = step === undefined ? '' : scaleDuration(step, factor);
      return `[${scaleDuration(range, factor)}${colon ? `:${scaledStep}` : ''}]`;
    },
  );
}

interface RuleNode {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: RuleNode[] }[];
}

/** Options for {@link compressRules}. */
export interface CompressOptions {
  /** Divide every duration by this (30: 30 s probing becomes 1 s). */
  factor: number;
  /** Evaluation interval to set on every group (default: leave as is). */
  interval?: string;
}

/** The rules file text with every `for:`, range and subquery divided by `factor`. */
export function compressRules(text: string, opts: CompressOptions): string {
  if (!(opts.factor > 0)) throw new Error(`factor must be positive, got ${opts.factor}`);
  const file = parse(text) as RuleFile;
  if (!file || !Array.isArray(file.groups)) throw new Error('not a Prometheus rules file');
  for (const group of file.groups) {
    if (opts.interval !== undefined) group.interval = opts.interval;
    else if (group.interval !== undefined)
      group.interval = scaleDuration(group.interval, opts.factor);
    for (const rule of group.rules) {
      rule.expr = scaleRanges(rule.expr, opts.factor);
      if (rule.for !== undefined) rule.for = scaleDuration(rule.for, opts.factor);
      for (const [key, value] of Object.entries(rule.annotations ?? {})) {
        (rule.annotations as Record<string, string>)[key] = scaleRanges(value, opts.factor);
      }
    }
  }
  return stringify(file, { lineWidth: 0 });
}

interface RouteNode {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: RouteNode[];
  [key: string]: unknown;
}

/** Options for {@link alertmanagerForTest}. */
export interface AlertmanagerTestOptions {
  /** Every receiver (but the empty blackhole) posts to `${webhookBase}/<receiver name>`. */
  webhookBase: string;
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

/**
 * The shipped Alertmanager config with the same routing tree and inhibitions, but every
 * receiver replaced by a local webhook named after it and the timers shortened, so a test
 * can see which receiver a notification would have reached.
 */
export function alertmanagerForTest(text: string, opts: AlertmanagerTestOptions): string {
  const config = parse(text) as {
    global?: unknown;
    route: RouteNode;
    receivers: { name: string; [key: string]: unknown }[];
  };
  delete config.global;
  const visit = (node: RouteNode): void => {
    for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
      if (node[key] !== undefined || node === config.route) {
        node[key] =
          key === 'group_wait'
            ? opts.groupWait
            : key === 'group_interval'
              ? opts.groupInterval
              : opts.repeatInterval;
      }
    }
    for (const child of node.routes ?? []) visit(child);
  };
  visit(config.route);
  config.receivers = config.receivers.map((r) => {
    const hasIntegrations = Object.keys(r).some((k) => k.endsWith('_configs'));
    if (!hasIntegrations) return { name: r.name };
    return {
      name: r.name,
      webhook_configs: [
        { url: `${opts.webhookBase}/${encodeURIComponent(r.name)}`, send_resolved: true },
      ],
    };
  });
  return stringify(config, { lineWidth: 0 });
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      factor: { type: 'string', default: '30' },
      interval: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const input = positionals[0] ?? 'config/prometheus/bellwether.rules.yml';
  const text = compressRules(readFileSync(input, 'utf8'), {
    factor: Number(values.factor),
    interval: values.interval,
  });
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}

// Started directly (not imported): write the compressed copy.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`generate-rules: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
