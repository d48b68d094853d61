import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import { EMPTY_COMPLETION_MESSAGE } from '../../src/probes/classify.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { CheckName, CheckResult, ErrorClass, ProbeContext } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import type { Vendor } from '../../src/vendors/registry.js';
import { createProbe } from '../../src/vendors/registry.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { type FakeVendor, type Fault, startFakeVendor } from '../support/fake-vendor.js';

const OPENAI_KEY = 'sk-proj-fakeOpenAIKey0123456789abcdefXYZW';
const ANTHROPIC_KEY = 'sk-ant-api03-fakeAnthropicKey0123456789-abcQRST';
const scrub = createScrubber([OPENAI_KEY, ANTHROPIC_KEY]);

type LlmVendor = 'openai' | 'openai-compatible' | 'anthropic';
const LLM_VENDORS: readonly LlmVendor[] = ['openai', 'openai-compatible', 'anthropic'];

let fake: FakeVendor;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
  http = createNodeHttpClient();
});

afterAll(async () => {
  http.close();
  await fake.stop();
});

beforeEach(() => {
  fake.clearFaults();
  fake.requests.length = 0;
});

function depFor(
  vendor: Vendor,
  url: string,
  overrides: DependencyOverrides = {},
): DependencyConfig {
  const anthropic = vendor === 'anthropic';
  return testDependency({
    id: `test-${vendor}`,
    vendor,
    baseUrl: anthropic ? url : `${url}/v1`,
    apiKey: anthropic ? ANTHROPIC_KEY : OPENAI_KEY,
    apiKeyEnv: anthropic ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY',
    model: anthropic ? 'claude-3-5-haiku-latest' : 'gpt-4o-mini',
    checks: vendor === 'http' ? ['http'] : ['models', 'completion'],
    timeoutMs: 3000,
    ...overrides,
  });
}

function ctx(timeoutMs = 3000): ProbeContext {
  return { http, signal: AbortSignal.timeout(timeoutMs), now: () => performance.now() };
}

function run(
  vendor: Vendor,
  check: CheckName,
  opts: { timeoutMs?: number; dep?: DependencyOverrides; url?: string } = {},
): Promise<CheckResult> {
  const probe = createProbe(depFor(vendor, opts.url ?? fake.url, opts.dep), scrub);
  return probe.run(check, ctx(opts.timeoutMs));
}

const completionRoute = (vendor: LlmVendor) => (vendor === 'anthropic' ? 'messages' : 'chat');

function expectNoSecrets(result: CheckResult): void {
  const text = JSON.stringify(result);
  expect(text).not.toContain(OPENAI_KEY);
  expect(text).not.toContain(ANTHROPIC_KEY);
  expect(text).not.toContain(OPENAI_KEY.slice(-4));
  expect(text).not.toContain(ANTHROPIC_KEY.slice(-4));
}

