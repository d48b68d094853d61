import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { CHECK_NAMES, type CheckName } from '../probes/types.js';
import { DURATION_EXPECTATION, formatDuration, parseDuration } from './duration.js';
import type { PathSegment } from './env.js';
import { VENDORS, type Vendor } from './types.js';

/**
 * A problem found by the cross-field checks. `at` says which node to point at: the value at
 * `path`, the key at `path` (unknown or misplaced keys), or the mapping at `path` (missing keys).
 */
export interface SchemaIssue {
  path: PathSegment[];
  message: string;
  at: 'value' | 'key' | 'parent';
}

/** Notifier types and the keys each one takes besides `type` and `minSeverity`. */
export const NOTIFIER_KEYS = {
  webhook: { required: ['url'], optional: ['secret'] },
  slack: { required: ['webhookUrl'], optional: [] },
  // url: the EU instances (events.eu.pagerduty.com, api.eu.opsgenie.com) or a test receiver.
  pagerduty: { required: ['routingKey'], optional: ['url'] },
  opsgenie: { required: ['apiKey'], optional: ['url'] },
  alertmanager: { required: ['url'], optional: [] },
} as const satisfies Record<string, { required: readonly string[]; optional: readonly string[] }>;
export type NotifierType = keyof typeof NOTIFIER_KEYS;
export const NOTIFIER_TYPES = Object.keys(NOTIFIER_KEYS) as NotifierType[];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

const LLM_CHECKS: readonly CheckName[] = ['models', 'completion'];
const HTTP_CHECKS: readonly CheckName[] = ['http'];

/** Checks a vendor runs when the dependency does not list any. */
export function defaultChecks(vendor: Vendor): CheckName[] {
  return [...(vendor === 'http' ? HTTP_CHECKS : LLM_CHECKS)];
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Describes a value for an error message: strings quoted (and cut short), others by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
}

