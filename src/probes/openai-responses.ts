import type { CanarySpec } from '../canary/types.js';
import { oneOf } from '../config/fields.js';
import type { DependencyConfig } from '../config/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import type { CanaryAdapter } from '../vendors/types.js';
import { type AnswerBuilder, readCanaryStream } from './canary-stream.js';
import {
  type Classification,
  classifyStreamError,
  MAX_STREAM_BYTES,
  servedModelOf,
  type VendorRules,
} from './classify.js';
import { eventObject, isClassification, jsonPost, type StreamStep } from './exchange.js';
import { isRecord } from './json.js';
import {
  createOpenAIProtocolCanary,
  createOpenAIProtocolProbe,
  keyHeaders,
  type OpenAIProtocolCanaryOptions,
  type OpenAIProtocolOptions,
  openAIReasoningPlan,
  streamedOpenAICompletion,
} from './openai-protocol.js';
import {
  type ReasoningMapping,
  type ReasoningPlan,
  reasoningFields,
  temperatureAllowed,
} from './reasoning.js';
import type { Scrubber } from './scrub.js';
import { readSse } from './sse.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

// OpenAI's Responses API (`POST /responses`), as openai/openai-node
// src/resources/responses/responses.ts types it and openai/openai-openapi openapi.yaml
// (`CreateResponse`, the `Response*Event` schemas) documents it. Every event carries its
// name in `type` (and in the SSE `event:` field); the ones read here:
//   response.created / response.in_progress   `response.model`: the model that serves
//   response.output_text.delta                `delta`: answer text (the first one is the TTFT)
//   response.refusal.delta / .done            `delta` / `refusal`: the model's refusal text
//   response.output_item.added                `item` {type: 'function_call', name, …} at `output_index`
//   response.function_call_arguments.delta    `delta` at `output_index`; `.done` the whole `arguments`
//   response.completed                        terminal; `response.usage`
//   response.incomplete                       terminal; `response.incomplete_details.reason`
//                                             (`max_output_tokens` | `content_filter`)
//   response.failed                           terminal; `response.error` {code, message}
//   error                                     `code`, `message`, `param` (ResponseErrorEvent)

/** The APIs an OpenAI or Azure OpenAI dependency may speak (`api:`). */
export const OPENAI_APIS = ['chat', 'responses'] as const;
/** `chat` (Chat Completions) or `responses` (the Responses API). */
export type OpenAIApi = (typeof OPENAI_APIS)[number];

/** The `api:` config key of the openai and azure-openai vendors: `chat` unless set. */
export const openAIApiField = () => oneOf(OPENAI_APIS).default('chat');

/** The API a dependency speaks: `responses` only when its `api:` says so. */
export function openAIApiOf(dep: Pick<DependencyConfig, 'options'>): OpenAIApi {
  return dep.options.api === 'responses' ? 'responses' : 'chat';
}

/**
 * The least `max_output_tokens` the Responses API takes: `CreateResponse.max_output_tokens`
 * has `minimum: 16` (openai/openai-openapi openapi.yaml); a smaller value is answered 400
 * `integer_below_min_value` ("Expected a value >= 16"), by Azure too.
 */
export const RESPONSES_MIN_OUTPUT_TOKENS = 16;

/** The `max_output_tokens` sent for a budget: the budget, raised to the API's minimum. */
export function responsesOutputTokens(budget: number): number {
  return Math.max(RESPONSES_MIN_OUTPUT_TOKENS, budget);
}

/** The terminal event a complete Responses stream ends with. */
export const RESPONSES_TERMINAL = 'response.completed';

/**
 * The Responses body's `reasoning: {effort}`: the same plan as Chat Completions' (the
 * vendor's mapping decides the effort, or that the model takes none), moved to where the
 * Responses API wants it.
 */
function reasoningField(plan: ReasoningPlan | undefined): Record<string, unknown> {
  const effort = reasoningFields(plan).reasoning_effort;
  return effort === undefined ? {} : { reasoning: { effort } };
}

