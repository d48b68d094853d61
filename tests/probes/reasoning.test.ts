import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanarySpec } from '../../src/canary/types.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import type { DependencyConfig } from '../../src/config/types.js';
import { openApiDocument } from '../../src/http/openapi.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createOtlpExport } from '../../src/otlp/export.js';
import { EMPTY_COMPLETION_MESSAGE } from '../../src/probes/classify.js';
import type { ReasoningLevel } from '../../src/probes/reasoning.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { CheckResult } from '../../src/probes/types.js';
import { boundVendorNumbers } from '../../src/probes/vendor-numbers.js';
import {
  type HttpClient,
  HttpClientError,
  type HttpRequest,
  type HttpResponse,
} from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe, vendorModule } from '../../src/vendors/registry.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { COHERE_THINKING_TOKENS, startFakeCohere } from '../support/fake-cohere.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import type { VendorFake } from '../support/fake-http.js';
import { OLLAMA_THINKING_TOKENS, startFakeOllama } from '../support/fake-ollama.js';
import {
  ANTHROPIC_THINKING_TOKENS,
  type FakeVendor,
  REASONING_TOKENS,
  startFakeVendor,
} from '../support/fake-vendor.js';
import { attributesOf, type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';

// ---- Request bodies --------------------------------------------------------------------

/** Records what a probe sends and answers with a refused connection: only the body matters. */
function capturing(): { http: HttpClient; bodies: Array<Record<string, unknown>> } {
  const bodies: Array<Record<string, unknown>> = [];
  return {
    bodies,
    http: {
      request(req: HttpRequest): Promise<HttpResponse> {
        bodies.push(JSON.parse(String(req.body)) as Record<string, unknown>);
        return Promise.reject(new HttpClientError('network', 'connect ECONNREFUSED 127.0.0.1:1'));
      },
      close() {},
    },
  };
}

const VENDOR_DEFAULTS: Record<string, DependencyOverrides> = {
  openai: { apiKey: 'sk-test-reasoning-0123456789' },
  'azure-openai': { apiKey: 'azure-key-0123456789', baseUrl: 'http://127.0.0.1:1' },
  'openai-compatible': {},
  gemini: { apiKey: 'AIzaSyFAKE0123456789', baseUrl: 'http://127.0.0.1:1' },
  anthropic: { apiKey: 'sk-ant-test-0123456789', baseUrl: 'http://127.0.0.1:1' },
  bedrock: { apiKey: 'bedrock-key-0123456789', region: 'us-east-1', baseUrl: 'http://127.0.0.1:1' },
  cohere: { apiKey: 'cohere-key-0123456789', baseUrl: 'http://127.0.0.1:1' },
  ollama: { baseUrl: 'http://127.0.0.1:1' },
};

function dep(vendor: string, model: string, reasoning?: ReasoningLevel): DependencyConfig {
  return testDependency({
    vendor,
    model,
    maxTokens: 1,
    ...VENDOR_DEFAULTS[vendor],
    ...(reasoning === undefined ? {} : { reasoning }),
  });
}

async function completionBody(d: DependencyConfig): Promise<Record<string, unknown>> {
  const { http, bodies } = capturing();
  const probe = createProbe(d, createScrubber([]));
  await probe.run('completion', { http, signal: AbortSignal.timeout(1000), now: () => 0 });
  expect(bodies).toHaveLength(1);
  return bodies[0] ?? {};
}

const CANARY: CanarySpec = {
  id: 'c',
  prompt: 'Say OK',
  expect: { kind: 'equals', value: 'OK', caseSensitive: false },
  maxTokens: 16,
  intervalMs: 60_000,
};

async function canaryBody(d: DependencyConfig): Promise<Record<string, unknown>> {
  const adapter = vendorModule(d.vendor).canary;
  if (adapter === undefined) throw new Error(`${d.vendor} has no canary adapter`);
  const req = await adapter.request(d, CANARY);
  return JSON.parse(String(req.body)) as Record<string, unknown>;
}

/** The fields of a body that carry the budget and the reasoning control, per vendor. */
function reasoningPart(vendor: string, body: Record<string, unknown>): Record<string, unknown> {
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.filter((k) => k in body).map((k) => [k, body[k]]));
  switch (vendor) {
    case 'gemini':
      return pick('generationConfig');
    case 'anthropic':
      return pick('max_tokens', 'thinking');
    case 'bedrock':
      return pick('inferenceConfig', 'additionalModelRequestFields');
    case 'cohere':
      return pick('max_tokens', 'thinking');
    case 'ollama':
      return pick('think', 'options');
    case 'openai':
      return pick('max_completion_tokens', 'reasoning_effort');
    default:
      return pick('max_completion_tokens', 'max_tokens', 'reasoning_effort');
  }
}

