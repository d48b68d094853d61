/** What a duration looks like, for error messages: `expected ${DURATION_EXPECTATION}, got …`. */
export const DURATION_EXPECTATION = 'a duration like 30s, 2m or 1h';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;

// Largest first, so a compound must be written as 1h30m, not 30m1h (each unit at most once).
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

// `ms` must come before `m` in the alternation or `500ms` would lex as `500m` + `s`. Kept as a
// source string: a sticky RegExp carries lastIndex, so each call builds its own.
const PART_SOURCE = '(\\d+(?:\\.\\d+)?)(ms|d|h|m|s)';

/** Result of {@link parseDuration}: milliseconds, or a message saying what was expected. */
export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/**
 * Parses `500ms`, `30s`, `2m`, `1h`, `1d` and compounds such as `1m30s` or `1h0m5s` into
 * milliseconds. Fractions are allowed (`1.5s`) and rounded to the millisecond. Bare numbers,
 * spaces, signs, unknown units and units out of order are rejected.
 */
export function parseDuration(input: string): DurationResult {
  const fail: DurationResult = {
    ok: false,
    message: `expected ${DURATION_EXPECTATION}, got ${JSON.stringify(input)}`,
  };
  if (input.length === 0 || input.length > 64) return fail;
  const re = new RegExp(PART_SOURCE, 'y');
  let total = 0;
  let lastRank = -1;
  let pos = 0;
  while (pos < input.length) {
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m) return fail;
    const amount = Number(m[1]);
    const unit = m[2] as Unit;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= lastRank) return fail;
    lastRank = rank;
    total += amount * UNIT_MS[unit];
    pos = re.lastIndex;
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) return fail;
  return { ok: true, ms };
}

/** Formats milliseconds the way operators write them: 90000 → `1m30s`, 500 → `500ms`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(Math.abs(ms));
  let out = ms < 0 ? '-' : '';
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
