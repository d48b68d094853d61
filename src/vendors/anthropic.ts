import type { CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import { type AnswerBuilder, readCanaryStream } from '../probes/canary-stream.js';
import {
  type Classification,
  classifyHttp,
  classifyStreamError,
  classifyThrown,
  failed,
  httpFailure,
  type KeyedDependency,
  MAX_JSON_BODY_BYTES,
  MAX_STREAM_BYTES,
  readErrorBody,
  responseFacts,
  servedModelOf,
  unsupportedCheck,
  type VendorRules,
} from '../probes/classify.js';
import {
  eventObject,
  isClassification,
  jsonPost,
  type StreamStep,
  streamedCompletion,
} from '../probes/exchange.js';
import { isRecord, num } from '../probes/json.js';
import { LLM_CHECKS as SUPPORTED } from '../probes/llm-probe.js';
import { parseModelIds } from '../probes/openai-protocol.js';
import {
  claudeThinking,
  type ReasoningPlan,
  reasoningFields,
  reasoningPlan,
  reservedTokens,
  temperatureAllowed,
} from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import { readSse } from '../probes/sse.js';

import type { CheckName, CheckResult, Probe, ProbeContext } from '../probes/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import { type CanaryAdapter, defineVendor } from './types.js';

const ANTHROPIC_VERSION = '2023-06-01';

// Anthropic says "out of money" with an ordinary 400 invalid_request_error ("Your credit
// balance is too low to access the Anthropic API…", "You have reached your specified API
// usage limits. You will regain access on …") or a 429 for an enforced spend limit: billing,
// which will not pass by itself, not a bad request or a transient limit.
const BILLING_WORDS = /credit balance is too low|specified api usage limits|spend[ _]limit/i;

/** How Anthropic's own answers differ from the generic reading. */
export const ANTHROPIC_RULES: VendorRules = {
  refine: (status, codes, text) =>
    // 400 and 429 answers, or the same error types inside a stream (no status there).
    (status === 400 || status === 429 || (status === undefined && codes.length > 0)) &&
    BILLING_WORDS.test(text)
      ? {
          errorClass: 'rate_limited',
          reason: 'billing',
          hint: 'billing or spend limit, not transient',
        }
      : undefined,
};

// The Anthropic base URL is the SDK's (`https://api.anthropic.com`, no `/v1`); an operator
// who wrote the OpenAI habit `…/v1` still gets the right routes.
function apiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function headers(dep: DependencyConfig, accept: string): Record<string, string> {
  const h: Record<string, string> = { accept, 'anthropic-version': ANTHROPIC_VERSION };
  if (dep.apiKey !== undefined) h['x-api-key'] = dep.apiKey;
  return h;
}

async function readBody(
  res: HttpResponse,
): Promise<{ text: string; error?: undefined } | { text?: undefined; error: unknown }> {
  try {
    return { text: await res.text(MAX_JSON_BODY_BYTES) };
  } catch (error) {
    return { error };
  } finally {
    res.discard();
  }
}

async function modelsCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const { scrub } = k;
  const missing = dep.apiKey === undefined ? { credentialsMissing: true } : {};
  const root = apiRoot(dep.baseUrl);
  const start = ctx.now();
  const get = (url: string) =>
    ctx.http.request({
      method: 'GET',
      url,
      headers: headers(dep, 'application/json'),
      signal: ctx.signal,
    });

  let res: HttpResponse;
  try {
    res = await get(`${root}/v1/models?limit=1000`);
  } catch (err) {
    const cls = classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase: 'headers' });
    return failed('models', ctx.now() - start, cls, missing);
  }
  if (res.status < 200 || res.status > 299) return httpFailure('models', res, start, ctx, k);

  const list = await readBody(res);
  const listFacts = { ...responseFacts(res, Date.now(), scrub), ...missing };
  if (list.text === undefined) {
    const cls = classifyThrown(list.error, scrub, { aborted: ctx.signal.aborted, phase: 'body' });
    return failed('models', ctx.now() - start, cls, listFacts);
  }
  const ids = parseModelIds(list.text);
  if (ids === undefined) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'GET /v1/models answered 2xx but the body is not a JSON model list',
    };
    return failed('models', ctx.now() - start, cls, listFacts);
  }
  if (dep.model === undefined || ids.includes(dep.model)) {
    return { check: 'models', ok: true, latencyMs: ctx.now() - start, ...listFacts };
  }

  // Not listed by exact id: the model endpoint itself says whether the name still resolves.
  const model = dep.model;
  let one: HttpResponse;
  try {
    one = await get(`${root}/v1/models/${encodeURIComponent(model)}`);
  } catch (err) {
    const cls = classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase: 'headers' });
    return failed('models', ctx.now() - start, cls, listFacts);
  }
  if (one.status >= 200 && one.status <= 299) {
    one.discard();
    return {
      check: 'models',
      ok: true,
      latencyMs: ctx.now() - start,
      ...responseFacts(one, Date.now(), scrub),
      ...missing,
    };
  }
  const body = await readErrorBody(one);
  const facts = { ...responseFacts(one, Date.now(), scrub), ...missing };
  const latencyMs = ctx.now() - start;
  if (one.status === 404) {
    const cls: Classification = {
      errorClass: 'model_unavailable',
      message: scrub(
        `model ${model} is not in GET /v1/models (${ids.length} models listed) and GET /v1/models/${model} answered 404`,
      ),
    };
    return failed('models', latencyMs, cls, facts);
  }
  const evidence = { status: one.status, body, modelRoute: true, headers: one.headers };
  return failed('models', latencyMs, classifyHttp(evidence, scrub, ANTHROPIC_RULES), facts);
}

