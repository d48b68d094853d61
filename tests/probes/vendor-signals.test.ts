import { describe, expect, it } from 'vitest';
import { readSse } from '../../src/probes/sse.js';
import {
  googleRetryDetails,
  requestIdOf,
  retryAfterMsOf,
  retryAfterText,
  shouldRetryOf,
  withRetryAt,
} from '../../src/probes/vendor-signals.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('retryAfterMsOf', () => {
  it.each([
    [
      'retry-after-ms wins over retry-after',
      { 'retry-after-ms': '1500', 'retry-after': '30' },
      1500,
    ],
    ['retry-after in seconds', { 'retry-after': '20' }, 20_000],
    ['retry-after with a fraction (Anthropic SDK tests send 0.1)', { 'retry-after': '0.1' }, 100],
    ['retry-after as an HTTP date', { 'retry-after': 'Thu, 15 Jan 2026 12:00:30 GMT' }, 30_000],
    ['an HTTP date in the past is now', { 'retry-after': 'Thu, 15 Jan 2026 11:00:00 GMT' }, 0],
    ['negative seconds are dropped', { 'retry-after': '-5' }, undefined],
    ['more than a day is dropped', { 'retry-after': '90000' }, undefined],
    ['garbage is dropped', { 'retry-after': 'soon' }, undefined],
    ['an overlong value is not parsed', { 'retry-after': '1'.repeat(100) }, undefined],
    ['no header', {}, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(retryAfterMsOf(headers, NOW)).toBe(expected);
  });
});

describe('requestIdOf', () => {
  it.each([
    ['OpenAI x-request-id', { 'x-request-id': 'req_abc' }, undefined, 'req_abc'],
    ['Anthropic request-id', { 'request-id': 'req_011CSHoE' }, undefined, 'req_011CSHoE'],
    ['Azure apim-request-id', { 'apim-request-id': '6d1b3c8e-2f4a' }, undefined, '6d1b3c8e-2f4a'],
    ['AWS x-amzn-requestid', { 'x-amzn-requestid': 'b2b4a6c8-1d3f' }, undefined, 'b2b4a6c8-1d3f'],
    ['the body’s request_id', {}, { request_id: 'req_body' }, 'req_body'],
    ['the body’s error.request_id', {}, { error: { request_id: 'req_inner' } }, 'req_inner'],
    [
      'the header wins over the body',
      { 'x-request-id': 'req_h' },
      { request_id: 'req_b' },
      'req_h',
    ],
    [
      'an id of 129 characters is dropped',
      { 'x-request-id': 'a'.repeat(129) },
      undefined,
      undefined,
    ],
    ['an id with spaces is dropped', { 'x-request-id': 'req abc' }, undefined, undefined],
    ['a non-string body id is dropped', {}, { request_id: 42 }, undefined],
  ])('%s', (_name, headers, body, expected) => {
    expect(requestIdOf(headers, body)).toBe(expected);
  });
});

describe('shouldRetryOf', () => {
  it.each([
    ['true', true],
    ['false', false],
    [' TRUE ', true],
    ['yes', undefined],
  ])('x-should-retry: %j', (value, expected) => {
    expect(shouldRetryOf({ 'x-should-retry': value })).toBe(expected);
  });
});

describe('googleRetryDetails', () => {
  it.each([
    [
      'RetryInfo and a requests quota',
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' },
      ],
      { retryDelayMs: 47_000, resource: 'requests' },
    ],
    [
      'a token quota and a fractional delay',
      [
        {
          violations: [
            {
              quotaMetric:
                'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
            },
          ],
        },
        { retryDelay: '1.5s' },
      ],
      { retryDelayMs: 1500, resource: 'tokens' },
    ],
    ['a garbled delay', [{ retryDelay: '47 seconds' }], {}],
    ['no details', undefined, {}],
  ])('%s', (_name, details, expected) => {
    expect(googleRetryDetails(details)).toEqual(expected);
  });
});

describe('withRetryAt', () => {
  it('sets the reset time of used-up readings that name none, and only those', () => {
    const out = withRetryAt(
      [
        { resource: 'requests', limit: 3, remaining: 0 },
        { resource: 'tokens', limit: 100, remaining: 50 },
        { resource: 'input_tokens', remaining: 0, resetAt: NOW + 5 },
      ],
      NOW + 20_000,
    );
    expect(out).toEqual([
      { resource: 'requests', limit: 3, remaining: 0, resetAt: NOW + 20_000 },
      { resource: 'tokens', limit: 100, remaining: 50 },
      { resource: 'input_tokens', remaining: 0, resetAt: NOW + 5 },
    ]);
  });

  it('adds a reading for the named resource when the vendor sent no limit headers', () => {
    expect(withRetryAt(undefined, NOW, 'tokens')).toEqual([{ resource: 'tokens', resetAt: NOW }]);
  });

  it.each([
    [250, 'retry after 250 ms'],
    [20_000, 'retry after 20 s'],
    [1500, 'retry after 1.5 s'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(retryAfterText(ms)).toBe(text);
  });
});

describe('readSse with onStrayLine', () => {
  async function* body(parts: string[]) {
    for (const p of parts) yield new TextEncoder().encode(p);
  }

  it('hands lines outside SSE framing over instead of failing, and keeps parsing events', async () => {
    const stray: string[] = [];
    const events = [];
    for await (const ev of readSse(
      body(['data: {"a":1}\n\n{\n  "error": {"code": 500}\n}\n', 'data: {"b":2}\n\n']),
      {
        onStrayLine: (line) => stray.push(line),
      },
    )) {
      events.push(ev.data);
    }
    expect(events).toEqual(['{"a":1}', '{"b":2}']);
    expect(stray).toEqual(['{', '  "error": {"code": 500}', '}']);
  });

  it('without it, such a line still fails the stream', async () => {
    const read = async () => {
      for await (const _ of readSse(body(['{"error": {"code": 500}}\n']))) {
        // drained
      }
    };
    await expect(read()).rejects.toThrow(/malformed event stream/);
  });
});
