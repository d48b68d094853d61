import type { CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import {
  type AnswerBuilder,
  argumentsText,
  CANARY_SEED,
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
  eventObject,
  fetchBody,
  isClassification,
  isResult,
  jsonPost,
  type StreamStep,
  streamedCompletion,
} from '../probes/exchange.js';
import { isRecord, num, parseJson } from '../probes/json.js';
import { embeddingsCheckOf, keyedLlmProbe } from '../probes/llm-probe.js';
import { type ReasoningMapping, reasoningBody, reasoningIssues } from '../probes/reasoning.js';
import type { Scrubber } from '../probes/scrub.js';
import { readSse } from '../probes/sse.js';

import type { CheckResult, Probe, ProbeContext } from '../probes/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import { type CanaryAdapter, defineVendor } from './types.js';

// The API root is the host; an operator who pasted `…/v1beta` still gets the right routes.
function apiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1(?:beta)?$/, '');
}

// Both `gemini-2.0-flash` and the API's own `models/gemini-2.0-flash` are accepted.
function modelPath(model: string): string {
  return `models/${encodeURIComponent(model.replace(/^models\//, ''))}`;
}

function headers(dep: DependencyConfig, accept: string): Record<string, string> {
  return dep.apiKey === undefined ? { accept } : { accept, 'x-goog-api-key': dep.apiKey };
}

async function modelsCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  if (dep.model === undefined) {
    return failed('models', 0, { errorClass: 'bad_request', message: 'no model configured' });
  }
  const missing = dep.apiKey === undefined ? { credentialsMissing: true } : {};
  const path = `/v1beta/${modelPath(dep.model)}`;
  const read = await fetchBody(
    'models',
    {
      method: 'GET',
      url: `${apiRoot(dep.baseUrl)}${path}`,
      headers: headers(dep, 'application/json'),
    },
    ctx,
    k,
    missing,
    { modelRoute: true },
  );
  if (isResult(read)) return read;
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed) || typeof parsed.name !== 'string') {
    const cls: Classification = {
      errorClass: 'bad_response',
      message: `GET ${path} answered 2xx but the body is not a JSON model`,
    };
    return failed('models', read.latencyMs, cls, read.facts);
  }
  return { check: 'models', ok: true, latencyMs: read.latencyMs, ...read.facts };
}

// Thought summaries (`thought: true`) are not the answer a user waits for.
function textOf(chunk: Record<string, unknown>): string | undefined {
  const candidate: unknown = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
  if (!isRecord(candidate) || !isRecord(candidate.content)) return undefined;
  const parts = candidate.content.parts;
  if (!Array.isArray(parts)) return undefined;
  const text = parts
    .filter((p): p is Record<string, unknown> => isRecord(p) && p.thought !== true)
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .join('');
  return text === '' ? undefined : text;
}

function finished(chunk: Record<string, unknown>): boolean {
  const candidate: unknown = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
  return isRecord(candidate) && typeof candidate.finishReason === 'string';
}

// Thinking tokens are billed as output: they are part of what the probe spends, and
// `thoughtsTokenCount` (js-genai `GenerateContentResponseUsageMetadata`, apart from
// `candidatesTokenCount`) is also reported as the reasoning part of it.
function usageOf(chunk: Record<string, unknown>): CheckResult['tokens'] {
  const usage = chunk.usageMetadata;
  if (!isRecord(usage)) return undefined;
  const input = num(usage.promptTokenCount);
  const output = num(usage.candidatesTokenCount);
  const thoughts = num(usage.thoughtsTokenCount) ?? 0;
  if (input === undefined && output === undefined) return undefined;
  const tokens = { input: input ?? 0, output: (output ?? 0) + thoughts };
  return thoughts > 0 ? { ...tokens, reasoning: thoughts } : tokens;
}