/** Claude's extended thinking for the dependency's level (the same on Bedrock). */
const anthropicReasoning = (dep: DependencyConfig): ReasoningPlan | undefined =>
  reasoningPlan(dep, (_model, level) => claudeThinking(level));

/**
 * The fields thinking adds to a Messages request whose answer may use `budget` tokens:
 * `thinking`, and `max_tokens` raised by the thinking budget it reserves (Anthropic counts
 * thinking inside `max_tokens` and wants the budget below it). Thinking output is billed in
 * `output_tokens`; the API reports no separate thinking count.
 */
function thinkingRequest(dep: DependencyConfig, budget: number): Record<string, unknown> {
  const plan = anthropicReasoning(dep);
  return { max_tokens: budget + reservedTokens(plan), ...reasoningFields(plan) };
}

function completionCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  // Cumulative counts: message_start has the input, message_delta the output so far.
  let input: number | undefined;
  let output: number | undefined;
  const tokens = () =>
    input === undefined && output === undefined
      ? {}
      : { tokens: { input: input ?? 0, output: output ?? 0 } };
  return streamedCompletion({
    ctx,
    keyed: k,
    dep,
    url: `${apiRoot(dep.baseUrl)}/v1/messages`,
    headers: headers(dep, 'text/event-stream'),
    payload: (model) => ({
      model,
      ...thinkingRequest(dep, dep.maxTokens),
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
    }),
    stream: {
      format: 'sse',
      step: (data, ev): StreamStep | Classification => {
        const type = ev.event ?? (typeof data.type === 'string' ? data.type : undefined);
        if (type === 'error') return classifyStreamError(data, k.scrub, ANTHROPIC_RULES);
        if (type === 'message_start') {
          const usage = isRecord(data.message) ? data.message.usage : undefined;
          if (isRecord(usage)) {
            input = num(usage.input_tokens) ?? input;
            output = num(usage.output_tokens) ?? output;
          }
          const servedModel = isRecord(data.message)
            ? servedModelOf(data.message.model)
            : undefined;
          return { ...tokens(), ...(servedModel ? { servedModel } : {}) };
        }
        if (type === 'content_block_delta') {
          const text = isRecord(data.delta) ? data.delta.text : undefined;
          // Thinking and tool-input deltas carry no `text`: not the first token a user sees.
          return { text: typeof text === 'string' && text !== '' };
        }
        if (type === 'message_delta' && isRecord(data.usage)) {
          output = num(data.usage.output_tokens) ?? output;
          input = num(data.usage.input_tokens) ?? input;
          return tokens();
        }
        return { done: type === 'message_stop' };
      },
    },
    terminal: 'message_stop',
  });
}

/**
 * Probe for the Anthropic Messages API (`x-api-key`, `anthropic-version: 2023-06-01`).
 * `models`: `GET /v1/models?limit=1000` must list the model's exact id, or
 * `GET /v1/models/{id}` must answer 200. `completion`: one streamed `POST /v1/messages`
 * with the token budget; TTFT is the first `content_block_delta` with text, and the
 * stream must end with `message_stop`.
 */
export function createAnthropicProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const k: KeyedDependency = { dep, scrub, keyRequired: true, rules: ANTHROPIC_RULES };
  return {
    vendor: 'anthropic',
    checks: dep.checks.filter((c) => SUPPORTED.includes(c)),
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'models') return modelsCheck(dep, k, ctx);
      if (check === 'completion') return completionCheck(dep, k, ctx);
      return Promise.resolve(unsupportedCheck(check, 'anthropic'));
    },
  };
}