/** The completion check's request body: "ping", streamed, not stored, the budget raised to 16. */
export function responsesPingBody(
  dep: DependencyConfig,
  model: string,
  mapping?: ReasoningMapping,
): Record<string, unknown> {
  return {
    model,
    input: 'ping',
    stream: true,
    store: false,
    max_output_tokens: responsesOutputTokens(dep.maxTokens),
    ...reasoningField(openAIReasoningPlan(dep, mapping)),
  };
}

const eventType = (data: Record<string, unknown>, event: { event?: string }): string =>
  typeof data.type === 'string' ? data.type : (event.event ?? '');

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `response.usage` (ResponseUsage): input, output and, apart, the reasoning tokens among the output. */
export function responsesUsage(
  response: unknown,
): { input: number; output: number; reasoning?: number } | undefined {
  const usage = isRecord(response) ? response.usage : undefined;
  if (!isRecord(usage) || !num(usage.input_tokens) || !num(usage.output_tokens)) return undefined;
  const details = usage.output_tokens_details;
  const reasoning = isRecord(details) ? details.reasoning_tokens : undefined;
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    ...(num(reasoning) ? { reasoning } : {}),
  };
}

// The budget ran out: `max_output_tokens` in the IncompleteDetails type; the schema's own
// response.incomplete example (openai-openapi) says `max_tokens`, so both are read.
const BUDGET_REASONS = new Set(['max_output_tokens', 'max_tokens']);

/** `response.incomplete_details.reason` of an incomplete response, bounded. */
function incompleteReason(response: unknown): string {
  const details = isRecord(response) ? response.incomplete_details : undefined;
  const reason = isRecord(details) ? details.reason : undefined;
  return typeof reason === 'string' && reason !== '' ? reason.slice(0, 80) : 'no reason given';
}

/**
 * A failed response or an `error` event as a classification: `response.failed` carries
 * `response.error` {code, message} (ResponseError); the `error` event its own `code`,
 * `message` and `param` (ResponseErrorEvent). Both read like any in-stream error.
 */
function streamFailure(
  type: string,
  data: Record<string, unknown>,
  scrub: Scrubber,
  rules?: VendorRules,
): Classification | undefined {
  if (type === 'response.failed') {
    const response = data.response;
    const error = isRecord(response) ? response.error : undefined;
    return classifyStreamError(
      isRecord(error) ? { error } : { message: 'response.failed without an error' },
      scrub,
      rules,
    );
  }
  if (type === 'error') return classifyStreamError(data, scrub, rules);
  return undefined;
}

/**
 * What one Responses event means to the completion check: answer (or refusal) text stops
 * the first-token clock; `response.completed` ends the stream with its usage;
 * `response.incomplete` for `max_output_tokens` ends it too (the budget ran out: with text
 * before it the check passes, without it is an empty completion), for any other reason
 * (`content_filter`) it fails; `response.failed` and `error` are classified.
 */
export function responsesStep(
  data: Record<string, unknown>,
  event: { event?: string },
  scrub: Scrubber,
  rules?: VendorRules,
): StreamStep | Classification {
  const type = eventType(data, event);
  const failure = streamFailure(type, data, scrub, rules);
  if (failure) return failure;
  const response = data.response;
  const servedModel = servedModelOf(isRecord(response) ? response.model : undefined);
  const model = servedModel ? { servedModel } : {};
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      return { text: nonEmpty(data.delta) };
    case 'response.completed': {
      const tokens = responsesUsage(response);
      return { done: true, ...model, ...(tokens ? { tokens } : {}) };
    }
    case 'response.incomplete': {
      const reason = incompleteReason(response);
      if (!BUDGET_REASONS.has(reason)) {
        return {
          errorClass: 'bad_response',
          message: scrub(`response incomplete: ${reason}`),
        };
      }
      const tokens = responsesUsage(response);
      return { done: true, ...model, ...(tokens ? { tokens } : {}) };
    }
    default:
      return model;
  }
}

/**
 * Streams one tiny completion over the Responses API (`POST {url}`, "ping", the budget as
 * `max_output_tokens`, at least 16) and measures time to the first
 * `response.output_text.delta`, total time to `response.completed` and its usage.
 */