// Gemini's two thinking controls (js-genai src/types.ts `ThinkingConfig`): Gemini 2.5 takes
// `thinkingBudget` (tokens; 0 turns thinking off), Gemini 3 takes `thinkingLevel`
// (`ThinkingLevel` MINIMAL, LOW, MEDIUM, HIGH); one request may not carry both.
const GEMINI_25 = /^gemini-2\.5-/;
const GEMINI_25_PRO = /^gemini-2\.5-pro/;
const GEMINI_3 = /^gemini-3/;
const GEMINI_3_PRO = /^gemini-3[.\d]*-pro/;
// Budgets Bellwether sends: 2.5 Pro's smallest (128; it has no 0), and for the other 2.5
// models 512, Flash-Lite's smallest non-zero budget, which Flash accepts too.
const BUDGET_25_PRO_MIN = 128;
const BUDGET_25_MINIMAL = 512;
const BUDGET_25_LOW = 1024;

const thinking = (config: Record<string, unknown>) => ({ thinkingConfig: config });

/**
 * Gemini's thinking control for a level, by model name (`models/` prefix dropped). Gemini
 * 2.5: off → `thinkingBudget: 0`, minimal → 512, low → 1024; 2.5 Pro cannot turn thinking
 * off, so off is rejected and minimal sends its smallest budget, 128. Gemini 3:
 * `thinkingLevel` LOW for low; MINIMAL for minimal and for off on Flash models, where it is
 * the least thinking there is; Pro models are documented with LOW and HIGH only, so off is
 * rejected and minimal sends LOW. Other models get no thinkingConfig (rejected).
 */
export const geminiReasoning: ReasoningMapping = (configured, level) => {
  const model = configured.replace(/^models\//, '');
  if (GEMINI_25.test(model)) {
    const pro = GEMINI_25_PRO.test(model);
    if (level === 'off' && pro) {
      return {
        rejected: `${model} cannot turn thinking off (its thinking budget is at least 128 tokens); use minimal, which sends thinkingBudget 128`,
      };
    }
    const budget =
      level === 'off'
        ? 0
        : level === 'low'
          ? BUDGET_25_LOW
          : pro
            ? BUDGET_25_PRO_MIN
            : BUDGET_25_MINIMAL;
    return { fields: thinking({ thinkingBudget: budget }) };
  }
  if (GEMINI_3.test(model)) {
    const pro = GEMINI_3_PRO.test(model);
    if (level === 'off' && pro) {
      return {
        rejected: `${model} cannot turn thinking off (Gemini 3 Pro thinks at thinkingLevel low or high); use low`,
      };
    }
    const thinkingLevel = level === 'low' || pro ? 'LOW' : 'MINIMAL';
    return { fields: thinking({ thinkingLevel }) };
  }
  return {
    rejected: `reasoning applies to gemini-2.5 and gemini-3 models (generationConfig.thinkingConfig); ${model || 'this model'} gets none, leave reasoning out`,
  };
};

/** `generationConfig` with the budget and the dependency's thinking control. */
function generationConfig(
  dep: DependencyConfig,
  rest: Record<string, unknown>,
): Record<string, unknown> {
  return { ...rest, ...reasoningBody(dep, geminiReasoning) };
}

// A bare error object is a few hundred bytes; more stray text than this is not one.
const MAX_STRAY_CHARS = 64 * 1024;

/**
 * Lines outside SSE framing, as Gemini sends a mid-stream error: a bare
 * `{"error":{"code":500,"message":…,"status":"INTERNAL"}}` (often pretty-printed over
 * several lines), which its SDK raises as an API error with that code.
 */
class StrayText {
  private text = '';
  private overflow = false;
  add(line: string): void {
    if (this.text.length + line.length > MAX_STRAY_CHARS) this.overflow = true;
    else this.text += `${line}\n`;
  }
  get empty(): boolean {
    return this.text === '' && !this.overflow;
  }
  /** The error the stray text carries (read once it is complete), or why it is not one. */
  verdict(scrub: Scrubber): Classification {
    const parsed = this.overflow ? undefined : parseJson(this.text);
    // Vertex wraps the object in an array.
    const object: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    const error = isRecord(object) ? object.error : undefined;
    if (error !== undefined && error !== null) return classifyStreamError(object, scrub);
    return {
      errorClass: 'bad_response',
      message: 'malformed event stream: text outside SSE framing that is not a Google error object',
    };
  }
}

function completionCheck(
  dep: DependencyConfig,
  k: KeyedDependency,
  ctx: ProbeContext,
): Promise<CheckResult> {
  const stray = new StrayText();
  return streamedCompletion({
    ctx,
    keyed: k,
    dep,
    url: (model) =>
      `${apiRoot(dep.baseUrl)}/v1beta/${modelPath(model)}:streamGenerateContent?alt=sse`,
    headers: headers(dep, 'text/event-stream'),
    payload: () => ({
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }],
      generationConfig: generationConfig(dep, { maxOutputTokens: dep.maxTokens }),
    }),
    stream: {
      format: 'sse',
      onStrayLine: (line) => stray.add(line),
      // An event after stray lines (or the end): they are complete, and say what went wrong.
      interrupt: () => (stray.empty ? undefined : stray.verdict(k.scrub)),
      step: (chunk): StreamStep | Classification => {
        if (chunk.error !== undefined && chunk.error !== null) {
          // The whole object, so the Google error's status and details are read too.
          return classifyStreamError(chunk, k.scrub);
        }
        const tokens = usageOf(chunk);
        // GenerateContentResponse.modelVersion: "the model version used to generate the
        // response" (generativelanguage v1beta; js-genai types.ts), on every chunk.
        const servedModel = servedModelOf(chunk.modelVersion);
        return {
          text: textOf(chunk) !== undefined,
          done: finished(chunk),
          ...(tokens ? { tokens } : {}),
          ...(servedModel ? { servedModel } : {}),
        };
      },
    },
    terminal: 'a finishReason',
    modelRoute: true,
  });
}

