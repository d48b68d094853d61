import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanarySpec } from '../../src/canary/types.js';
import type { DependencyConfig } from '../../src/config/types.js';
import { EMPTY_COMPLETION_MESSAGE } from '../../src/probes/classify.js';
import {
  responsesCanaryBody,
  responsesPingBody,
  responsesStep,
} from '../../src/probes/openai-responses.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { ErrorClass } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { openAIChatReasoning } from '../../src/vendors/openai.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { startFakeAzure } from '../support/fake-azure.js';
import { startFakeVendor } from '../support/fake-vendor.js';
import type { ResponsesFault } from '../support/responses-stream.js';
import { expectNoSecrets, runCheck } from '../support/vendor-cases.js';

/** The faults both fakes understand on their Responses route. */
interface Fault {
  status?: number;
  responses?: ResponsesFault;
  streamError?: boolean;
  emptyCompletion?: boolean;
  firstTokenDelayMs?: number;
  hang?: 'before-headers' | 'after-headers';
}

interface Fake {
  url: string;
  setFault(fault: Fault): void;
  clear(): void;
  last(): { path: string; headers: Record<string, string>; json: unknown } | undefined;
  stop(): Promise<void>;
}

interface VendorCase {
  vendor: 'openai' | 'azure-openai';
  key: string;
  start(key: string): Promise<Fake>;
  dep(fake: Fake): DependencyOverrides;
  /** The Responses path the completion must be sent to. */
  path: string;
  /** The header the key must travel in, and its value. */
  auth: (key: string) => [string, string];
  /** The dependency's model the fake does not serve. */
  missingModel: string;
  /** What `streamError` becomes in this fake. */
  streamError: ErrorClass;
}

const VENDORS: VendorCase[] = [
  {
    vendor: 'openai',
    key: 'sk-proj-responsesFAKE0123456789abcdef',
    async start(key) {
      const f = await startFakeVendor({ openaiKey: key });
      return {
        url: f.url,
        setFault: (fault) => f.setFault('responses', fault),
        clear: () => {
          f.clearFaults();
          f.requests.length = 0;
        },
        last() {
          const r = f.requests.at(-1);
          return (
            r && {
              path: r.path,
              headers: r.headers,
              json: r.body === '' ? undefined : JSON.parse(r.body),
            }
          );
        },
        stop: () => f.stop(),
      };
    },
    dep: (fake) => ({ baseUrl: `${fake.url}/v1`, model: 'gpt-4o-mini' }),
    path: '/v1/responses',
    auth: (key) => ['authorization', `Bearer ${key}`],
    missingModel: 'gpt-9-nonexistent',
    streamError: 'server_error',
  },
  {
    vendor: 'azure-openai',
    key: 'azkeyResponsesFAKE0123456789abcdef',
    async start(key) {
      const f = await startFakeAzure({ apiKey: key, deployments: ['chat-prod', 'embed-prod'] });
      return {
        url: f.url,
        setFault: (fault) => f.setFault('completion', fault),
        clear: () => {
          f.clearFaults();
          f.requests.length = 0;
        },
        last() {
          const r = f.requests.at(-1);
          return r && { path: r.path, headers: r.headers, json: r.json };
        },
        stop: () => f.stop(),
      };
    },
    dep: (fake) => ({ baseUrl: fake.url, model: 'chat-prod' }),
    path: '/openai/v1/responses',
    auth: (key) => ['api-key', key],
    missingModel: 'gone-deployment',
    streamError: 'server_error',
  },
];

interface FaultCase {
  name: string;
  fault: Fault;
  expected: ErrorClass;
  message: string | RegExp;
  httpStatus?: number;
  timeoutMs?: number;
}