export function runResponsesCompletionCheck(
  o: OpenAIProtocolOptions,
  url: string,
  ctx: ProbeContext,
): Promise<CheckResult> {
  return streamedOpenAICompletion(o, ctx, {
    url,
    payload: (model) => responsesPingBody(o.dep, model, o.reasoning),
    stream: {
      format: 'sse',
      step: (data, event) => responsesStep(data, event, o.scrub, o.rules),
    },
    terminal: RESPONSES_TERMINAL,
  });
}

/**
 * A probe whose `models` and `embeddings` checks are the chat probe's (same options) and
 * whose `completion` goes to the Responses API at `url`.
 */
function createOpenAIResponsesProbe(o: OpenAIProtocolOptions, url: string): Probe {
  const chat = createOpenAIProtocolProbe(o);
  return {
    vendor: chat.vendor,
    checks: chat.checks,
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'completion') return runResponsesCompletionCheck(o, url, ctx);
      return chat.run(check, ctx);
    },
  };
}

// ---- Security canaries over the Responses API ---------------------------------------------

/** What differs between OpenAI and Azure when they answer a canary over Responses. */
export interface ResponsesCanaryOptions {
  /** The Responses URL of the dependency. */
  url: (dep: DependencyConfig) => string;
  /** How the key is sent; default `Authorization: Bearer KEY`. */
  authHeaders?: (dep: DependencyConfig) => Record<string, string>;
  /** A safety refusal sent as an HTTP error (Azure's 400 `content_filter`). */
  refusalInError?: (status: number, body: string | undefined) => string | undefined;
  /** The vendor's `reasoning:` mapping, as its chat side uses it; default the effort as written. */
  reasoning?: ReasoningMapping;
}

/**
 * The canary as a Responses request: `system` as `instructions`, the prompt as the user's
 * input message, the budget as `max_output_tokens` (at least 16), tools as Responses
 * function tools `{type: 'function', name, description, parameters, strict: false}`
 * (FunctionTool: `strict` is required, and strict schemas must list every property as
 * required, which canary schemas need not). No `seed`: CreateResponse has none. Reasoning
 * models reject `temperature`, so it is 0 only where the reasoning plan allows it.
 */
export function responsesCanaryBody(
  dep: DependencyConfig,
  canary: CanarySpec,
  mapping?: ReasoningMapping,
): Record<string, unknown> {
  const plan = openAIReasoningPlan(dep, mapping);
  const tools = canary.tools?.map((t) => ({
    type: 'function' as const,
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    parameters: t.parameters,
    strict: false,
  }));
  return {
    model: dep.model,
    ...(canary.system === undefined ? {} : { instructions: canary.system }),
    input: [{ role: 'user', content: canary.prompt }],
    stream: true,
    store: false,
    ...(temperatureAllowed(plan) ? { temperature: 0 } : {}),
    max_output_tokens: responsesOutputTokens(canary.maxTokens),
    ...reasoningField(plan),
    ...(tools === undefined || tools.length === 0 ? {} : { tools }),
  };
}

/**
 * Reads one Responses event into the canary's answer: output text; refusal text (the
 * `response.refusal.delta` fragments, or the whole `response.refusal.done` when no fragment
 * came); function calls keyed by `output_index`, named by the `function_call` item of
 * `response.output_item.added` and filled by `response.function_call_arguments.delta` (or
 * its `.done` when no fragment came); `response.completed` and `response.incomplete` end
 * it, the latter for `content_filter` as that refusal; usage from either.
 */
