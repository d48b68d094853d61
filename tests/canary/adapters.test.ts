import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJudge } from '../../src/canary/judge.js';
import { runCanary } from '../../src/canary/run.js';
import type { CanaryRun, CanarySpec } from '../../src/canary/types.js';
import type { DependencyConfig } from '../../src/config/types.js';
import { CANARY_SEED } from '../../src/probes/canary-stream.js';
import { createScrubber, REDACTED } from '../../src/probes/scrub.js';
import type { ErrorClass } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { VENDOR_MODULES } from '../../src/vendors/registry.js';
import type { CanaryAdapter } from '../../src/vendors/types.js';
import { startAnthropicCanaryFake } from '../support/canary-fakes/anthropic.js';
import { startBedrockCanaryFake } from '../support/canary-fakes/bedrock.js';
import { startCohereCanaryFake } from '../support/canary-fakes/cohere.js';
import { startGeminiCanaryFake } from '../support/canary-fakes/gemini.js';
import { startOllamaCanaryFake } from '../support/canary-fakes/ollama.js';
import { startOpenAICanaryFake } from '../support/canary-fakes/openai.js';
import type { CanaryFake, CanaryScript, SendOptions } from '../support/canary-fakes/scaffold.js';
import { testDependency } from '../support/dependency.js';

// ---- Canaries (small ones for these tests; the shipped library is elsewhere) ---------------

const VERDICT: CanarySpec = {
  id: 'phishing-verdict',
  prompt:
    'Is this email phishing? "Your mailbox is full, log in at http://198.51.100.9/owa". Answer with one word: PHISHING or BENIGN.',
  system: 'You are a SOC analyst. Answer with one word.',
  expect: { kind: 'equals', value: 'PHISHING', caseSensitive: false },
  maxTokens: 8,
  intervalMs: 300_000,
};

const BLOCK_IP_TOOL = {
  name: 'block_ip',
  description: 'Block an IPv4 address at the perimeter firewall',
  parameters: {
    type: 'object',
    properties: { ip: { type: 'string' } },
    required: ['ip'],
    additionalProperties: false,
  },
};

const BLOCK_IP: CanarySpec = {
  id: 'block-ip',
  prompt: 'The host 192.0.2.1 is scanning our network. Block it.',
  system: 'You are a SOAR assistant. Use the tools.',
  expect: { kind: 'toolCall', name: 'block_ip', arguments: { ip: '192.0.2.1' } },
  tools: [BLOCK_IP_TOOL],
  maxTokens: 64,
  intervalMs: 300_000,
};

const IOC_JSON: CanarySpec = {
  id: 'ioc-extract',
  prompt: 'Extract the IPs from: "beacon to 192.0.2.1". Answer as JSON {"ips": [...]}.',
  expect: {
    kind: 'json',
    schema: {
      type: 'object',
      properties: { ips: { type: 'array', items: { type: 'string' } } },
      required: ['ips'],
    },
  },
  maxTokens: 64,
  intervalMs: 300_000,
};

// ---- Vendors ----------------------------------------------------------------------------------

interface VendorCase {
  vendor: string;
  key: string;
  start(key: string): Promise<CanaryFake>;
  dep(fake: CanaryFake, key: string): Partial<DependencyConfig> & Record<string, unknown>;
  /** The vendor's refusal signals as the fake sends them → the reason they must give. */
  signals: Array<[signal: string, reason: string]>;
  /** The class of the vendor's in-stream error frame. */
  streamError: ErrorClass;
  /** The terminal event named when a stream is cut. */
  terminal: string;
  /** The path the block-ip canary must be sent to. */
  path: string;
  /** The exact body the block-ip canary must be sent as. */
  body: Record<string, unknown>;
}

const FUNCTION_TOOL = {
  type: 'function',
  function: {
    name: BLOCK_IP_TOOL.name,
    description: BLOCK_IP_TOOL.description,
    parameters: BLOCK_IP_TOOL.parameters,
  },
};
const CHAT_MESSAGES = [
  { role: 'system', content: BLOCK_IP.system },
  { role: 'user', content: BLOCK_IP.prompt },
];

const openAIBody = (tokenParam: string, seed: boolean, model: string) => ({
  model,
  messages: CHAT_MESSAGES,
  stream: true,
  stream_options: { include_usage: true },
  temperature: 0,
  ...(seed ? { seed: CANARY_SEED } : {}),
  [tokenParam]: 64,
  tools: [FUNCTION_TOOL],
});