const FAULTS: FaultCase[] = [
  {
    name: 'response.failed with server_error',
    fault: { responses: 'failed' },
    expected: 'server_error',
    message: 'stream error after HTTP 200: server_error: The model failed to generate a response.',
  },
  {
    name: 'response.failed with rate_limit_exceeded',
    fault: { responses: 'failed-rate-limit' },
    expected: 'rate_limited',
    message: /^stream error after HTTP 200: rate_limit_exceeded: Rate limit reached for /,
  },
  {
    name: 'an error event after the first text',
    fault: { responses: 'error-event' },
    expected: 'server_error',
    message:
      'stream error after HTTP 200: server_error: An error occurred while processing your request.',
  },
  {
    name: 'response.incomplete for content_filter',
    fault: { responses: 'content-filter' },
    expected: 'bad_response',
    message: 'response incomplete: content_filter',
  },
  {
    name: 'response.incomplete for max_output_tokens before any text (reasoning spent it)',
    fault: { emptyCompletion: true },
    expected: 'bad_response',
    message: EMPTY_COMPLETION_MESSAGE,
  },
  {
    name: 'a function call and no text',
    fault: { responses: 'function-call' },
    expected: 'bad_response',
    message: EMPTY_COMPLETION_MESSAGE,
  },
  {
    name: 'HTTP 429',
    fault: { status: 429 },
    expected: 'rate_limited',
    message: /^HTTP 429/,
    httpStatus: 429,
  },
  {
    name: 'HTTP 500',
    fault: { status: 500 },
    expected: 'server_error',
    message: /^HTTP 500/,
    httpStatus: 500,
  },
  {
    name: 'HTTP 401',
    fault: { status: 401 },
    expected: 'auth',
    message: /^HTTP 401/,
    httpStatus: 401,
  },
  {
    name: 'a hang after the headers',
    fault: { hang: 'after-headers' },
    expected: 'timeout',
    message: 'timed out waiting for the first token',
    timeoutMs: 300,
  },
];

let http: HttpClient;
beforeAll(() => {
  http = createNodeHttpClient();
});
afterAll(() => http.close());

