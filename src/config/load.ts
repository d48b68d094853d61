import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { z } from 'zod';
import { resolveCanaries } from '../canary/config.js';
import { findNotifier } from '../notify/registry.js';
import { vendorModule } from '../vendors/registry.js';
import type { VendorResolved } from '../vendors/types.js';
import { type DocumentInterpolation, interpolateDocument, type PathSegment } from './env.js';
import {
  BUILTIN_DEFAULTS,
  type ConfigInput,
  checkSemantics,
  configErrorMap,
  configSchema,
  defaultChecks,
  type SchemaIssue,
} from './schema.js';
import type {
  BellwetherConfig,
  BreakerPolicy,
  ConsumerConfig,
  DependencyConfig,
  MaintenanceWindow,
  NotifierConfig,
  StatusPageConfig,
} from './types.js';

/** One problem in a config file, positioned for `FILE:LINE:COL` output (1-based). */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  /** Where in the config, like `dependencies[2].interval`; `(root)` for the whole file. */
  path: string;
  message: string;
}

/** Either the resolved configuration or every problem found in it. */
export type ConfigLoadResult =
  | { ok: true; config: BellwetherConfig }
  | { ok: false; errors: ConfigError[] };

/** Config files above this size are refused unread: a config is small, a huge one is a mistake. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Formats an error as `FILE:LINE:COL: PATH: MESSAGE`, the shape editors and CI annotate. */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`;
}

/** Formats a config path: `dependencies[2].interval`, `headers["X-Api-Key"]`, `(root)`. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function rootError(file: string, message: string): ConfigLoadResult {
  return { ok: false, errors: [{ file, line: 1, column: 1, path: '(root)', message }] };
}

/**
 * Reads, interpolates, validates and resolves a config file. `env` supplies `${VAR}` values.
 * Never throws: an unreadable or oversized file is reported as an error at 1:1.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv): ConfigLoadResult {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) return rootError(path, tooLargeMessage(size));
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return rootError(path, `cannot read the file: ${osReason(err)}`);
  }
  return parseConfigText(text, path, env, resolve(path));
}

function tooLargeMessage(bytes: number): string {
  return `the file is ${bytes} bytes, above the 1 MiB limit for a config file; refusing to parse it`;
}

function osReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node appends the syscall and path ("…, open 'x.yaml'"); the path is already in FILE.
  const { syscall } = err as NodeJS.ErrnoException;
  const cut = syscall ? err.message.lastIndexOf(`, ${syscall}`) : -1;
  return cut > 0 ? err.message.slice(0, cut) : err.message;
}

/**
 * Validates config text as if read from `file` (used in messages). `sourcePath` becomes the
 * config's `sourcePath`; it defaults to `file` resolved against the working directory.
 */
export function parseConfigText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  sourcePath: string = resolve(file),
): ConfigLoadResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) return rootError(file, tooLargeMessage(bytes));

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const located: LocatedError[] = [];
  // One mistake often derails the rest of its line; the first complaint per line is the useful one.
  const linesWithSyntaxErrors = new Set<number>();
  for (const err of doc.errors) {
    const offset = err.pos[0];
    const { line } = lineCounter.linePos(offset);
    if (linesWithSyntaxErrors.has(line)) continue;
    linesWithSyntaxErrors.add(line);
    located.push({
      offset,
      end: offset,
      path: formatPath(pathAtOffset(doc, offset)),
      message: yamlMessage(err.code, err.message, text, offset),
      syntax: true,
    });
  }

  const interpolation = interpolateDocument(doc, env);
  for (const issue of interpolation.issues) {
    located.push(locate(doc, { ...issue, at: 'value' }));
  }
  // A value that could not be interpolated is still `${…}` text; the schema's opinion of that
  // text would only repeat the problem.
  const unresolved = new Set(interpolation.issues.map((issue) => formatPath(issue.path)));
  const schemaError = (issue: SchemaIssue) => {
    if (issue.at === 'value' && unresolved.has(formatPath(issue.path))) return;
    located.push(locate(doc, issue));
  };

  let raw: unknown;
  try {
    // The alias cap stops a "billion laughs" document from expanding into gigabytes.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    located.push({ offset: 0, end: 0, path: '(root)', message: reason, syntax: true });
    return { ok: false, errors: finishErrors(located, file, lineCounter, interpolation.secrets) };
  }

  let parsed: ConfigInput | undefined;
  if (raw === undefined || raw === null) {
    if (doc.errors.length === 0) {
      located.push({
        offset: 0,
        end: 0,
        path: '(root)',
        message: 'the file is empty; expected a mapping with at least a dependencies list',
        syntax: false,
      });
    }
  } else {
    const result = configSchema.safeParse(raw, { error: configErrorMap });
    if (result.success) parsed = result.data;
    else for (const issue of result.error.issues) schemaError(fromZod(issue, raw));
    for (const issue of checkSemantics(raw)) schemaError(issue);
  }

  if (located.length > 0) {
    return { ok: false, errors: finishErrors(located, file, lineCounter, interpolation.secrets) };
  }
  if (!parsed) return rootError(file, 'the configuration could not be read');
  return { ok: true, config: resolveConfig(parsed, interpolation, sourcePath) };
}

// `end` is where the node the error is about ends (its start, for syntax errors).
interface LocatedError {
  offset: number;
  end: number;
  path: string;
  message: string;
  syntax: boolean;
}

function finishErrors(
  located: LocatedError[],
  file: string,
  lineCounter: LineCounter,
  secrets: readonly string[],
): ConfigError[] {
  // From a syntax error on, the parse is the parser's best guess, and so is every node that
  // encloses it: schema complaints about those would mostly echo the syntax error.
  const firstSyntax = Math.min(...located.filter((e) => e.syntax).map((e) => e.offset));
  // Messages never quote secret fields, but a secret can land in another field by mistake.
  const scrub = (message: string) =>
    secrets.reduce((m, s) => (s.length >= 6 ? m.replaceAll(s, '***') : m), message);
  return located
    .filter((e) => e.syntax || e.end < firstSyntax)
    .map((e, index) => ({ e, index, pos: lineCounter.linePos(e.offset) }))
    .sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col || a.index - b.index)
    .map(({ e, pos }) => ({
      file,
      line: pos.line,
      column: pos.col,
      path: e.path,
      message: scrub(e.message),
    }));
}

const YAML_MESSAGES: Readonly<Record<string, string>> = {
  MULTIPLE_DOCS: 'only one YAML document is allowed; remove the second "---" section',
  DUPLICATE_KEY: 'duplicate key; each key may appear only once in a mapping',
};

function yamlMessage(code: string, message: string, text: string, offset: number): string {
  const base = YAML_MESSAGES[code] ?? `invalid YAML: ${message}`;
  // `key: ${VAR}` inside `{ … }` or `[ … ]` is the classic way to get here: braces are flow
  // syntax there, so the reference has to be quoted.
  const line = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset + 1);
  return /[[{][^\n]*\$\{/.test(line)
    ? `${base} (inside [ ] or { }, quote values that use \${...}: "\${VAR}")`
    : base;
}

function fromZod(issue: z.core.$ZodIssue, raw: unknown): SchemaIssue {
  const path = issue.path.map((s) => (typeof s === 'number' ? s : String(s)));
  if (issue.code === 'custom' && issue.params?.unknownKey === true) {
    return { path, message: issue.message, at: 'key' };
  }
  if (issue.code === 'invalid_type' && path.length > 0 && !hasPath(raw, path)) {
    return { path: path.slice(0, -1), message: issue.message, at: 'parent' };
  }
  return { path, message: issue.message, at: 'value' };
}

function hasPath(raw: unknown, path: readonly PathSegment[]): boolean {
  let node = raw;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return true;
}

// `node` is the node at the path, or the deepest one reached when `complete` is false; `key` is
// the key node of the last mapping step.
interface Found {
  node: Node | null;
  key: Node | null;
  complete: boolean;
}

function walk(doc: Document, path: readonly PathSegment[]): Found {
  let node = doc.contents as Node | null;
  let key: Node | null = null;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(segment),
      );
      if (!pair) return { node, key, complete: false };
      key = pair.key as Node;
      // `key:` with nothing after it: point at the key, the value has no text of its own.
      node = (pair.value as Node | null) ?? key;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment] as Node;
      key = null;
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

function startOf(node: Node | null): number | undefined {
  return node?.range?.[0];
}

function endOf(node: Node | null): number | undefined {
  return node?.range?.[1];
}

function locate(doc: Document, issue: SchemaIssue): LocatedError {
  const found = walk(doc, issue.path);
  let offset: number | undefined;
  let path = formatPath(issue.path);
  if (issue.at === 'key') {
    offset = found.complete ? startOf(found.key) : undefined;
    path = formatPath(issue.path.slice(0, -1));
  } else if (issue.at === 'parent') {
    offset = startOf(found.node);
  } else if (found.complete) {
    const { node } = found;
    const empty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
    offset = empty ? startOf(found.key) : startOf(node);
  }
  offset ??= startOf(found.node) ?? 0;
  const end = Math.max(offset, endOf(found.node) ?? offset);
  return { offset, end, path, message: issue.message, syntax: false };
}

// Names a syntax error's place by the deepest node whose source range holds it.
function pathAtOffset(doc: Document, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  const holds = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range != null && range[0] <= offset && offset < range[2];
  };
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => holds(p.key) || holds(p.value));
      if (!pair || !isScalar(pair.key)) return path;
      if (!holds(pair.value)) return path;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => holds(item));
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The vendor's share of a dependency: its module resolves its own keys (or they are copied as
 * written) and supplies the base URL when the dependency gives none.
 */
function resolveVendorKeys(
  dep: ConfigInput['dependencies'][number],
  credentialEnv: ReadonlyMap<string, string>,
): VendorResolved {
  const module = vendorModule(dep.vendor);
  const raw = dep as Readonly<Record<string, unknown>>;
  const resolved = module.resolve?.({
    raw,
    ...(dep.apiKey ? { apiKey: dep.apiKey } : {}),
    credentialEnv,
  }) ?? {
    options: Object.fromEntries(
      Object.keys(module.configKeys ?? {}).flatMap((key) =>
        raw[key] === undefined ? [] : [[key, raw[key]]],
      ),
    ),
  };
  return { ...resolved, baseUrl: module.defaultBaseUrl ?? resolved.baseUrl };
}

function resolveConfig(
  input: ConfigInput,
  interpolation: DocumentInterpolation,
  sourcePath: string,
): BellwetherConfig {
  const defaults = input.defaults ?? {};
  const defaultBreaker = defaults.breaker ?? {};

  const canaries = resolveCanaries(input.canaries ?? []);
  const dependencies = input.dependencies.map((dep, index): DependencyConfig => {
    const breaker = dep.breaker ?? {};
    const intervalMs =
      dep.schedule === undefined
        ? (dep.interval ?? defaults.interval ?? BUILTIN_DEFAULTS.intervalMs)
        : undefined;
    const policy: BreakerPolicy = {
      errorThresholdPercentage:
        breaker.errorThresholdPercentage ??
        defaultBreaker.errorThresholdPercentage ??
        BUILTIN_DEFAULTS.errorThresholdPercentage,
      volumeThreshold:
        breaker.volumeThreshold ??
        defaultBreaker.volumeThreshold ??
        BUILTIN_DEFAULTS.volumeThreshold,
      windowRounds:
        breaker.windowRounds ?? defaultBreaker.windowRounds ?? BUILTIN_DEFAULTS.windowRounds,
      resetTimeoutMs:
        breaker.resetTimeout ??
        defaultBreaker.resetTimeout ??
        (intervalMs === undefined ? BUILTIN_DEFAULTS.scheduledResetTimeoutMs : 2 * intervalMs),
    };
    const credentialEnv = interpolation.credentialEnv.get(index) ?? new Map<string, string>();
    const vendor = resolveVendorKeys(dep, credentialEnv);
    const baseUrl = dep.baseUrl ?? vendor.baseUrl;
    const out: DependencyConfig = {
      id: dep.id,
      vendor: dep.vendor,
      baseUrl: stripSlash(baseUrl ?? ''),
      checks: dep.checks ?? defaultChecks(dep.vendor),
      timeoutMs: dep.timeout ?? defaults.timeout ?? BUILTIN_DEFAULTS.timeoutMs,
      retries: dep.retries ?? defaults.retries ?? BUILTIN_DEFAULTS.retries,
      degradedLatencyMs:
        dep.degradedLatency ?? defaults.degradedLatency ?? BUILTIN_DEFAULTS.degradedLatencyMs,
      maxTokens: dep.maxTokens ?? defaults.maxTokens ?? BUILTIN_DEFAULTS.maxTokens,
      objective: dep.objective ?? defaults.objective ?? BUILTIN_DEFAULTS.objective,
      degradedHeadroom:
        dep.degradedHeadroom ?? defaults.degradedHeadroom ?? BUILTIN_DEFAULTS.degradedHeadroom,
      breaker: policy,
      options: vendor.options,
      embeddingSimilarity:
        dep.embeddingSimilarity ??
        defaults.embeddingSimilarity ??
        BUILTIN_DEFAULTS.embeddingSimilarity,
    };
    if (dep.team !== undefined) out.team = dep.team;
    if (dep.statusPage !== undefined) out.statusPage = dep.statusPage;
    const budget = dep.dailyTokenBudget ?? defaults.dailyTokenBudget;
    if (budget !== undefined) out.dailyTokenBudget = budget;
    if (intervalMs !== undefined) out.intervalMs = intervalMs;
    if (dep.schedule !== undefined) out.schedule = dep.schedule.trim();
    if (dep.apiKey) out.apiKey = dep.apiKey;
    const apiKeyEnv =
      vendor.missingCredentialEnv === undefined
        ? credentialEnv.get('apiKey')
        : (vendor.missingCredentialEnv ?? undefined);
    if (apiKeyEnv !== undefined) out.apiKeyEnv = apiKeyEnv;
    if (dep.model !== undefined) out.model = dep.model;
    if (dep.embeddingModel !== undefined) out.embeddingModel = dep.embeddingModel;
    if (dep.embeddingDimensions !== undefined) out.embeddingDimensions = dep.embeddingDimensions;
    const reasoning = dep.reasoning ?? defaults.reasoning;
    if (reasoning !== undefined) out.reasoning = reasoning;
    const ttft = dep.degradedTtft ?? defaults.degradedTtft;
    if (ttft !== undefined) out.degradedTtftMs = ttft;
    if (dep.headers) out.headers = { ...dep.headers };
    const runs = (dep.canaries ?? []).flatMap((id) => canaries.get(id) ?? []);
    if (runs.length > 0) out.canaries = runs;
    return out;
  });

  const consumers = (input.consumers ?? []).map((c): ConsumerConfig => {
    const out: ConsumerConfig = { id: c.id, uses: [...c.uses] };
    if (c.team !== undefined) out.team = c.team;
    if (c.requires !== undefined && c.requires.length > 0) out.requires = [...c.requires];
    return out;
  });

  const statusPages = (input.statusPages ?? []).map((p): StatusPageConfig => {
    const out: StatusPageConfig = { vendor: p.vendor, url: p.url };
    if (p.components !== undefined) out.components = [...p.components];
    return out;
  });

  const notify = (input.notify ?? []).map((n): NotifierConfig => {
    const module = findNotifier(n.type);
    const settings: Record<string, string> = {};
    for (const key of Object.keys(module?.settings ?? {})) {
      const value = (n as Record<string, unknown>)[key];
      if (typeof value === 'string') settings[key] = value;
    }
    const out: NotifierConfig = { type: n.type, minSeverity: n.minSeverity ?? 'warning', settings };
    if (n.failuresToAlert !== undefined) out.failuresToAlert = n.failuresToAlert;
    if (n.successesToResolve !== undefined) out.successesToResolve = n.successesToResolve;
    if (n.remindEvery !== undefined) out.remindEveryMs = n.remindEvery;
    if (n.timeout !== undefined) out.timeoutMs = n.timeout;
    return out;
  });

  const maintenance = (input.maintenance ?? []).map((w): MaintenanceWindow => {
    const out: MaintenanceWindow = { start: w.start, end: w.end };
    if (w.dependencies !== undefined) out.dependencies = [...w.dependencies];
    if (w.consumers !== undefined) out.consumers = [...w.consumers];
    if (w.reason !== undefined) out.reason = w.reason;
    return out;
  });

  return {
    sourcePath,
    vantage: input.vantage ?? 'local',
    server: { port: input.server?.port ?? 9477, host: input.server?.host ?? '0.0.0.0' },
    storage: {
      path: input.storage?.path ?? './data/bellwether.db',
      retentionMs: input.storage?.retention ?? 8 * 86_400_000,
    },
    dependencies,
    consumers,
    statusPages,
    notify,
    ...(maintenance.length > 0 ? { maintenance } : {}),
    ...(input.otlp
      ? {
          otlp: {
            endpoint: input.otlp.endpoint.replace(/\/+$/, ''),
            protocol: input.otlp.protocol ?? 'http/protobuf',
            headers: { ...input.otlp.headers },
            intervalMs: input.otlp.interval ?? 60_000,
          },
        }
      : {}),
    secrets: interpolation.secrets,
  };
}