describe.each(LLM_VENDORS)('%s probe, healthy vendor', (vendor) => {
  it('passes the models check with rate-limit readings and phases', async () => {
    const r = await run(vendor, 'models');
    expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
    expect(r.errorClass).toBeUndefined();
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.rateLimits?.map((l) => l.resource)).toContain('requests');
    expect(r.rateLimits?.find((l) => l.resource === 'requests')?.resetAt).toBeGreaterThan(
      Date.now() - 5000,
    );
    expect(r.phases?.ttfbMs).toBeGreaterThanOrEqual(0);
  });

  it('passes the completion check with TTFT ≤ latency and tokens', async () => {
    const r = await run(vendor, 'completion');
    expect(r).toMatchObject({ check: 'completion', ok: true, httpStatus: 200 });
    expect(r.ttftMs).toBeGreaterThan(0);
    expect(r.ttftMs).toBeLessThanOrEqual(r.latencyMs);
    expect(r.tokens).toEqual({ input: 8, output: 1 });
    expect(r.rateLimits?.length).toBeGreaterThan(0);
  });

  it('measures TTFT from the first content token', async () => {
    fake.setFault(completionRoute(vendor), { firstTokenDelayMs: 150 });
    const r = await run(vendor, 'completion');
    expect(r.ok).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
    expect(r.ttftMs).toBeLessThanOrEqual(r.latencyMs);
  });

  it('reads a streamed completion to its end so the keep-alive socket is reused', async () => {
    const client = createNodeHttpClient();
    try {
      const probe = createProbe(depFor(vendor, fake.url), scrub);
      const c = (): ProbeContext => ({ ...ctx(), http: client });
      const first = await probe.run('completion', c());
      const second = await probe.run('completion', c());
      expect(first.ok && second.ok).toBe(true);
      expect(first.phases?.connectMs).toBeDefined();
      expect(second.phases?.connectMs).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('sends the documented request', async () => {
    await run(vendor, 'completion');
    const req = fake.requests.at(-1);
    expect(req?.method).toBe('POST');
    const body = JSON.parse(req?.body ?? '{}') as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.messages).toEqual([{ role: 'user', content: 'ping' }]);
    if (vendor === 'anthropic') {
      expect(req?.path).toBe('/v1/messages');
      expect(req?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(req?.headers['anthropic-version']).toBe('2023-06-01');
      expect(body.max_tokens).toBe(1);
    } else {
      expect(req?.path).toBe('/v1/chat/completions');
      expect(req?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(body.stream_options).toEqual({ include_usage: true });
      const budget = vendor === 'openai' ? 'max_completion_tokens' : 'max_tokens';
      expect(body[budget]).toBe(1);
      expect(Object.keys(body)).toHaveLength(5);
    }
  });

  it('reports a model missing from the list as model_unavailable, naming it', async () => {
    const r = await run(vendor, 'models', { dep: { model: 'retired-model-2023' } });
    expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable' });
    expect(r.message).toContain('retired-model-2023');
  });

  it('reports a completion for a missing model as model_unavailable', async () => {
    const r = await run(vendor, 'completion', { dep: { model: 'retired-model-2023' } });
    expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable', httpStatus: 404 });
  });
});

interface FaultCase {
  name: string;
  check: CheckName;
  /** Route for the fault; 'completion' means the vendor's completion route. */
  route: 'models' | 'completion';
  fault: Fault | ((vendor: LlmVendor) => Fault);
  expected: ErrorClass | ((vendor: LlmVendor) => ErrorClass);
  timeoutMs?: number;
  reason?: 'billing';
  message?: RegExp;
}

const BOTH: Array<['models' | 'completion', CheckName]> = [
  ['models', 'models'],
  ['completion', 'completion'],
];

const FAULT_CASES: FaultCase[] = [
  ...BOTH.flatMap(([route, check]): FaultCase[] => [
    { name: '401', check, route, fault: { status: 401 }, expected: 'auth' },
    { name: '403', check, route, fault: { status: 403 }, expected: 'auth' },
    {
      name: '404 model_not_found',
      check,
      route,
      fault: (v) => ({ errorCode: v === 'anthropic' ? 'not_found_error' : 'model_not_found' }),
      expected: 'model_unavailable',
    },
    { name: '429', check, route, fault: { status: 429 }, expected: 'rate_limited' },
    {
      name: 'quota / billing',
      check,
      route,
      fault: (v) => ({ errorCode: v === 'anthropic' ? 'billing_error' : 'insufficient_quota' }),
      expected: 'rate_limited',
      reason: 'billing',
    },
    { name: '500', check, route, fault: { status: 500 }, expected: 'server_error' },
    { name: '502', check, route, fault: { status: 502 }, expected: 'server_error' },
    {
      // OpenAI's 503 says "The engine is currently overloaded"; Anthropic's is a plain api_error.
      name: '503 (vendor body)',
      check,
      route,
      fault: { status: 503 },
      expected: (v) => (v === 'anthropic' ? 'server_error' : 'overloaded'),
    },
    {
      name: '503 without overload wording',
      check,
      route,
      fault: {
        status: 503,
        body: '{"error":{"message":"Service Unavailable","type":"server_error"}}',
      },
      expected: 'server_error',
    },
    { name: '529', check, route, fault: { status: 529 }, expected: 'overloaded' },
    { name: '400', check, route, fault: { status: 400 }, expected: 'bad_request' },
    {
      name: 'hang before headers',
      check,
      route,
      fault: { hang: 'before-headers' },
      expected: 'timeout',
      timeoutMs: 300,
      message: /response headers/,
    },
    {
      name: 'hang after headers',
      check,
      route,
      fault: { hang: 'after-headers' },
      expected: 'timeout',
      timeoutMs: 300,
    },
    {
      name: 'reset before headers',
      check,
      route,
      fault: { reset: 'before-headers' },
      expected: 'network',
    },
    { name: 'reset mid-body', check, route, fault: { reset: 'mid-body' }, expected: 'network' },
    {
      name: 'malformed json',
      check,
      route,
      fault: { malformed: 'json' },
      expected: 'bad_response',
    },
  ]),
  {
    name: 'oversized model list',
    check: 'models',
    route: 'models',
    fault: { oversizedBytes: 2 * 1024 * 1024 },
    expected: 'bad_response',
  },
  {
    name: 'oversized stream',
    check: 'completion',
    route: 'completion',
    fault: { oversizedBytes: 5 * 1024 * 1024 },
    expected: 'bad_response',
  },
  {
    name: 'malformed sse',
    check: 'completion',
    route: 'completion',
    fault: { malformed: 'sse' },
    expected: 'bad_response',
  },
  {
    name: 'slow first token',
    check: 'completion',
    route: 'completion',
    fault: { firstTokenDelayMs: 2000 },
    expected: 'timeout',
    timeoutMs: 300,
    message: /first token/,
  },
  {
    name: 'stream error after 200',
    check: 'completion',
    route: 'completion',
    fault: { streamError: true },
    expected: (v) => (v === 'anthropic' ? 'overloaded' : 'server_error'),
    message: /^stream error after HTTP 200/,
  },
  {
    name: 'empty completion',
    check: 'completion',
    route: 'completion',
    fault: { emptyCompletion: true },
    expected: 'bad_response',
    message: /^empty completion: a reasoning model/,
  },
  {
    name: 'stream cut before its terminal event',
    check: 'completion',
    route: 'completion',
    fault: (v) => ({
      status: 200,
      body:
        v === 'anthropic'
          ? 'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":8}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"pong"}}\n\n'
          : 'data: {"choices":[{"index":0,"delta":{"content":"pong"}}]}\n\n',
      headers: { 'content-type': 'text/event-stream' },
    }),
    expected: 'bad_response',
    message: /stream ended without/,
  },
];

describe.each(LLM_VENDORS)('%s probe under faults', (vendor) => {
  it.each(FAULT_CASES)('$check check, $name', async (c) => {
    const route = c.route === 'completion' ? completionRoute(vendor) : 'models';
    fake.setFault(route, typeof c.fault === 'function' ? c.fault(vendor) : c.fault);
    const r = await run(vendor, c.check, c.timeoutMs ? { timeoutMs: c.timeoutMs } : {});
    const expected = typeof c.expected === 'function' ? c.expected(vendor) : c.expected;
    expect(r.ok).toBe(false);
    expect(r.check).toBe(c.check);
    expect({ errorClass: r.errorClass, message: r.message }).toMatchObject({
      errorClass: expected,
    });
    expect(r.reason).toBe(c.reason);
    if (c.message) expect(r.message).toMatch(c.message);
    expect(r.message?.length).toBeGreaterThan(0);
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    if (r.httpStatus !== undefined && r.httpStatus >= 400) {
      expect(r.rateLimits?.length ?? 0).toBeGreaterThan(0);
    }
    expectNoSecrets(r);
  });
});

describe('missing API key', () => {
  it.each(['openai', 'anthropic'] as const)(
    '%s: models still runs without credentials and says the vendor is reachable',
    async (vendor) => {
      const r = await run(vendor, 'models', { dep: { apiKey: undefined } });
      const env = vendor === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
      expect(r).toMatchObject({
        check: 'models',
        ok: false,
        errorClass: 'auth',
        credentialsMissing: true,
        httpStatus: 401,
        message: `no API key configured (${env} is not set); vendor reachable: HTTP 401`,
      });
      const sent = fake.requests.at(-1);
      expect(sent?.headers.authorization).toBeUndefined();
      expect(sent?.headers['x-api-key']).toBeUndefined();
    },
  );

  it.each(['openai', 'anthropic'] as const)(
    '%s: completion is skipped without sending anything',
    async (vendor) => {
      const r = await run(vendor, 'completion', { dep: { apiKey: undefined } });
      expect(r).toEqual({
        check: 'completion',
        ok: false,
        latencyMs: 0,
        skipped: true,
        credentialsMissing: true,
        errorClass: 'auth',
        message: expect.stringMatching(/^skipped: no API key configured \(.+\)$/),
      });
      expect(fake.requests).toHaveLength(0);
    },
  );

  it('openai-compatible: a server that wants a key reports credentials missing', async () => {
    const r = await run('openai-compatible', 'completion', { dep: { apiKey: undefined } });
    expect(r).toMatchObject({ errorClass: 'auth', credentialsMissing: true, httpStatus: 401 });
  });

  it('openai-compatible: a keyless server (vLLM, Ollama) passes both checks', async () => {
    const open = await startFakeVendor({ anonymous: true });
    try {
      for (const check of ['models', 'completion'] as const) {
        const r = await run('openai-compatible', check, {
          url: open.url,
          dep: { apiKey: undefined, apiKeyEnv: undefined },
        });
        expect(r.ok, r.message).toBe(true);
        expect(r.credentialsMissing).toBeUndefined();
      }
      expect(open.requests.every((q) => q.headers.authorization === undefined)).toBe(true);
    } finally {
      await open.stop();
    }
  });
});

describe('secrets in vendor answers', () => {
  it.each(LLM_VENDORS)('%s: a wrong key echoed back never reaches the message', async (vendor) => {
    const wrong =
      vendor === 'anthropic'
        ? 'sk-ant-api03-wrongWRONGwrong0123456789-zzzz'
        : 'sk-proj-wrongWRONGwrong0123456789zzzz';
    const r = await run(vendor, 'models', { dep: { apiKey: wrong } });
    expect(r).toMatchObject({ ok: false, errorClass: 'auth', httpStatus: 401 });
    expect(r.message).not.toContain(wrong);
    expect(r.message).not.toContain('zzzz');
  });

  it.each(LLM_VENDORS)('%s: the configured key quoted in a body is redacted', async (vendor) => {
    const key = vendor === 'anthropic' ? ANTHROPIC_KEY : OPENAI_KEY;
    fake.setFault('models', {
      status: 401,
      body: JSON.stringify({
        error: {
          message: `Incorrect API key provided: ${key}. Also Bearer ${key}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    });
    const r = await run(vendor, 'models');
    expect(r.errorClass).toBe('auth');
    expect(r.message).toContain('[REDACTED]');
    expectNoSecrets(r);
  });

  it('a key in a stream error is redacted', async () => {
    fake.setFault('chat', {
      body: `data: ${JSON.stringify({ error: { message: `key ${OPENAI_KEY} revoked`, type: 'invalid_request_error', code: 'invalid_api_key' } })}\n\n`,
      headers: { 'content-type': 'text/event-stream' },
    });
    const r = await run('openai', 'completion');
    expect(r.errorClass).toBe('auth');
    expectNoSecrets(r);
  });
});

describe('vendor quirks', () => {
  const sse = (lines: string[]): Fault => ({
    body: lines.map((l) => `${l}\n\n`).join(''),
    headers: { 'content-type': 'text/event-stream' },
  });

  it("skips Azure's prompt_filter_results chunk and OpenRouter keep-alive comments", async () => {
    fake.setFault(
      'chat',
      sse([
        'data: {"choices":[],"prompt_filter_results":[{"prompt_index":0}]}',
        ': OPENROUTER PROCESSING',
        'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
        'data: {"choices":[{"index":0,"delta":{"content":"po"}}]}',
        'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
        'data: [DONE]',
      ]),
    );
    const r = await run('openai-compatible', 'completion');
    expect(r).toMatchObject({ ok: true, tokens: { input: 3, output: 2 } });
  });

  it('counts reasoning-only deltas as an empty completion', async () => {
    fake.setFault(
      'chat',
      sse([
        'data: {"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}',
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}',
        'data: [DONE]',
      ]),
    );
    const r = await run('openai-compatible', 'completion');
    expect(r).toMatchObject({ errorClass: 'bad_response', message: EMPTY_COMPLETION_MESSAGE });
  });

  it('classifies an OpenRouter mid-stream error by its numeric code', async () => {
    fake.setFault(
      'chat',
      sse([
        'data: {"choices":[{"index":0,"delta":{"content":"p"}}]}',
        'data: {"error":{"code":429,"message":"Rate limit exceeded upstream"}}',
      ]),
    );
    const r = await run('openai-compatible', 'completion');
    expect(r.errorClass).toBe('rate_limited');
  });

  it('reports a JSON answer where a stream was asked for as bad_response', async () => {
    fake.setFault('chat', { body: '{"id":"x","choices":[{"message":{"content":"pong"}}]}' });
    const r = await run('openai-compatible', 'completion');
    expect(r).toMatchObject({ errorClass: 'bad_response', message: /expected an event stream/ });
  });

  it('anthropic: thinking deltas do not count as the first token', async () => {
    fake.setFault(
      'messages',
      sse([
        'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1}}}',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4}}',
        'event: message_stop\ndata: {"type":"message_stop"}',
      ]),
    );
    const r = await run('anthropic', 'completion');
    expect(r).toMatchObject({
      errorClass: 'bad_response',
      message: EMPTY_COMPLETION_MESSAGE,
      tokens: { input: 9, output: 4 },
    });
  });

  it('anthropic: a model listed only by alias resolves through GET /v1/models/{id}', async () => {
    const alias = await startFakeVendor({
      anthropicKey: ANTHROPIC_KEY,
      models: ['claude-sonnet-4-20250514'],
    });
    try {
      // The fake lists only the dated id; GET /v1/models/{id} 200 for a listed id proves the path.
      alias.setFault('models', {
        times: 1,
        body: JSON.stringify({ data: [], has_more: false }),
      });
      const r = await run('anthropic', 'models', {
        url: alias.url,
        dep: { model: 'claude-sonnet-4-20250514' },
      });
      expect(r.ok, r.message).toBe(true);
      expect(alias.requests.map((q) => q.path)).toEqual([
        '/v1/models?limit=1000',
        '/v1/models/claude-sonnet-4-20250514',
      ]);
    } finally {
      await alias.stop();
    }
  });

  it('connection refused is a network error', async () => {
    const gone = await startFakeVendor();
    const url = gone.url;
    await gone.stop();
    const r = await run('openai', 'models', { url });
    expect(r).toMatchObject({ ok: false, errorClass: 'network' });
    expect(r.httpStatus).toBeUndefined();
  });
});

describe('http probe', () => {
  const health = () => `${fake.url}/health`;

  it('passes on the expected status', async () => {
    const r = await run('http', 'http', { dep: { url: health() } });
    expect(r).toMatchObject({ check: 'http', ok: true, httpStatus: 200 });
  });

  it('matches the body when asked', async () => {
    const ok = await run('http', 'http', {
      dep: { url: health(), bodyMatch: '"status":\\s*"ok"' },
    });
    expect(ok.ok).toBe(true);
    const bad = await run('http', 'http', { dep: { url: health(), bodyMatch: 'healthy' } });
    expect(bad).toMatchObject({ ok: false, errorClass: 'bad_response', httpStatus: 200 });
  });

  it.each([
    [{ status: 500 }, 'server_error'],
    [{ status: 503 }, 'server_error'],
    [{ status: 401 }, 'auth'],
    [{ status: 404 }, 'bad_request'],
    [{ status: 302, body: '' }, 'bad_response'],
    [{ hang: 'before-headers' }, 'timeout'],
    [{ reset: 'before-headers' }, 'network'],
    [{ oversizedBytes: 2 * 1024 * 1024 }, 'bad_response'],
  ] as Array<[Fault, ErrorClass]>)('%j → %s', async (fault, expected) => {
    fake.setFault('health', fault);
    const r = await run('http', 'http', {
      timeoutMs: 300,
      dep: { url: health(), bodyMatch: fault.oversizedBytes ? 'ok' : undefined },
    });
    expect(r).toMatchObject({ ok: false, errorClass: expected });
  });

  it('an unexpected 2xx is bad_response', async () => {
    const r = await run('http', 'http', { dep: { url: health(), expectedStatus: [204] } });
    expect(r).toMatchObject({ ok: false, errorClass: 'bad_response', httpStatus: 200 });
    expect(r.message).toContain('expected 204');
  });

  it('an expected error status passes', async () => {
    fake.setFault('health', { status: 503 });
    const r = await run('http', 'http', { dep: { url: health(), expectedStatus: [200, 503] } });
    expect(r.ok).toBe(true);
  });

  it('rejects an invalid bodyMatch when the probe is built', () => {
    expect(() => createProbe(depFor('http', fake.url, { bodyMatch: '(' }), scrub)).toThrow(
      /bodyMatch/,
    );
  });
});