/**
 * Embeds the fixed text: `POST /v1beta/models/{embeddingModel}:embedContent`
 * `{content: {parts: [{text}]}}`, answered as `EmbedContentResponse` `{embedding: {values}}`
 * (ai.google.dev/api/embeddings). Its answer reports no token count: none is charged.
 */
const embeddingsCheck = embeddingsCheckOf((dep) => ({
  request: (model) =>
    jsonPost(
      `${apiRoot(dep.baseUrl)}/v1beta/${modelPath(model)}:embedContent`,
      headers(dep, 'application/json'),
      { content: { parts: [{ text: EMBEDDING_TEXT }] } },
    ),
  read: (body) => ({ vector: isRecord(body.embedding) ? body.embedding.values : undefined }),
  modelRoute: true,
}));

/**
 * Probe for the Gemini API (`x-goog-api-key`). `models`: `GET /v1beta/models/{model}` must
 * answer 200 (404 → model_unavailable). `completion`: one streamed
 * `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` with
 * `generationConfig.maxOutputTokens` = the token budget; TTFT is the first candidate part
 * with text (thought parts excluded), tokens come from `usageMetadata`, and the stream must
 * reach a candidate with a `finishReason` (Gemini sends no `[DONE]`). An invalid key is a
 * 400 `INVALID_ARGUMENT` whose ErrorInfo reason `API_KEY_INVALID` makes it `auth`.
 */
export function createGeminiProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return keyedLlmProbe(
    'gemini',
    { dep, scrub, keyRequired: true },
    modelsCheck,
    completionCheck,
    embeddingsCheck,
  );
}

/** Google's Gemini API: `x-goog-api-key`, model list and `streamGenerateContent`. */
export const gemini = defineVendor({
  id: 'gemini',
  displayName: 'Google Gemini',
  genAiProvider: 'gcp.gemini',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  embeddingExample: 'gemini-embedding-001',
  checkConfig: (dep) => reasoningIssues(dep, geminiReasoning),
  createProbe: createGeminiProbe,
  canary: { request: geminiCanaryRequest, read: readGeminiCanary },
});

// ---- Security canaries ---------------------------------------------------------------------

/**
 * One `streamGenerateContent?alt=sse` (googleapis/js-genai src/types.ts and the request
 * converter src/converters/_models_converters.ts): `systemInstruction` for `system`,
 * `generationConfig.{temperature, seed, maxOutputTokens}`, tools as
 * `tools: [{functionDeclarations: [{name, description, parametersJsonSchema}]}]`:
 * `parametersJsonSchema` takes the canary's JSON Schema as written, where `parameters` is
 * an OpenAPI subset that rejects keywords such as `additionalProperties`.
 */
