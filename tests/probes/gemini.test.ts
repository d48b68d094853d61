import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { testDependency } from '../support/dependency.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import type { VendorFake } from '../support/fake-http.js';
import {
  expectFailure,
  expectHealthyCompletion,
  expectNoSecrets,
  type FaultCase,
  runCheck,
  WIRE_FAULTS,
} from '../support/vendor-cases.js';

const KEY = 'AIzaSyFAKE0123456789abcdefghijklmnopq';
const SECRETS = [KEY];

let fake: VendorFake;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: KEY, models: ['gemini-2.0-flash'] });
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

function dep(over: Partial<DependencyConfig> = {}): DependencyConfig {
  return testDependency({
    id: 'gemini',
    vendor: 'gemini',
    baseUrl: fake.url,
    apiKey: KEY,
    apiKeyEnv: 'GEMINI_API_KEY',
    model: 'gemini-2.0-flash',
    timeoutMs: 3000,
    ...over,
  });
}

describe('gemini, healthy', () => {
  it.each(['gemini-2.0-flash', 'models/gemini-2.0-flash'])(
    'passes the models check for %s with GET /v1beta/models/{m}',
    async (model) => {
      const r = await runCheck(http, dep({ model }), 'models', SECRETS);
      expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
      const req = fake.requests.at(-1);
      expect(req?.path).toBe('/v1beta/models/gemini-2.0-flash');
      expect(req?.headers['x-goog-api-key']).toBe(KEY);
    },
  );

  it('streams a completion: TTFT ≤ latency, tokens incl. thinking from usageMetadata', async () => {
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expectHealthyCompletion(r, { input: 2, output: 4 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(req?.json).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }],
      generationConfig: { maxOutputTokens: 1 },
    });
  });

  it('times the first token from the answer, not from a thought part', async () => {
    fake.setFault('completion', { firstTokenDelayMs: 150 });
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });

  it('sends the dependency token budget as maxOutputTokens', async () => {
    await runCheck(http, dep({ maxTokens: 512 }), 'completion', SECRETS);
    expect(fake.requests.at(-1)?.json?.generationConfig).toEqual({ maxOutputTokens: 512 });
  });

  it.each(['models', 'completion'] as const)(
    '%s: a model the API does not know is model_unavailable, naming it',
    async (check) => {
      const r = await runCheck(http, dep({ model: 'gemini-1.0-pro' }), check, SECRETS);
      expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable', httpStatus: 404 });
      expect(r.message).toContain('gemini-1.0-pro');
    },
  );
});

const GEMINI_FAULTS: FaultCase[] = [
  ...(['models', 'completion'] as const).flatMap((check): FaultCase[] => [
    {
      name: '400 INVALID_ARGUMENT with reason API_KEY_INVALID',
      check,
      fault: { errorCode: 'API_KEY_INVALID' },
      expected: 'auth',
      httpStatus: 400,
      message: /^HTTP 400 API_KEY_INVALID: API key not valid/,
    },
    { name: '400 INVALID_ARGUMENT', check, fault: { status: 400 }, expected: 'bad_request' },
    { name: '403 PERMISSION_DENIED', check, fault: { status: 403 }, expected: 'auth' },
    { name: '404 NOT_FOUND', check, fault: { status: 404 }, expected: 'model_unavailable' },
    { name: '429 RESOURCE_EXHAUSTED', check, fault: { status: 429 }, expected: 'rate_limited' },
    { name: '500 INTERNAL', check, fault: { status: 500 }, expected: 'server_error' },
    {
      name: '503 UNAVAILABLE "model is overloaded"',
      check,
      fault: { status: 503 },
      expected: 'overloaded',
    },
    { name: '504 DEADLINE_EXCEEDED', check, fault: { status: 504 }, expected: 'server_error' },
  ]),
  {
    name: 'stream error after 200 (UNAVAILABLE, overloaded)',
    check: 'completion',
    fault: { streamError: true },
    expected: 'overloaded',
    message: /^stream error after HTTP 200: UNAVAILABLE/,
  },
  {
    name: 'stream cut before a finishReason',
    check: 'completion',
    fault: {
      body: 'data: {"candidates":[{"content":{"parts":[{"text":"Po"}],"role":"model"},"index":0}]}\n\n',
      headers: { 'content-type': 'text/event-stream' },
    },
    expected: 'bad_response',
    message: /stream ended without a finishReason/,
  },
  ...WIRE_FAULTS,
];

describe('gemini under faults', () => {
  it.each(GEMINI_FAULTS)('$check check, $name → $expected', async (c) => {
    fake.setFault(c.check === 'models' ? 'models' : 'completion', c.fault);
    const r = await runCheck(http, dep(), c.check, SECRETS, c.timeoutMs);
    expectFailure(r, c, SECRETS);
  });
});

describe('gemini credentials', () => {
  it('a wrong key is auth (400 API_KEY_INVALID), never bad_request', async () => {
    const wrong = 'AIzaSyWRONG0123456789abcdefghijklmnop';
    const r = await runCheck(http, dep({ apiKey: wrong }), 'models', [...SECRETS, wrong]);
    expect(r).toMatchObject({ errorClass: 'auth', httpStatus: 400 });
  });

  it('without a key the models check says the vendor is reachable', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'models', SECRETS);
    expect(r).toMatchObject({
      errorClass: 'auth',
      credentialsMissing: true,
      httpStatus: 403,
      message: 'no API key configured (GEMINI_API_KEY is not set); vendor reachable: HTTP 403',
    });
    expect(fake.requests.at(-1)?.headers['x-goog-api-key']).toBeUndefined();
  });

  it('without a key the completion is skipped, nothing sent', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'completion', SECRETS);
    expect(r).toMatchObject({ skipped: true, credentialsMissing: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('a key echoed back in an error body never reaches the message', async () => {
    fake.setFault('completion', {
      status: 400,
      body: JSON.stringify({
        error: { code: 400, message: `API key ${KEY} not valid.`, status: 'INVALID_ARGUMENT' },
      }),
    });
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expect(r.message).toContain('[REDACTED]');
    expectNoSecrets(r, SECRETS);
  });
});
