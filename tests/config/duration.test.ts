import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['8d', 691_200_000],
    ['1m30s', 90_000],
    ['1h0m5s', 3_605_000],
    ['1d12h', 129_600_000],
    ['2s500ms', 2_500],
    ['1.5s', 1_500],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    '30',
    '',
    '30 seconds',
    '30S',
    ' 30s',
    '30s ',
    '-5s',
    '+5s',
    '1w',
    's',
    '30s1m',
    '1m1m',
    '1m 30s',
    '.5s',
    '5.s',
    'abc',
    `${'9'.repeat(30)}d`,
  ])('rejects %j with the expectation', (text) => {
    expect(parseDuration(text)).toEqual({
      ok: false,
      message: `expected a duration like 30s, 2m or 1h, got ${JSON.stringify(text)}`,
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [691_200_000, '8d'],
    [2_500, '2s500ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });
});
