import type { CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import {
  type AnswerBuilder,
  CANARY_SEED,
  chatMessages,
  functionTools,
  readCanaryStream,
} from '../probes/canary-stream.js';
import {
  type Classification,
  classifyStreamError,
  failed,
  httpFailure,
  type KeyedDependency,
  MAX_STREAM_BYTES,
  type VendorRules,
} from '../probes/classify.js';
import { EMBEDDING_TEXT } from '../probes/embeddings.js';
import {
  eventObject,
  fetchBody,
  isClassification,
  isResult,
  jsonPost,
  readBody,
  type StreamStep,
  send,
  streamedCompletion,
} from '../probes/exchange.js';
import { isRecord, num, parseJson as parse } from '../probes/json.js';
import { embeddingsCheckOf, keyedLlmProbe } from '../probes/llm-probe.js';
import { type ReasoningMapping, reasoningBody, reasoningIssues } from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import { readSse } from '../probes/sse.js';

import type { CheckResult, Probe, ProbeContext } from '../probes/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import { type CanaryAdapter, defineVendor } from './types.js';

// The API root is the host; `/v1` and `/v2` are in the routes.
function apiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v[12]$/, '');
}

// Cohere's own statuses (docs.cohere.com/reference/errors; its SDK's InvalidTokenError and
// ClientClosedRequestError): 498 blocks a request whose input or output holds a deny-listed
// token (what we sent), 499 is a request cancelled on Cohere's side, to be retried.
const COHERE_RULES: VendorRules = {
  statuses: {
    498: { errorClass: 'bad_request', hint: 'blocked: a deny-listed token in the input or output' },
    499: { errorClass: 'server_error', hint: 'request cancelled at Cohere; retry' },
  },
};

function headers(dep: DependencyConfig, accept: string): Record<string, string> {
  return dep.apiKey === undefined ? { accept } : { accept, authorization: `Bearer ${dep.apiKey}` };
}

async function modelsCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const { scrub } = k;
  const root = apiRoot(dep.baseUrl);
  const missing = dep.apiKey === undefined ? { credentialsMissing: true } : {};
  const start = ctx.now();

  // Zero tokens: Cohere says whether the key is valid before anything is listed.
  const verdict = await fetchBody(
    'models',
    { method: 'POST', url: `${root}/v1/check-api-key`, headers: headers(dep, 'application/json') },
    ctx,
    k,
    missing,
  );
  if (isResult(verdict)) return verdict;
  const body = parse(verdict.text);
  if (!isRecord(body) || typeof body.valid !== 'boolean') {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'POST /v1/check-api-key answered 2xx but the body has no "valid"',
    };
    return failed('models', ctx.now() - start, cls, verdict.facts);
  }
  if (!body.valid) {
    const cls: Classification = {
      errorClass: 'auth',
      message: 'POST /v1/check-api-key answered valid: false: the API key is not valid',
    };
    return failed('models', ctx.now() - start, cls, verdict.facts);
  }

  const sent = await send(
    'models',
    {
      method: 'GET',
      url: `${root}/v1/models?endpoint=chat&page_size=1000`,
      headers: headers(dep, 'application/json'),
    },
    ctx,
    scrub,
  );
  if (isResult(sent)) return { ...sent, latencyMs: ctx.now() - start };
  if (sent.res.status < 200 || sent.res.status > 299) {
    const r = await httpFailure('models', sent.res, sent.start, ctx, k);
    return { ...r, latencyMs: ctx.now() - start };
  }
  const list = await readBody('models', sent, ctx, scrub);
  if (isResult(list)) return { ...list, latencyMs: ctx.now() - start };
  const latencyMs = ctx.now() - start;
  const parsed = parse(list.text);
  if (!isRecord(parsed) || !Array.isArray(parsed.models)) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'GET /v1/models answered 2xx but the body is not a JSON model list',
    };
    return failed('models', latencyMs, cls, list.facts);
  }
  const names = parsed.models.flatMap((m) =>
    isRecord(m) && typeof m.name === 'string' ? [m.name] : [],
  );
  if (dep.model !== undefined && !names.includes(dep.model)) {
    const cls: Classification = {
      errorClass: 'model_unavailable',
      message: scrub(
        `model ${dep.model} is not in GET /v1/models?endpoint=chat (${names.length} models listed)`,
      ),
    };
    return failed('models', latencyMs, cls, list.facts);
  }
  return { check: 'models', ok: true, latencyMs, ...list.facts };
}

// `billed_units` is what the probe costs; `tokens` (what the model processed) is the fallback.
function usageOf(delta: unknown): { input: number; output: number } | undefined {
  if (!isRecord(delta) || !isRecord(delta.usage)) return undefined;
  for (const key of ['billed_units', 'tokens']) {
    const u = delta.usage[key];
    if (!isRecord(u)) continue;
    const input = num(u.input_tokens);
    const output = num(u.output_tokens);
    if (input !== undefined || output !== undefined)
      return { input: input ?? 0, output: output ?? 0 };
  }
  return undefined;
}

