import type { DependencyConfig } from '../config/types.js';

import {
  type Classification,
  classifyStreamError,
  failed,
  unsupportedCheck,
  type VendorRules,
} from './classify.js';
import { fetchBody, isResult, streamedCompletion } from './exchange.js';
import { isRecord } from './json.js';
import { LLM_CHECKS as SUPPORTED } from './llm-probe.js';
import type { Scrubber } from './scrub.js';

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
  /** The configured model must be in the list (default true; Azure lists models, not deployments). */
  modelListed?: boolean;
  /** What this server means differently from the others (OpenAI's overloaded 429, Groq's 498). */
  rules?: VendorRules;
}

/** Joins a base URL (with or without a trailing slash) and an absolute path. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** The ids in a `{"data":[{"id":…}]}` model list (OpenAI and Anthropic alike); undefined when the body is not one. */
export function parseModelIds(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.data)) return undefined;
  const ids: string[] = [];
  for (const entry of parsed.data) {
    if (isRecord(entry) && typeof entry.id === 'string') ids.push(entry.id);
  }
  return ids;
}

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
export async function runOpenAIModelsCheck(
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
      headers: { accept: 'application/json', ...(o.authHeaders ?? bearerHeaders)(dep) },
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

function usageOf(chunk: Record<string, unknown>): { input: number; output: number } | undefined {
  const usage = chunk.usage;
  if (!isRecord(usage)) return undefined;
  const input = usage.prompt_tokens;
  const output = usage.completion_tokens;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  return { input, output };
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
  return streamedCompletion({
    ctx,
    keyed: o,
    dep,
    url: urlsOf(o).completion,
    headers: { accept: 'text/event-stream', ...(o.authHeaders ?? bearerHeaders)(dep) },
    payload: (model) => ({
      model,
      messages: [{ role: 'user', content: 'ping' }],
      stream: true,
      stream_options: { include_usage: true },
      [o.tokenParam]: dep.maxTokens,
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
        return { text: contentOf(chunk) !== undefined, ...(tokens ? { tokens } : {}) };
      },
    },
    terminal: '[DONE]',
  });
}

/** A Probe speaking the OpenAI chat-completions protocol: `models` and `completion` checks. */
export function createOpenAIProtocolProbe(o: OpenAIProtocolOptions): Probe {
  const checks = o.dep.checks.filter((c) => SUPPORTED.includes(c));
  return {
    vendor: o.vendor,
    checks,
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      if (check === 'models') return runOpenAIModelsCheck(o, ctx);
      if (check === 'completion') return runOpenAICompletionCheck(o, ctx);
      return Promise.resolve(unsupportedCheck(check, o.vendor));
    },
  };
}
