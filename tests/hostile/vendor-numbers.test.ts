import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { parseGoDuration, parseRateLimits } from '../../src/probes/ratelimit.js';
import type { CheckResult } from '../../src/probes/types.js';
import { boundVendorNumbers } from '../../src/probes/vendor-numbers.js';
import { createTestApp } from '../support/app-harness.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const OPENAI_KEY = 'sk-hostile-numbers-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-hostile-numbers-0123456789';

// Header names and formats as the vendors document them: OpenAI "x-ratelimit-reset-requests: 1s"
// (platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers), Anthropic
// "anthropic-ratelimit-requests-reset" in RFC 3339 (docs.anthropic.com/en/api/rate-limits#response-headers).
// The values are what a hostile or broken vendor could put there.
const HOSTILE_OPENAI = {
  'x-ratelimit-limit-requests': '9'.repeat(400),
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-reset-requests': '100000000000h',
  'x-ratelimit-limit-tokens': '30000',
  'x-ratelimit-remaining-tokens': '1e309',
  'x-ratelimit-reset-tokens': '99999999999999999999s',
};

describe('rate-limit headers out of range are dropped, the rest kept', () => {
  it.each([
    ['100000000000h', 3.6e17],
    ['1h2m3.5s', 3_723_500],
    ['1.h', 3_600_000],
  ])('parseGoDuration(%s) = %d', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    ['1'.repeat(400)],
    [`${'1h1'.repeat(40)}x`],
    [`${'1.1'.repeat(40)}x`],
    ['-5s'],
    ['NaN'],
    ['Infinity'],
  ])('parseGoDuration(%s…) is undefined and returns at once', (text) => {
    // "1h11h1…x" took exponential time in the old pattern: this test would not finish.
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it('keeps only the sane figures of a hostile OpenAI answer', () => {
    const { result, dropped } = boundVendorNumbers(
      { check: 'models', ok: true, latencyMs: 1, rateLimits: parseRateLimits(HOSTILE_OPENAI, NOW) },
      NOW,
    );
    expect(result.rateLimits).toEqual([
      { resource: 'requests', remaining: 499 },
      { resource: 'tokens', limit: 30000 },
    ]);
    expect(dropped).toEqual([
      `rate limit requests reset time ${NOW + 3.6e17}`,
      `rate limit tokens reset time ${NOW + 1e23}`,
    ]);
  });

  it.each<[string, Partial<CheckResult>, Partial<CheckResult>, string[]]>([
    ['negative tokens', { tokens: { input: -3, output: 1 } }, {}, ['token count -3']],
    ['NaN tokens', { tokens: { input: 8, output: Number.NaN } }, {}, ['token count NaN']],
    ['huge tokens', { tokens: { input: 1e300, output: 1 } }, {}, ['token count 1e+300']],
    ['sane tokens', { tokens: { input: 8, output: 1 } }, { tokens: { input: 8, output: 1 } }, []],
    [
      'a reset a year in the past',
      { rateLimits: [{ resource: 'requests', limit: 5, resetAt: NOW - 366 * 86_400_000 }] },
      { rateLimits: [{ resource: 'requests', limit: 5 }] },
      [`rate limit requests reset time ${NOW - 366 * 86_400_000}`],
    ],
    [
      'a reset in an hour',
      { rateLimits: [{ resource: 'tokens', resetAt: NOW + 3_600_000 }] },
      { rateLimits: [{ resource: 'tokens', resetAt: NOW + 3_600_000 }] },
      [],
    ],
    [
      'negative remaining, infinite limit',
      { rateLimits: [{ resource: 'tokens', limit: Number.POSITIVE_INFINITY, remaining: -1 }] },
      {},
      ['rate limit tokens limit Infinity', 'rate limit tokens remaining -1'],
    ],
    [
      'a certificate expiry no Date holds',
      { tlsCertNotAfter: 1e300 },
      {},
      ['certificate expiry 1e+300'],
    ],
  ])('%s', (_name, given, kept, dropped) => {
    const base: CheckResult = { check: 'completion', ok: true, latencyMs: 5 };
    const out = boundVendorNumbers({ ...base, ...given }, NOW);
    expect(out.result).toEqual({ ...base, ...kept });
    expect(out.dropped).toEqual(dropped);
  });
});

describe('extreme vendor numbers reach no view as a 500', () => {
  const h = createTestApp();
  beforeAll(async () => {
    const hostile = (check: CheckResult['check']): CheckResult => ({
      check,
      ok: true,
      latencyMs: 100,
      ttftMs: check === 'completion' ? 50 : undefined,
      tokens: check === 'completion' ? { input: -1e308, output: Number.NaN } : undefined,
      rateLimits: [
        ...parseRateLimits(HOSTILE_OPENAI, Date.now()),
        { resource: 'input_tokens', limit: Number.NaN, remaining: -4, resetAt: 8.64e15 + 1 },
      ],
      tlsCertNotAfter: Number.POSITIVE_INFINITY,
    });
    h.script.primary = hostile;
    h.script.fallback = hostile;
    await h.monitor.probeAll();
    await h.monitor.probeAll();
  });
  afterAll(() => h.close());

  it.each([
    '/api/v1/status',
    '/api/v1/dependencies',
    '/api/v1/dependencies/primary',
    '/api/v1/dependencies/primary/history?since=1h',
    '/api/v1/consumers',
    '/api/v1/consumers/phishing-triage',
    '/api/v1/consumers/phishing-triage/route',
    '/',
    '/metrics',
  ])('%s answers 200', async (path) => {
    const res = await h.app.request(path);
    expect(res.status).toBe(200);
    const openMetrics = await h.app.request('/metrics', {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(openMetrics.status).toBe(200);
  });

  it('keeps the dependency healthy and its consumer on the primary', async () => {
    const s = (await (await h.app.request('/api/v1/status')).json()) as {
      dependencies: { id: string; state: string; rateLimit: Record<string, unknown> }[];
      consumers: { state: string; route: string }[];
    };
    expect(s.dependencies.map((d) => d.state)).toEqual(['healthy', 'healthy']);
    expect(s.consumers[0]).toMatchObject({ state: 'ok', route: 'primary' });
    expect(s.dependencies[0]?.rateLimit).toEqual({
      requests: { limit: null, remaining: 499, resetAt: null },
      tokens: { limit: 30000, remaining: null, resetAt: null },
    });
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).not.toMatch(/bellwether_probe_tokens_total\{[^}]*\} (?:-|NaN)/);
  });
});

describe('a real vendor answer with x-ratelimit-reset-requests: 100000000000h', () => {
  let vendor: FakeVendor;
  let bw: Bellwether;
  let base = '';
  beforeAll(async () => {
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
    vendor.setFault('*', { headers: HOSTILE_OPENAI });
    const parsed = parseConfigText(
      `vantage: hostile
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1h, timeout: 5s, retries: 0 }
dependencies:
  - { id: openai, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: "${OPENAI_KEY}", model: gpt-4o-mini }
consumers:
  - { id: triage, uses: [openai] }
`,
      'hostile.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent' });
    base = `http://127.0.0.1:${bw.port}`;
    await bw.monitor.probeAll();
  });
  afterAll(async () => {
    await bw?.stop();
    await vendor?.stop();
  });

  it.each([
    '/api/v1/status',
    '/api/v1/dependencies',
    '/api/v1/dependencies/openai',
    '/api/v1/dependencies/openai/history',
    '/',
    '/metrics',
  ])('%s answers 200', async (path) => {
    expect((await fetch(`${base}${path}`)).status).toBe(200);
  });

  it('leaves the dependency healthy and the consumer ok', async () => {
    const s = (await (await fetch(`${base}/api/v1/status`)).json()) as {
      dependencies: { state: string; rateLimit: { requests: unknown } }[];
      consumers: { state: string }[];
    };
    expect(s.dependencies[0]?.state).toBe('healthy');
    expect(s.dependencies[0]?.rateLimit.requests).toEqual({
      limit: null,
      remaining: 499,
      resetAt: null,
    });
    expect(s.consumers[0]?.state).toBe('ok');
  });
});