/** Anthropic's Messages API: `x-api-key`, `anthropic-version`, streamed messages. */
export const anthropic = defineVendor({
  id: 'anthropic',
  displayName: 'Anthropic',
  genAiProvider: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  createProbe: createAnthropicProbe,
  canary: { request: anthropicCanaryRequest, read: readAnthropicCanary },
});

// ---- Security canaries ---------------------------------------------------------------------

/**
 * One streamed `POST /v1/messages` (anthropics/anthropic-sdk-typescript
 * src/resources/messages/messages.ts, `MessageCreateParams`): `system` is the top-level
 * field, `max_tokens` the budget, temperature 0 (the Messages API has no seed), tools as
 * `{name, description, input_schema}`.
 */
function anthropicCanaryRequest(dep: DependencyConfig, canary: CanarySpec) {
  const tools = canary.tools?.map((t) => ({
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    input_schema: t.parameters,
  }));
  // With thinking on, the canary keeps the default temperature (claudeThinking says why).
  const temperature = temperatureAllowed(anthropicReasoning(dep)) ? { temperature: 0 } : {};
  const payload = {
    model: dep.model,
    ...thinkingRequest(dep, canary.maxTokens),
    ...(canary.system === undefined ? {} : { system: canary.system }),
    messages: [{ role: 'user', content: canary.prompt }],
    ...temperature,
    stream: true,
    ...(tools === undefined || tools.length === 0 ? {} : { tools }),
  };
  return jsonPost(
    `${apiRoot(dep.baseUrl)}/v1/messages`,
    headers(dep, 'text/event-stream'),
    payload,
  );
}

/**
 * One Messages stream event into the answer (same SDK file: `RawMessageStreamEvent`):
 * `content_block_start` opens a block at `index`, a `tool_use` one with its `name` (and an
 * `input` that is whole only when no `input_json_delta` follows); `content_block_delta`
 * carries `text_delta.text` or `input_json_delta.partial_json`, the tool input in
 * fragments; `message_delta.delta.stop_reason` `refusal` (`StopReason`: the streaming
 * classifiers stopped the answer); usage in `message_start` and (cumulative) `message_delta`.
 */
function readAnthropicEvent(
  type: string | undefined,
  data: Record<string, unknown>,
  answer: AnswerBuilder,
  wholeInputs: Map<number, unknown>,
): void {
  const index = typeof data.index === 'number' ? data.index : 0;
  if (type === 'message_start') {
    const usage = isRecord(data.message) ? data.message.usage : undefined;
    if (isRecord(usage)) {
      answer.tokens = {
        input: num(usage.input_tokens) ?? 0,
        output: num(usage.output_tokens) ?? 0,
      };
    }
  } else if (type === 'content_block_start' && isRecord(data.content_block)) {
    const block = data.content_block;
    if (block.type === 'tool_use') {
      answer.startToolCall(index, typeof block.name === 'string' ? block.name : undefined);
      wholeInputs.set(index, block.input);
    } else if (block.type === 'text' && typeof block.text === 'string') {
      answer.addText(block.text);
    }
  } else if (type === 'content_block_delta' && isRecord(data.delta)) {
    const delta = data.delta;
    if (delta.type === 'text_delta' && typeof delta.text === 'string') answer.addText(delta.text);
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      answer.addToolArguments(index, delta.partial_json);
    }
  } else if (type === 'content_block_stop' && wholeInputs.has(index)) {
    if (!answer.hasArguments(index)) {
      const input = wholeInputs.get(index);
      answer.addToolArguments(index, input === undefined ? '{}' : JSON.stringify(input));
    }
    wholeInputs.delete(index);
  } else if (type === 'message_delta') {
    if (isRecord(data.delta) && data.delta.stop_reason === 'refusal') {
      answer.refusal = 'stop_reason=refusal';
    }
    if (isRecord(data.usage)) {
      answer.tokens = {
        input: num(data.usage.input_tokens) ?? answer.tokens?.input ?? 0,
        output: num(data.usage.output_tokens) ?? answer.tokens?.output ?? 0,
      };
    }
  }
}

function readAnthropicCanary(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
): ReturnType<CanaryAdapter['read']> {
  return readCanaryStream(res, ctx, scrub, 'message_stop', async (answer) => {
    const wholeInputs = new Map<number, unknown>();
    for await (const ev of readSse(res.body, { maxBytes: MAX_STREAM_BYTES })) {
      if (answer.done) continue;
      const data = eventObject(ev.data);
      if (isClassification(data)) return data;
      const type = ev.event ?? (typeof data.type === 'string' ? data.type : undefined);
      if (type === 'error') return classifyStreamError(data, scrub);
      if (type === 'message_stop') answer.done = true;
      else readAnthropicEvent(type, data, answer, wholeInputs);
    }
    return undefined;
  });
}
