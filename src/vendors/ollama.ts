import type { CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import {
  argumentsText,
  CANARY_SEED,
  chatMessages,
  functionTools,
  readCanaryStream,
} from '../probes/canary-stream.js';
import {
  type Classification,
  classifyStreamError,
  failed,
  type KeyedDependency,
  MAX_STREAM_BYTES,
  servedModelOf,
} from '../probes/classify.js';
import { EMBEDDING_TEXT } from '../probes/embeddings.js';
import {
  type BodyRead,
  eventObject,
  fetchBody,
  isClassification,
  isResult,
  jsonPost,
  type StreamStep,
  streamedCompletion,
} from '../probes/exchange.js';
import { isRecord, listedStrings, num } from '../probes/json.js';
import { embeddingsCheckOf, keyedLlmProbe } from '../probes/llm-probe.js';

import { readNdjson } from '../probes/ndjson.js';
import { type ReasoningMapping, reasoningBody } from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import type { CheckResult, Probe, ProbeContext } from '../probes/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import { type CanaryAdapter, defineVendor } from './types.js';

// The native API sits at the root; an operator who pasted the OpenAI-style `…/v1` still gets it.
function apiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

// Ollama needs no key; one is sent when configured (a proxy in front, or ollama.com).
function headers(dep: DependencyConfig, accept: string): Record<string, string> {
  return dep.apiKey === undefined ? { accept } : { accept, authorization: `Bearer ${dep.apiKey}` };
}

/** The names `/api/tags` lists; a name without a tag means `:latest`, as `ollama run` reads it. */
function listed(model: string, names: readonly string[]): boolean {
  const wanted = model.includes(':') ? model : `${model}:latest`;
  return names.includes(model) || names.includes(wanted);
}

function tagNames(body: string): string[] | undefined {
  return listedStrings(body, 'models', 'name', 'model');
}

function getJson(
  path: string,
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<BodyRead | CheckResult> {
  const url = `${apiRoot(dep.baseUrl)}${path}`;
  return fetchBody(
    'models',
    { method: 'GET', url, headers: headers(dep, 'application/json') },
    ctx,
    k,
  );
}

async function modelsCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const start = ctx.now();
  const version = await getJson('/api/version', dep, k, ctx);
  if (isResult(version)) return version;
  let parsed: unknown;
  try {
    parsed = JSON.parse(version.text);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed) || typeof parsed.version !== 'string') {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'GET /api/version answered 2xx but the body is not {"version": …}: is this Ollama?',
    };
    return failed('models', ctx.now() - start, cls, version.facts);
  }
  const tags = await getJson('/api/tags', dep, k, ctx);
  if (isResult(tags)) return { ...tags, latencyMs: ctx.now() - start };
  const latencyMs = ctx.now() - start;
  const names = tagNames(tags.text);
  if (names === undefined) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: 'GET /api/tags answered 2xx but the body is not a JSON model list',
    };
    return failed('models', latencyMs, cls, tags.facts);
  }
  if (dep.model !== undefined && !listed(dep.model, names)) {
    const cls: Classification = {
      errorClass: 'model_unavailable',
      message: k.scrub(
        `model ${dep.model} is not in GET /api/tags (${names.length} models pulled; ollama pull ${dep.model})`,
      ),
    };
    return failed('models', latencyMs, cls, tags.facts);
  }
  return { check: 'models', ok: true, latencyMs, ...tags.facts };
}

// gpt-oss takes thinking levels ("low" | "medium" | "high") where other models take a boolean.
const THINK_LEVELS_MODEL = /^gpt-oss/;

/**
 * Ollama's `think` for a level (ollama/ollama-js `think: boolean | "high" | "medium" |
 * "low"`): off → false; minimal and low → "low" for gpt-oss, true for other thinking models,
 * which have no smaller setting. Ollama reports no thinking count apart from `eval_count`.
 */
export const ollamaReasoning: ReasoningMapping = (model, level) => ({
  fields: { think: level === 'off' ? false : THINK_LEVELS_MODEL.test(model) ? 'low' : true },
});

function completionCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  return streamedCompletion({
    ctx,
    keyed: k,
    dep,
    url: `${apiRoot(dep.baseUrl)}/api/chat`,
    headers: headers(dep, 'application/x-ndjson'),
    payload: (model) => ({
      model,
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      ...reasoningBody(dep, ollamaReasoning),
      options: { num_predict: dep.maxTokens },
    }),
    stream: {
      format: 'ndjson',
      step: (chunk): StreamStep | Classification => {
        if (chunk.error !== undefined && chunk.error !== null) {
          return classifyStreamError(chunk, k.scrub);
        }
        // `message.thinking` (reasoning models) is not the answer's first token.
        const content = isRecord(chunk.message) ? chunk.message.content : undefined;
        const text = typeof content === 'string' && content !== '';
        // Every ChatResponse line names its `model` (ollama api/types.go).
        const servedModel = servedModelOf(chunk.model);
        const served = servedModel ? { servedModel } : {};
        if (chunk.done !== true) return { text, ...served };
        const input = num(chunk.prompt_eval_count);
        const output = num(chunk.eval_count);
        const tokens =
          input === undefined && output === undefined
            ? {}
            : { tokens: { input: input ?? 0, output: output ?? 0 } };
        return { text, done: true, ...tokens, ...served };
      },
    },
    terminal: '"done": true',
  });
}