describe.each(VENDORS)('$vendor with api: responses', (v) => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await v.start(v.key);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.clear());

  const dep = (over: DependencyOverrides = {}): DependencyConfig =>
    testDependency({
      id: 'resp',
      vendor: v.vendor,
      apiKey: v.key,
      timeoutMs: 3000,
      api: 'responses',
      ...v.dep(fake),
      ...over,
    });
  const body = (): Record<string, unknown> =>
    (fake.last()?.json as Record<string, unknown> | undefined) ?? {};
  const run = (d: DependencyConfig, timeoutMs?: number) =>
    runCheck(http, d, 'completion', [v.key], timeoutMs);

  it('streams a completion: TTFT from the first output_text delta, usage and the served model', async () => {
    const r = await run(dep());
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r).toMatchObject({
      check: 'completion',
      ok: true,
      httpStatus: 200,
      tokens: { input: 8, output: 2, reasoning: 0 },
      servedModel: 'gpt-4o-mini-2024-07-18',
    });
    expect(r.ttftMs).toBeGreaterThan(0);
    expect(r.ttftMs).toBeLessThanOrEqual(r.latencyMs);
    const req = fake.last();
    expect(req?.path).toBe(v.path);
    const [header, value] = v.auth(v.key);
    expect(req?.headers[header]).toBe(value);
    expect(req?.headers.accept).toBe('text/event-stream');
    // maxTokens 1 is raised to the API's minimum of 16.
    expect(req?.json).toEqual({
      model: v.dep(fake).model,
      input: 'ping',
      stream: true,
      store: false,
      max_output_tokens: 16,
    });
  });

  it.each([
    [1, 16],
    [15, 16],
    [16, 16],
    [64, 64],
  ])('maxTokens %i is sent as max_output_tokens %i', async (maxTokens, sent) => {
    const r = await run(dep({ maxTokens }));
    expect(r.ok, r.message).toBe(true);
    expect(body().max_output_tokens).toBe(sent);
  });

  it.each([
    ['low', 'low', { input: 8, output: 12, reasoning: 10 }],
    ['minimal', 'minimal', { input: 8, output: 12, reasoning: 10 }],
    ['off', 'none', { input: 8, output: 2, reasoning: 0 }],
  ] as const)(
    'reasoning %s is sent as reasoning.effort %s; tokens %o',
    async (level, effort, tokens) => {
      const r = await run(dep({ reasoning: level, maxTokens: 64 }));
      expect(r.ok, r.message).toBe(true);
      expect(r.tokens).toEqual(tokens);
      expect(body().reasoning).toEqual({ effort });
    },
  );

  it('sends no reasoning field when no level is configured', async () => {
    await run(dep());
    expect(fake.last()?.json).not.toHaveProperty('reasoning');
  });

  it('does not stop the first-token clock before the first text delta', async () => {
    fake.setFault({ firstTokenDelayMs: 150 });
    const r = await run(dep());
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });

  it.each([
    ['text, then response.incomplete for max_output_tokens', { responses: 'incomplete' }],
    ['a refusal content part', { responses: 'refusal' }],
  ] as const)('passes on %s: the model answered', async (_name, fault) => {
    fake.setFault(fault);
    const r = await run(dep());
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r).toMatchObject({ ok: true, servedModel: 'gpt-4o-mini-2024-07-18' });
    expect(r.ttftMs).toBeGreaterThan(0);
  });

  it.each(FAULTS)('$name → $expected', async (c) => {
    fake.setFault(c.fault);
    const r = await run(dep(), c.timeoutMs);
    expect({ ok: r.ok, errorClass: r.errorClass }).toEqual({ ok: false, errorClass: c.expected });
    expect(r.message).toMatch(c.message);
    if (c.httpStatus !== undefined) expect(r.httpStatus).toBe(c.httpStatus);
    expectNoSecrets(r, [v.key]);
  });

  it('reads the budget-spent response.incomplete usage, reasoning tokens apart', async () => {
    fake.setFault({ emptyCompletion: true });
    const r = await run(dep());
    expect(r.tokens).toEqual({ input: 8, output: 16, reasoning: 16 });
  });

  it(`classifies the fake's streamError as ${v.streamError}`, async () => {
    fake.setFault({ streamError: true });
    const r = await run(dep());
    expect(r).toMatchObject({ ok: false, errorClass: v.streamError });
    expect(r.message).toMatch(/^stream error after HTTP 200/);
  });

  it('reports a model the vendor does not serve as model_unavailable, naming it', async () => {
    const r = await run(dep({ model: v.missingModel }));
    expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable', httpStatus: 404 });
    expect(r.message).toContain(v.missingModel);
  });

  it('skips the completion without a key and sends nothing', async () => {
    const r = await run(dep({ apiKey: undefined, apiKeyEnv: 'THE_KEY' }));
    expect(r).toMatchObject({ ok: false, skipped: true, errorClass: 'auth' });
    expect(fake.last()).toBeUndefined();
  });

  it('runs the models check as with api: chat', async () => {
    const r = await runCheck(http, dep(), 'models', [v.key]);
    expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
    expect(fake.last()?.path).toBe(v.vendor === 'openai' ? '/v1/models' : '/openai/v1/models');
  });

  it('runs the embeddings check as with api: chat', async () => {
    const embeddingModel = v.vendor === 'openai' ? 'text-embedding-3-small' : 'embed-prod';
    const d = dep({ checks: ['embeddings'], embeddingModel });
    const r = await runCheck(http, d, 'embeddings', [v.key]);
    expect(r, r.message).toMatchObject({ check: 'embeddings', ok: true, httpStatus: 200 });
    expect(r.embedding?.dimensions).toBeGreaterThan(0);
    expect(fake.last()?.path).toBe(
      v.vendor === 'openai' ? '/v1/embeddings' : '/openai/v1/embeddings',
    );
  });
});