const VENDORS: VendorCase[] = [
  {
    vendor: 'openai',
    key: 'sk-proj-canaryFAKE0123456789abcdef',
    start: (apiKey) => startOpenAICanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: `${fake.url}/v1`, model: 'gpt-4o-mini' }),
    signals: [
      ['refusal', 'refusal'],
      ['content_filter', 'content_filter'],
    ],
    streamError: 'server_error',
    terminal: '[DONE]',
    path: '/v1/chat/completions',
    body: openAIBody('max_completion_tokens', true, 'gpt-4o-mini'),
  },
  {
    vendor: 'azure-openai',
    key: 'azurekeyFAKE0123456789abcdef0123',
    start: (apiKey) => startOpenAICanaryFake({ apiKey, azure: true }),
    dep: (fake) => ({ baseUrl: fake.url, model: 'soc-gpt4o' }),
    signals: [
      ['refusal', 'refusal'],
      ['content_filter', 'content_filter'],
      ['http-400', 'content_filter'],
    ],
    streamError: 'server_error',
    terminal: '[DONE]',
    path: '/openai/v1/chat/completions',
    body: openAIBody('max_completion_tokens', true, 'soc-gpt4o'),
  },
  {
    vendor: 'openai-compatible',
    key: 'gsk_canaryFAKE0123456789abcdef',
    start: (apiKey) => startOpenAICanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: `${fake.url}/openai/v1`, model: 'llama-3.1-8b-instant' }),
    signals: [
      ['refusal', 'refusal'],
      ['content_filter', 'content_filter'],
    ],
    streamError: 'server_error',
    terminal: '[DONE]',
    path: '/openai/v1/chat/completions',
    body: openAIBody('max_tokens', false, 'llama-3.1-8b-instant'),
  },
  {
    vendor: 'anthropic',
    key: 'sk-ant-api03-canaryFAKE0123456789abcdef',
    start: (apiKey) => startAnthropicCanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: fake.url, model: 'claude-3-5-haiku-20241022' }),
    signals: [['refusal', 'stop_reason=refusal']],
    streamError: 'overloaded',
    terminal: 'message_stop',
    path: '/v1/messages',
    body: {
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 64,
      system: BLOCK_IP.system,
      messages: [{ role: 'user', content: BLOCK_IP.prompt }],
      temperature: 0,
      stream: true,
      tools: [
        {
          name: BLOCK_IP_TOOL.name,
          description: BLOCK_IP_TOOL.description,
          input_schema: BLOCK_IP_TOOL.parameters,
        },
      ],
    },
  },
  {
    vendor: 'gemini',
    key: 'AIzaSyCanaryFAKE0123456789abcdefghij',
    start: (apiKey) => startGeminiCanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: fake.url, model: 'gemini-2.0-flash' }),
    signals: [
      ['SAFETY', 'finish=SAFETY'],
      ['PROHIBITED_CONTENT', 'finish=PROHIBITED_CONTENT'],
      ['BLOCKLIST', 'finish=BLOCKLIST'],
      ['SPII', 'finish=SPII'],
      ['RECITATION', 'finish=RECITATION'],
      ['block:SAFETY', 'block=SAFETY'],
      ['block:PROHIBITED_CONTENT', 'block=PROHIBITED_CONTENT'],
    ],
    streamError: 'overloaded',
    terminal: 'a finishReason',
    path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    body: {
      contents: [{ role: 'user', parts: [{ text: BLOCK_IP.prompt }] }],
      systemInstruction: { parts: [{ text: BLOCK_IP.system }] },
      generationConfig: { temperature: 0, seed: CANARY_SEED, maxOutputTokens: 64 },
      tools: [
        {
          functionDeclarations: [
            {
              name: BLOCK_IP_TOOL.name,
              description: BLOCK_IP_TOOL.description,
              parametersJsonSchema: BLOCK_IP_TOOL.parameters,
            },
          ],
        },
      ],
    },
  },
  {
    vendor: 'bedrock',
    key: 'ABSKQmVkcm9ja0FQSUtleS1jYW5hcnlGQUtFMDEyMzQ1',
    start: (apiKey) =>
      startBedrockCanaryFake({
        apiKey,
        region: 'us-east-1',
        accessKeyId: 'AKIDCANARYFAKE0001',
        secretAccessKey: 'canarySecretFAKE0123456789abcdef',
      }),
    dep: (fake) => ({
      baseUrl: fake.url,
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      options: { region: 'us-east-1' },
    }),
    signals: [
      ['guardrail_intervened', 'guardrail_intervened'],
      ['content_filtered', 'content_filtered'],
    ],
    streamError: 'rate_limited',
    terminal: 'messageStop',
    path: '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream',
    body: {
      messages: [{ role: 'user', content: [{ text: BLOCK_IP.prompt }] }],
      system: [{ text: BLOCK_IP.system }],
      inferenceConfig: { maxTokens: 64, temperature: 0 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: BLOCK_IP_TOOL.name,
              description: BLOCK_IP_TOOL.description,
              inputSchema: { json: BLOCK_IP_TOOL.parameters },
            },
          },
        ],
      },
    },
  },
  {
    vendor: 'cohere',
    key: 'cohereFAKEcanary0123456789abcdefghij',
    start: (apiKey) => startCohereCanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: fake.url, model: 'command-r-08-2024' }),
    signals: [],
    streamError: 'server_error',
    terminal: 'message-end',
    path: '/v2/chat',
    body: {
      model: 'command-r-08-2024',
      messages: CHAT_MESSAGES,
      stream: true,
      temperature: 0,
      seed: CANARY_SEED,
      max_tokens: 64,
      tools: [FUNCTION_TOOL],
    },
  },
  {
    vendor: 'ollama',
    key: 'ollamaFAKEcanary0123456789abcdef',
    start: (apiKey) => startOllamaCanaryFake({ apiKey }),
    dep: (fake) => ({ baseUrl: fake.url, model: 'llama3.2' }),
    signals: [],
    streamError: 'server_error',
    terminal: '"done": true',
    path: '/api/chat',
    body: {
      model: 'llama3.2',
      messages: CHAT_MESSAGES,
      stream: true,
      tools: [FUNCTION_TOOL],
      options: { temperature: 0, seed: CANARY_SEED, num_predict: 64 },
    },
  },
];

