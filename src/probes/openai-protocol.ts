import type { CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';

import type { CanaryAdapter } from '../vendors/types.js';
import {
  type AnswerBuilder,
  CANARY_SEED,
  chatMessages,
  functionTools,
  readCanaryStream,
} from './canary-stream.js';
import {
  type Classification,
  classifyStreamError,
  failed,
  MAX_STREAM_BYTES,
  servedModelOf,
  unsupportedCheck,
  type VendorRules,
} from './classify.js';
import { EMBEDDING_TEXT, type EmbeddingAnswer, runEmbeddingsCheck } from './embeddings.js';
import {
  eventObject,
  fetchBody,
  isClassification,
  isResult,
  jsonPost,
  streamedCompletion,
} from './exchange.js';
import { isRecord, listedStrings, num } from './json.js';
import { embeddingsRunner, LLM_CHECKS_WITH_EMBEDDINGS as SUPPORTED } from './llm-probe.js';
import {
  chatReasoningEffort,
  type ReasoningMapping,
  reasoningFields,
  reasoningPlan,
  temperatureAllowed,
} from './reasoning.js';
import type { Scrubber } from './scrub.js';
import { readSse } from './sse.js';

import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

/** What differs between servers speaking the OpenAI chat-completions protocol. */
export interface OpenAIProtocolOptions {
  vendor: string;
  dep: DependencyConfig;
  scrub: Scrubber;
  /** The server refuses work without a key: a missing key then skips the completion. */
  keyRequired: boolean;
  /** OpenAI wants `max_completion_tokens` (reasoning models reject `max_tokens`); most compatible servers know only `max_tokens`. */
  tokenParam: 'max_completion_tokens' | 'max_tokens';
  /** Where the two checks go; default `{baseUrl}/models` and `{baseUrl}/chat/completions`. */
  urls?: { models: string; completion: string };
  /** How the key is sent; default `Authorization: Bearer KEY` (nothing without a key). */
  authHeaders?: (dep: DependencyConfig) => Record<string, string>;
  /** Where `embeddings` goes; default `{baseUrl}/embeddings`. */
  embeddingsUrl?: string;
  /** What `embeddings` messages call the embedding model (default `model`; Azure: `deployment`). */
  embeddingNoun?: string;
  /** The configured model must be in the list (default true; Azure lists models, not deployments). */
  modelListed?: boolean;
  /** What this server means differently from the others (OpenAI's overloaded 429, Groq's 498). */
  rules?: VendorRules;
  /** The vendor's `reasoning:` mapping; default `reasoning_effort` as written. */
  reasoning?: ReasoningMapping;
}

/** Joins a base URL (with or without a trailing slash) and an absolute path. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** The ids in a `{"data":[{"id":…}]}` model list (OpenAI and Anthropic alike); undefined when the body is not one. */
export function parseModelIds(body: string): string[] | undefined {
  return listedStrings(body, 'data', 'id');
}

/** `Authorization: Bearer KEY`, or nothing without a key: how OpenAI-protocol servers take one. */
function bearerHeaders(dep: DependencyConfig): Record<string, string> {
  return dep.apiKey === undefined ? {} : { authorization: `Bearer ${dep.apiKey}` };
}

function urlsOf(o: OpenAIProtocolOptions): { models: string; completion: string } {
  return (
    o.urls ?? {
      models: joinUrl(o.dep.baseUrl, '/models'),
      completion: joinUrl(o.dep.baseUrl, '/chat/completions'),
    }
  );
}

// Names the list in messages as before for OpenAI-style base URLs (`GET /models`), by path otherwise.
function listLabel(o: OpenAIProtocolOptions): string {
  return o.urls ? `GET ${new URL(o.urls.models).pathname}` : 'GET /models';
}

/** `GET {baseUrl}/models`, then (unless `modelListed` is false) the configured model must be among `data[].id`. */
async function runOpenAIModelsCheck(
  o: OpenAIProtocolOptions,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const { dep, scrub } = o;
  const missing = o.keyRequired && dep.apiKey === undefined ? { credentialsMissing: true } : {};
  const read = await fetchBody(
    'models',
    {
      method: 'GET',
      url: urlsOf(o).models,
      headers: keyHeaders(o, dep, 'application/json'),
    },
    ctx,
    o,
    missing,
  );
  if (isResult(read)) return read;
  const { text, latencyMs, facts } = read;
  const ids = parseModelIds(text);
  if (ids === undefined) {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: `${listLabel(o)} answered 2xx but the body is not a JSON model list`,
    };
    return failed('models', latencyMs, cls, facts);
  }
  if (o.modelListed !== false && dep.model !== undefined && !ids.includes(dep.model)) {
    const cls: Classification = {
      errorClass: 'model_unavailable',
      message: scrub(`model ${dep.model} is not in ${listLabel(o)} (${ids.length} models listed)`),
    };
    return failed('models', latencyMs, cls, facts);
  }
  return { check: 'models', ok: true, latencyMs, ...facts };
}

