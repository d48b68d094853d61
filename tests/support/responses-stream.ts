import { randomBytes } from 'node:crypto';

/**
 * OpenAI Responses API streams (`POST /responses`, `stream: true`) as the fakes send them.
 * Event names and fields: openai/openai-node src/resources/responses/responses.ts
 * (`ResponseStreamEvent` and its members) and the `x-oaiMeta` examples of the
 * `Response*Event` schemas in openai/openai-openapi openapi.yaml. Every event has an SSE
 * `event:` name equal to its `type`, and a `sequence_number` counting from 0.
 */

/** One event of a Responses stream. */
export interface ResponsesEvent {
  event: string;
  data: Record<string, unknown>;
  delayMs?: number;
}

/** What the model streams, in order. */
export type ResponsesPart =
  | { kind: 'text'; fragments: string[] }
  | { kind: 'refusal'; fragments: string[] }
  | { kind: 'reasoning' }
  | { kind: 'call'; name: string; fragments: string[] };

/** How the stream ends. */
export type ResponsesEnd =
  | { kind: 'completed' }
  | { kind: 'incomplete'; reason: 'max_output_tokens' | 'content_filter' }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'error'; code: string | null; message: string }
  | { kind: 'cut' };

/** Everything a Responses stream is built from. */
export interface ResponsesScript {
  /** The dated model the response names (`response.model`). */
  model: string;
  parts: ResponsesPart[];
  end: ResponsesEnd;
  /** The request's `max_output_tokens`, echoed in the response object. */
  maxOutputTokens?: number;
  /** The request's `reasoning.effort`, echoed in the response object. */
  effort?: string;
  usage: { input: number; output: number; reasoning: number };
  /** Pause before the first text, refusal or argument fragment. */
  firstTokenDelayMs?: number;
}

/** The in-stream failures fakes inject (fault `responses`), besides HTTP error statuses. */
export type ResponsesFault =
  /** `response.failed` with `error.code` `server_error`. */
  | 'failed'
  /** `response.failed` with `error.code` `rate_limit_exceeded`. */
  | 'failed-rate-limit'
  /** An `error` event after the first text. */
  | 'error-event'
  /** Text, then `response.incomplete` for `max_output_tokens`. */
  | 'incomplete'
  /** Some text, then `response.incomplete` for `content_filter`. */
  | 'content-filter'
  /** A refusal content part instead of text. */
  | 'refusal'
  /** A function call instead of text. */
  | 'function-call';

const hex = (n: number): string => randomBytes(n).toString('hex');

/**
 * The 400 OpenAI (and Azure) answer to `max_output_tokens` below 16:
 * `CreateResponse.max_output_tokens` has `minimum: 16` (openai/openai-openapi openapi.yaml);
 * the message as reported from the live API (earendil-works/pi#6265, vectorize-io/hindsight#58).
 */
export function belowMinimumOutputTokens(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'number' || value >= 16) return undefined;
  return {
    error: {
      message: `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${value} instead.`,
      type: 'invalid_request_error',
      param: 'max_output_tokens',
      code: 'integer_below_min_value',
    },
  };
}

/** The script for the completion check's "ping" under a fault (or none). */
export function pingScript(o: {
  model: string;
  fault?: ResponsesFault;
  /** A reasoning model that spends the whole budget before any text. */
  empty?: boolean;
  maxOutputTokens?: number;
  effort?: string;
  firstTokenDelayMs?: number;
}): ResponsesScript {
  const reasons = o.effort !== undefined && o.effort !== 'none';
  const budget = o.maxOutputTokens ?? 16;
  const reasoning = o.empty ? budget : reasons ? 10 : 0;
  const head: ResponsesPart[] = reasons || o.empty ? [{ kind: 'reasoning' }] : [];
  const pong: ResponsesPart = { kind: 'text', fragments: ['po', 'ng'] };
  const base = {
    model: o.model,
    usage: { input: 8, output: o.empty ? budget : 2 + reasoning, reasoning },
    ...(o.maxOutputTokens === undefined ? {} : { maxOutputTokens: o.maxOutputTokens }),
    ...(o.effort === undefined ? {} : { effort: o.effort }),
    ...(o.firstTokenDelayMs === undefined ? {} : { firstTokenDelayMs: o.firstTokenDelayMs }),
  };
  if (o.empty) {
    return { ...base, parts: head, end: { kind: 'incomplete', reason: 'max_output_tokens' } };
  }
  switch (o.fault) {
    case 'failed':
      return {
        ...base,
        parts: [...head, { kind: 'text', fragments: ['po'] }],
        // The response.failed example of openai-openapi.
        end: {
          kind: 'failed',
          code: 'server_error',
          message: 'The model failed to generate a response.',
        },
      };
    case 'failed-rate-limit':
      return {
        ...base,
        parts: head,
        end: {
          kind: 'failed',
          code: 'rate_limit_exceeded',
          message: `Rate limit reached for ${o.model} on tokens per min (TPM). Please try again in 20ms.`,
        },
      };
    case 'error-event':
      return {
        ...base,
        parts: [...head, { kind: 'text', fragments: ['po'] }],
        end: {
          kind: 'error',
          code: 'server_error',
          message: 'An error occurred while processing your request.',
        },
      };
    case 'incomplete':
      return {
        ...base,
        parts: [...head, pong],
        end: { kind: 'incomplete', reason: 'max_output_tokens' },
      };
    case 'content-filter':
      return {
        ...base,
        parts: [...head, { kind: 'text', fragments: ['The'] }],
        end: { kind: 'incomplete', reason: 'content_filter' },
      };
    case 'refusal':
      return {
        ...base,
        parts: [
          ...head,
          { kind: 'refusal', fragments: ["I'm sorry, ", 'I cannot help with that.'] },
        ],
        end: { kind: 'completed' },
      };
    case 'function-call':
      return {
        ...base,
        parts: [...head, { kind: 'call', name: 'ping', fragments: ['{"target": ', '"pong"}'] }],
        end: { kind: 'completed' },
      };
    default:
      return { ...base, parts: [...head, pong], end: { kind: 'completed' } };
  }
}