const CLAUDE_ON_BEDROCK = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const thinkingOn = { type: 'enabled', budget_tokens: 1024 };

// [vendor, model, level, the completion request's reasoning part]
const COMPLETION_ROWS: Array<[string, string, ReasoningLevel, Record<string, unknown>]> = [
  ['openai', 'gpt-5.1', 'off', { max_completion_tokens: 1, reasoning_effort: 'none' }],
  ['openai', 'gpt-5-mini', 'minimal', { max_completion_tokens: 1, reasoning_effort: 'minimal' }],
  ['openai', 'o4-mini', 'low', { max_completion_tokens: 1, reasoning_effort: 'low' }],
  ['azure-openai', 'reasoner', 'off', { max_completion_tokens: 1, reasoning_effort: 'none' }],
  [
    'azure-openai',
    'reasoner',
    'minimal',
    { max_completion_tokens: 1, reasoning_effort: 'minimal' },
  ],
  ['azure-openai', 'reasoner', 'low', { max_completion_tokens: 1, reasoning_effort: 'low' }],
  ['openai-compatible', 'qwen3-32b', 'off', { max_tokens: 1, reasoning_effort: 'none' }],
  ['openai-compatible', 'qwen3-32b', 'minimal', { max_tokens: 1, reasoning_effort: 'minimal' }],
  ['openai-compatible', 'gpt-oss-20b', 'low', { max_tokens: 1, reasoning_effort: 'low' }],
  [
    'gemini',
    'gemini-2.5-flash',
    'off',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 0 } } },
  ],
  [
    'gemini',
    'gemini-2.5-flash-lite',
    'minimal',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 512 } } },
  ],
  [
    'gemini',
    'models/gemini-2.5-flash',
    'low',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 1024 } } },
  ],
  [
    'gemini',
    'gemini-2.5-pro',
    'minimal',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 128 } } },
  ],
  [
    'gemini',
    'gemini-2.5-pro',
    'low',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 1024 } } },
  ],
  [
    'gemini',
    'gemini-3-flash-preview',
    'off',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingLevel: 'MINIMAL' } } },
  ],
  [
    'gemini',
    'gemini-3-flash-preview',
    'minimal',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingLevel: 'MINIMAL' } } },
  ],
  [
    'gemini',
    'gemini-3-flash-preview',
    'low',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingLevel: 'LOW' } } },
  ],
  [
    'gemini',
    'gemini-3-pro-preview',
    'minimal',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingLevel: 'LOW' } } },
  ],
  [
    'gemini',
    'gemini-3.1-pro-preview',
    'low',
    { generationConfig: { maxOutputTokens: 1, thinkingConfig: { thinkingLevel: 'LOW' } } },
  ],
  ['anthropic', 'claude-sonnet-4-5', 'off', { max_tokens: 1, thinking: { type: 'disabled' } }],
  ['anthropic', 'claude-sonnet-4-5', 'minimal', { max_tokens: 1025, thinking: thinkingOn }],
  ['anthropic', 'claude-sonnet-4-5', 'low', { max_tokens: 1025, thinking: thinkingOn }],
  [
    'bedrock',
    CLAUDE_ON_BEDROCK,
    'off',
    {
      inferenceConfig: { maxTokens: 1 },
      additionalModelRequestFields: { thinking: { type: 'disabled' } },
    },
  ],
  [
    'bedrock',
    'anthropic.claude-3-7-sonnet-20250219-v1:0',
    'minimal',
    {
      inferenceConfig: { maxTokens: 1025 },
      additionalModelRequestFields: { thinking: thinkingOn },
    },
  ],
  [
    'bedrock',
    CLAUDE_ON_BEDROCK,
    'low',
    {
      inferenceConfig: { maxTokens: 1025 },
      additionalModelRequestFields: { thinking: thinkingOn },
    },
  ],
  [
    'cohere',
    'command-a-reasoning-08-2025',
    'off',
    { max_tokens: 1, thinking: { type: 'disabled' } },
  ],
  [
    'cohere',
    'command-a-reasoning-08-2025',
    'minimal',
    { max_tokens: 1, thinking: { type: 'enabled', token_budget: 128 } },
  ],
  [
    'cohere',
    'command-a-reasoning-08-2025',
    'low',
    { max_tokens: 1, thinking: { type: 'enabled', token_budget: 1024 } },
  ],
  ['ollama', 'qwen3:8b', 'off', { think: false, options: { num_predict: 1 } }],
  ['ollama', 'qwen3:8b', 'minimal', { think: true, options: { num_predict: 1 } }],
  ['ollama', 'deepseek-r1', 'low', { think: true, options: { num_predict: 1 } }],
  ['ollama', 'gpt-oss:20b', 'minimal', { think: 'low', options: { num_predict: 1 } }],
  ['ollama', 'gpt-oss:120b', 'low', { think: 'low', options: { num_predict: 1 } }],
];