function contentOf(chunk: Record<string, unknown>): string | undefined {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return undefined;
  const first: unknown = choices[0];
  if (!isRecord(first) || !isRecord(first.delta)) return undefined;
  const content = first.delta.content;
  return typeof content === 'string' && content !== '' ? content : undefined;
}

/**
 * The usage chunk's counts. `completion_tokens` is what OpenAI bills as output, reasoning
 * included; `completion_tokens_details.reasoning_tokens` is the part spent reasoning
 * (openai/openai-node src/resources/completions.ts `CompletionUsage`), kept when above 0.
 */
function usageOf(chunk: Record<string, unknown>): CheckResult['tokens'] {
  const usage = chunk.usage;
  if (!isRecord(usage)) return undefined;
  const input = usage.prompt_tokens;
  const output = usage.completion_tokens;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  const details = usage.completion_tokens_details;
  const reasoning = isRecord(details) ? num(details.reasoning_tokens) : undefined;
  return reasoning !== undefined && reasoning > 0
    ? { input, output, reasoning }
    : { input, output };
}

/** The dependency's `reasoning:` plan, by the vendor's mapping (default: the effort as written). */
/** The reasoning plan of an OpenAI-protocol dependency: the vendor's mapping, else `reasoning_effort` as written. */
export function openAIReasoningPlan(dep: DependencyConfig, mapping: ReasoningMapping | undefined) {
  return reasoningPlan(dep, mapping ?? chatReasoningEffort);
}

/** A request's headers: what it accepts (SSE for streams), and the key as the vendor takes it. */
export function keyHeaders(
  o: { authHeaders?: ((dep: DependencyConfig) => Record<string, string>) | undefined },
  dep: DependencyConfig,
  accept = 'text/event-stream',
): Record<string, string> {
  return { accept, ...(o.authHeaders ?? bearerHeaders)(dep) };
}

/** One streamed completion check of an OpenAI-protocol dependency: its key, SSE, its rules. */
export function streamedOpenAICompletion(
  o: OpenAIProtocolOptions,
  ctx: ProbeContext,
  request: Pick<
    Parameters<typeof streamedCompletion>[0],
    'url' | 'payload' | 'stream' | 'terminal'
  >,
): Promise<CheckResult> {
  return streamedCompletion({
    ctx,
    keyed: o,
    dep: o.dep,
    headers: keyHeaders(o, o.dep),
    ...request,
  });
}

/**
 * Streams one tiny completion (`POST {baseUrl}/chat/completions`, "ping", the dependency's
 * token budget) and measures time to the first content token, total time to `[DONE]` and
 * the tokens the usage chunk reports.
 */
