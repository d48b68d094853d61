import { Ajv } from 'ajv';
import type { CanaryAnswer, CanaryOutcome, CanarySpec, Expectation, ToolCall } from './types.js';

/** Answers are judged on at most this much text: bounded input for every regex below. */
export const MAX_JUDGED_CHARS = 16 * 1024;
/** Excerpts shown in the API and on the page. */
export const EXCERPT_CHARS = 160;

/**
 * Plain-text refusals, matched only where the expectation already failed and only in the
 * answer's first 300 characters: a model that says "I can't help with that" instead of the
 * verdict. Conservative on purpose: phrases a refusal starts with, not words such as
 * "malware" that a correct security answer contains. Lower-case, straight apostrophes.
 */
export const REFUSAL_PHRASES: readonly string[] = [
  "i can't help",
  'i cannot help',
  "i can't assist",
  'i cannot assist',
  "i can't provide",
  'i cannot provide',
  "i can't comply",
  'i cannot comply',
  "i won't be able to",
  "i'm unable to",
  'i am unable to',
  "i'm not able to",
  'i am not able to',
  'i must decline',
  "i'm sorry, but i can",
  'i am sorry, but i can',
  "sorry, i can't",
  'sorry, i cannot',
  'against my guidelines',
  'violates my guidelines',
  "i'm not comfortable",
];

const REFUSAL_WINDOW = 300;

/** True when the text opens like a refusal (see {@link REFUSAL_PHRASES}). */
export function looksLikeRefusal(text: string): boolean {
  const head = text
    .slice(0, REFUSAL_WINDOW)
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'");
  return REFUSAL_PHRASES.some((p) => head.includes(p));
}

/** A one-line excerpt of at most {@link EXCERPT_CHARS} characters. */
export function excerpt(text: string): string {
  const flat = text
    .slice(0, EXCERPT_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

// Models wrap JSON in a Markdown fence more often than not; the playbook strips it too.
function unfenced(text: string): string {
  const t = text.trim();
  if (!t.startsWith('```')) return t;
  const firstLine = t.indexOf('\n');
  const close = t.lastIndexOf('```');
  if (firstLine < 0 || close <= firstLine) return t;
  return t.slice(firstLine + 1, close).trim();
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const norm = (s: string, caseSensitive: boolean) =>
  caseSensitive ? s.trim() : s.trim().toLowerCase();

/**
 * True when `actual` holds every expected value: objects by key (extra keys allowed), arrays
 * as sets of the expected items (order free, extra items allowed), strings trimmed and
 * compared case-insensitively, numbers and booleans exactly.
 */
export function matchesExpected(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string') {
    return typeof actual === 'string' && norm(actual, false) === norm(expected, false);
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.every((item) => actual.some((candidate) => matchesExpected(item, candidate)))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const obj = actual as Record<string, unknown>;
    return Object.entries(expected).every(
      ([k, v]) => Object.hasOwn(obj, k) && matchesExpected(v, obj[k]),
    );
  }
  return Object.is(expected, actual);
}

/** A judgement: the outcome and the signal behind it. */
export interface Judgement {
  outcome: CanaryOutcome;
  reason?: string;
}

/** Judges answers; keeps compiled JSON Schemas and regexes for the canaries it has seen. */
export interface Judge {
  judge(canary: CanarySpec, answer: CanaryAnswer): Judgement;
}

/** A judge with its own schema compiler (one per probe: no shared state between configs). */
export function createJudge(): Judge {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validators = new Map<string, ReturnType<Ajv['compile']>>();
  const regexes = new Map<string, RegExp>();

  const textFails = (expect: Expectation, raw: string): string | undefined => {
    const text = raw.slice(0, MAX_JUDGED_CHARS);
    switch (expect.kind) {
      case 'equals':
        return norm(text, expect.caseSensitive) === norm(expect.value, expect.caseSensitive)
          ? undefined
          : 'text';
      case 'contains':
        return norm(text, expect.caseSensitive).includes(norm(expect.value, expect.caseSensitive))
          ? undefined
          : 'text';
      case 'oneOf':
        return expect.values.some(
          (v) => norm(v, expect.caseSensitive) === norm(text, expect.caseSensitive),
        )
          ? undefined
          : 'text';
      case 'matches': {
        let re = regexes.get(expect.pattern);
        if (!re) {
          re = new RegExp(expect.pattern);
          regexes.set(expect.pattern, re);
        }
        return re.test(text) ? undefined : 'text';
      }
      case 'json': {
        const parsed = parse(unfenced(text));
        if (!parsed.ok) return 'json: not JSON';
        const key = JSON.stringify(expect.schema);
        let validate = validators.get(key);
        if (!validate) {
          validate = ajv.compile(expect.schema);
          validators.set(key, validate);
        }
        if (validate(parsed.value)) return undefined;
        const first = validate.errors?.[0];
        return `json: ${first ? `${first.instancePath || '/'} ${first.message ?? 'invalid'}` : 'invalid'}`;
      }
      case 'toolCall':
        return 'no tool call';
    }
  };

  const toolCallFails = (
    expect: Extract<Expectation, { kind: 'toolCall' }>,
    calls: readonly ToolCall[],
  ): string | undefined => {
    if (calls.length === 0) return 'no tool call';
    const named = calls.filter((c) => c.name === expect.name);
    if (named.length === 0) return `wrong tool: ${calls.map((c) => c.name).join(', ')}`;
    for (const call of named) {
      const parsed = parse(call.arguments.slice(0, MAX_JUDGED_CHARS) || '{}');
      if (parsed.ok && matchesExpected(expect.arguments, parsed.value)) return undefined;
    }
    return 'wrong arguments';
  };

  return {
    judge(canary, answer) {
      if (answer.refusal !== undefined) return { outcome: 'refused', reason: answer.refusal };
      if (answer.refusalText !== undefined && answer.refusalText.trim() !== '') {
        return { outcome: 'refused', reason: 'refusal' };
      }
      const { expect } = canary;
      const miss =
        expect.kind === 'toolCall'
          ? toolCallFails(expect, answer.toolCalls)
          : textFails(expect, answer.text);
      if (miss === undefined) return { outcome: 'pass' };
      if (looksLikeRefusal(answer.text)) return { outcome: 'refused', reason: 'text' };
      if (answer.text.trim() === '' && answer.toolCalls.length === 0) {
        return { outcome: 'wrong_answer', reason: 'empty answer' };
      }
      return { outcome: 'wrong_answer', reason: miss };
    },
  };
}