/** Describes only the kind of a value, for fields whose content must never be echoed. */
export function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The candidate closest to `word` when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= Math.max(1, Math.floor(candidate.length / 3))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  return suggestion
    ? `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(suggestion)}?`
    : `unknown key ${JSON.stringify(key)}; expected one of ${known.join(', ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A mapping that rejects unknown keys, one issue per key (marked `params.unknownKey`) with a
// did-you-mean. A check rather than z.strictObject: z reports all unknown keys of an object as
// one issue at the object, and we point at each key; `when` makes it run even when sibling
// fields already failed, so every problem shows up in one run.
function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.looseObject(shape).check(
    z.superRefine(
      (value, ctx) => {
        if (!isRecord(value)) return;
        for (const key of Object.keys(value)) {
          if (known.includes(key)) continue;
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: unknownKeyMessage(key, known),
            params: { unknownKey: true },
          });
        }
      },
      { when: () => true },
    ),
  );
}

const nonEmpty = () =>
  z.string().refine((s) => s.trim().length > 0, { error: 'expected a non-empty string' });

// For secret-bearing fields: the message names the kind of value, never the value.
const secret = () =>
  z.string({
    error: (iss) =>
      iss.input === undefined ? undefined : `expected a string, got ${describeType(iss.input)}`,
  });

const integer = (min: number, max: number) => {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z
    .number({
      error: (iss) =>
        iss.input === undefined ? undefined : `${expected}, got ${describeValue(iss.input)}`,
    })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: (iss) => `${expected}, got ${describeValue(iss.input)}`,
    });
};

const duration = (minMs = 1) =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? undefined
          : `expected ${DURATION_EXPECTATION}, got ${describeValue(iss.input)}`,
    })
    .transform((text, ctx) => {
      const parsed = parseDuration(text);
      if (!parsed.ok) {
        ctx.issues.push({ code: 'custom', message: parsed.message, input: text });
        return z.NEVER;
      }
      if (parsed.ms < minMs) {
        const message = `expected at least ${formatDuration(minMs)}, got ${describeValue(text)}`;
        ctx.issues.push({ code: 'custom', message, input: text });
        return z.NEVER;
      }
      return parsed.ms;
    });

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// The wrong-type message states the same expectation as the format check that follows.
const expecting = (expectation: string) =>
  z.string({
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `expected ${expectation}, got ${describeValue(iss.input)}`,
  });

const httpUrl = () =>
  expecting('an http(s) URL').refine(isHttpUrl, {
    error: (iss) => `expected an http(s) URL, got ${describeValue(iss.input)}`,
  });

// Webhook URLs embed their token, so they get the secret treatment.
const secretUrl = () => secret().refine(isHttpUrl, { error: 'expected an http(s) URL' });

const id = () =>
  z.string().refine((s) => ID_PATTERN.test(s), {
    error: (iss) =>
      `expected an id of lowercase letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${describeValue(iss.input)}`,
  });

const cron = () =>
  z.string().refine(
    (s) => {
      const fields = s.trim().split(/\s+/).length;
      return (fields === 5 || fields === 6) && isValidCron(s);
    },
    {
      error: (iss) =>
        `expected a cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first), got ${describeValue(iss.input)}`,
    },
  );

const regex = () =>
  z.string().superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      ctx.addIssue({ code: 'custom', message: `expected a valid regular expression: ${reason}` });
    }
  });

const STATUS_EXPECTATION = 'expected an HTTP status code (100-599) or a list of them';
const isStatus = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;

const expectedStatus = () =>
  z.unknown().transform((value, ctx): number[] => {
    if (isStatus(value)) return [value];
    if (!Array.isArray(value) || value.length === 0) {
      ctx.issues.push({
        code: 'custom',
        message: `${STATUS_EXPECTATION}, got ${describeValue(value)}`,
        input: value,
      });
      return z.NEVER;
    }
    value.forEach((item, index) => {
      if (isStatus(item)) return;
      ctx.issues.push({
        code: 'custom',
        message: `expected an HTTP status code (100-599), got ${describeValue(item)}`,
        input: item,
        path: [index],
      });
    });
    return value as number[];
  });

const API_VERSION = /^\d{4}-\d{2}-\d{2}(?:-preview)?$/;
const apiVersion = () =>
  expecting('an api-version').refine((s) => API_VERSION.test(s), {
    error: (iss) =>
      `expected an api-version like 2024-10-21 or 2025-04-01-preview (leave apiVersion out for the v1 surface), got ${describeValue(iss.input)}`,
  });

const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const awsRegion = () =>
  expecting('an AWS region').refine((s) => AWS_REGION.test(s), {
    error: (iss) => `expected an AWS region like us-east-1, got ${describeValue(iss.input)}`,
  });

/** The region in a Bedrock runtime URL (`https://bedrock-runtime.us-east-1.amazonaws.com`, FIPS and VPC endpoints included). */
export function regionFromBedrockUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const region = /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\./.exec(host)?.[1];
  return region !== undefined && AWS_REGION.test(region) ? region : undefined;
}

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `expected one of ${values.join(', ')}, got ${describeValue(iss.input)}`,
  });

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1, { error: `expected at least one ${what}` });

const breakerSchema = strict({
  errorThresholdPercentage: z
    .number()
    .refine((n) => n > 0 && n <= 100, {
      error: (iss) =>
        `expected a percentage above 0 and at most 100, got ${describeValue(iss.input)}`,
    })
    .optional(),
  volumeThreshold: integer(1, 1000).optional(),
  windowRounds: integer(1, 1000).optional(),
  resetTimeout: duration(1000).optional(),
});

