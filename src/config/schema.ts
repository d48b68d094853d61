import { z } from 'zod';
import { canarySchema, checkCanaries } from '../canary/config.js';
import { findNotifier, NOTIFIER_MODULES, NOTIFIER_TYPES } from '../notify/registry.js';
import { SEVERITIES } from '../notify/types.js';
import { CHECK_NAMES, type CheckName } from '../probes/types.js';
import { findVendor, VENDOR_MODULES, VENDORS, vendorModule } from '../vendors/registry.js';
import type { VendorModule } from '../vendors/types.js';
import { formatDuration, parseDuration } from './duration.js';
import type { PathSegment } from './env.js';
import {
  closest,
  cron,
  describeValue,
  duration,
  expecting,
  HEADER_NAME,
  httpUrl,
  id,
  integer,
  isRecord,
  list,
  nonEmpty,
  oneOf,
  secret,
  strict,
} from './fields.js';

export { closest, describeType, describeValue } from './fields.js';

/**
 * A problem found by the cross-field checks. `at` says which node to point at: the value at
 * `path`, the key at `path` (unknown or misplaced keys), or the mapping at `path` (missing keys).
 */
export interface SchemaIssue {
  path: PathSegment[];
  message: string;
  at: 'value' | 'key' | 'parent';
}

/** Checks a vendor runs when the dependency does not list any. */
export function defaultChecks(vendor: string): CheckName[] {
  return [...vendorModule(vendor).checks];
}

/** Checks a dependency of this vendor may list. */
export function supportedChecks(vendor: string): CheckName[] {
  return [...vendorModule(vendor).supportedChecks];
}

/** `reasoning:` values: how much a reasoning model may think on a probe (each vendor maps them). */
export const REASONING_LEVELS = ['off', 'minimal', 'low'] as const;

// Each vendor's own keys with their field schemas; a key several vendors take is declared by
// the first of them. The owners say which vendors a key applies to.
const VENDOR_KEYS: Record<string, z.ZodType> = {};
const KEY_OWNERS = new Map<string, string[]>();
for (const m of VENDOR_MODULES) {
  for (const [key, schema] of Object.entries(m.configKeys ?? {})) {
    VENDOR_KEYS[key] ??= schema;
    KEY_OWNERS.set(key, [...(KEY_OWNERS.get(key) ?? []), m.id]);
  }
}

// Notifier keys likewise, each notifier's settings in registry order.
const NOTIFIER_KEYS: Record<string, z.ZodType> = {};
for (const m of NOTIFIER_MODULES) {
  for (const [key, setting] of Object.entries(m.settings))
    NOTIFIER_KEYS[key] ??= setting.schema.optional();
}

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
  reasoning: oneOf(REASONING_LEVELS).optional(),
  embeddingSimilarity: z
    .number()
    .refine((n) => n > 0 && n <= 1, {
      error: (iss) =>
        `expected a cosine similarity above 0 and at most 1 (0.99 by default), got ${describeValue(iss.input)}`,
    })
    .optional(),
};

const dependencySchema = strict({
  id: id(),
  vendor: oneOf(VENDORS),
  team: nonEmpty().optional(),
  statusPage: nonEmpty().optional(),
  baseUrl: httpUrl().optional(),
  apiKey: secret().optional(),
  model: nonEmpty().optional(),
  embeddingModel: nonEmpty().optional(),
  embeddingDimensions: integer(1, 65_536).optional(),
  checks: list(oneOf(CHECK_NAMES), 'check').optional(),
  schedule: cron().optional(),
  ...probeSettings,
  headers: z.record(z.string(), secret()).nullish(),
  canaries: z.array(z.string()).optional(),
  ...VENDOR_KEYS,
});

const consumerSchema = strict({
  id: id(),
  team: nonEmpty().optional(),
  uses: list(z.string(), 'dependency id'),
  requires: z.array(z.string()).optional(),
});

const statusPageSchema = strict({
  vendor: nonEmpty(),
  url: httpUrl(),
  components: z.array(nonEmpty()).optional(),
});

