import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { testDependency } from '../support/dependency.js';
import { startFakeCohere } from '../support/fake-cohere.js';
import type { VendorFake } from '../support/fake-http.js';
import {
  expectFailure,
  expectHealthyCompletion,
  expectNoSecrets,
  type FaultCase,
  runCheck,
  WIRE_FAULTS,
} from '../support/vendor-cases.js';

const KEY = 'co-fake-key-0123456789abcdefghijklmnop';
const SECRETS = [KEY];

let fake: VendorFake;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeCohere({ apiKey: KEY });
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
    id: 'cohere',
    vendor: 'cohere',
    baseUrl: fake.url,
    apiKey: KEY,
    apiKeyEnv: 'COHERE_API_KEY',
    model: 'command-r-08-2024',
    timeoutMs: 3000,
    ...over,
  });
}

describe('cohere, healthy', () => {
  it('passes the models check: key valid, model listed', async () => {
    const r = await runCheck(http, dep(), 'models', SECRETS);
    expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /v1/check-api-key',
      'GET /v1/models?endpoint=chat&page_size=1000',
    ]);
    expect(fake.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('streams /v2/chat: TTFT ≤ latency, billed tokens from message-end', async () => {
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expectHealthyCompletion(r, { input: 1, output: 1 });
    expect(fake.requests.at(-1)?.json).toEqual({
      model: 'command-r-08-2024',
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      max_tokens: 1,
    });
  });

  it('measures TTFT from the first content-delta with text', async () => {
    fake.setFault('completion', { firstTokenDelayMs: 150 });
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });

  it('a model missing from the list is model_unavailable, naming it', async () => {
    const r = await runCheck(http, dep({ model: 'command-light' }), 'models', SECRETS);
    expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable' });
    expect(r.message).toContain('command-light');
  });

  it('a completion for an unknown model is model_unavailable (404)', async () => {
    const r = await runCheck(http, dep({ model: 'command-light' }), 'completion', SECRETS);
    expect(r).toMatchObject({ errorClass: 'model_unavailable', httpStatus: 404 });
    expect(r.message).toContain('command-light');
  });
});

const COHERE_FAULTS: FaultCase[] = [
  ...(['models', 'completion'] as const).flatMap((check): FaultCase[] => [
    { name: '401', check, fault: { status: 401 }, expected: 'auth' },
    { name: '403', check, fault: { status: 403 }, expected: 'auth' },
    { name: '429 trial key limit', check, fault: { status: 429 }, expected: 'rate_limited' },
    { name: '500', check, fault: { status: 500 }, expected: 'server_error' },
    { name: '503', check, fault: { status: 503 }, expected: 'server_error' },
    { name: '400', check, fault: { status: 400 }, expected: 'bad_request' },
  ]),
  {
    name: 'error event mid-stream',
    check: 'completion',
    fault: { streamError: true },
    expected: 'server_error',
    message: /^stream error after HTTP 200/,
  },
  {
    name: 'stream cut before message-end',
    check: 'completion',
    fault: {
      body: 'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Po"}}}}\n\n',
      headers: { 'content-type': 'text/event-stream' },
    },
    expected: 'bad_response',
    message: /stream ended without message-end/,
  },
  ...WIRE_FAULTS,
];

describe('cohere under faults', () => {
  it.each(COHERE_FAULTS)('$check check, $name → $expected', async (c) => {
    fake.setFault(c.check === 'models' ? 'models' : 'completion', c.fault);
    const r = await runCheck(http, dep(), c.check, SECRETS, c.timeoutMs);
    expectFailure(r, c, SECRETS);
  });
});

describe('cohere credentials', () => {
  it('check-api-key answering valid: false is auth', async () => {
    const wrong = 'co-wrong-key-0123456789abcdefghijkl';
    const r = await runCheck(http, dep({ apiKey: wrong }), 'models', [...SECRETS, wrong]);
    expect(r).toMatchObject({ ok: false, errorClass: 'auth', httpStatus: 200 });
    expect(r.message).toMatch(/valid: false/);
    expect(fake.requests).toHaveLength(1);
  });

  it('without a key the models check says the vendor is reachable', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'models', SECRETS);
    expect(r).toMatchObject({
      errorClass: 'auth',
      credentialsMissing: true,
      httpStatus: 401,
      message: 'no API key configured (COHERE_API_KEY is not set); vendor reachable: HTTP 401',
    });
  });

  it('without a key the completion is skipped, nothing sent', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'completion', SECRETS);
    expect(r).toMatchObject({ skipped: true, credentialsMissing: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('a key echoed back in an error body never reaches the message', async () => {
    fake.setFault('completion', {
      status: 401,
      body: JSON.stringify({ id: 'x', message: `invalid api token: Bearer ${KEY} / ${KEY}` }),
    });
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expect(r.errorClass).toBe('auth');
    expect(r.message).toContain('[REDACTED]');
    expectNoSecrets(r, SECRETS);
  });
});