const probeSettings = {
  interval: duration(1000).optional(),
  timeout: duration().optional(),
  retries: integer(0, 5).optional(),
  degradedLatency: duration().optional(),
  degradedTtft: duration().optional(),
  maxTokens: integer(1, 4096).optional(),
  degradedHeadroom: z
    .number()
    .refine((n) => n >= 0 && n < 1, {
      error: (iss) =>
        `expected a fraction of the rate limit from 0 to below 1 (0.1 = 10% left), got ${describeValue(iss.input)}`,
    })
    .optional(),
  dailyTokenBudget: integer(1, 1_000_000_000).optional(),
  objective: z
    .number()
    .refine((n) => n >= 0.5 && n < 1, {
      error: (iss) =>
        `expected an availability objective from 0.5 to below 1 (0.99 = 99%), got ${describeValue(iss.input)}`,
    })
    .optional(),
  breaker: breakerSchema.nullish(),
};

const dependencySchema = strict({
  id: id(),
  vendor: oneOf(VENDORS),
  team: nonEmpty().optional(),
  statusPage: nonEmpty().optional(),
  baseUrl: httpUrl().optional(),
  apiKey: secret().optional(),
  model: nonEmpty().optional(),
  checks: list(oneOf(CHECK_NAMES), 'check').optional(),
  schedule: cron().optional(),
  ...probeSettings,
  url: httpUrl().optional(),
  method: oneOf(['GET', 'POST', 'HEAD']).optional(),
  expectedStatus: expectedStatus().optional(),
  bodyMatch: regex().optional(),
  headers: z.record(z.string(), secret()).nullish(),
  apiVersion: apiVersion().optional(),
  region: awsRegion().optional(),
  accessKeyId: secret().optional(),
  secretAccessKey: secret().optional(),
  sessionToken: secret().optional(),
  controlPlaneUrl: httpUrl().optional(),
});

const consumerSchema = strict({
  id: id(),
  team: nonEmpty().optional(),
  uses: list(z.string(), 'dependency id'),
});

const statusPageSchema = strict({
  vendor: nonEmpty(),
  url: httpUrl(),
  components: z.array(nonEmpty()).optional(),
});

