import { describe, expect, it } from 'vitest';
import { lowestHeadroom, parseGoDuration, parseRateLimits } from '../../src/probes/ratelimit.js';

const NOW = Date.parse('2026-01-02T03:04:05.000Z');

describe('parseGoDuration', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['12ms', 12],
    ['1h2m3.5s', 3_723_500],
    ['0s', 0],
    ['0', 0],
    ['7.66s', 7660],
    ['2m59.56s', 179_560],
    ['1.5h', 5_400_000],
    ['500us', 0.5],
    ['250µs', 0.25],
    [' 20ms ', 20],
    ['1', 1000],
    ['60', 60_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', 's', '10 s', '1d', '-1s', 'abc', '1s2', '2026-01-02T03:04:05Z'])(
    'rejects %j',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('parseRateLimits', () => {
  it.each([
    [
      'OpenAI requests and tokens',
      {
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': '9999',
        'x-ratelimit-reset-requests': '6ms',
        'x-ratelimit-limit-tokens': '30000000',
        'x-ratelimit-remaining-tokens': '29999980',
        'x-ratelimit-reset-tokens': '6m0s',
      },
      [
        { resource: 'requests', limit: 10000, remaining: 9999, resetAt: NOW + 6 },
        { resource: 'tokens', limit: 30_000_000, remaining: 29_999_980, resetAt: NOW + 360_000 },
      ],
    ],
    [
      'Azure: remaining only',
      { 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '999' },
      [
        { resource: 'requests', remaining: 99 },
        { resource: 'tokens', remaining: 999 },
      ],
    ],
    [
      'Anthropic, all four resources',
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2026-01-02T03:05:05Z',
        'anthropic-ratelimit-tokens-limit': '90000',
        'anthropic-ratelimit-tokens-remaining': '89000',
        'anthropic-ratelimit-tokens-reset': '2026-01-02T03:04:06.5Z',
        'anthropic-ratelimit-input-tokens-limit': '80000',
        'anthropic-ratelimit-input-tokens-remaining': '80000',
        'anthropic-ratelimit-input-tokens-reset': '2026-01-02T04:04:05+01:00',
        'anthropic-ratelimit-output-tokens-limit': '10000',
        'anthropic-ratelimit-output-tokens-remaining': '9000',
        'anthropic-ratelimit-output-tokens-reset': '2026-01-02T03:04:05Z',
      },
      [
        { resource: 'requests', limit: 50, remaining: 49, resetAt: NOW + 60_000 },
        { resource: 'tokens', limit: 90000, remaining: 89000, resetAt: NOW + 1500 },
        { resource: 'input_tokens', limit: 80000, remaining: 80000, resetAt: NOW },
        { resource: 'output_tokens', limit: 10000, remaining: 9000, resetAt: NOW },
      ],
    ],
    [
      'garbage values are skipped, good ones kept',
      {
        'x-ratelimit-limit-requests': 'lots',
        'x-ratelimit-remaining-requests': '-3',
        'x-ratelimit-reset-requests': 'soon',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-reset-tokens': 'tomorrow',
        'anthropic-ratelimit-requests-reset': 'not a date',
        'anthropic-ratelimit-tokens-reset': '1',
      },
      [{ resource: 'tokens', limit: 1000 }],
    ],
    ['no headers', {}, []],
    ['unrelated headers', { 'content-type': 'application/json', 'retry-after': '3' }, []],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimits(headers as Record<string, string>, NOW)).toEqual(expected);
  });
});

describe('more vendors', () => {
  it.each([
    [
      'Azure: remaining only, reset in seconds',
      {
        'x-ratelimit-remaining-requests': '79',
        'x-ratelimit-remaining-tokens': '79000',
        'x-ratelimit-limit-tokens': '80000',
        'x-ratelimit-reset-tokens': '12',
      },
      [
        { resource: 'requests', remaining: 79 },
        { resource: 'tokens', limit: 80_000, remaining: 79_000, resetAt: NOW + 12_000 },
      ],
    ],
    [
      'Mistral per-minute windows',
      {
        'x-ratelimit-limit-req-minute': '60',
        'x-ratelimit-remaining-req-minute': '58',
        'x-ratelimit-limit-tokens-minute': '500000',
        'x-ratelimit-remaining-tokens-minute': '499990',
        'x-ratelimit-limit-tokens-month': '1000000000',
        'x-ratelimit-remaining-tokens-month': '999999990',
      },
      [
        { resource: 'requests', limit: 60, remaining: 58 },
        { resource: 'tokens', limit: 500_000, remaining: 499_990 },
      ],
    ],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimits(headers, NOW)).toEqual(expected);
  });

  it.each([
    [[], undefined],
    [[{ resource: 'requests' as const, remaining: 5 }], undefined],
    [
      [
        { resource: 'requests' as const, limit: 500, remaining: 450 },
        { resource: 'tokens' as const, limit: 30_000, remaining: 1_500 },
      ],
      0.05,
    ],
  ])('lowest headroom of %j is %s', (readings, fraction) => {
    expect(lowestHeadroom(readings)?.fraction).toBe(fraction);
  });
});
