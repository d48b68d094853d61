import type { CanaryAnswer, CanarySpec, ToolCall } from '../canary/types.js';
import type { HttpResponse } from '../transport/http-client.js';
import {
  type Classification,
  classifyThrown,
  type ExchangePhase,
  jsonInsteadOfStream,
} from './classify.js';
import type { Scrubber } from './scrub.js';
import type { ProbeContext } from './types.js';

/**
 * The seed canaries send where a vendor takes one (OpenAI, Azure, Gemini, Cohere, Ollama):
 * with temperature 0 it asks for the same answer every run, so a change means the model
 * changed. Any fixed number does; this one is documented in the README.
 */
export const CANARY_SEED = 7;

/** Text kept from one answer; the judge reads at most 16 KiB of it. */
export const MAX_ANSWER_CHARS = 64 * 1024;
/** Argument text kept per tool call. */
export const MAX_TOOL_ARGUMENT_CHARS = 64 * 1024;
/** Tool calls kept per answer; a model that calls more is not answering a canary. */
export const MAX_TOOL_CALLS = 16;

/**
 * What a canary reader gathers while a stream goes by: text, tool calls keyed by the
 * vendor's own index (argument fragments appended in arrival order), the refusal signal,
 * tokens. Every part is capped, so a hostile stream cannot grow it past the caps above.
 */
export class AnswerBuilder {
  private text = '';
  private refusalText = '';
  private readonly calls = new Map<string | number, ToolCall>();
  refusal: string | undefined;
  tokens: { input: number; output: number } | undefined;
  /** The stream's terminal event arrived. */
  done = false;
  /** Something of the answer arrived: timeouts after it are "waiting for the stream to end". */
  started = false;

  addText(fragment: string): void {
    if (fragment === '') return;
    this.started = true;
    this.text = capped(this.text, fragment, MAX_ANSWER_CHARS);
  }

  addRefusalText(fragment: string): void {
    if (fragment === '') return;
    this.started = true;
    this.refusalText = capped(this.refusalText, fragment, MAX_ANSWER_CHARS);
  }

  /** Starts (or renames) the call at `key`; a later start with the same key only fills a missing name. */
  startToolCall(key: string | number, name: string | undefined): void {
    this.started = true;
    const call = this.calls.get(key);
    if (call) {
      if (call.name === '' && name !== undefined) call.name = name.slice(0, 256);
      return;
    }
    if (this.calls.size >= MAX_TOOL_CALLS) return;
    this.calls.set(key, { name: (name ?? '').slice(0, 256), arguments: '' });
  }

  /** Appends an argument fragment to the call at `key` (started without a name if unseen). */
  addToolArguments(key: string | number, fragment: string): void {
    if (!this.calls.has(key)) this.startToolCall(key, undefined);
    const call = this.calls.get(key);
    if (call) call.arguments = capped(call.arguments, fragment, MAX_TOOL_ARGUMENT_CHARS);
  }

  /** How many tool calls were started. */
  get toolCallCount(): number {
    return this.calls.size;
  }

  /** Whether the call at `key` has received argument text yet. */
  hasArguments(key: string | number): boolean {
    return (this.calls.get(key)?.arguments ?? '') !== '';
  }

  answer(): CanaryAnswer {
    const out: CanaryAnswer = { text: this.text, toolCalls: [...this.calls.values()] };
    if (this.refusal !== undefined) out.refusal = this.refusal;
    if (this.refusalText !== '') out.refusalText = this.refusalText;
    // Readers share the probe's usage parsers, which may add a reasoning count: canary runs
    // keep input and output only.
    if (this.tokens !== undefined) {
      out.tokens = { input: this.tokens.input, output: this.tokens.output };
    }
    return out;
  }
}

function capped(have: string, more: string, max: number): string {
  if (have.length >= max) return have;
  return have + more.slice(0, max - have.length);
}

/** JSON text of a whole arguments object (Gemini, Ollama), or `{}` when the vendor sent none; text passes as is. */
export function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args;
  return args === undefined || args === null ? '{}' : JSON.stringify(args);
}

/**
 * Reads one canary stream with the vendor's `consume`, which feeds an AnswerBuilder and may
 * stop with a Classification (an in-stream error). A JSON body where a stream was asked for,
 * a transport failure or a stream cut before its terminal event (`terminal` names it) are
 * classified like the completion check's.
 */
export async function readCanaryStream(
  res: HttpResponse,
  ctx: ProbeContext,
  scrub: Scrubber,
  terminal: string,
  consume: (answer: AnswerBuilder) => Promise<Classification | undefined>,
): Promise<CanaryAnswer | Classification> {
  if (/\bjson\b/i.test(res.headers['content-type'] ?? '')) {
    return jsonInsteadOfStream(res, scrub);
  }
  const answer = new AnswerBuilder();
  try {
    const failure = await consume(answer);
    if (failure) return failure;
  } catch (err) {
    if (!answer.done) {
      const phase: ExchangePhase = answer.started ? 'stream end' : 'first token';
      return classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase });
    }
  }
  if (!answer.done) {
    return { errorClass: 'bad_response', message: `stream ended without ${terminal}` };
  }
  return answer.answer();
}

/** The canary's tools as OpenAI-style function definitions (OpenAI, Cohere v2, Ollama take this shape). */
export function functionTools(
  canary: CanarySpec,
): Array<{ type: 'function'; function: Record<string, unknown> }> | undefined {
  if (canary.tools === undefined || canary.tools.length === 0) return undefined;
  return canary.tools.map((t) => ({
    type: 'function' as const,
    function: {
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      parameters: t.parameters,
    },
  }));
}

/** The canary as chat messages: its `system` as a system message, then the prompt from the user. */
export function chatMessages(
  canary: CanarySpec,
): Array<{ role: 'system' | 'user'; content: string }> {
  return [
    ...(canary.system === undefined ? [] : [{ role: 'system' as const, content: canary.system }]),
    { role: 'user' as const, content: canary.prompt },
  ];
}