const notifierSchema = strict({
  type: oneOf(NOTIFIER_TYPES as [NotifierType, ...NotifierType[]]),
  minSeverity: oneOf(SEVERITIES).optional(),
  url: secretUrl().optional(),
  secret: secret().optional(),
  webhookUrl: secretUrl().optional(),
  routingKey: secret().optional(),
  apiKey: secret().optional(),
  failuresToAlert: integer(1, 100).optional(),
  successesToResolve: integer(1, 100).optional(),
  // `remindEvery: 0` reads naturally for "never"; the duration syntax wants a unit.
  remindEvery: z.preprocess((v) => (v === 0 ? '0s' : v), duration(0)).optional(),
  timeout: duration().optional(),
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_EXPECTATION = 'an ISO 8601 time with its UTC offset, like 2025-06-01T22:00:00Z';

// An offset is required: a window read in the server's local zone would silently move.
const isoTime = () =>
  expecting(ISO_EXPECTATION).transform((text, ctx) => {
    const ms = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(ms)) {
      const message = `expected ${ISO_EXPECTATION}, got ${describeValue(text)}`;
      ctx.issues.push({ code: 'custom', message, input: text });
      return z.NEVER;
    }
    return ms;
  });

const maintenanceSchema = strict({
  start: isoTime(),
  end: isoTime(),
  dependencies: z.array(z.string()).optional(),
  consumers: z.array(z.string()).optional(),
  reason: nonEmpty().optional(),
});

/** The YAML shape: every key operators may write, checked field by field. */
export const configSchema = strict({
  vantage: nonEmpty().optional(),
  server: strict({
    // 0 asks the OS for a free port (tests, several instances on one host).
    port: integer(0, 65535).optional(),
    host: nonEmpty().optional(),
  }).nullish(),
  storage: strict({
    path: nonEmpty().optional(),
    retention: duration(60_000).optional(),
  }).nullish(),
  defaults: strict(probeSettings).nullish(),
  dependencies: list(dependencySchema, 'dependency'),
  // Optional lists may be left empty in YAML (`notify:` with every entry commented out).
  statusPages: z.array(statusPageSchema).nullish(),
  consumers: z.array(consumerSchema).nullish(),
  notify: z.array(notifierSchema).nullish(),
  maintenance: z.array(maintenanceSchema).nullish(),
});

/** The validated YAML shape, durations already in milliseconds. */
export type ConfigInput = z.output<typeof configSchema>;

const EXPECTED_KIND: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Message wording for issues the field schemas do not word themselves. A missing key says so
 * (the loader points at the enclosing mapping).
 */
export const configErrorMap: z.core.$ZodErrorMap = (iss) => {
  const last = iss.path?.at(-1);
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined && typeof last === 'string') {
        return `missing required key ${JSON.stringify(last)}`;
      }
      return `expected ${EXPECTED_KIND[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `expected one of ${iss.values.join(', ')}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return iss.origin === 'array'
        ? `expected at least ${iss.minimum} entries`
        : `expected at least ${iss.minimum}, got ${describeValue(iss.input)}`;
    case 'too_big':
      return iss.origin === 'array'
        ? `expected at most ${iss.maximum} entries`
        : `expected at most ${iss.maximum}, got ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
};

// ---------------------------------------------------------------------------------------
// Cross-field checks. They read the raw YAML data and skip whatever the field schemas
// already reject, so each problem is reported once and all of them in the same run.

// Minimums the field schemas enforce; a value below one is reported there, not again here.
const MIN_MS: Readonly<Record<string, number>> = { interval: 1000, timeout: 1 };

function durationOf(value: unknown, key: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseDuration(value);
  return parsed.ok && parsed.ms >= (MIN_MS[key] ?? 1) ? parsed.ms : undefined;
}

// A setting's own value wins, then the default's, then the built-in one.
function effectiveDuration(
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  key: string,
  fallback: number,
): number | undefined {
  if (own[key] !== undefined) return durationOf(own[key], key);
  if (defaults[key] !== undefined) return durationOf(defaults[key], key);
  return fallback;
}

function effectiveInt(
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  key: string,
  fallback: number,
): number | undefined {
  const value = own[key] !== undefined ? own[key] : defaults[key];
  if (value === undefined) return fallback;
  const valid = typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000;
  return valid ? value : undefined;
}

/** Built-in defaults, in the units the resolved config uses. */
export const BUILTIN_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 10_000,
  retries: 1,
  degradedLatencyMs: 4_000,
  maxTokens: 1,
  objective: 0.99,
  degradedHeadroom: 0.1,
  errorThresholdPercentage: 50,
  volumeThreshold: 2,
  windowRounds: 3,
  scheduledResetTimeoutMs: 60_000,
} as const;

const HTTP_ONLY_KEYS = ['url', 'method', 'expectedStatus', 'bodyMatch'] as const;
// Keys one vendor reads and the others would silently ignore.
const VENDOR_ONLY_KEYS: ReadonlyMap<string, Vendor> = new Map([
  ['apiVersion', 'azure-openai'],
  ['region', 'bedrock'],
  ['accessKeyId', 'bedrock'],
  ['secretAccessKey', 'bedrock'],
  ['sessionToken', 'bedrock'],
  ['controlPlaneUrl', 'bedrock'],
]);
const LLM_ONLY_KEYS: ReadonlyMap<string, string> = new Map([
  ['model', 'vendor http has no model'],
  ['apiKey', 'vendor http sends no key; put credentials in headers'],
  ['baseUrl', 'vendor http uses url'],
  ['maxTokens', 'vendor http sends no completion'],
  ['degradedTtft', 'vendor http streams no tokens'],
]);

function checkTiming(
  path: PathSegment[],
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  issues: SchemaIssue[],
): void {
  if (own.schedule !== undefined) return;
  const interval = effectiveDuration(own, defaults, 'interval', BUILTIN_DEFAULTS.intervalMs);
  const timeout = effectiveDuration(own, defaults, 'timeout', BUILTIN_DEFAULTS.timeoutMs);
  if (interval === undefined || timeout === undefined || timeout < interval) return;
  const at = own.timeout !== undefined ? 'timeout' : 'interval';
  issues.push({
    path: [...path, at],
    message: `timeout (${formatDuration(timeout)}) must be less than interval (${formatDuration(interval)})`,
    at: 'value',
  });
}

function checkBreaker(
  path: PathSegment[],
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  issues: SchemaIssue[],
): void {
  const volume = effectiveInt(own, defaults, 'volumeThreshold', BUILTIN_DEFAULTS.volumeThreshold);
  const rounds = effectiveInt(own, defaults, 'windowRounds', BUILTIN_DEFAULTS.windowRounds);
  if (volume === undefined || rounds === undefined || volume <= rounds) return;
  const at = own.volumeThreshold !== undefined ? 'volumeThreshold' : 'windowRounds';
  issues.push({
    path: [...path, at],
    message: `volumeThreshold (${volume}) must not exceed windowRounds (${rounds}), or the breaker could never open`,
    at: 'value',
  });
}

function checkDependency(
  dep: Record<string, unknown>,
  path: PathSegment[],
  defaults: Record<string, unknown>,
  issues: SchemaIssue[],
): void {
  const { vendor } = dep;
  if (typeof vendor === 'string' && (VENDORS as readonly string[]).includes(vendor)) {
    const isHttp = vendor === 'http';
    if (!isHttp && dep.model === undefined) {
      issues.push({
        path,
        message: `missing required key "model" (vendor ${vendor} needs one)`,
        at: 'parent',
      });
    }
    if (vendor === 'openai-compatible' && dep.baseUrl === undefined) {
      issues.push({
        path,
        message: 'missing required key "baseUrl" (vendor openai-compatible has no default)',
        at: 'parent',
      });
    }
    if (vendor === 'azure-openai' && dep.baseUrl === undefined) {
      issues.push({
        path,
        message:
          'missing required key "baseUrl" (vendor azure-openai has no default: https://RESOURCE.openai.azure.com)',
        at: 'parent',
      });
    }
    const regionKnown =
      dep.region !== undefined ||
      (typeof dep.baseUrl === 'string' && regionFromBedrockUrl(dep.baseUrl) !== undefined);
    if (vendor === 'bedrock' && !regionKnown) {
      issues.push({
        path,
        message:
          'missing required key "region" (vendor bedrock signs for an AWS region like us-east-1; a bedrock-runtime baseUrl also names it)',
        at: 'parent',
      });
    }
    if (isHttp && dep.url === undefined) {
      issues.push({
        path,
        message: 'missing required key "url" (vendor http needs a URL to probe)',
        at: 'parent',
      });
    }
    for (const key of Object.keys(dep)) {
      const why = LLM_ONLY_KEYS.get(key);
      if (isHttp && why !== undefined) {
        issues.push({
          path: [...path, key],
          message: `key ${JSON.stringify(key)} does not apply: ${why}`,
          at: 'key',
        });
      }
      const owner = VENDOR_ONLY_KEYS.get(key);
      if (owner !== undefined && owner !== vendor) {
        issues.push({
          path: [...path, key],
          message: `key ${JSON.stringify(key)} only applies to vendor ${owner}`,
          at: 'key',
        });
      }
      if (!isHttp && (HTTP_ONLY_KEYS as readonly string[]).includes(key)) {
        const hint = key === 'url' ? '; did you mean "baseUrl"?' : '';
        issues.push({
          path: [...path, key],
          message: `key ${JSON.stringify(key)} only applies to vendor http${hint}`,
          at: 'key',
        });
      }
    }
    if (Array.isArray(dep.checks)) {
      const allowed = defaultChecks(vendor as Vendor);
      const seen = new Set<unknown>();
      dep.checks.forEach((check, index) => {
        const checkPath = [...path, 'checks', index];
        if (seen.has(check)) {
          issues.push({
            path: checkPath,
            message: `check ${describeValue(check)} is listed twice`,
            at: 'value',
          });
        }
        seen.add(check);
        const known = (CHECK_NAMES as readonly unknown[]).includes(check);
        if (known && !(allowed as unknown[]).includes(check)) {
          issues.push({
            path: checkPath,
            message: `check ${describeValue(check)} is not available for vendor ${vendor}; expected one of ${allowed.join(', ')}`,
            at: 'value',
          });
        }
      });
    }
  }
  if (dep.interval !== undefined && dep.schedule !== undefined) {
    issues.push({
      path: [...path, 'schedule'],
      message: 'set either interval or schedule, not both',
      at: 'key',
    });
  } else {
    const ownsTiming = dep.interval !== undefined || dep.timeout !== undefined;
    if (ownsTiming) checkTiming(path, dep, defaults, issues);
  }
  const breaker = isRecord(dep.breaker) ? dep.breaker : {};
  const defaultBreaker = isRecord(defaults.breaker) ? defaults.breaker : {};
  if (breaker.volumeThreshold !== undefined || breaker.windowRounds !== undefined) {
    checkBreaker([...path, 'breaker'], breaker, defaultBreaker, issues);
  }
  if (isRecord(dep.headers)) {
    for (const name of Object.keys(dep.headers)) {
      if (!HEADER_NAME.test(name)) {
        issues.push({
          path: [...path, 'headers', name],
          message: `invalid header name ${JSON.stringify(name)}`,
          at: 'key',
        });
      }
    }
  }
}

const NOTIFIER_SPECIFIC_KEYS: ReadonlySet<string> = new Set(
  Object.values(NOTIFIER_KEYS).flatMap((s): string[] => [...s.required, ...s.optional]),
);

function checkNotifier(entry: Record<string, unknown>, path: PathSegment[], issues: SchemaIssue[]) {
  const { type } = entry;
  if (typeof type !== 'string' || !Object.hasOwn(NOTIFIER_KEYS, type)) return;
  const spec = NOTIFIER_KEYS[type as NotifierType];
  const takes: readonly string[] = [...spec.required, ...spec.optional];
  for (const key of spec.required) {
    if (entry[key] === undefined) {
      issues.push({
        path,
        message: `missing required key ${JSON.stringify(key)} (notify type ${type} needs it)`,
        at: 'parent',
      });
    }
  }
  for (const key of Object.keys(entry)) {
    if (NOTIFIER_SPECIFIC_KEYS.has(key) && !takes.includes(key)) {
      issues.push({
        path: [...path, key],
        message: `key ${JSON.stringify(key)} does not apply to notify type ${type}; it takes ${takes.join(', ')}`,
        at: 'key',
      });
    }
  }
}

function checkMaintenance(
  entry: Record<string, unknown>,
  path: PathSegment[],
  known: { dependencies: string[]; consumers: string[] },
  issues: SchemaIssue[],
): void {
  const time = (v: unknown) =>
    typeof v === 'string' && ISO_TIME.test(v) ? Date.parse(v) : Number.NaN;
  const start = time(entry.start);
  const end = time(entry.end);
  if (Number.isFinite(start) && Number.isFinite(end) && end <= start) {
    issues.push({
      path: [...path, 'end'],
      message: `end (${String(entry.end)}) must be after start (${String(entry.start)})`,
      at: 'value',
    });
  }
  for (const list of ['dependencies', 'consumers'] as const) {
    const values = entry[list];
    if (!Array.isArray(values)) continue;
    values.forEach((value, j) => {
      if (typeof value !== 'string' || known[list].includes(value)) return;
      const what = list === 'dependencies' ? 'dependency' : 'consumer';
      const suggestion = closest(value, known[list]);
      const hint = suggestion
        ? `did you mean ${JSON.stringify(suggestion)}?`
        : known[list].length > 0
          ? `expected one of ${known[list].join(', ')}`
          : `no ${what} has that id`;
      issues.push({
        path: [...path, list, j],
        message: `unknown ${what} ${JSON.stringify(value)}; ${hint}`,
        at: 'value',
      });
    });
  }
}

function checkUniqueIds(
  items: unknown[],
  listName: string,
  what: string,
  issues: SchemaIssue[],
  key = 'id',
): void {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const value = isRecord(item) ? item[key] : undefined;
    if (typeof value !== 'string') return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    issues.push({
      path: [listName, index, key],
      message: `duplicate ${what} ${key} ${JSON.stringify(value)} (already used by ${listName}[${earlier}])`,
      at: 'value',
    });
  });
}

/**
 * Checks that span fields or entries: vendor-specific keys, checks per vendor, interval XOR
 * schedule, timeout below interval, duplicate ids, consumers naming unknown dependencies.
 * Tolerates any shape: what the field schemas reject is skipped here.
 */
export function checkSemantics(raw: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (!isRecord(raw)) return issues;
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  checkTiming(['defaults'], defaults, {}, issues);
  if (isRecord(defaults.breaker))
    checkBreaker(['defaults', 'breaker'], defaults.breaker, {}, issues);

  const dependencies = Array.isArray(raw.dependencies) ? raw.dependencies : undefined;
  if (dependencies) {
    checkUniqueIds(dependencies, 'dependencies', 'dependency', issues);
    dependencies.forEach((dep, index) => {
      if (isRecord(dep)) checkDependency(dep, ['dependencies', index], defaults, issues);
    });
  }

  if (Array.isArray(raw.statusPages)) {
    checkUniqueIds(raw.statusPages, 'statusPages', 'status page', issues, 'vendor');
  }

  if (Array.isArray(raw.consumers)) {
    checkUniqueIds(raw.consumers, 'consumers', 'consumer', issues);
    const known = [
      ...new Set(
        (dependencies ?? []).flatMap((d) =>
          isRecord(d) && typeof d.id === 'string' ? [d.id] : [],
        ),
      ),
    ];
    raw.consumers.forEach((consumer, index) => {
      if (!isRecord(consumer) || !Array.isArray(consumer.uses)) return;
      const seen = new Set<string>();
      consumer.uses.forEach((use, j) => {
        if (typeof use !== 'string') return;
        const path = ['consumers', index, 'uses', j];
        if (seen.has(use)) {
          issues.push({
            path,
            message: `dependency ${JSON.stringify(use)} is listed twice`,
            at: 'value',
          });
        }
        seen.add(use);
        if (!dependencies || known.includes(use)) return;
        const suggestion = closest(use, known);
        const hint = suggestion
          ? `did you mean ${JSON.stringify(suggestion)}?`
          : known.length > 0
            ? `expected one of ${known.join(', ')}`
            : 'no dependency has that id';
        issues.push({
          path,
          message: `unknown dependency ${JSON.stringify(use)}; ${hint}`,
          at: 'value',
        });
      });
    });
  }

  if (Array.isArray(raw.notify)) {
    raw.notify.forEach((entry, index) => {
      if (isRecord(entry)) checkNotifier(entry, ['notify', index], issues);
    });
  }

  if (Array.isArray(raw.maintenance)) {
    const ids = (list: unknown): string[] =>
      Array.isArray(list)
        ? list.flatMap((d) => (isRecord(d) && typeof d.id === 'string' ? [d.id] : []))
        : [];
    const known = { dependencies: ids(raw.dependencies), consumers: ids(raw.consumers) };
    raw.maintenance.forEach((entry, index) => {
      if (isRecord(entry)) checkMaintenance(entry, ['maintenance', index], known, issues);
    });
  }
  return issues;
}