/**
 * Embeds the fixed text: `POST /api/embed` `{model: embeddingModel, input}` (ollama/ollama
 * docs/api.md, "Generate Embeddings"), answered as `{model, embeddings: [[…]],
 * prompt_eval_count}`.
 */
const embeddingsCheck = embeddingsCheckOf((dep) => ({
  request: (model) =>
    jsonPost(`${apiRoot(dep.baseUrl)}/api/embed`, headers(dep, 'application/json'), {
      model,
      input: EMBEDDING_TEXT,
    }),
  read: (body) => ({
    vector: Array.isArray(body.embeddings) ? body.embeddings[0] : undefined,
    inputTokens: num(body.prompt_eval_count),
  }),
}));

/**
 * Probe for Ollama's native API (no key needed; one is sent as Bearer when configured).
 * `models`: `GET /api/version` proves it is Ollama, then `GET /api/tags` must list the model
 * (a name without a tag means `:latest`). `completion`: one streamed `POST /api/chat` with
 * `options.num_predict` = the token budget, read as NDJSON; TTFT is the first non-empty
 * `message.content` (thinking excluded), tokens are `prompt_eval_count`/`eval_count`, and
 * the stream must reach `"done": true`. An `{"error": …}` line mid-stream is classified.
 * The OpenAI-compatible `/v1` surface stays with vendor `openai-compatible`.
 */
export function createOllamaProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return keyedLlmProbe(
    'ollama',
    { dep, scrub, keyRequired: false },
    modelsCheck,
    completionCheck,
    embeddingsCheck,
  );
}

/** Ollama's native API: `/api/tags` and NDJSON `/api/chat`; no key needed. */
export const ollama = defineVendor({
  id: 'ollama',
  displayName: 'Ollama',
  genAiProvider: 'ollama',
  defaultBaseUrl: 'http://localhost:11434',
  keyless: true,
  embeddingExample: 'nomic-embed-text',
  createProbe: createOllamaProbe,
  canary: { request: ollamaCanaryRequest, read: readOllamaCanary },
});

// ---- Security canaries ---------------------------------------------------------------------

/**
 * One streamed native `POST /api/chat` (ollama/ollama docs/api.md, "Generate a chat
 * completion"): `system` as a system message, tools as `tools: [{type: "function",
 * function: {name, description, parameters}}]`, and `options.{temperature, seed,
 * num_predict}` (the model options of docs/api.md; `num_predict` is the budget).
 */
function ollamaCanaryRequest(dep: DependencyConfig, canary: CanarySpec) {
  const tools = functionTools(canary);
  const payload = {
    model: dep.model,
    messages: chatMessages(canary),
    stream: true,
    ...reasoningBody(dep, ollamaReasoning),
    ...(tools === undefined ? {} : { tools }),
    options: { temperature: 0, seed: CANARY_SEED, num_predict: canary.maxTokens },
  };
  return jsonPost(
    `${apiRoot(dep.baseUrl)}/api/chat`,
    headers(dep, 'application/x-ndjson'),
    payload,
  );
}

/**
 * Reads the NDJSON chat stream (docs/api.md): `message.content` text, `message.tool_calls`
 * whole calls (`{function: {name, arguments}}`, arguments an object, turned into JSON text),
 * `done: true` with `prompt_eval_count`/`eval_count`. Ollama has no refusal field: refusals
 * show only in the text, for the judge's detector. An `{"error": …}` line is classified.
 */
function readOllamaCanary(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
): ReturnType<CanaryAdapter['read']> {
  return readCanaryStream(res, ctx, scrub, '"done": true', async (answer) => {
    for await (const line of readNdjson(res.body, { maxBytes: MAX_STREAM_BYTES })) {
      if (answer.done) continue;
      const chunk = eventObject(line);
      if (isClassification(chunk)) return chunk;
      if (chunk.error !== undefined && chunk.error !== null) {
        return classifyStreamError(chunk, scrub);
      }
      const message = isRecord(chunk.message) ? chunk.message : {};
      if (typeof message.content === 'string') answer.addText(message.content);
      if (Array.isArray(message.tool_calls)) {
        for (const call of message.tool_calls) {
          const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
          if (fn === undefined) continue;
          const key = `call-${answer.toolCallCount}`;
          answer.startToolCall(key, typeof fn.name === 'string' ? fn.name : undefined);
          answer.addToolArguments(key, argumentsText(fn.arguments));
        }
      }
      if (chunk.done === true) {
        answer.done = true;
        const input = num(chunk.prompt_eval_count);
        const output = num(chunk.eval_count);
        if (input !== undefined || output !== undefined) {
          answer.tokens = { input: input ?? 0, output: output ?? 0 };
        }
      }
    }
    return undefined;
  });
}
