import { Ajv } from 'ajv';
import { z } from 'zod';
import {
  closest,
  duration,
  id,
  integer,
  isRecord,
  list,
  nonEmpty,
  regex,
  strict,
} from '../config/fields.js';
import { SHIPPED_CANARIES } from './library.js';
import type { CanarySpec, Expectation, ToolDefinition } from './types.js';

/** A canary runs this often unless it says otherwise. */
export const DEFAULT_CANARY_INTERVAL_MS = 5 * 60_000;
/** Output tokens a canary may spend unless it says otherwise. */
export const DEFAULT_CANARY_MAX_TOKENS = 64;

/** The ways an answer can be expected; a canary sets exactly one. */
export const EXPECT_KINDS = ['equals', 'contains', 'matches', 'oneOf', 'json', 'toolCall'] as const;
const CASE_KINDS: readonly string[] = ['equals', 'contains', 'oneOf'];

// Tool names as the vendors accept them (OpenAI and Anthropic: letters, digits, _ and -, ≤ 64).
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const toolName = () =>
  z.string().refine((s) => TOOL_NAME.test(s), {
    error: 'expected a tool name of letters, digits, "_" or "-" (at most 64)',
  });
const jsonObject = () =>
  z.record(z.string(), z.unknown(), { error: 'expected a mapping (a JSON Schema object)' });

const toolSchema = strict({
  name: toolName(),
  description: nonEmpty().optional(),
  parameters: jsonObject(),
});

const expectSchema = strict({
  equals: z.string().optional(),
  contains: nonEmpty().optional(),
  matches: regex().optional(),
  oneOf: list(z.string(), 'value').optional(),
  json: jsonObject().optional(),
  toolCall: strict({ name: toolName(), arguments: jsonObject().optional() }).optional(),
  caseSensitive: z.boolean().optional(),
});

/** One entry of the top-level `canaries:` list as operators write it. */
export const canarySchema = strict({
  id: id(),
  use: nonEmpty().optional(),
  prompt: nonEmpty().optional(),
  system: nonEmpty().optional(),
  expect: expectSchema.optional(),
  tools: list(toolSchema, 'tool').optional(),
  maxTokens: integer(1, 1024).optional(),
  interval: duration(1000).optional(),
});

/** The shipped canary ids (`use:` takes one). */
export const SHIPPED_IDS: readonly string[] = SHIPPED_CANARIES.map((c) => String(c.id));

/** A problem in the canaries, relative to the config root. */
export interface CanaryIssue {
  path: (string | number)[];
  message: string;
  at: 'value' | 'key' | 'parent';
}

// A canary with `use:` starts from the shipped one; its own keys win (expect and tools whole).
function merged(entry: Record<string, unknown>): Record<string, unknown> {
  const base =
    typeof entry.use === 'string' ? SHIPPED_CANARIES.find((c) => c.id === entry.use) : undefined;
  const { use: _use, ...own } = entry;
  return base ? { ...base, ...own } : own;
}