describe('reasoning: in the completion check request', () => {
  it.each(COMPLETION_ROWS)('%s %s reasoning: %s', async (vendor, model, level, want) => {
    const body = await completionBody(dep(vendor, model, level));
    expect(reasoningPart(vendor, body)).toEqual(want);
  });

  // A level the model cannot take (inherited from defaults: the config check only rejects
  // the dependency's own key) sends nothing rather than a request the vendor refuses.
  it.each<[string, string, ReasoningLevel, Record<string, unknown>]>([
    ['openai', 'gpt-5', 'off', { max_completion_tokens: 1 }],
    ['openai', 'gpt-5.1', 'minimal', { max_completion_tokens: 1 }],
    ['openai', 'gpt-5-pro', 'low', { max_completion_tokens: 1 }],
    ['gemini', 'gemini-2.5-pro', 'off', { generationConfig: { maxOutputTokens: 1 } }],
    ['gemini', 'gemini-3-pro-preview', 'off', { generationConfig: { maxOutputTokens: 1 } }],
    ['gemini', 'gemini-2.0-flash', 'low', { generationConfig: { maxOutputTokens: 1 } }],
    ['bedrock', 'us.amazon.nova-pro-v1:0', 'low', { inferenceConfig: { maxTokens: 1 } }],
    ['bedrock', 'deepseek.r1-v1:0', 'off', { inferenceConfig: { maxTokens: 1 } }],
    ['cohere', 'command-r-plus', 'off', { max_tokens: 1 }],
  ])('%s %s reasoning: %s is rejected and sends nothing', async (vendor, model, level, want) => {
    const body = await completionBody(dep(vendor, model, level));
    expect(reasoningPart(vendor, body)).toEqual(want);
  });

  const absent: Array<[string, string, Record<string, unknown>]> = [
    ['openai', 'gpt-5-mini', { max_completion_tokens: 1 }],
    ['azure-openai', 'reasoner', { max_completion_tokens: 1 }],
    ['openai-compatible', 'qwen3-32b', { max_tokens: 1 }],
    ['gemini', 'gemini-2.5-flash', { generationConfig: { maxOutputTokens: 1 } }],
    ['anthropic', 'claude-sonnet-4-5', { max_tokens: 1 }],
    ['bedrock', CLAUDE_ON_BEDROCK, { inferenceConfig: { maxTokens: 1 } }],
    ['cohere', 'command-a-reasoning-08-2025', { max_tokens: 1 }],
    ['ollama', 'gpt-oss:20b', { options: { num_predict: 1 } }],
  ];
  it.each(absent)('%s %s without reasoning: sends nothing', async (vendor, model, want) => {
    const body = await completionBody(dep(vendor, model));
    expect(reasoningPart(vendor, body)).toEqual(want);
  });
});

