import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { DURATION_EXPECTATION, formatDuration, parseDuration } from './duration.js';

// Field schemas every part of the config uses: the vendor and notifier modules build their own
// keys from these, so every field of one kind words its errors the same way.
const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
// RFC 9110 token characters.
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

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

// Edit distance that counts swapping two neighbours as one edit ("modle" is one typo from
// "model"), the optimal-string-alignment variant of Damerau-Levenshtein. Keys are short.
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
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

/** True for a plain mapping (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A mapping that rejects unknown keys, one issue per key (marked `params.unknownKey`) with a
// did-you-mean. A check rather than z.strictObject: z reports all unknown keys of an object as
// one issue at the object, and we point at each key; `when` makes it run even when sibling
// fields already failed, so every problem shows up in one run.
/** A mapping whose unknown keys are each an error with a did-you-mean. */
export function strict<T extends z.ZodRawShape>(shape: T) {
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

/** Field schema: see its error message for what it accepts. */
export const nonEmpty = () =>
  z.string().refine((s) => s.trim().length > 0, { error: 'expected a non-empty string' });

// For secret-bearing fields: the message names the kind of value, never the value.
/** Field schema: see its error message for what it accepts. */
export const secret = () =>
  z.string({
    error: (iss) =>
      iss.input === undefined ? undefined : `expected a string, got ${describeType(iss.input)}`,
  });

/** Field schema: see its error message for what it accepts. */
export const integer = (min: number, max: number) => {
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

/** Field schema: see its error message for what it accepts. */
export const duration = (minMs = 1) =>
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

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// The wrong-type message states the same expectation as the format check that follows.
/** Field schema: see its error message for what it accepts. */
export const expecting = (expectation: string) =>
  z.string({
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `expected ${expectation}, got ${describeValue(iss.input)}`,
  });

/** Field schema: see its error message for what it accepts. */
export const httpUrl = () =>
  expecting('an http(s) URL').refine(isHttpUrl, {
    error: (iss) => `expected an http(s) URL, got ${describeValue(iss.input)}`,
  });

// Webhook URLs embed their token, so they get the secret treatment.
/** Field schema: see its error message for what it accepts. */
export const secretUrl = () => secret().refine(isHttpUrl, { error: 'expected an http(s) URL' });

/** Field schema: see its error message for what it accepts. */
export const id = () =>
  z.string().refine((s) => ID_PATTERN.test(s), {
    error: (iss) =>
      `expected an id of lowercase letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${describeValue(iss.input)}`,
  });

/** Field schema: see its error message for what it accepts. */
export const cron = () =>
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

/** Field schema: see its error message for what it accepts. */
export const regex = () =>
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

/** Field schema: see its error message for what it accepts. */
export const expectedStatus = () =>
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

/** Field schema: see its error message for what it accepts. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `expected one of ${values.join(', ')}, got ${describeValue(iss.input)}`,
  });

/** Field schema: see its error message for what it accepts. */
export const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1, { error: `expected at least one ${what}` });