function geminiCanaryRequest(dep: DependencyConfig, canary: CanarySpec) {
  const declarations = canary.tools?.map((t) => ({
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    parametersJsonSchema: t.parameters,
  }));
  const payload = {
    contents: [{ role: 'user', parts: [{ text: canary.prompt }] }],
    ...(canary.system === undefined
      ? {}
      : { systemInstruction: { parts: [{ text: canary.system }] } }),
    generationConfig: generationConfig(dep, {
      temperature: 0,
      seed: CANARY_SEED,
      maxOutputTokens: canary.maxTokens,
    }),
    ...(declarations === undefined || declarations.length === 0
      ? {}
      : { tools: [{ functionDeclarations: declarations }] }),
  };
  return jsonPost(
    `${apiRoot(dep.baseUrl)}/v1beta/${modelPath(dep.model ?? '')}:streamGenerateContent?alt=sse`,
    headers(dep, 'text/event-stream'),
    payload,
  );
}

/**
 * Finish reasons that mean Google's filters withheld the answer (js-genai `FinishReason`):
 * SAFETY, BLOCKLIST (forbidden terms), PROHIBITED_CONTENT, SPII (sensitive personal data)
 * and RECITATION (stopped "because of potential recitation"; Google's own earlier SDK,
 * google-gemini/generative-ai-js, throws "Candidate was blocked" for it as for SAFETY).
 * LANGUAGE, MALFORMED_FUNCTION_CALL and the rest are answers gone wrong, not refusals.
 */
const GEMINI_BLOCKING_FINISH = new Set([
  'SAFETY',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'RECITATION',
]);

/**
 * One streamed `GenerateContentResponse` into the answer: the first candidate's parts
 * (`text`, thoughts excluded; `functionCall {name, args}`, whole in one part, its args
 * object turned into JSON text), its `finishReason` (any one ends the stream; a blocking one
 * is the refusal `finish=<VALUE>`), `promptFeedback.blockReason` (`BlockedReason`: the
 * prompt was blocked and no candidate comes; `block=<VALUE>`), and `usageMetadata`.
 */
function readGeminiChunk(chunk: Record<string, unknown>, answer: AnswerBuilder): void {
  answer.tokens = usageOf(chunk) ?? answer.tokens;
  const feedback = chunk.promptFeedback;
  if (isRecord(feedback) && typeof feedback.blockReason === 'string') {
    answer.refusal = `block=${feedback.blockReason.slice(0, 64)}`;
    answer.done = true;
  }
  const candidate: unknown = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
  if (!isRecord(candidate)) return;
  const parts = isRecord(candidate.content) ? candidate.content.parts : undefined;
  if (Array.isArray(parts)) {
    for (const part of parts) {
      if (!isRecord(part) || part.thought === true) continue;
      if (typeof part.text === 'string') answer.addText(part.text);
      const call = part.functionCall;
      if (isRecord(call)) {
        // Each functionCall part is one whole call: its own key.
        const key = `call-${answer.toolCallCount}`;
        answer.startToolCall(key, typeof call.name === 'string' ? call.name : undefined);
        answer.addToolArguments(key, argumentsText(call.args));
      }
    }
  }
  if (typeof candidate.finishReason === 'string') {
    if (GEMINI_BLOCKING_FINISH.has(candidate.finishReason)) {
      answer.refusal = `finish=${candidate.finishReason}`;
    }
    answer.done = true;
  }
}

function readGeminiCanary(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
): ReturnType<CanaryAdapter['read']> {
  return readCanaryStream(res, ctx, scrub, 'a finishReason', async (answer) => {
    for await (const ev of readSse(res.body, { maxBytes: MAX_STREAM_BYTES })) {
      if (answer.done) continue;
      const chunk = eventObject(ev.data);
      if (isClassification(chunk)) return chunk;
      if (chunk.error !== undefined && chunk.error !== null) {
        return classifyStreamError(chunk, scrub);
      }
      readGeminiChunk(chunk, answer);
    }
    return undefined;
  });
}
