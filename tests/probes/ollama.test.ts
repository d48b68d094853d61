import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { testDependency } from '../support/dependency.js';
import type { VendorFake } from '../support/fake-http.js';
import { startFakeOllama } from '../support/fake-ollama.js';
import {
  expectFailure,
  expectHealthyCompletion,
  expectNoSecrets,
  type FaultCase,
  runCheck,
  WIRE_FAULTS,
} from '../support/vendor-cases.js';

let fake: VendorFake;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:latest', 'qwen3:8b'] });
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
    id: 'ollama',
    vendor: 'ollama',
    baseUrl: fake.url,
    apiKey: undefined,
    model: 'llama3.2',
    timeoutMs: 3000,
    ...over,
  });
}

describe('ollama (native API), healthy', () => {
  it.each(['llama3.2', 'llama3.2:latest', 'qwen3:8b'])(
    'passes the models check for %s via /api/version and /api/tags',
    async (model) => {
      const r = await runCheck(http, dep({ model }), 'models', []);
      expect(r.errorClass, r.message).toBeUndefined();
      expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
      expect(fake.requests.map((q) => q.path)).toEqual(['/api/version', '/api/tags']);
      expect(fake.requests.every((q) => q.headers.authorization === undefined)).toBe(true);
    },
  );

  it('accepts a baseUrl written for the OpenAI-compatible surface (…/v1)', async () => {
    const r = await runCheck(http, dep({ baseUrl: `${fake.url}/v1` }), 'models', []);
    expect(r.ok, r.message).toBe(true);
  });

  it('streams /api/chat as NDJSON: TTFT ≤ latency, tokens from the done line', async () => {
    const r = await runCheck(http, dep(), 'completion', []);
    expectHealthyCompletion(r, { input: 11, output: 1 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe('/api/chat');
    expect(req?.json).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      options: { num_predict: 1 },
    });
  });

  it('measures TTFT from the first content line', async () => {
    fake.setFault('completion', { firstTokenDelayMs: 150 });
    const r = await runCheck(http, dep(), 'completion', []);
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });

  it('a model that was not pulled is model_unavailable in both checks, naming it', async () => {
    const models = await runCheck(http, dep({ model: 'mistral:7b' }), 'models', []);
    expect(models).toMatchObject({ ok: false, errorClass: 'model_unavailable' });
    expect(models.message).toContain('mistral:7b');
    const completion = await runCheck(http, dep({ model: 'mistral:7b' }), 'completion', []);
    expect(completion).toMatchObject({ errorClass: 'model_unavailable', httpStatus: 404 });
    expect(completion.message).toContain('mistral:7b');
  });

  it('a server that is not Ollama fails the models check as bad_response', async () => {
    fake.setFault('models', { body: '{"status":"ok"}', times: 1 });
    const r = await runCheck(http, dep(), 'models', []);
    expect(r).toMatchObject({ errorClass: 'bad_response', message: /is this Ollama/ });
  });
});

const OLLAMA_FAULTS: FaultCase[] = [
  ...(['models', 'completion'] as const).flatMap((check): FaultCase[] => [
    { name: '401 (proxy in front)', check, fault: { status: 401 }, expected: 'auth' },
    { name: '500 runner terminated', check, fault: { status: 500 }, expected: 'server_error' },
    { name: '503 server busy', check, fault: { status: 503 }, expected: 'overloaded' },
    { name: '400', check, fault: { status: 400 }, expected: 'bad_request' },
  ]),
  {
    name: '404 model not found',
    check: 'completion',
    fault: { status: 404 },
    expected: 'model_unavailable',
  },
  {
    name: 'error line mid-stream',
    check: 'completion',
    fault: { streamError: true },
    expected: 'server_error',
    message: /^stream error after HTTP 200: an error was encountered/,
  },
  {
    name: 'stream cut before done: true',
    check: 'completion',
    fault: {
      body: '{"model":"llama3.2","message":{"role":"assistant","content":"Po"},"done":false}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    },
    expected: 'bad_response',
    message: /stream ended without "done": true/,
  },
  ...WIRE_FAULTS,
];

describe('ollama under faults', () => {
  it.each(OLLAMA_FAULTS)('$check check, $name → $expected', async (c) => {
    fake.setFault(c.check === 'models' ? 'models' : 'completion', c.fault);
    const r = await runCheck(http, dep(), c.check, [], c.timeoutMs);
    expectFailure(r, c, []);
  });
});

describe('ollama behind an authenticating proxy', () => {
  const KEY = 'ollama-proxy-token-0123456789';

  it('sends a configured key as Bearer and keeps it out of messages', async () => {
    const guarded = await startFakeOllama({ apiKey: KEY });
    try {
      const ok = await runCheck(http, dep({ baseUrl: guarded.url, apiKey: KEY }), 'completion', [
        KEY,
      ]);
      expect(ok.ok, ok.message).toBe(true);
      expect(guarded.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
      guarded.setFault('models', {
        status: 401,
        body: JSON.stringify({ error: `token ${KEY} rejected` }),
      });
      const denied = await runCheck(http, dep({ baseUrl: guarded.url, apiKey: KEY }), 'models', [
        KEY,
      ]);
      expect(denied.errorClass).toBe('auth');
      expectNoSecrets(denied, [KEY]);
    } finally {
      await guarded.stop();
    }
  });
});