function deltaText(data: Record<string, unknown>): string | undefined {
  const delta = data.delta;
  if (!isRecord(delta) || !isRecord(delta.message)) return undefined;
  const content = delta.message.content;
  // `content.thinking` (reasoning models) is not the answer's first token.
  const text = isRecord(content) ? content.text : undefined;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

// Cohere's reasoning models are named so (command-a-reasoning-08-2025).
const COHERE_REASONING_MODEL = /reasoning/;
// Thinking budgets Bellwether sends for minimal and low (Cohere takes any positive count).
const COHERE_BUDGETS = { minimal: 128, low: 1024 } as const;

/**
 * Cohere's v2 chat `thinking` for a level (cohere-ai/cohere-typescript `Thinking`: `type`
 * enabled or disabled, `token_budget` a positive count after which the model stops thinking
 * and answers): off → disabled, minimal → 128 tokens, low → 1024. Only reasoning models
 * take it; others are rejected.
 */
export const cohereReasoning: ReasoningMapping = (model, level) => {
  if (!COHERE_REASONING_MODEL.test(model)) {
    return {
      rejected: `${model || 'this model'} is not a Cohere reasoning model (command-a-reasoning-…), which alone takes thinking; leave reasoning out`,
    };
  }
  return {
    fields: {
      thinking:
        level === 'off'
          ? { type: 'disabled' }
          : { type: 'enabled', token_budget: COHERE_BUDGETS[level] },
    },
  };
};

function completionCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  return streamedCompletion({
    ctx,
    keyed: k,
    dep,
    url: `${apiRoot(dep.baseUrl)}/v2/chat`,
    headers: headers(dep, 'text/event-stream'),
    payload: (model) => ({
      model,
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      max_tokens: dep.maxTokens,
      ...reasoningBody(dep, cohereReasoning),
    }),
    stream: {
      format: 'sse',
      step: (data, ev): StreamStep | Classification => {
        const type = typeof data.type === 'string' ? data.type : ev.event;
        if (type === 'error' || (data.error !== undefined && data.error !== null)) {
          return classifyStreamError(data, k.scrub, COHERE_RULES);
        }
        // No event names the model that answered (cohere-python ChatMessageStartEvent: `id`
        // and an empty assistant message): Cohere dependencies report no servedModel.
        if (type === 'content-delta') return { text: deltaText(data) !== undefined };
        if (type !== 'message-end') return {};
        const tokens = usageOf(data.delta);
        return { done: true, ...(tokens ? { tokens } : {}) };
      },
    },
    terminal: 'message-end',
  });
}

// `billed_units` is what the embedding costs; `tokens` (what the model read) is the fallback.
function embedTokens(meta: unknown): number | undefined {
  if (!isRecord(meta)) return undefined;
  for (const key of ['billed_units', 'tokens']) {
    const u = meta[key];
    const input = isRecord(u) ? num(u.input_tokens) : undefined;
    if (input !== undefined) return input;
  }
  return undefined;
}

/**
 * Embeds the fixed text: `POST /v2/embed` `{model: embeddingModel, texts: [text], input_type:
 * "search_query", embedding_types: ["float"]}` (cohere-ai/cohere-typescript `V2EmbedRequest`;
 * v3 and later models require `input_type`), answered as `EmbedByTypeResponse`
 * `{embeddings: {float: [[…]]}, meta: {billed_units: {input_tokens}}}`.
 */
const embeddingsCheck = embeddingsCheckOf((dep) => ({
  request: (model) =>
    jsonPost(`${apiRoot(dep.baseUrl)}/v2/embed`, headers(dep, 'application/json'), {
      model,
      texts: [EMBEDDING_TEXT],
      input_type: 'search_query',
      embedding_types: ['float'],
    }),
  read: (body) => {
    const floats = isRecord(body.embeddings) ? body.embeddings.float : undefined;
    return {
      vector: Array.isArray(floats) ? floats[0] : undefined,
      inputTokens: embedTokens(body.meta),
    };
  },
}));

/**
 * Probe for Cohere (`Authorization: Bearer`). `models`: `POST /v1/check-api-key` must say
 * `valid: true` (false → auth), then `GET /v1/models?endpoint=chat` must list the model.
 * `completion`: one streamed `POST /v2/chat` with `max_tokens` = the token budget; TTFT is
 * the first `content-delta` with text, tokens come from `message-end`'s `billed_units`
 * (else `tokens`), and the stream must reach `message-end`.
 */
