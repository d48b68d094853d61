import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJudge } from '../../src/canary/judge.js';
import { runCanary } from '../../src/canary/run.js';
import type { CanaryRun, CanarySpec } from '../../src/canary/types.js';
import type { DependencyConfig } from '../../src/config/types.js';
import { createScrubber, REDACTED } from '../../src/probes/scrub.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { VENDOR_MODULES } from '../../src/vendors/registry.js';
import type { CanaryAdapter } from '../../src/vendors/types.js';
import { startOpenAIResponsesCanaryFake } from '../support/canary-fakes/openai-responses.js';
import type { CanaryFake, CanaryScript, SendOptions } from '../support/canary-fakes/scaffold.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';

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

const NO_SYSTEM: CanarySpec = {
  id: 'ioc-extract',
  prompt: 'Extract the IPs from: "beacon to 192.0.2.1". Answer as JSON {"ips": [...]}.',
  expect: { kind: 'json', schema: { type: 'object', required: ['ips'] } },
  maxTokens: 64,
  intervalMs: 300_000,
};

interface VendorCase {
  vendor: 'openai' | 'azure-openai';
  key: string;
  azure: boolean;
  dep(fake: CanaryFake): DependencyOverrides;
  path: string;
  model: string;
}

const VENDORS: VendorCase[] = [
  {
    vendor: 'openai',
    key: 'sk-proj-respCanaryFAKE0123456789abcdef',
    azure: false,
    dep: (fake) => ({ baseUrl: `${fake.url}/v1`, model: 'gpt-4o-mini' }),
    path: '/v1/responses',
    model: 'gpt-4o-mini',
  },
  {
    vendor: 'azure-openai',
    key: 'azurekeyRespFAKE0123456789abcdef0123',
    azure: true,
    dep: (fake) => ({ baseUrl: fake.url, model: 'soc-gpt4o' }),
    path: '/openai/v1/responses',
    model: 'soc-gpt4o',
  },
];

const text = (...fragments: string[]): CanaryScript => ({ kind: 'text', fragments });
const tool = (name: string, ...fragments: string[]): CanaryScript => ({
  kind: 'tool',
  name,
  fragments,
});
const BLOCK_192 = ['{"i', 'p": "192.0', '.2.1"}'];

interface OutcomeCase {
  name: string;
  canary: CanarySpec;
  script: CanaryScript;
  outcome: CanaryRun['outcome'];
  reason?: string;
  excerpt?: string;
  echoesKey?: boolean;
  send?: SendOptions;
}

const OUTCOMES: OutcomeCase[] = [
  {
    name: 'pass: the verdict in output_text deltas',
    canary: VERDICT,
    script: text('PHISH', 'ING'),
    outcome: 'pass',
    excerpt: 'PHISHING',
  },
  {
    name: 'pass: a function_call item, its arguments in function_call_arguments deltas',
    canary: BLOCK_IP,
    script: tool('block_ip', ...BLOCK_192),
    outcome: 'pass',
    excerpt: 'block_ip({"ip": "192.0.2.1"})',
  },
  {
    name: 'pass: the tool call, the stream cut every 7 bytes',
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
    script: tool('lookup_hash', '{"sha256": ', '"e3b0"}'),
    outcome: 'wrong_answer',
    reason: 'wrong tool: lookup_hash',
  },
  {
    name: 'wrong_answer: text where a tool call was expected',
    canary: BLOCK_IP,
    script: text('You should block 192.0.2.1 at the firewall.'),
    outcome: 'wrong_answer',
    reason: 'no tool call',
  },
  {
    name: 'refused: a refusal content part (response.refusal.delta)',
    canary: VERDICT,
    script: { kind: 'signal', signal: 'refusal' },
    outcome: 'refused',
    reason: 'refusal',
    excerpt: "I'm sorry, I cannot assist with that request.",
  },
  {
    name: 'refused: response.incomplete for content_filter',
    canary: VERDICT,
    script: { kind: 'signal', signal: 'content_filter' },
    outcome: 'refused',
    reason: 'content_filter',
  },
];