function schemaProblem(schema: unknown): string | undefined {
  try {
    new Ajv({ strict: false }).compile(schema as Record<string, unknown>);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function checkExpect(
  c: Record<string, unknown>,
  path: (string | number)[],
  issues: CanaryIssue[],
): void {
  const expect = c.expect;
  if (!isRecord(expect)) return;
  const kinds = EXPECT_KINDS.filter((k) => expect[k] !== undefined);
  if (kinds.length === 0) {
    issues.push({
      path: [...path, 'expect'],
      message: `expected exactly one of ${EXPECT_KINDS.join(', ')}`,
      at: 'value',
    });
    return;
  }
  for (const extra of kinds.slice(1)) {
    issues.push({
      path: [...path, 'expect', extra],
      message: `set only one of ${EXPECT_KINDS.join(', ')} (this canary already expects ${kinds[0]})`,
      at: 'key',
    });
  }
  const kind = kinds[0];
  if (expect.caseSensitive !== undefined && !CASE_KINDS.includes(kind ?? '')) {
    issues.push({
      path: [...path, 'expect', 'caseSensitive'],
      message: `caseSensitive applies to ${CASE_KINDS.join(', ')}, not ${kind}`,
      at: 'key',
    });
  }
  if (kind === 'json' && isRecord(expect.json)) {
    const problem = schemaProblem(expect.json);
    if (problem) {
      issues.push({
        path: [...path, 'expect', 'json'],
        message: `expected a valid JSON Schema: ${problem}`,
        at: 'value',
      });
    }
  }
  if (kind === 'toolCall' && isRecord(expect.toolCall)) {
    const name = expect.toolCall.name;
    const tools = Array.isArray(c.tools) ? c.tools.filter(isRecord) : [];
    if (tools.length === 0) {
      issues.push({
        path: [...path, 'expect', 'toolCall'],
        message: `toolCall needs "tools" on the canary, with a definition of ${typeof name === 'string' ? name : 'the tool'}`,
        at: 'key',
      });
    } else if (typeof name === 'string' && !tools.some((t) => t.name === name)) {
      const names = tools.map((t) => String(t.name));
      issues.push({
        path: [...path, 'expect', 'toolCall', 'name'],
        message: `tool ${JSON.stringify(name)} is not among the canary's tools (${names.join(', ')})`,
        at: 'value',
      });
    }
  }
  for (const [i, tool] of (Array.isArray(c.tools) ? c.tools : []).entries()) {
    if (!isRecord(tool) || !isRecord(tool.parameters)) continue;
    const problem = schemaProblem(tool.parameters);
    if (problem) {
      issues.push({
        path: [...path, 'tools', i, 'parameters'],
        message: `expected a valid JSON Schema: ${problem}`,
        at: 'value',
      });
    }
  }
}

function unknownId(value: string, known: readonly string[], what: string): string {
  const suggestion = closest(value, known);
  const hint = suggestion
    ? `did you mean ${JSON.stringify(suggestion)}?`
    : known.length > 0
      ? `expected one of ${known.join(', ')}`
      : `no ${what} is defined`;
  return `unknown ${what} ${JSON.stringify(value)}; ${hint}`;
}

/**
 * Checks that span the canaries, the dependencies that run them and the consumers that
 * require them. Tolerates any shape: what the field schemas reject is skipped here.
 * `llmVendor` says whether a vendor id can run canaries.
 */
export function checkCanaries(
  raw: Record<string, unknown>,
  llmVendor: (vendor: string) => boolean | undefined,
): CanaryIssue[] {
  const issues: CanaryIssue[] = [];
  const entries = Array.isArray(raw.canaries) ? raw.canaries : [];
  const defined: string[] = [];
  entries.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    const path = ['canaries', index];
    // Duplicate ids are reported with the other lists' duplicates (config/schema.ts).
    if (typeof entry.id === 'string') defined.push(entry.id);
    if (typeof entry.use === 'string' && !SHIPPED_IDS.includes(entry.use)) {
      issues.push({
        path: [...path, 'use'],
        message: unknownId(entry.use, SHIPPED_IDS, 'shipped canary'),
        at: 'value',
      });
      return;
    }
    const c = merged(entry);
    for (const key of ['prompt', 'expect'] as const) {
      if (c[key] === undefined) {
        issues.push({
          path,
          message: `missing required key ${JSON.stringify(key)} (or "use" a shipped canary: ${SHIPPED_IDS.join(', ')})`,
          at: 'parent',
        });
      }
    }
    checkExpect(c, path, issues);
  });

  const runBy = new Map<string, Set<string>>();
  const deps = Array.isArray(raw.dependencies) ? raw.dependencies : [];
  deps.forEach((dep, index) => {
    if (!isRecord(dep) || !Array.isArray(dep.canaries)) return;
    const llm = typeof dep.vendor === 'string' ? llmVendor(dep.vendor) : undefined;
    if (llm === false) {
      issues.push({
        path: ['dependencies', index, 'canaries'],
        message: `vendor ${String(dep.vendor)} runs no canaries (they need a model)`,
        at: 'key',
      });
    }
    dep.canaries.forEach((canary, j) => {
      if (typeof canary !== 'string') return;
      if (!defined.includes(canary)) {
        issues.push({
          path: ['dependencies', index, 'canaries', j],
          message: unknownId(canary, defined, 'canary'),
          at: 'value',
        });
      }
      if (typeof dep.id === 'string') {
        runBy.set(dep.id, new Set([...(runBy.get(dep.id) ?? []), canary]));
      }
    });
  });

  const consumers = Array.isArray(raw.consumers) ? raw.consumers : [];
  consumers.forEach((consumer, index) => {
    if (!isRecord(consumer) || !Array.isArray(consumer.requires)) return;
    const uses = Array.isArray(consumer.uses) ? consumer.uses.map(String) : [];
    consumer.requires.forEach((canary, j) => {
      if (typeof canary !== 'string') return;
      const path = ['consumers', index, 'requires', j];
      if (!defined.includes(canary)) {
        issues.push({ path, message: unknownId(canary, defined, 'canary'), at: 'value' });
      } else if (!uses.some((d) => runBy.get(d)?.has(canary))) {
        issues.push({
          path,
          message: `none of this consumer's dependencies (${uses.join(', ')}) runs canary ${JSON.stringify(canary)}; add it to their "canaries"`,
          at: 'value',
        });
      }
    });
  });
  return issues;
}

function expectation(e: z.output<typeof expectSchema>): Expectation {
  const caseSensitive = e.caseSensitive === true;
  if (e.equals !== undefined) return { kind: 'equals', value: e.equals, caseSensitive };
  if (e.contains !== undefined) return { kind: 'contains', value: e.contains, caseSensitive };
  if (e.matches !== undefined) return { kind: 'matches', pattern: e.matches };
  if (e.oneOf !== undefined) return { kind: 'oneOf', values: [...e.oneOf], caseSensitive };
  if (e.json !== undefined) return { kind: 'json', schema: e.json };
  const call = e.toolCall ?? { name: '' };
  return { kind: 'toolCall', name: call.name, arguments: call.arguments ?? {} };
}

/** The canaries of a validated config, `use:` and defaults resolved, by id. */
export function resolveCanaries(
  entries: readonly z.output<typeof canarySchema>[],
): Map<string, CanarySpec> {
  const out = new Map<string, CanarySpec>();
  for (const entry of entries) {
    const shipped =
      entry.use === undefined ? undefined : SHIPPED_CANARIES.find((c) => c.id === entry.use);
    const base = shipped ? canarySchema.parse(shipped) : undefined;
    const c = {
      ...base,
      ...Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
    };
    if (c.prompt === undefined || c.expect === undefined) continue; // reported by checkCanaries
    const spec: CanarySpec = {
      id: entry.id,
      prompt: c.prompt,
      expect: expectation(c.expect),
      maxTokens: c.maxTokens ?? DEFAULT_CANARY_MAX_TOKENS,
      intervalMs: c.interval ?? DEFAULT_CANARY_INTERVAL_MS,
    };
    if (c.system !== undefined) spec.system = c.system;
    if (c.tools !== undefined) {
      spec.tools = c.tools.map((t): ToolDefinition => {
        const tool: ToolDefinition = { name: t.name, parameters: t.parameters };
        if (t.description !== undefined) tool.description = t.description;
        return tool;
      });
    }
    out.set(entry.id, spec);
  }
  return out;
}
