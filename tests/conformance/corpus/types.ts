import type { DependencyConfig } from '../../../src/config/types.js';
import type { CheckName, ErrorClass, ErrorReason } from '../../../src/probes/types.js';

/** Vendors the corpus covers: every LLM probe. */
export type CorpusVendor =
  | 'openai'
  | 'anthropic'
  | 'azure-openai'
  | 'gemini'
  | 'bedrock'
  | 'cohere'
  | 'ollama'
  | 'openai-compatible';

/** One AWS event-stream message (Bedrock ConverseStream), encoded by the corpus server. */
export interface EventStreamFrame {
  headers: Record<string, string>;
  body: string;
}

/** What the vendor answered, as its SDK fixtures, specs or docs show it. */
export interface CorpusResponse {
  status: number;
  headers?: Record<string, string>;
  /** A whole body, sent verbatim. */
  body?: string;
  /** A stream, one write per frame: SSE text, NDJSON lines (newline added) or event-stream messages. */
  frames?: readonly string[] | readonly EventStreamFrame[];
}

/** What Bellwether must make of the answer. */
export interface CorpusExpectation {
  ok: boolean;
  errorClass?: ErrorClass;
  reason?: ErrorReason;
  requestId?: string;
  /** Substrings the result's message must contain. */
  messageIncludes?: readonly string[];
  retryAfterMs?: number;
  /** The vendor's x-should-retry, as the result carries it. */
  vendorRetry?: boolean;
  /** A healthy completion's token count. */
  tokens?: { input: number; output: number; reasoning?: number };
  /** The rate-limit reading whose reset time the vendor's retry signal set. */
  resetResource?: 'requests' | 'tokens';
  credentialsMissing?: boolean;
}

/** One vendor answer, with where it was read. */
export interface CorpusCase {
  id: string;
  vendor: CorpusVendor;
  /** Repository and path, or documentation URL, the answer was transcribed from. */
  source: string;
  check: CheckName;
  /** Served for every request of the check, unless `routes` names the path. */
  response: CorpusResponse;
  /** Answers for other requests the check makes first (Cohere's key check, Ollama's version). */
  routes?: Readonly<Record<string, CorpusResponse>>;
  /** Overrides of the test dependency (a model the answer names, no key, …). */
  dep?: Partial<DependencyConfig>;
  expect: CorpusExpectation;
}

/** An SSE event as written on the wire. */
export function sse(data: unknown, event?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${text}\n\n`;
}

/** A JSON body with its content type. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): CorpusResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** An event stream (`text/event-stream`) of the given frames. */
export function stream(
  frames: readonly string[],
  headers: Record<string, string> = {},
): CorpusResponse {
  return { status: 200, headers: { 'content-type': 'text/event-stream', ...headers }, frames };
}