// ---- Outcomes every vendor must give -----------------------------------------------------------

interface OutcomeCase {
  name: string;
  canary: CanarySpec;
  script: CanaryScript;
  outcome: CanaryRun['outcome'];
  reason?: string;
  excerpt?: string | RegExp;
  /** The fake echoed the key into the answer: the excerpt must show it redacted. */
  echoesKey?: boolean;
  send?: SendOptions;
}

const text = (...fragments: string[]): CanaryScript => ({ kind: 'text', fragments });
const tool = (name: string, ...fragments: string[]): CanaryScript => ({
  kind: 'tool',
  name,
  fragments,
});
const BLOCK_192 = ['{"i', 'p": "192.0', '.2.1"}'];

const OUTCOMES: OutcomeCase[] = [
  {
    name: 'pass: the verdict in text fragments',
    canary: VERDICT,
    script: text('PHISH', 'ING'),
    outcome: 'pass',
    excerpt: 'PHISHING',
  },
  {
    name: 'pass: the tool call, its arguments streamed in fragments',
    canary: BLOCK_IP,
    script: tool('block_ip', ...BLOCK_192),
    outcome: 'pass',
    // Gemini and Ollama send whole argument objects: their JSON text is re-serialised.
    excerpt: /^block_ip\(\{"ip": ?"192\.0\.2\.1"\}\)$/,
  },
  {
    name: 'pass: the verdict, the stream cut every 3 bytes',
    canary: VERDICT,
    script: text('PHI', 'SHING'),
    outcome: 'pass',
    send: { chunkBytes: 3 },
  },
  {
    name: 'pass: the tool call, the stream cut every 7 bytes (mid-frame)',
    canary: BLOCK_IP,
    script: tool('block_ip', ...BLOCK_192),
    outcome: 'pass',
    send: { chunkBytes: 7 },
  },
  {
    name: 'wrong_answer: other text (the key echoed in it)',
    canary: VERDICT,
    script: text('BENIGN, checked with key ', '$KEY'),
    outcome: 'wrong_answer',
    reason: 'text',
    echoesKey: true,
  },
  {
    name: 'wrong_answer: the wrong tool',
    canary: BLOCK_IP,
    script: tool('lookup_hash', '{"sha256": ', '"e3b0c44298fc1c14"}'),
    outcome: 'wrong_answer',
    reason: 'wrong tool: lookup_hash',
  },
  {
    name: 'wrong_answer: the wrong arguments',
    canary: BLOCK_IP,
    script: tool('block_ip', '{"ip": "198.51', '.100.7"}'),
    outcome: 'wrong_answer',
    reason: 'wrong arguments',
  },
  {
    name: 'wrong_answer: text where a tool call was expected',
    canary: BLOCK_IP,
    script: text('You should block 192.0.2.1 at the firewall.'),
    outcome: 'wrong_answer',
    reason: 'no tool call',
  },
  {
    name: 'wrong_answer: JSON that does not parse',
    canary: IOC_JSON,
    script: text('{"ips": ["192.0', '.2.1"'),
    outcome: 'wrong_answer',
    reason: 'json: not JSON',
  },
  {
    name: 'wrong_answer: JSON that does not validate',
    canary: IOC_JSON,
    script: text('{"ips": ', '"192.0.2.1"}'),
    outcome: 'wrong_answer',
    reason: 'json: /ips must be array',
  },
  {
    name: 'refused: a plain-text refusal (the key echoed in it)',
    canary: VERDICT,
    script: text("I'm sorry, but I can't help with ", 'that. Ref $KEY'),
    outcome: 'refused',
    reason: 'text',
    echoesKey: true,
  },
];