export function runOpenAICompletionCheck(
  o: OpenAIProtocolOptions,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const { dep } = o;
  return streamedOpenAICompletion(o, ctx, {
    url: urlsOf(o).completion,
    payload: (model) => ({
      model,
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      stream_options: { include_usage: true },
      [o.tokenParam]: dep.maxTokens,
      ...reasoningFields(openAIReasoningPlan(dep, o.reasoning)),
    }),
    stream: {
      format: 'sse',
      rawTerminal: (data) => data.trim() === '[DONE]',
      step: (chunk) => {
        if (chunk.error !== undefined && chunk.error !== null) {
          return classifyStreamError(chunk.error, o.scrub, o.rules);
        }
        // vLLM reports failures as a flat error object in a data line.
        if (chunk.object === 'error') return classifyStreamError(chunk, o.scrub, o.rules);
        const tokens = usageOf(chunk);
        // Azure's prompt-filter chunk has `model: ""`: servedModelOf ignores it.
        const servedModel = servedModelOf(chunk.model);
        // openai-node ChatCompletionChunk.system_fingerprint: "the backend configuration that
        // the model runs with"; null or absent on servers that do not say.
        const systemFingerprint = servedModelOf(chunk.system_fingerprint);
        return {
          text: contentOf(chunk) !== undefined,
          ...(tokens ? { tokens } : {}),
          ...(servedModel ? { servedModel } : {}),
          ...(systemFingerprint ? { systemFingerprint } : {}),
        };
      },
    },
    terminal: '[DONE]',
  });
}

/**
 * The vector and tokens of a `CreateEmbeddingResponse` (openai/openai-node
 * src/resources/embeddings.ts): `data[0].embedding` (floats: `encoding_format` is left at its
 * default, `float`) and `usage.prompt_tokens`.
 */
function readOpenAIEmbedding(body: Record<string, unknown>): EmbeddingAnswer {
  const first: unknown = Array.isArray(body.data) ? body.data[0] : undefined;
  return {
    vector: isRecord(first) ? first.embedding : undefined,
    inputTokens: isRecord(body.usage) ? num(body.usage.prompt_tokens) : undefined,
  };
}

/**
 * Embeds the fixed text: `POST {baseUrl}/embeddings` `{model: embeddingModel, input}` (Azure:
 * its own URL and key header), read as OpenAI's `CreateEmbeddingResponse`.
 */
export function runOpenAIEmbeddingsCheck(
  o: OpenAIProtocolOptions,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const url = o.embeddingsUrl ?? joinUrl(o.dep.baseUrl, '/embeddings');
  const headers = keyHeaders(o, o.dep, 'application/json');
  return runEmbeddingsCheck(
    {
      request: (model) => jsonPost(url, headers, { model, input: EMBEDDING_TEXT }),
      read: readOpenAIEmbedding,
    },
    o,
    ctx,
  );
}

/** A Probe speaking the OpenAI protocol: `models`, `completion` and `embeddings` checks. */
export function createOpenAIProtocolProbe(o: OpenAIProtocolOptions): Probe {
  const checks = o.dep.checks.filter((c) => SUPPORTED.includes(c));
  const embeddings = embeddingsRunner(
    o.dep,
    o.scrub,
    (ctx) => runOpenAIEmbeddingsCheck(o, ctx),
    o.embeddingNoun,
  );
  return {
    vendor: o.vendor,
    checks,
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'models') return runOpenAIModelsCheck(o, ctx);
      if (check === 'completion') return runOpenAICompletionCheck(o, ctx);
      if (check === 'embeddings') return embeddings(ctx);
      return Promise.resolve(unsupportedCheck(check, o.vendor));
    },
  };
}

// ---- Security canaries over the chat-completions protocol -------------------------------

/** What differs between OpenAI-protocol servers when they answer a canary. */
export interface OpenAIProtocolCanaryOptions {
  /** The parameter that carries the canary's output budget for this dependency. */
  tokenParam: (dep: DependencyConfig) => 'max_completion_tokens' | 'max_tokens';
  /** Whether the server takes `seed` (OpenAI, Azure since api-version 2023-12-01-preview). */
  seed: (dep: DependencyConfig) => boolean;
  /** The chat-completions URL; default `{baseUrl}/chat/completions`. */
  completionUrl?: (dep: DependencyConfig) => string;
  /** How the key is sent; default `Authorization: Bearer KEY`. */
  authHeaders?: (dep: DependencyConfig) => Record<string, string>;
  /** A safety refusal sent as an HTTP error (Azure's 400 `content_filter`). */
  refusalInError?: (status: number, body: string | undefined) => string | undefined;
  /** The vendor's `reasoning:` mapping, the probe's; default `reasoning_effort` as written. */
  reasoning?: ReasoningMapping;
}