describe('reasoning: in the canary request, by the same mapping', () => {
  it.each(COMPLETION_ROWS)('%s %s reasoning: %s', async (vendor, model, level, _want) => {
    const probe = reasoningPart(vendor, await completionBody(dep(vendor, model, level)));
    const canary = reasoningPart(vendor, await canaryBody(dep(vendor, model, level)));
    // Same control; the budget is the canary's own (16) plus what thinking reserves.
    const reserve = level !== 'off' && (vendor === 'anthropic' || vendor === 'bedrock') ? 1024 : 0;
    const budget = 16 + reserve;
    const { generationConfig, inferenceConfig, options, ...control } = probe;
    const { generationConfig: g, inferenceConfig: i, options: o, ...canaryControl } = canary;
    for (const key of ['max_tokens', 'max_completion_tokens']) {
      if (key in control) {
        expect(canaryControl[key]).toBe(budget);
        delete control[key];
        delete canaryControl[key];
      }
    }
    expect(canaryControl).toEqual(control);
    if (generationConfig !== undefined) {
      expect((g as Record<string, unknown>).thinkingConfig).toEqual(
        (generationConfig as Record<string, unknown>).thinkingConfig,
      );
    }
    if (inferenceConfig !== undefined) {
      expect((i as Record<string, unknown>).maxTokens).toBe(budget);
    }
    if (options !== undefined) expect((o as Record<string, unknown>).num_predict).toBe(16);
  });

  // Claude refuses a changed temperature while thinking, OpenAI's reasoning models while
  // reasoning at any effort but none: the canary's temperature 0 goes.
  it.each<[string, string, ReasoningLevel | undefined, boolean]>([
    ['openai', 'o4-mini', 'low', false],
    ['openai', 'gpt-5-mini', 'minimal', false],
    ['openai', 'gpt-5.1', 'off', true],
    ['openai', 'gpt-4o-mini', undefined, true],
    ['azure-openai', 'reasoner', 'low', false],
    ['openai-compatible', 'qwen3-32b', 'off', true],
    ['gemini', 'gemini-2.5-flash', 'low', true],
    ['anthropic', 'claude-sonnet-4-5', 'low', false],
    ['anthropic', 'claude-sonnet-4-5', 'off', true],
    ['anthropic', 'claude-sonnet-4-5', undefined, true],
    ['bedrock', CLAUDE_ON_BEDROCK, 'minimal', false],
    ['bedrock', CLAUDE_ON_BEDROCK, 'off', true],
  ])('%s %s reasoning: %s keeps temperature 0: %s', async (vendor, model, level, kept) => {
    const body = await canaryBody(dep(vendor, model, level));
    const temperature =
      vendor === 'bedrock'
        ? (body.inferenceConfig as Record<string, unknown>).temperature
        : vendor === 'gemini'
          ? (body.generationConfig as Record<string, unknown>).temperature
          : body.temperature;
    expect(temperature).toBe(kept ? 0 : undefined);
  });
});

// ---- Reasoning tokens ------------------------------------------------------------------

/** Answers every request with one 200 stream of the given text. */
function answering(contentType: string, text: string): HttpClient {
  return {
    request(): Promise<HttpResponse> {
      const bytes = new TextEncoder().encode(text);
      return Promise.resolve({
        status: 200,
        headers: { 'content-type': contentType },
        body: (async function* () {
          yield bytes;
        })(),
        text: () => Promise.resolve(text),
        discard() {},
        timings: {},
      });
    },
    close() {},
  };
}