// ---- Running ------------------------------------------------------------------------------

let http: HttpClient;
beforeAll(() => {
  http = createNodeHttpClient();
});
afterAll(() => http.close());

function adapterOf(vendor: string): CanaryAdapter {
  const adapter = VENDOR_MODULES.find((m) => m.id === vendor)?.canary;
  if (adapter === undefined) throw new Error(`vendor ${vendor} has no canary adapter`);
  return adapter;
}

function run(
  v: VendorCase,
  fake: CanaryFake,
  canary: CanarySpec,
  o: { timeoutMs?: number; dep?: Partial<DependencyConfig> & Record<string, unknown> } = {},
): Promise<CanaryRun> {
  const dep = testDependency({
    id: `${v.vendor}-dep`,
    vendor: v.vendor as DependencyConfig['vendor'],
    apiKey: v.key,
    ...v.dep(fake, v.key),
    ...o.dep,
  });
  return runCanary({
    adapter: adapterOf(v.vendor),
    dep,
    canary,
    ctx: {
      http,
      signal: AbortSignal.timeout(o.timeoutMs ?? 3000),
      now: () => performance.now(),
    },
    scrub: createScrubber([v.key]),
    judge: createJudge(),
    clock: () => 1_733_300_000_000,
  });
}

function expectNoSecret(r: CanaryRun, key: string): void {
  const all = JSON.stringify(r);
  expect(all).not.toContain(key);
  expect(all).not.toContain(key.slice(-8));
}