const notifierSchema = strict({
  type: oneOf(NOTIFIER_TYPES),
  minSeverity: oneOf(SEVERITIES).optional(),
  ...NOTIFIER_KEYS,
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

// OpenTelemetry export: `endpoint` is the collector's base URL (/v1/metrics is appended).
const otlpSchema = strict({
  endpoint: httpUrl(),
  protocol: z.enum(['http/protobuf', 'http/json']).optional(),
  headers: z.record(z.string(), secret()).nullish(),
  interval: duration(1000).optional(),
}).superRefine((otlp, ctx) => {
  for (const name of Object.keys(otlp.headers ?? {})) {
    if (HEADER_NAME.test(name)) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['headers', name],
      message: `invalid header name ${JSON.stringify(name)}`,
    });
  }
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
  canaries: z.array(canarySchema).nullish(),
  otlp: otlpSchema.nullish(),
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

const wholeNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000
    ? value
    : undefined;

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
  embeddingSimilarity: 0.99,
} as const;

// The settings that must keep an order with another: built-in value, reader, how shown.
const ORDERED = {
  timeout: [BUILTIN_DEFAULTS.timeoutMs, durationOf, formatDuration],
  interval: [BUILTIN_DEFAULTS.intervalMs, durationOf, formatDuration],
  volumeThreshold: [BUILTIN_DEFAULTS.volumeThreshold, wholeNumber, String],
  windowRounds: [BUILTIN_DEFAULTS.windowRounds, wholeNumber, String],
} satisfies Record<
  string,
  [number, (value: unknown, key: string) => number | undefined, (value: number) => string]
>;
type OrderedKey = keyof typeof ORDERED;

const TIMING_ORDER = { small: 'timeout', large: 'interval', equalOk: false } as const;
const BREAKER_ORDER = {
  small: 'volumeThreshold',
  large: 'windowRounds',
  equalOk: true,
  why: ', or the breaker could never open',
} as const;

// Two settings that must keep an order, each in effect as its own value, then the default's,
// then the built-in one; a value the field schema rejects is skipped (it is reported there).
// A violation is reported at the one set here, the smaller first.
function checkOrder(
  path: PathSegment[],
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  issues: SchemaIssue[],
  order: { small: OrderedKey; large: OrderedKey; equalOk: boolean; why?: string },
): void {
  const inEffect = (key: OrderedKey): number | undefined => {
    const [fallback, read] = ORDERED[key];
    const value = own[key] !== undefined ? own[key] : defaults[key];
    return value === undefined ? fallback : read(value, key);
  };
  const { small, large } = order;
  const a = inEffect(small);
  const b = inEffect(large);
  if (a === undefined || b === undefined || a < b || (order.equalOk && a === b)) return;
  const rule = order.equalOk ? 'must not exceed' : 'must be less than';
  const show = (key: OrderedKey, v: number): string => `${key} (${ORDERED[key][2](v)})`;
  issues.push({
    path: [...path, own[small] !== undefined ? small : large],
    message: `${show(small, a)} ${rule} ${show(large, b)}${order.why ?? ''}`,
    at: 'value',
  });
}

const EMBEDDING_KEYS = ['embeddingModel', 'embeddingDimensions'] as const;

// A dependency that only embeds (a RAG store's embedding API) has no chat model to name.
function embeddingsOnly(dep: Record<string, unknown>): boolean {
  const { checks } = dep;
  return (
    Array.isArray(checks) &&
    checks.length > 0 &&
    checks.every((c) => c === 'embeddings') &&
    dep.canaries === undefined
  );
}

function checkEmbeddingKeys(
  dep: Record<string, unknown>,
  path: PathSegment[],
  module: VendorModule,
  issues: SchemaIssue[],
): void {
  if (!module.supportedChecks.includes('embeddings')) {
    const offering = VENDOR_MODULES.filter((m) => m.supportedChecks.includes('embeddings'));
    for (const key of EMBEDDING_KEYS) {
      if (dep[key] === undefined) continue;
      issues.push({
        path: [...path, key],
        message: `key ${JSON.stringify(key)} does not apply: vendor ${module.id} has no embeddings check (vendors with one: ${offering.map((m) => m.id).join(', ')})`,
        at: 'key',
      });
    }
    return;
  }
  const listed = Array.isArray(dep.checks) && dep.checks.includes('embeddings');
  if (listed && dep.embeddingModel === undefined) {
    issues.push({
      path,
      message: `missing required key "embeddingModel" (check embeddings needs the model to embed with, e.g. embeddingModel: ${module.embeddingExample ?? 'an embedding model'})`,
      at: 'parent',
    });
  }
}

function checkDependency(
  dep: Record<string, unknown>,
  path: PathSegment[],
  defaults: Record<string, unknown>,
  issues: SchemaIssue[],
): void {
  const module = typeof dep.vendor === 'string' ? findVendor(dep.vendor) : undefined;
  if (module) {
    const vendor = module.id;
    if (module.llm && dep.model === undefined && !embeddingsOnly(dep)) {
      issues.push({
        path,
        message: `missing required key "model" (vendor ${vendor} needs one)`,
        at: 'parent',
      });
    }
    const baseUrlRequired = module.llm && module.defaultBaseUrl === undefined && !module.resolve;
    if (baseUrlRequired && dep.baseUrl === undefined) {
      issues.push({
        path,
        message: `missing required key "baseUrl" (vendor ${vendor} has no default${module.baseUrlHint ?? ''})`,
        at: 'parent',
      });
    }
    checkEmbeddingKeys(dep, path, module, issues);
    for (const issue of module.checkConfig?.(dep) ?? []) {
      issues.push({
        path: issue.key === undefined ? path : [...path, issue.key],
        message: issue.message,
        at: issue.at,
      });
    }
    for (const key of Object.keys(dep)) {
      const why = module.rejectsKeys?.[key];
      if (why !== undefined) {
        issues.push({
          path: [...path, key],
          message: `key ${JSON.stringify(key)} does not apply: ${why}`,
          at: 'key',
        });
      }
      const owners = KEY_OWNERS.get(key);
      if (owners !== undefined && !owners.includes(vendor)) {
        const hints = owners.flatMap((o) => vendorModule(o).keyHints?.[key] ?? []);
        const hint = hints.length > 0 ? `; ${hints.join('; ')}` : '';
        issues.push({
          path: [...path, key],
          message: `key ${JSON.stringify(key)} only applies to vendor ${owners.join(' or ')}${hint}`,
          at: 'key',
        });
      }
    }
    if (Array.isArray(dep.checks)) {
      const allowed = supportedChecks(vendor);
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
    if (ownsTiming && dep.schedule === undefined)
      checkOrder(path, dep, defaults, issues, TIMING_ORDER);
  }
  const breaker = isRecord(dep.breaker) ? dep.breaker : {};
  const defaultBreaker = isRecord(defaults.breaker) ? defaults.breaker : {};
  if (breaker.volumeThreshold !== undefined || breaker.windowRounds !== undefined) {
    checkOrder([...path, 'breaker'], breaker, defaultBreaker, issues, BREAKER_ORDER);
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

function checkNotifier(entry: Record<string, unknown>, path: PathSegment[], issues: SchemaIssue[]) {
  const module = typeof entry.type === 'string' ? findNotifier(entry.type) : undefined;
  if (!module) return;
  const takes = Object.keys(module.settings);
  for (const [key, setting] of Object.entries(module.settings)) {
    if (setting.required && entry[key] === undefined) {
      issues.push({
        path,
        message: `missing required key ${JSON.stringify(key)} (notify type ${module.type} needs it)`,
        at: 'parent',
      });
    }
  }
  for (const key of Object.keys(entry)) {
    if (Object.hasOwn(NOTIFIER_KEYS, key) && !takes.includes(key)) {
      issues.push({
        path: [...path, key],
        message: `key ${JSON.stringify(key)} does not apply to notify type ${module.type}; it takes ${takes.join(', ')}`,
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
  if (defaults.schedule === undefined) checkOrder(['defaults'], defaults, {}, issues, TIMING_ORDER);
  if (isRecord(defaults.breaker))
    checkOrder(['defaults', 'breaker'], defaults.breaker, {}, issues, BREAKER_ORDER);

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
  if (Array.isArray(raw.canaries)) checkUniqueIds(raw.canaries, 'canaries', 'canary', issues);
  issues.push(...checkCanaries(raw, (vendor) => findVendor(vendor)?.llm));
  return issues;
}