export function createCohereProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return keyedLlmProbe(
    'cohere',
    { dep, scrub, keyRequired: true, rules: COHERE_RULES },
    modelsCheck,
    completionCheck,
    embeddingsCheck,
  );
}

/** Cohere: Bearer key, `/v1/models` and `/v2/chat` streamed. */
export const cohere = defineVendor({
  id: 'cohere',
  displayName: 'Cohere',
  genAiProvider: 'cohere',
  defaultBaseUrl: 'https://api.cohere.com',
  embeddingExample: 'embed-v4.0',
  checkConfig: (dep) => reasoningIssues(dep, cohereReasoning),
  createProbe: createCohereProbe,
  canary: { request: cohereCanaryRequest, read: readCohereCanary },
});

// ---- Security canaries ---------------------------------------------------------------------

/**
 * One streamed `POST /v2/chat` (cohere-ai/cohere-typescript
 * src/api/resources/v2/client/requests/V2ChatStreamRequest.ts and its serializer):
 * `system` as a system message, `temperature` 0, `seed`, `max_tokens`, tools as
 * `tools: [{type: "function", function: {name, description, parameters}}]` (`ToolV2`).
 */
function cohereCanaryRequest(dep: DependencyConfig, canary: CanarySpec) {
  const tools = functionTools(canary);
  const payload = {
    model: dep.model,
    messages: chatMessages(canary),
    stream: true,
    temperature: 0,
    seed: CANARY_SEED,
    max_tokens: canary.maxTokens,
    ...reasoningBody(dep, cohereReasoning),
    ...(tools === undefined ? {} : { tools }),
  };
  return jsonPost(`${apiRoot(dep.baseUrl)}/v2/chat`, headers(dep, 'text/event-stream'), payload);
}

/**
 * One v2 chat stream event into the answer (same SDK, src/api/types/Chat*Event*.ts):
 * `content-delta` text; `tool-call-start` (`delta.message.tool_calls {id, function {name,
 * arguments}}`) opens the call at `index`, `tool-call-delta`
 * (`delta.message.tool_calls.function.arguments`) appends its argument fragments;
 * `message-end` ends it with `delta.finish_reason` and `delta.usage`. `ChatFinishReason`
 * has no safety value (COMPLETE, STOP_SEQUENCE, MAX_TOKENS, TOOL_CALL, ERROR, TIMEOUT):
 * refusals show only in the text, for the judge's detector. ERROR and TIMEOUT are the
 * vendor failing, not an answer.
 */
function readCohereEvent(
  type: string | undefined,
  data: Record<string, unknown>,
  answer: AnswerBuilder,
  scrub: Scrubber,
): Classification | undefined {
  const index = typeof data.index === 'number' ? data.index : 0;
  const message =
    isRecord(data.delta) && isRecord(data.delta.message) ? data.delta.message : undefined;
  if (type === 'content-delta') {
    const text = deltaText(data);
    if (text !== undefined) answer.addText(text);
  } else if (type === 'tool-call-start' || type === 'tool-call-delta') {
    const call = message !== undefined && isRecord(message.tool_calls) ? message.tool_calls : {};
    const fn = isRecord(call.function) ? call.function : {};
    if (type === 'tool-call-start') {
      answer.startToolCall(index, typeof fn.name === 'string' ? fn.name : undefined);
    }
    if (typeof fn.arguments === 'string') answer.addToolArguments(index, fn.arguments);
  } else if (type === 'message-end') {
    answer.done = true;
    answer.tokens = usageOf(data.delta) ?? answer.tokens;
    const delta = isRecord(data.delta) ? data.delta : {};
    if (delta.finish_reason === 'ERROR' || delta.finish_reason === 'TIMEOUT') {
      const detail = typeof delta.error === 'string' ? `: ${delta.error.slice(0, 300)}` : '';
      return {
        errorClass: delta.finish_reason === 'ERROR' ? 'server_error' : 'timeout',
        message: scrub(`stream ended with finish_reason ${delta.finish_reason}${detail}`),
      };
    }
  }
  return undefined;
}

function readCohereCanary(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
): ReturnType<CanaryAdapter['read']> {
  return readCanaryStream(res, ctx, scrub, 'message-end', async (answer) => {
    for await (const ev of readSse(res.body, { maxBytes: MAX_STREAM_BYTES })) {
      if (answer.done) continue;
      const data = eventObject(ev.data);
      if (isClassification(data)) return data;
      const type = typeof data.type === 'string' ? data.type : ev.event;
      if (type === 'error' || (data.error !== undefined && data.error !== null)) {
        return classifyStreamError(data, scrub);
      }
      const failure = readCohereEvent(type, data, answer, scrub);
      if (failure) return failure;
    }
    return undefined;
  });
}