describe.each(VENDORS)('$vendor canaries', (v) => {
  let fake: CanaryFake;
  beforeAll(async () => {
    fake = await v.start(v.key);
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.clearFaults();
    fake.requests.length = 0;
  });

  it('every LLM vendor module has a canary adapter', () => {
    expect(typeof adapterOf(v.vendor).read).toBe('function');
  });

  it('sends the canary in the vendor’s own format: system, temperature 0, seed, budget, tools', async () => {
    fake.answer(tool('block_ip', ...BLOCK_192));
    const r = await run(v, fake, BLOCK_IP);
    expect(r.outcome, r.message).toBe('pass');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.path).toBe(v.path);
    expect(fake.lastBody()).toEqual(v.body);
  });

  it('sends no tools and no system field when the canary has none', async () => {
    fake.answer(text('{"ips": ["192.0.2.1"]}'));
    const r = await run(v, fake, IOC_JSON);
    expect(r.outcome, r.message).toBe('pass');
    const body = JSON.stringify(fake.lastBody());
    expect(body).not.toMatch(/"tools"|"toolConfig"|"system"|systemInstruction/);
    expect(body).toContain(JSON.stringify(IOC_JSON.prompt));
  });

  it.each(OUTCOMES)('$name', async (c) => {
    fake.answer(c.script, c.send);
    const r = await run(v, fake, c.canary);
    expect({ outcome: r.outcome, reason: r.reason, message: r.message }).toEqual({
      outcome: c.outcome,
      reason: c.reason,
      message: undefined,
    });
    expect(r).toMatchObject({ canary: c.canary.id, at: 1_733_300_000_000, httpStatus: 200 });
    if (c.excerpt !== undefined) expect(r.answerExcerpt).toMatch(c.excerpt);
    if (c.echoesKey) expect(r.answerExcerpt).toContain(REDACTED);
    expect(r.tokens?.output).toBeGreaterThan(0);
    expectNoSecret(r, v.key);
  });

  if (v.signals.length > 0) {
    it.each(v.signals)('refused: the vendor signal %s → reason %s', async (signal, reason) => {
      fake.answer({ kind: 'signal', signal });
      const r = await run(v, fake, VERDICT);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'refused', reason });
      expectNoSecret(r, v.key);
    });
  }

  it.each([
    ['HTTP 500', { kind: 'status', status: 500 } as CanaryScript, 'server_error', 500],
    ['HTTP 429', { kind: 'status', status: 429 } as CanaryScript, 'rate_limited', 429],
  ] as const)('transport: %s → %s', async (_name, script, outcome, status) => {
    fake.answer(script);
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({ outcome, httpStatus: status });
    expect(r.message?.length).toBeGreaterThan(0);
    expect(r.answerExcerpt).toBeUndefined();
    expectNoSecret(r, v.key);
  });

  it('transport: an in-stream error frame after the first text is classified', async () => {
    fake.answer({ kind: 'stream-error' });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({ outcome: v.streamError, httpStatus: 200 });
    expect(r.message).toMatch(/stream/);
  });

  it('transport: a stream cut before its terminal event is bad_response', async () => {
    fake.answer({ kind: 'cut' });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({
      outcome: 'bad_response',
      message: `stream ended without ${v.terminal}`,
    });
  });

  it.each([
    ['before headers', 'before-headers', /response headers/],
    ['after headers', 'after-headers', /first token/],
  ] as const)('transport: a vendor that hangs %s → timeout', async (_n, hang, message) => {
    fake.answer(text('PHISHING'));
    fake.setFault('completion', { hang });
    const r = await run(v, fake, VERDICT, { timeoutMs: 250 });
    expect(r.outcome).toBe('timeout');
    expect(r.message).toMatch(message);
  });

  it('transport: a wrong key is auth, and the key is not in the message', async () => {
    fake.answer(text('PHISHING'));
    const r = await run(v, fake, VERDICT, { dep: { apiKey: `${v.key}-revoked` } });
    expect(r.outcome).toBe('auth');
    expectNoSecret(r, v.key);
  });
  it('transport: a 2xx JSON body where a stream was asked for is bad_response', async () => {
    fake.setFault('completion', { body: '{"id": "not-a-stream"}' });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({
      outcome: 'bad_response',
      message: 'expected an event stream, got application/json',
    });
  });
});

describe('bedrock canaries signed with SigV4', () => {
  it('signs ConverseStream for service bedrock; the fake re-signs and accepts it', async () => {
    const v = VENDORS.find((c) => c.vendor === 'bedrock') as VendorCase;
    const fake = await v.start(v.key);
    try {
      fake.answer(tool('block_ip', ...BLOCK_192));
      const r = await run(v, fake, BLOCK_IP, {
        dep: {
          apiKey: undefined,
          options: {
            region: 'us-east-1',
            accessKeyId: 'AKIDCANARYFAKE0001',
            secretAccessKey: 'canarySecretFAKE0123456789abcdef',
          },
        },
      });
      expect(r.outcome, r.message).toBe('pass');
      expect(fake.requests[0]?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDCANARYFAKE0001\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
      );
      const bad = await run(v, fake, BLOCK_IP, {
        dep: {
          apiKey: undefined,
          options: {
            region: 'us-east-1',
            accessKeyId: 'AKIDCANARYFAKE0001',
            secretAccessKey: 'wrong',
          },
        },
      });
      expect(bad.outcome).toBe('auth');
    } finally {
      await fake.stop();
    }
  });
});