const CANARY: CanarySpec = {
  id: 'c',
  prompt: 'p',
  maxTokens: 8,
  intervalMs: 60_000,
  expect: { kind: 'equals', value: 'x', caseSensitive: false },
};

describe('Responses bodies follow the vendor reasoning plan of Chat Completions', () => {
  const responsesDep = (model: string, reasoning?: 'off' | 'minimal' | 'low') =>
    testDependency({ id: 'plan', vendor: 'openai', model, api: 'responses', reasoning });
  it.each([
    ['gpt-5.1', 'off', { effort: 'none' }, true],
    ['gpt-5', 'minimal', { effort: 'minimal' }, false],
    ['gpt-5-pro', 'low', undefined, true],
    ['gpt-5.1', 'minimal', undefined, true],
    ['gpt-5', undefined, undefined, true],
  ] as const)(
    '%s with reasoning %s → reasoning %o, temperature 0 sent: %s',
    (model, level, reasoning, temperature) => {
      const d = responsesDep(model, level);
      const ping = responsesPingBody(d, model, openAIChatReasoning);
      expect(ping.reasoning).toEqual(reasoning);
      const canary = responsesCanaryBody(d, CANARY, openAIChatReasoning);
      expect(canary.reasoning).toEqual(reasoning);
      expect('temperature' in canary).toBe(temperature);
    },
  );
});

describe('fake responses route: the 16-token minimum the probe works around', () => {
  it.each(VENDORS)(
    '$vendor answers max_output_tokens 1 with 400 integer_below_min_value',
    async (v) => {
      const fake = await v.start(v.key);
      try {
        const [header, value] = v.auth(v.key);
        const res = await fetch(`${fake.url}${v.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [header]: value },
          body: JSON.stringify({ model: v.dep(fake).model, input: 'ping', max_output_tokens: 1 }),
        });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({
          error: { code: 'integer_below_min_value', param: 'max_output_tokens' },
        });
      } finally {
        await fake.stop();
      }
    },
  );
});

describe('responsesStep: one event, what it means to the completion check', () => {
  const scrub = createScrubber([]);
  it.each<[string, Record<string, unknown>, unknown]>([
    [
      'response.created names the served model',
      { type: 'response.created', response: { model: 'gpt-4o-mini-2024-07-18', usage: null } },
      { servedModel: 'gpt-4o-mini-2024-07-18' },
    ],
    [
      'an empty text delta is no token',
      { type: 'response.output_text.delta', delta: '' },
      { text: false },
    ],
    ['a text delta is a token', { type: 'response.output_text.delta', delta: 'p' }, { text: true }],
    [
      'response.completed ends it with usage',
      {
        type: 'response.completed',
        response: {
          usage: {
            input_tokens: 3,
            output_tokens: 5,
            output_tokens_details: { reasoning_tokens: 4 },
          },
        },
      },
      { done: true, tokens: { input: 3, output: 5, reasoning: 4 } },
    ],
    [
      'response.incomplete for max_tokens (the schema example’s word) ends it as the budget',
      { type: 'response.incomplete', response: { incomplete_details: { reason: 'max_tokens' } } },
      { done: true },
    ],
    [
      'response.incomplete without a reason fails',
      { type: 'response.incomplete', response: { incomplete_details: null } },
      { errorClass: 'bad_response', message: 'response incomplete: no reason given' },
    ],
    [
      'an error event without a code is a server_error',
      { type: 'error', code: null, message: 'Something went wrong', param: null },
      { errorClass: 'server_error', message: 'stream error after HTTP 200: Something went wrong' },
    ],
    [
      'response.failed without an error object is still a failure',
      { type: 'response.failed', response: { error: null } },
      {
        errorClass: 'server_error',
        message: 'stream error after HTTP 200: response.failed without an error',
      },
    ],
  ])('%s', (_name, data, want) => {
    expect(responsesStep(data, { event: String(data.type) }, scrub)).toEqual(want);
  });
});
