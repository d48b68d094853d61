import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSince } from '../../src/http/dependencies.js';
import { createTestApp } from '../support/app-harness.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const RANGE = 'since must fall between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';

describe('parseSince', () => {
  it.each([
    ['9999999999999999', `${RANGE}, got "9999999999999999"`],
    ['2500000000h', `${RANGE}, got "2500000000h"`],
    ['100000d', `${RANGE}, got "100000d"`],
    [
      '-1h',
      'since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "-1h"',
    ],
    [
      'NaN',
      'since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "NaN"',
    ],
    [
      '-1700000000000',
      'since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "-1700000000000"',
    ],
    [
      '1e20',
      'since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "1e20"',
    ],
    [
      '+275760-09-13T00:00:00Z',
      'since must be an ISO 8601 time (2026-11-26T00:00:00Z), epoch milliseconds or a duration like 6h, got "+275760-09-13T00:00:00Z"',
    ],
    ['1969-12-31T23:59:59Z', `${RANGE}, got "1969-12-31T23:59:59Z"`],
  ])('%s → 400: %s', (value, message) => {
    expect(parseSince(value, NOW)).toEqual(new Error(message));
  });

  it.each([
    ['1h', NOW - 3_600_000],
    ['1764806400000', 1_764_806_400_000],
    ['2026-11-26T00:00:00Z', Date.UTC(2026, 10, 26)],
    ['9999-12-31T23:59:59.999Z', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    [undefined, NOW - 3_600_000],
  ])('%s → %d', (value, ms) => {
    expect(parseSince(value, NOW)).toBe(ms);
  });
});

/** A small deterministic PRNG (mulberry32): the same cases every run, many of them. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_VALUES = [
  '',
  ' ',
  '0',
  '-0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '9999999999999999',
  '99999999999999999999999999',
  '2500000000h',
  '9007199254740993ms',
  '1.7976931348623157e308',
  '0x10',
  '1_000',
  '２５',
  '%00',
  '%ff%fe',
  '%E0%A4%A',
  '../../etc/passwd',
  '"><script>alert(1)</script>',
  "' OR 1=1 --",
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '2026-13-45T99:99:99Z',
  '\u202e\u0000',
  'x'.repeat(5000),
  '1'.repeat(5000),
];

function randomValue(next: () => number): string {
  const alphabet = '0123456789.-+eEhmsdT:Z%xX_ ';
  const length = Math.floor(next() * 24);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

describe('every route parameter, fuzzed: no 5xx, 4xx in the usual error shape', () => {
  const h = createTestApp();
  beforeAll(() => h.monitor.probeAll());
  afterAll(() => h.close());

  const next = prng(14);
  const values = [...HOSTILE_VALUES, ...Array.from({ length: 150 }, () => randomValue(next))];
  const enc = encodeURIComponent;
  // Raw forms too: an undecodable %-sequence must be refused, not thrown.
  const forms = (v: string) => [enc(v), v.replace(/[#?&/ ]/g, (c) => enc(c))];
  const paths = (v: string): string[] =>
    forms(v).flatMap((f) => [
      `/api/v1/dependencies/primary/history?since=${f}`,
      `/api/v1/dependencies/primary/history?limit=${f}`,
      `/api/v1/dependencies/primary/history?since=${f}&limit=${f}`,
      `/api/v1/dependencies/${f}`,
      `/api/v1/dependencies/${f}/history?since=${f}`,
      `/api/v1/consumers/${f}`,
      `/api/v1/consumers/${f}/route`,
      `/api/v1/status?${f}=${f}`,
      `/api/v1/dependencies?since=${f}`,
      `/metrics?name[]=${f}`,
      `/?since=${f}`,
      `/healthz?${f}`,
      `/readyz?${f}`,
      `/api/v1/openapi.json?${f}`,
    ]);

  it(`answers ${values.length} hostile values on every route without a 5xx`, async () => {
    const failures: string[] = [];
    for (const v of values) {
      for (const path of paths(v)) {
        const res = await h.app.request(path);
        if (res.status >= 500) failures.push(`${res.status} ${path.slice(0, 120)}`);
        if (res.status >= 400) {
          const body = (await res.json().catch(() => undefined)) as
            | { error?: { code?: unknown; message?: unknown } }
            | undefined;
          if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') {
            failures.push(`${res.status} without the error shape: ${path.slice(0, 120)}`);
          }
        } else {
          await res.arrayBuffer();
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(['9999999999999999', '2500000000h', '-1h', 'NaN', '1e309'])(
    'since=%s answers 400 bad_request',
    async (since) => {
      const res = await h.app.request(
        `/api/v1/dependencies/primary/history?since=${encodeURIComponent(since)}`,
      );
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    },
  );

  it.each(['0', '-1', '5001', '1e3', '1.5', 'NaN', ' 5', '0x10'])(
    'limit=%s answers 400 with the accepted range',
    async (limit) => {
      const res = await h.app.request(
        `/api/v1/dependencies/primary/history?limit=${encodeURIComponent(limit)}`,
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'bad_request',
          message: `limit must be an integer from 1 to 5000, got "${limit}"`,
        },
      });
    },
  );
});