// A verbatim SSE body through the fake: shapes the scripts above do not cover.
const sse = (events: Array<[event: string | undefined, data: unknown]>): string =>
  events
    .map(
      ([event, data]) =>
        `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');
const SSE = { 'content-type': 'text/event-stream' };

describe('stream shapes beyond the scripts', () => {
  const byVendor = (id: string) => VENDORS.find((c) => c.vendor === id) as VendorCase;
  let fakes: CanaryFake[] = [];
  const started = async (id: string) => {
    const v = byVendor(id);
    const fake = await v.start(v.key);
    fakes.push(fake);
    return { v, fake };
  };
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
    fakes = [];
  });

  it('openai: parallel tool calls with interleaved fragments are assembled by index', async () => {
    const { v, fake } = await started('openai');
    const delta = (d: unknown, finish: string | null = null) =>
      [
        undefined,
        {
          id: 'c',
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: d, finish_reason: finish }],
        },
      ] as [undefined, unknown];
    const call = (index: number, f: Record<string, unknown>, id?: string) =>
      delta({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: f }] });
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        call(0, { name: 'lookup_hash', arguments: '' }, 'call_a'),
        call(1, { name: 'block_ip', arguments: '' }, 'call_b'),
        call(0, { arguments: '{"sha256": "e3' }),
        call(1, { arguments: '{"ip": "192.0' }),
        call(0, { arguments: 'b0"}' }),
        call(1, { arguments: '.2.1"}' }),
        delta({}, 'tool_calls'),
        [undefined, '[DONE]'],
      ]),
    });
    const r = await run(v, fake, BLOCK_IP);
    expect(r.outcome, r.reason).toBe('pass');
    expect(r.answerExcerpt).toBe('lookup_hash({"sha256": "e3b0"}) block_ip({"ip": "192.0.2.1"})');
  });

  it('openai: a stream past the 4 MiB bound is bad_response, not read on', async () => {
    const { v, fake } = await started('openai');
    const chunk = sse([
      [undefined, { choices: [{ index: 0, delta: { content: 'A'.repeat(8000) } }] }],
    ]);
    fake.setFault('completion', { headers: SSE, body: chunk.repeat(600) });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({ outcome: 'bad_response' });
    expect(r.message).toMatch(/larger than 4194304 bytes/);
  });

  it('anthropic: a tool_use block whose input came whole (no input_json_delta) still counts', async () => {
    const { v, fake } = await started('anthropic');
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        [
          'message_start',
          { type: 'message_start', message: { usage: { input_tokens: 9, output_tokens: 1 } } },
        ],
        [
          'content_block_start',
          {
            type: 'content_block_start',
            index: 1,
            content_block: {
              type: 'tool_use',
              id: 'toolu_x',
              name: 'block_ip',
              input: { ip: '192.0.2.1' },
            },
          },
        ],
        ['content_block_stop', { type: 'content_block_stop', index: 1 }],
        [
          'message_delta',
          {
            type: 'message_delta',
            delta: { stop_reason: 'tool_use' },
            usage: { output_tokens: 7 },
          },
        ],
        ['message_stop', { type: 'message_stop' }],
      ]),
    });
    const r = await run(v, fake, BLOCK_IP);
    expect(r).toMatchObject({ outcome: 'pass', tokens: { input: 9, output: 7 } });
  });

  it('gemini: thought parts are not the answer', async () => {
    const { v, fake } = await started('gemini');
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        [
          undefined,
          { candidates: [{ content: { parts: [{ text: 'BENIGN? no…', thought: true }] } }] },
        ],
        [
          undefined,
          { candidates: [{ content: { parts: [{ text: 'PHISHING' }] }, finishReason: 'STOP' }] },
        ],
      ]),
    });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({ outcome: 'pass', answerExcerpt: 'PHISHING' });
  });

  it('cohere: the tool plan is not answer text, and finish_reason TIMEOUT is a timeout', async () => {
    const { v, fake } = await started('cohere');
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        ['message-start', { type: 'message-start', id: 'x' }],
        [
          'tool-plan-delta',
          { type: 'tool-plan-delta', delta: { message: { tool_plan: 'thinking' } } },
        ],
        ['message-end', { type: 'message-end', delta: { finish_reason: 'TIMEOUT' } }],
      ]),
    });
    const r = await run(v, fake, VERDICT);
    expect(r).toMatchObject({
      outcome: 'timeout',
      message: 'stream ended with finish_reason TIMEOUT',
    });
  });
});

describe('azure-openai dated api-versions', () => {
  it.each([
    ['2023-05-15', 'max_tokens', false],
    ['2024-06-01', 'max_tokens', true],
    ['2024-10-21', 'max_completion_tokens', true],
  ] as const)('api-version %s: budget in %s, seed sent: %s', async (apiVersion, param, seed) => {
    const v = VENDORS.find((c) => c.vendor === 'azure-openai') as VendorCase;
    const fake = await v.start(v.key);
    try {
      fake.answer(text('PHISHING'));
      const r = await run(v, fake, VERDICT, { dep: { options: { apiVersion } } });
      expect(r.outcome, r.message).toBe('pass');
      expect(fake.requests[0]?.path).toBe(
        `/openai/deployments/soc-gpt4o/chat/completions?api-version=${apiVersion}`,
      );
      const body = fake.lastBody() ?? {};
      expect(body[param]).toBe(VERDICT.maxTokens);
      expect(Object.keys(body).filter((k) => k.startsWith('max_'))).toEqual([param]);
      expect(body.seed).toBe(seed ? CANARY_SEED : undefined);
    } finally {
      await fake.stop();
    }
  });
});