function readCanaryEvent(
  type: string,
  data: Record<string, unknown>,
  answer: AnswerBuilder,
  seen: { refusalFragment: boolean },
): void {
  const index = num(data.output_index) ? data.output_index : 0;
  switch (type) {
    case 'response.output_text.delta':
      if (typeof data.delta === 'string') answer.addText(data.delta);
      return;
    case 'response.refusal.delta':
      if (nonEmpty(data.delta)) {
        seen.refusalFragment = true;
        answer.addRefusalText(data.delta);
      }
      return;
    case 'response.refusal.done':
      if (typeof data.refusal === 'string' && !seen.refusalFragment) {
        answer.addRefusalText(data.refusal);
      }
      return;
    case 'response.output_item.added': {
      const item = data.item;
      if (isRecord(item) && item.type === 'function_call') {
        answer.startToolCall(index, typeof item.name === 'string' ? item.name : undefined);
        if (nonEmpty(item.arguments)) answer.addToolArguments(index, item.arguments);
      }
      return;
    }
    case 'response.function_call_arguments.delta':
      if (typeof data.delta === 'string') answer.addToolArguments(index, data.delta);
      return;
    case 'response.function_call_arguments.done':
      if (typeof data.name === 'string') answer.startToolCall(index, data.name);
      if (typeof data.arguments === 'string' && !answer.hasArguments(index)) {
        answer.addToolArguments(index, data.arguments);
      }
      return;
    case 'response.completed':
    case 'response.incomplete': {
      const tokens = responsesUsage(data.response);
      if (tokens) answer.tokens = { input: tokens.input, output: tokens.output };
      if (type === 'response.incomplete' && incompleteReason(data.response) === 'content_filter') {
        answer.refusal = 'content_filter';
      }
      answer.done = true;
      return;
    }
    default:
      return;
  }
}

/** A canary adapter speaking the Responses API (see {@link responsesCanaryBody}). */
function createOpenAIResponsesCanary(o: ResponsesCanaryOptions): CanaryAdapter {
  return {
    request(dep, canary) {
      return jsonPost(
        o.url(dep),
        keyHeaders(o, dep),
        responsesCanaryBody(dep, canary, o.reasoning),
      );
    },
    read(res: HttpResponse, ctx: ProbeContext, scrub: Scrubber) {
      return readCanaryStream(res, ctx, scrub, RESPONSES_TERMINAL, async (answer) => {
        const seen = { refusalFragment: false };
        for await (const ev of readSse(res.body, { maxBytes: MAX_STREAM_BYTES })) {
          if (answer.done) continue;
          const data = eventObject(ev.data);
          if (isClassification(data)) return data;
          const type = eventType(data, ev);
          const failure = streamFailure(type, data, scrub);
          if (failure) return failure;
          readCanaryEvent(type, data, answer, seen);
        }
        return undefined;
      });
    },
    ...(o.refusalInError ? { refusalInError: o.refusalInError } : {}),
  };
}

/**
 * One canary adapter for a vendor that speaks both APIs: each dependency's `api:` picks the
 * chat-completions or the Responses adapter. A refusal sent as an HTTP error reads the same
 * on both, so the chat adapter's reading serves.
 */
function byOpenAIApi(chat: CanaryAdapter, responses: CanaryAdapter): CanaryAdapter {
  const pick = (dep: DependencyConfig) => (openAIApiOf(dep) === 'responses' ? responses : chat);
  return {
    request: (dep, canary) => pick(dep).request(dep, canary),
    read: (res, ctx, scrub, dep) => pick(dep).read(res, ctx, scrub, dep),
    ...(chat.refusalInError ? { refusalInError: chat.refusalInError } : {}),
  };
}

/**
 * The probe for a dependency's `api:`: Chat Completions as `o` says, or (`api: responses`)
 * the same probe with its completion sent to the Responses API at `responsesUrl`.
 */
export function createOpenAIApiProbe(o: OpenAIProtocolOptions, responsesUrl: string): Probe {
  return openAIApiOf(o.dep) === 'responses'
    ? createOpenAIResponsesProbe(o, responsesUrl)
    : createOpenAIProtocolProbe(o);
}

/** The canary adapter for a vendor that speaks both APIs, each dependency's `api:` choosing. */
export function createOpenAIApiCanary(
  chat: OpenAIProtocolCanaryOptions,
  responses: ResponsesCanaryOptions,
): CanaryAdapter {
  return byOpenAIApi(createOpenAIProtocolCanary(chat), createOpenAIResponsesCanary(responses));
}