const sse = (...events: unknown[]) =>
  events.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`)).join('');
const anthropicEvent = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

// Streams in each vendor's own shape, with the usage their SDKs type.
const TOKEN_ROWS: Array<[string, string, string, string, CheckResult['tokens']]> = [
  [
    // openai-node `ChatCompletionChunk` and `CompletionUsage.completion_tokens_details`.
    'openai',
    'o4-mini',
    'text/event-stream',
    sse(
      { choices: [{ index: 0, delta: { content: 'pong' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      {
        choices: [],
        usage: {
          prompt_tokens: 8,
          completion_tokens: 41,
          total_tokens: 49,
          completion_tokens_details: { reasoning_tokens: 40 },
        },
      },
      'data: [DONE]\n\n',
    ),
    { input: 8, output: 41, reasoning: 40 },
  ],
  [
    // The same chunk on Azure, whose reasoning deployments report the same details.
    'azure-openai',
    'reasoner',
    'text/event-stream',
    sse(
      { choices: [{ index: 0, delta: { content: 'pong' }, finish_reason: 'stop' }] },
      {
        choices: [],
        usage: {
          prompt_tokens: 9,
          completion_tokens: 65,
          total_tokens: 74,
          completion_tokens_details: { reasoning_tokens: 64 },
        },
      },
      'data: [DONE]\n\n',
    ),
    { input: 9, output: 65, reasoning: 64 },
  ],
  [
    // A non-reasoning answer says 0: no reasoning figure.
    'openai-compatible',
    'llama-3.3-70b',
    'text/event-stream',
    sse(
      { choices: [{ index: 0, delta: { content: 'pong' }, finish_reason: 'stop' }] },
      {
        choices: [],
        usage: {
          prompt_tokens: 7,
          completion_tokens: 1,
          total_tokens: 8,
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
      'data: [DONE]\n\n',
    ),
    { input: 7, output: 1 },
  ],
  [
    // js-genai `GenerateContentResponseUsageMetadata.thoughtsTokenCount`, apart from
    // candidatesTokenCount: output is both (billed), reasoning the thoughts.
    'gemini',
    'gemini-2.5-flash',
    'text/event-stream',
    sse({
      candidates: [{ content: { parts: [{ text: 'Pong' }], role: 'model' }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, thoughtsTokenCount: 30 },
    }),
    { input: 3, output: 31, reasoning: 30 },
  ],
  [
    // anthropic-sdk-typescript `RawMessageStreamEvent`: thinking tokens are inside
    // `output_tokens`, with no count of their own.
    'anthropic',
    'claude-sonnet-4-5',
    'text/event-stream',
    anthropicEvent('message_start', {
      type: 'message_start',
      message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 9, output_tokens: 1 } },
    }) +
      anthropicEvent('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'A greeting.' },
      }) +
      anthropicEvent('content_block_delta', {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'text_delta', text: 'pong' },
      }) +
      anthropicEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn' },
        usage: { output_tokens: 30 },
      }) +
      anthropicEvent('message_stop', { type: 'message_stop' }),
    { input: 9, output: 30 },
  ],
  [
    // cohere-typescript `ChatMessageEndEvent.delta.usage`: no thinking count.
    'cohere',
    'command-a-reasoning-08-2025',
    'text/event-stream',
    sse(
      { type: 'content-delta', index: 0, delta: { message: { content: { text: 'pong' } } } },
      {
        type: 'message-end',
        delta: {
          finish_reason: 'COMPLETE',
          usage: { billed_units: { input_tokens: 5, output_tokens: 40 } },
        },
      },
    ),
    { input: 5, output: 40 },
  ],
  [
    // ollama docs/api.md: `eval_count` holds thinking and answer alike.
    'ollama',
    'qwen3:8b',
    'application/x-ndjson',
    `${JSON.stringify({ message: { role: 'assistant', thinking: 'hm', content: '' }, done: false })}\n${JSON.stringify({ message: { role: 'assistant', content: 'pong' }, done: false })}\n${JSON.stringify({ message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: 11, eval_count: 50 })}\n`,
    { input: 11, output: 50 },
  ],
];

describe('reasoning tokens, where the vendor reports them', () => {
  it.each(TOKEN_ROWS)('%s %s', async (vendor, model, contentType, stream, tokens) => {
    const probe = createProbe(dep(vendor, model, 'low'), createScrubber([]));
    const r = await probe.run('completion', {
      http: answering(contentType, stream),
      signal: AbortSignal.timeout(1000),
      now: () => performance.now(),
    });
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r.tokens).toEqual(tokens);
  });

  it('drops a reasoning count above the output it is part of, and keeps the rest', () => {
    const { result, dropped } = boundVendorNumbers(
      {
        check: 'completion',
        ok: true,
        latencyMs: 1,
        tokens: { input: 8, output: 2, reasoning: 9 },
      },
      Date.now(),
    );
    expect(result.tokens).toEqual({ input: 8, output: 2 });
    expect(dropped).toEqual(['reasoning token count 9']);
  });

  it('names reasoning: off and minimal in the empty-completion hint', () => {
    expect(EMPTY_COMPLETION_MESSAGE).toBe(
      'empty completion: a reasoning model may spend the whole token budget on reasoning; set reasoning: off (or minimal), raise maxTokens or probe a non-reasoning model',
    );
  });
});

const GEMINI_KEY = 'AIzaSyFAKE0123456789abcdefghijklmnopq';
const COHERE_KEY = 'cohere-fake-key-0123456789';

describe('reasoning against the fakes', () => {
  let vendor: FakeVendor;
  let gemini: VendorFake;
  let cohere: VendorFake;
  let ollama: VendorFake;
  let http: HttpClient;
  beforeAll(async () => {
    cohere = await startFakeCohere({ apiKey: COHERE_KEY, models: ['command-a-reasoning-08-2025'] });
    ollama = await startFakeOllama({ models: ['qwen3:8b'] });
    vendor = await startFakeVendor({
      models: ['o4-mini', 'gpt-5-mini', 'gpt-5.1', 'claude-sonnet-4-20250514'],
    });
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY, models: ['gemini-2.5-flash'] });
    http = createNodeHttpClient();
  });
  afterAll(async () => {
    http.close();
    await vendor.stop();
    await gemini.stop();
    await cohere.stop();
    await ollama.stop();
  });

  const run = (d: DependencyConfig) =>
    createProbe(d, createScrubber([])).run('completion', {
      http,
      signal: AbortSignal.timeout(3000),
      now: () => performance.now(),
    });

  it.each<[string, ReasoningLevel, CheckResult['tokens']]>([
    ['o4-mini', 'low', { input: 8, output: 1 + (REASONING_TOKENS.low ?? 0), reasoning: 64 }],
    ['gpt-5-mini', 'minimal', { input: 8, output: 13, reasoning: 12 }],
    ['gpt-5.1', 'off', { input: 8, output: 1 }],
  ])(
    'openai %s reasoning: %s sends its effort and reads the tokens',
    async (model, level, tokens) => {
      vendor.requests.length = 0;
      const r = await run(
        testDependency({
          vendor: 'openai',
          model,
          reasoning: level,
          baseUrl: `${vendor.url}/v1`,
          apiKey: 'sk-x',
        }),
      );
      expect(r.errorClass, r.message).toBeUndefined();
      expect(r.tokens).toEqual(tokens);
      const sent = JSON.parse(vendor.requests[0]?.body ?? '{}') as Record<string, unknown>;
      expect(sent.reasoning_effort).toBe(level === 'off' ? 'none' : level);
    },
  );

  it.each<[ReasoningLevel | undefined, CheckResult['tokens']]>([
    ['off', { input: 2, output: 1 }],
    ['low', { input: 2, output: 4, reasoning: 3 }],
    [undefined, { input: 2, output: 4, reasoning: 3 }],
  ])('gemini-2.5-flash reasoning: %s', async (level, tokens) => {
    const r = await run(
      testDependency({
        vendor: 'gemini',
        model: 'gemini-2.5-flash',
        baseUrl: gemini.url,
        apiKey: GEMINI_KEY,
        maxTokens: 8,
        ...(level === undefined ? {} : { reasoning: level }),
      }),
    );
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r.tokens).toEqual(tokens);
  });

  // Vendors that count thinking inside output: the answer still comes, the output grows.
  it.each<[ReasoningLevel | undefined, CheckResult['tokens'], Record<string, unknown>]>([
    ['off', { input: 8, output: 1 }, { max_tokens: 1, thinking: { type: 'disabled' } }],
    [
      'low',
      { input: 8, output: 1 + ANTHROPIC_THINKING_TOKENS },
      { max_tokens: 1025, thinking: { type: 'enabled', budget_tokens: 1024 } },
    ],
  ])('anthropic reasoning: %s', async (level, tokens, sent) => {
    vendor.requests.length = 0;
    const r = await run(
      testDependency({
        vendor: 'anthropic',
        model: 'claude-sonnet-4-20250514',
        baseUrl: vendor.url,
        apiKey: 'sk-ant-x',
        ...(level === undefined ? {} : { reasoning: level }),
      }),
    );
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r.tokens).toEqual(tokens);
    const body = JSON.parse(vendor.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(reasoningPart('anthropic', body)).toEqual(sent);
  });

  it.each<[ReasoningLevel, number]>([
    ['off', 1],
    ['minimal', 1 + COHERE_THINKING_TOKENS],
  ])('cohere command-a-reasoning reasoning: %s', async (level, output) => {
    const r = await run(
      testDependency({
        vendor: 'cohere',
        model: 'command-a-reasoning-08-2025',
        baseUrl: cohere.url,
        apiKey: COHERE_KEY,
        reasoning: level,
      }),
    );
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r.tokens).toEqual({ input: 1, output });
  });

  it.each<[ReasoningLevel | undefined, number]>([
    ['off', 1],
    ['low', 1 + OLLAMA_THINKING_TOKENS],
    [undefined, 1],
  ])('ollama qwen3 reasoning: %s', async (level, output) => {
    const r = await run(
      testDependency({
        vendor: 'ollama',
        model: 'qwen3:8b',
        baseUrl: ollama.url,
        ...(level === undefined ? {} : { reasoning: level }),
      }),
    );
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r.tokens).toEqual({ input: 11, output });
  });
});

describe('reasoning tokens in bellwether_probe_tokens_total', () => {
  it('counts them as type="reasoning", a part of output, from 0', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '1' });
    const labels = { dependency: 'o4', vendor: 'openai', model: 'o4-mini' };
    metrics.describeDependency({ ...labels, objective: 0.99, checks: ['models', 'completion'] });
    const series = async () =>
      (await registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('bellwether_probe_tokens_total{'));
    expect(await series()).toEqual([
      'bellwether_probe_tokens_total{dependency="o4",type="input"} 0',
      'bellwether_probe_tokens_total{dependency="o4",type="output"} 0',
      'bellwether_probe_tokens_total{dependency="o4",type="reasoning"} 0',
    ]);
    const completion = (tokens: CheckResult['tokens']): CheckResult & { attempts: number } => ({
      check: 'completion',
      ok: true,
      latencyMs: 5,
      attempts: 1,
      ...(tokens ? { tokens } : {}),
    });
    metrics.recordCheck(labels, completion({ input: 8, output: 41, reasoning: 40 }), 0);
    metrics.recordCheck(labels, completion({ input: 8, output: 1 }), 0);
    expect(await series()).toEqual([
      'bellwether_probe_tokens_total{dependency="o4",type="input"} 16',
      'bellwether_probe_tokens_total{dependency="o4",type="output"} 42',
      'bellwether_probe_tokens_total{dependency="o4",type="reasoning"} 40',
    ]);
  });
});

describe('reasoning tokens in the status API', () => {
  it('describes lastProbe.checks[].tokens.reasoning as optional', () => {
    const doc = openApiDocument() as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const checks = doc.components.schemas.LastProbe?.properties.checks as {
      items: { properties: { tokens: { anyOf: Array<Record<string, unknown>> } } };
    };
    expect(checks.items.properties.tokens.anyOf[0]).toEqual({
      type: 'object',
      properties: {
        input: { type: 'integer' },
        output: { type: 'integer' },
        reasoning: {
          type: 'integer',
          description:
            'The part of output the vendor says was spent reasoning, where it counts it.',
        },
      },
      required: ['input', 'output'],
    });
  });
});

describe('reasoning tokens over OTLP', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it.each(['http/protobuf', 'http/json'] as const)(
    '%s: gen_ai.client.inference.usage.reasoning.output_tokens beside the billed output',
    async (protocol) => {
      const before = receiver.exports.length;
      const otlp = createOtlpExport({
        config: { endpoint: receiver.url, protocol, headers: {}, intervalMs: 3_600_000 },
        logger: createLogger({ level: 'silent', scrub: (t) => t }),
        vantage: 'v',
        version: '0',
      });
      const d = testDependency({ baseUrl: 'https://api.openai.com/v1', model: 'o4-mini' });
      const tokens = { input: 8, output: 41, reasoning: 40 };
      for (const t of [tokens, { input: 8, output: 1 }]) {
        otlp.record(d, {
          startedAt: 0,
          finishedAt: 1,
          results: [{ check: 'completion', ok: true, latencyMs: 5, tokens: t, attempts: 1 }],
        });
      }
      await otlp.shutdown();
      const [received] = (await receiver.waitFor(before + 1)).slice(before);
      const metrics = received?.request.resourceMetrics?.flatMap((rm) =>
        (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []),
      );
      const reasoning = metrics?.find(
        (m) => m.name === 'gen_ai.client.inference.usage.reasoning.output_tokens',
      );
      expect(reasoning?.unit).toBe('{token}');
      expect(reasoning?.sum?.isMonotonic).toBe(true);
      const points = reasoning?.sum?.dataPoints ?? [];
      expect(points.map((p) => [attributesOf(p.attributes), p.asDouble ?? p.asInt])).toEqual([
        [
          {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'o4-mini',
            'gen_ai.token.modality': 'text',
            'server.address': 'api.openai.com',
            'server.port': 443,
          },
          40,
        ],
      ]);
      const usage = metrics?.find((m) => m.name === 'gen_ai.client.token.usage');
      const output = usage?.histogram?.dataPoints?.find(
        (p) => attributesOf(p.attributes)['gen_ai.token.type'] === 'output',
      );
      expect(output?.sum).toBe(42);
    },
  );
});

// ---- Config ----------------------------------------------------------------------------

describe('reasoning: in the config', () => {
  const config = (deps: string) => `dependencies:\n${deps}`;
  it.each<[string, string]>([
    ['  - { id: a, vendor: gemini, model: gemini-2.5-flash, reasoning: off }\n', 'off'],
    ['  - { id: a, vendor: openai, model: gpt-5.1, reasoning: off }\n', 'off'],
    ['  - { id: a, vendor: anthropic, model: claude-sonnet-4-5, reasoning: low }\n', 'low'],
    ['  - { id: a, vendor: ollama, model: "gpt-oss:20b", reasoning: minimal }\n', 'minimal'],
  ])('accepts %j', (deps, level) => {
    const r = parseConfigText(config(deps), 'c.yaml', {});
    expect(r.ok ? r.config.dependencies[0]?.reasoning : r.errors.map(formatConfigError)).toBe(
      level,
    );
  });

  it('takes a default from defaults:, which a rejecting model does not turn into an error', () => {
    const r = parseConfigText(
      'defaults: { reasoning: off }\ndependencies:\n  - { id: a, vendor: gemini, model: gemini-2.5-pro }\n',
      'c.yaml',
      {},
    );
    expect(r.ok ? r.config.dependencies[0]?.reasoning : r.errors.map(formatConfigError)).toBe(
      'off',
    );
  });

  it.each<[string, string]>([
    [
      '  - { id: a, vendor: gemini, model: gemini-3-pro-preview, reasoning: off }\n',
      'c.yaml:2:70: dependencies[0].reasoning: gemini-3-pro-preview cannot turn thinking off (Gemini 3 Pro thinks at thinkingLevel low or high); use low',
    ],
    [
      '  - { id: a, vendor: openai, model: gpt-5-pro, reasoning: low }\n',
      'c.yaml:2:59: dependencies[0].reasoning: gpt-5-pro takes only reasoning effort high; leave reasoning out',
    ],
    [
      '  - { id: a, vendor: openai, model: o3, reasoning: off }\n',
      'c.yaml:2:52: dependencies[0].reasoning: o3 cannot turn reasoning off (effort none came with gpt-5.1); use low',
    ],
    [
      '  - { id: h, vendor: http, url: "https://x.example/h", reasoning: off }\n',
      'c.yaml:2:56: dependencies[0]: key "reasoning" does not apply: vendor http asks no model',
    ],
    [
      '  - { id: a, vendor: gemini, model: gemini-2.0-flash, reasoning: low }\n',
      'c.yaml:2:66: dependencies[0].reasoning: reasoning applies to gemini-2.5 and gemini-3 models (generationConfig.thinkingConfig); gemini-2.0-flash gets none, leave reasoning out',
    ],
  ])('rejects %j at the value', (deps, error) => {
    const r = parseConfigText(config(deps), 'c.yaml', {});
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([error]);
  });
});