// A verbatim SSE body: shapes the scripts do not cover.
const SSE = { 'content-type': 'text/event-stream' };
const sse = (events: Array<Record<string, unknown>>): string =>
  events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
const COMPLETED = {
  type: 'response.completed',
  response: { status: 'completed', usage: { input_tokens: 9, output_tokens: 7 } },
};

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

describe.each(VENDORS)('$vendor canaries with api: responses', (v) => {
  let fake: CanaryFake;
  beforeAll(async () => {
    fake = await startOpenAIResponsesCanaryFake({ apiKey: v.key, azure: v.azure });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.clearFaults();
    fake.requests.length = 0;
  });

  const dep = (over: DependencyOverrides = {}): DependencyConfig =>
    testDependency({
      id: `${v.vendor}-dep`,
      vendor: v.vendor,
      apiKey: v.key,
      api: 'responses',
      ...v.dep(fake),
      ...over,
    });

  const run = (canary: CanarySpec, d = dep(), timeoutMs = 3000): Promise<CanaryRun> =>
    runCanary({
      adapter: adapterOf(v.vendor),
      dep: d,
      canary,
      ctx: { http, signal: AbortSignal.timeout(timeoutMs), now: () => performance.now() },
      scrub: createScrubber([v.key]),
      judge: createJudge(),
      clock: () => 1_733_300_000_000,
    });

  it('sends the canary as a Responses request: instructions, input, store false, budget, function tools', async () => {
    fake.answer(tool('block_ip', ...BLOCK_192));
    const r = await run(BLOCK_IP);
    expect(r.outcome, r.message).toBe('pass');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.path).toBe(v.path);
    expect(fake.lastBody()).toEqual({
      model: v.model,
      instructions: BLOCK_IP.system,
      input: [{ role: 'user', content: BLOCK_IP.prompt }],
      stream: true,
      store: false,
      temperature: 0,
      max_output_tokens: 64,
      tools: [
        {
          type: 'function',
          name: 'block_ip',
          description: BLOCK_IP_TOOL.description,
          parameters: BLOCK_IP_TOOL.parameters,
          strict: false,
        },
      ],
    });
  });

  it('raises a budget under 16 to max_output_tokens 16 and sends no instructions or tools when the canary has none', async () => {
    fake.answer(text('{"ips": ["192.0.2.1"]}'));
    const r = await run({ ...NO_SYSTEM, maxTokens: 8 });
    expect(r.outcome, r.message).toBe('pass');
    const body = fake.lastBody() ?? {};
    expect(body.max_output_tokens).toBe(16);
    expect(Object.keys(body).sort()).toEqual(
      ['input', 'max_output_tokens', 'model', 'store', 'stream', 'temperature'].sort(),
    );
  });

  it('sends reasoning.effort for a reasoning level, and no temperature (reasoning models reject it)', async () => {
    fake.answer(text('PHISHING'));
    const r = await run(VERDICT, dep({ reasoning: 'low' }));
    expect(r.outcome, r.message).toBe('pass');
    const body = fake.lastBody() ?? {};
    expect(body.reasoning).toEqual({ effort: 'low' });
    expect(body).not.toHaveProperty('temperature');
  });

  it.each(OUTCOMES)('$name', async (c) => {
    fake.answer(c.script, c.send);
    const r = await run(c.canary);
    expect({ outcome: r.outcome, reason: r.reason, message: r.message }).toEqual({
      outcome: c.outcome,
      reason: c.reason,
      message: undefined,
    });
    expect(r).toMatchObject({ canary: c.canary.id, httpStatus: 200 });
    if (c.excerpt !== undefined) expect(r.answerExcerpt).toBe(c.excerpt);
    if (c.echoesKey) expect(r.answerExcerpt).toContain(REDACTED);
    expect(r.tokens).toEqual({ input: 31, output: 4 });
    expect(JSON.stringify(r)).not.toContain(v.key);
  });

  if (v.azure) {
    it('refused: the 400 content_filter answer to a filtered prompt', async () => {
      fake.answer({ kind: 'signal', signal: 'http-400' });
      const r = await run(VERDICT);
      expect(r).toMatchObject({ outcome: 'refused', reason: 'content_filter', httpStatus: 400 });
    });
  }

  it.each([
    ['HTTP 429', 429, 'rate_limited'],
    ['HTTP 500', 500, 'server_error'],
  ] as const)('transport: %s → %s', async (_name, status, outcome) => {
    fake.answer({ kind: 'status', status });
    const r = await run(VERDICT);
    expect(r).toMatchObject({ outcome, httpStatus: status });
    expect(r.message).toMatch(new RegExp(`^HTTP ${status}`));
  });

  it('transport: response.failed after the first text is classified by its error code', async () => {
    fake.answer({ kind: 'stream-error' });
    const r = await run(VERDICT);
    expect(r).toMatchObject({
      outcome: 'server_error',
      httpStatus: 200,
      message:
        'stream error after HTTP 200: server_error: The model failed to generate a response.',
    });
  });

  it('transport: an error event is classified by its code', async () => {
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        { type: 'response.created', response: { status: 'in_progress' } },
        {
          type: 'error',
          code: 'rate_limit_exceeded',
          message: 'Rate limit reached.',
          param: null,
        },
      ]),
    });
    const r = await run(VERDICT);
    expect(r).toMatchObject({
      outcome: 'rate_limited',
      message: 'stream error after HTTP 200: rate_limit_exceeded: Rate limit reached.',
    });
  });

  it('transport: a stream cut before response.completed is bad_response', async () => {
    fake.answer({ kind: 'cut' });
    const r = await run(VERDICT);
    expect(r).toMatchObject({
      outcome: 'bad_response',
      message: 'stream ended without response.completed',
    });
  });

  it('transport: a wrong key is auth, and the key is not in the message', async () => {
    fake.answer(text('PHISHING'));
    const r = await run(VERDICT, dep({ apiKey: `${v.key}-revoked` }));
    expect(r.outcome).toBe('auth');
    expect(JSON.stringify(r)).not.toContain(v.key);
  });

  it('a function call whose arguments come only in function_call_arguments.done still counts', async () => {
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: {
            type: 'function_call',
            id: 'fc_1',
            call_id: 'call_1',
            name: 'block_ip',
            arguments: '',
          },
        },
        {
          type: 'response.function_call_arguments.done',
          output_index: 0,
          item_id: 'fc_1',
          name: 'block_ip',
          arguments: '{"ip": "192.0.2.1"}',
        },
        COMPLETED,
      ]),
    });
    const r = await run(BLOCK_IP);
    expect(r).toMatchObject({ outcome: 'pass', tokens: { input: 9, output: 7 } });
  });

  it('a refusal sent only as response.refusal.done is still the refusal', async () => {
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        {
          type: 'response.refusal.done',
          output_index: 0,
          content_index: 0,
          item_id: 'msg_1',
          refusal: 'I cannot help with that.',
        },
        COMPLETED,
      ]),
    });
    const r = await run(VERDICT);
    expect(r).toMatchObject({
      outcome: 'refused',
      reason: 'refusal',
      answerExcerpt: 'I cannot help with that.',
    });
  });

  it('text cut short by response.incomplete for max_output_tokens is judged as it stands', async () => {
    fake.setFault('completion', {
      headers: SSE,
      body: sse([
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'PHI' },
        {
          type: 'response.incomplete',
          response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
        },
      ]),
    });
    const r = await run(VERDICT);
    expect(r).toMatchObject({ outcome: 'wrong_answer', reason: 'text', answerExcerpt: 'PHI' });
  });
});

describe('api: chat (the default) keeps the chat-completions canary', () => {
  it.each(VENDORS)('$vendor without api: sends nothing to /responses', async (v) => {
    const adapter = adapterOf(v.vendor);
    const request = await adapter.request(
      testDependency({
        vendor: v.vendor,
        apiKey: v.key,
        baseUrl: 'https://res.example',
        model: v.model,
      }),
      VERDICT,
    );
    expect(request.url).toMatch(/\/chat\/completions$/);
  });
});