/** The events of a script: created, in_progress, each output item with its parts, the end. */
export function responsesEvents(s: ResponsesScript): ResponsesEvent[] {
  const id = `resp_${hex(24)}`;
  const createdAt = Math.floor(Date.now() / 1000);
  let seq = 0;
  let delayPending = s.firstTokenDelayMs;
  const firstDelay = (): { delayMs?: number } => {
    const d = delayPending;
    delayPending = undefined;
    return d === undefined ? {} : { delayMs: d };
  };
  const events: ResponsesEvent[] = [];
  const push = (type: string, fields: Record<string, unknown>, extra: { delayMs?: number } = {}) =>
    events.push({ event: type, data: { type, ...fields, sequence_number: seq++ }, ...extra });

  const output: Record<string, unknown>[] = [];
  const response = (status: string, more: Record<string, unknown> = {}) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    completed_at: status === 'completed' ? createdAt + 1 : null,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: s.maxOutputTokens ?? null,
    model: s.model,
    output: status === 'in_progress' ? [] : output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: s.effort ?? null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...more,
  });

  push('response.created', { response: response('in_progress') });
  push('response.in_progress', { response: response('in_progress') });

  for (const part of s.parts) {
    const outputIndex = output.length;
    if (part.kind === 'reasoning') {
      const item = { id: `rs_${hex(24)}`, type: 'reasoning', summary: [] };
      push('response.output_item.added', { output_index: outputIndex, item });
      push('response.output_item.done', { output_index: outputIndex, item });
      output.push(item);
      continue;
    }
    if (part.kind === 'call') {
      const itemId = `fc_${hex(24)}`;
      const call = {
        id: itemId,
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: `call_${hex(12)}`,
        name: part.name,
      };
      push('response.output_item.added', { output_index: outputIndex, item: call });
      for (const delta of part.fragments) {
        push(
          'response.function_call_arguments.delta',
          { item_id: itemId, output_index: outputIndex, delta },
          firstDelay(),
        );
      }
      const args = part.fragments.join('');
      push('response.function_call_arguments.done', {
        item_id: itemId,
        output_index: outputIndex,
        name: part.name,
        arguments: args,
      });
      const done = { ...call, status: 'completed', arguments: args };
      push('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
      continue;
    }
    const itemId = `msg_${hex(24)}`;
    const message = {
      id: itemId,
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    push('response.output_item.added', { output_index: outputIndex, item: message });
    const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    const whole = part.fragments.join('');
    const cutHere = s.end.kind !== 'completed' && s.end.kind !== 'incomplete';
    if (part.kind === 'text') {
      push('response.content_part.added', {
        ...at,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const delta of part.fragments) {
        push('response.output_text.delta', { ...at, delta, logprobs: [] }, firstDelay());
      }
      // A failed or cut stream stops mid-part: no .done events after the last delta.
      if (cutHere) {
        output.push({
          ...message,
          content: [{ type: 'output_text', text: whole, annotations: [] }],
        });
        continue;
      }
      push('response.output_text.done', { ...at, text: whole, logprobs: [] });
      const content = { type: 'output_text', text: whole, annotations: [] };
      push('response.content_part.done', { ...at, part: content });
      const done = { ...message, status: 'completed', content: [content] };
      push('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
    } else {
      push('response.content_part.added', { ...at, part: { type: 'refusal', refusal: '' } });
      for (const delta of part.fragments) {
        push('response.refusal.delta', { ...at, delta }, firstDelay());
      }
      push('response.refusal.done', { ...at, refusal: whole });
      const content = { type: 'refusal', refusal: whole };
      push('response.content_part.done', { ...at, part: content });
      const done = { ...message, status: 'completed', content: [content] };
      push('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
    }
  }

  const usage = {
    input_tokens: s.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: s.usage.output,
    output_tokens_details: { reasoning_tokens: s.usage.reasoning },
    total_tokens: s.usage.input + s.usage.output,
  };
  const { end } = s;
  switch (end.kind) {
    case 'completed':
      push('response.completed', { response: response('completed', { usage }) });
      break;
    case 'incomplete':
      push('response.incomplete', {
        response: response('incomplete', { incomplete_details: { reason: end.reason }, usage }),
      });
      break;
    case 'failed':
      push('response.failed', {
        response: response('failed', { error: { code: end.code, message: end.message } }),
      });
      break;
    case 'error':
      // ResponseErrorEvent: code, message, param at the top level.
      push('error', { code: end.code, message: end.message, param: null });
      break;
    default:
      break;
  }
  return events;
}