function canaryPayload(
  o: OpenAIProtocolCanaryOptions,
  dep: DependencyConfig,
  canary: CanarySpec,
): Record<string, unknown> {
  const tools = functionTools(canary);
  const plan = openAIReasoningPlan(dep, o.reasoning);
  return {
    model: dep.model,
    messages: chatMessages(canary),
    stream: true,
    stream_options: { include_usage: true },
    // A reasoning model that reasons takes only its default temperature (chatReasoningEffort).
    ...(temperatureAllowed(plan) ? { temperature: 0 } : {}),
    ...(o.seed(dep) ? { seed: CANARY_SEED } : {}),
    [o.tokenParam(dep)]: canary.maxTokens,
    ...reasoningFields(plan),
    ...(tools === undefined ? {} : { tools }),
  };
}

/**
 * Reads one chat-completions chunk into the answer (openai/openai-node
 * src/resources/chat/completions/completions.ts, `ChatCompletionChunk`): `delta.content`
 * text; `delta.refusal`, the refusal message the model sent instead of content;
 * `delta.tool_calls[]`, whose `index` keys a call whose `id` and `function.name` come first
 * and whose `function.arguments` arrive in fragments; `finish_reason` `content_filter`
 * ("content was omitted due to a flag from our content filters"; Azure's streamed filter,
 * MicrosoftDocs/azure-ai-docs articles/ai-services/openai/concepts/content-filter.md); the
 * last chunk's `usage`. Azure's `prompt_filter_results` chunk (`choices: []`) adds nothing.
 */
function readCanaryChunk(chunk: Record<string, unknown>, answer: AnswerBuilder): void {
  answer.tokens = usageOf(chunk) ?? answer.tokens;
  const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  if (!isRecord(choice)) return;
  const delta = choice.delta;
  if (isRecord(delta)) {
    if (typeof delta.content === 'string') answer.addText(delta.content);
    if (typeof delta.refusal === 'string') answer.addRefusalText(delta.refusal);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isRecord(call)) continue;
        const key = typeof call.index === 'number' ? call.index : 0;
        const fn = isRecord(call.function) ? call.function : {};
        if (typeof fn.name === 'string' || call.id !== undefined) {
          answer.startToolCall(key, typeof fn.name === 'string' ? fn.name : undefined);
        }
        if (typeof fn.arguments === 'string') answer.addToolArguments(key, fn.arguments);
      }
    }
  }
  if (choice.finish_reason === 'content_filter') answer.refusal = 'content_filter';
}

/**
 * A canary adapter for a server speaking OpenAI's chat-completions protocol: the prompt as
 * the user message, `system` as a system message, temperature 0, `seed` where taken, the
 * budget in `tokenParam`, tools as `tools: [{type: "function", function: {name,
 * description, parameters}}]`, read from the SSE stream up to `data: [DONE]`.
 */
export function createOpenAIProtocolCanary(o: OpenAIProtocolCanaryOptions): CanaryAdapter {
  return {
    request(dep, canary) {
      return jsonPost(
        o.completionUrl?.(dep) ?? joinUrl(dep.baseUrl, '/chat/completions'),
        keyHeaders(o, dep),
        canaryPayload(o, dep, canary),
      );
    },
    read(res, ctx, scrub) {
      return readCanaryStream(res, ctx, scrub, '[DONE]', async (answer) => {
        for await (const ev of readSse(res.body, { maxBytes: MAX_STREAM_BYTES })) {
          if (answer.done) continue;
          if (ev.data.trim() === '[DONE]') {
            answer.done = true;
            continue;
          }
          const chunk = eventObject(ev.data);
          if (isClassification(chunk)) return chunk;
          if (chunk.error !== undefined && chunk.error !== null) {
            return classifyStreamError(chunk.error, scrub);
          }
          if (chunk.object === 'error') return classifyStreamError(chunk, scrub);
          readCanaryChunk(chunk, answer);
        }
        return undefined;
      });
    },
    ...(o.refusalInError ? { refusalInError: o.refusalInError } : {}),
  };
}
