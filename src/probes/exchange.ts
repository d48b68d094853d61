import type { DependencyConfig } from '../config/types.js';
import type { HttpRequest, HttpResponse } from '../transport/http-client.js';
import {
  type Classification,
  classifyThrown,
  failed,
  httpFailure,
  jsonInsteadOfStream,
  type KeyedDependency,
  MAX_JSON_BODY_BYTES,
  MAX_STREAM_BYTES,
  responseFacts,
  type StreamSummary,
  skippedNoKey,
  streamResult,
} from './classify.js';
import { readNdjson } from './ndjson.js';
import type { Scrubber } from './scrub.js';
import { readSse } from './sse.js';
import type { CheckName, CheckResult, ProbeContext } from './types.js';

/** A request that got an answer, with the probe's start time. */
export interface Sent {
  res: HttpResponse;
  start: number;
}

/** A finished read of a whole body. */
export interface BodyRead {
  text: string;
  latencyMs: number;
  facts: Partial<CheckResult>;
}

/** True when a step already produced the check's (failed) result. */
export const isResult = (value: Sent | BodyRead | CheckResult): value is CheckResult =>
  'check' in value;

/**
 * Sends `req` under the probe's abort signal. A transport failure (refused, reset, DNS,
 * timeout before headers) comes back as the check's failed result, classified once here.
 */
export async function send(
  check: CheckName,
  req: Omit<HttpRequest, 'signal'>,
  ctx: ProbeContext,
  scrub: Scrubber,
  facts: Partial<CheckResult> = {},
): Promise<Sent | CheckResult> {
  const start = ctx.now();
  try {
    return { res: await ctx.http.request({ ...req, signal: ctx.signal }), start };
  } catch (err) {
    const cls = classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase: 'headers' });
    return failed(check, ctx.now() - start, cls, facts);
  }
}

/**
 * Reads the whole body (capped at 1 MiB) and frees the connection. A failure while
 * reading (timeout, reset, too large) comes back as the check's failed result.
 */
export async function readBody(
  check: CheckName,
  { res, start }: Sent,
  ctx: ProbeContext,
  scrub: Scrubber,
  extraFacts: Partial<CheckResult> = {},
): Promise<BodyRead | CheckResult> {
  let text: string | undefined;
  let readError: unknown;
  try {
    text = await res.text(MAX_JSON_BODY_BYTES);
  } catch (err) {
    readError = err;
  } finally {
    res.discard();
  }
  const latencyMs = ctx.now() - start;
  const facts = { ...responseFacts(res, Date.now(), scrub), ...extraFacts };
  if (text === undefined) {
    const cls = classifyThrown(readError, scrub, { aborted: ctx.signal.aborted, phase: 'body' });
    return failed(check, latencyMs, cls, facts);
  }
  return { text, latencyMs, facts };
}

/**
 * One streamed completion: send, classify a non-2xx answer, read the event stream with
 * the vendor's `consume`, and turn the summary into the check's result. The vendor files
 * differ only in the request and in how their events are read.
 */
export async function runStreamedCompletion(o: {
  ctx: ProbeContext;
  keyed: KeyedDependency;
  request: Omit<HttpRequest, 'signal'>;
  consume: (res: HttpResponse, start: number) => Promise<StreamSummary | Classification>;
  /** The event that must end a complete stream (`[DONE]`, `message_stop`). */
  terminal: string;
  /** The URL names the model (Gemini's `models/{m}:…`, Bedrock's `/model/{id}/…`): a 404 means the model is gone. */
  modelRoute?: boolean;
}): Promise<CheckResult> {
  const { ctx, keyed } = o;
  const sent = await send('completion', o.request, ctx, keyed.scrub);
  if (isResult(sent)) return sent;
  const { res, start } = sent;
  if (res.status < 200 || res.status > 299) {
    return httpFailure('completion', res, start, ctx, keyed, { modelRoute: o.modelRoute === true });
  }
  let outcome: StreamSummary | Classification;
  if (/\bjson\b/i.test(res.headers['content-type'] ?? '')) {
    outcome = await jsonInsteadOfStream(res, keyed.scrub, keyed.rules);
  } else {
    try {
      outcome = await o.consume(res, start);
    } finally {
      res.discard();
    }
  }
  return streamResult(
    outcome,
    ctx.now() - start,
    responseFacts(res, Date.now(), keyed.scrub),
    o.terminal,
  );
}

/** A stream event's data as a JSON object, or why it is not one (bad_response). */
export function eventObject(data: string): Record<string, unknown> | Classification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { errorClass: 'bad_response', message: 'malformed JSON in a stream event' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { errorClass: 'bad_response', message: 'stream event data is not a JSON object' };
  }
  return parsed as Record<string, unknown>;
}

/** Counts a content chunk; the first one fixes the time to first token. Returns true on the first. */
export function noteText(summary: StreamSummary, elapsedMs: number): boolean {
  summary.textChunks++;
  if (summary.ttftMs !== undefined) return false;
  summary.ttftMs = elapsedMs;
  return true;
}

/** True when `eventObject` failed. */
export const isClassification = (v: object): v is Classification => 'errorClass' in v;

/** A POST of a JSON body, as the LLM vendors' chat and message endpoints take it. */
export function jsonPost(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
): Omit<HttpRequest, 'signal'> {
  return {
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  };
}

/**
 * Sends a request and reads its whole body. A transport failure, a non-2xx answer
 * (classified, with the vendor's rules) or a failed read comes back as the check's result.
 */
export async function fetchBody(
  check: CheckName,
  request: Omit<HttpRequest, 'signal'>,
  ctx: ProbeContext,
  keyed: KeyedDependency,
  facts: Partial<CheckResult> = {},
  evidence: { modelRoute?: boolean } = {},
): Promise<BodyRead | CheckResult> {
  const sent = await send(check, request, ctx, keyed.scrub, facts);
  if (isResult(sent)) return sent;
  if (sent.res.status < 200 || sent.res.status > 299) {
    return httpFailure(check, sent.res, sent.start, ctx, keyed, evidence);
  }
  return readBody(check, sent, ctx, keyed.scrub, facts);
}

/**
 * The completion check as every LLM vendor runs it: skipped without a key (where the vendor
 * needs one), refused without a model, else one streamed JSON POST read by the vendor's
 * `consume` (see {@link runStreamedCompletion}).
 */
export function streamedCompletion(o: {
  ctx: ProbeContext;
  keyed: KeyedDependency;
  dep: Pick<DependencyConfig, 'apiKey' | 'apiKeyEnv' | 'model'>;
  /** Where it goes; a function where the route names the model (Gemini). */
  url: string | ((model: string) => string);
  headers: Record<string, string>;
  /** The vendor's request body for the model. */
  payload: (model: string) => unknown;
  stream: StreamReader;
  terminal: string;
  modelRoute?: boolean;
}): Promise<CheckResult> {
  const { dep } = o;
  if (o.keyed.keyRequired && dep.apiKey === undefined) {
    return Promise.resolve(skippedNoKey('completion', dep.apiKeyEnv));
  }
  if (dep.model === undefined) {
    return Promise.resolve(
      failed('completion', 0, {
        errorClass: 'bad_request',
        message: 'no model configured for the completion check',
      }),
    );
  }
  return runStreamedCompletion({
    ctx: o.ctx,
    keyed: o.keyed,
    request: jsonPost(
      typeof o.url === 'string' ? o.url : o.url(dep.model),
      o.headers,
      o.payload(dep.model),
    ),
    consume: (res, start) =>
      readCompletionStream(res, o.stream, { ctx: o.ctx, start, scrub: o.keyed.scrub }),
    terminal: o.terminal,
    ...(o.modelRoute === undefined ? {} : { modelRoute: o.modelRoute }),
  });
}

/** What one stream event carried, as the vendor's reader saw it. */
export interface StreamStep {
  /** Non-empty answer text (the first one fixes the time to first token). */
  text?: boolean;
  /** The vendor's terminal event: the stream is complete. */
  done?: boolean;
  /** Token counts the event reported (the last report wins); reasoning tokens apart where said. */
  tokens?: NonNullable<CheckResult['tokens']>;
  /** The model the event says answered (the first report wins). */
  servedModel?: string;
  /** OpenAI's `system_fingerprint`: the backend configuration that answered (the first report wins). */
  systemFingerprint?: string;
}

/** How a vendor's completion stream is framed and what its events carry. */
export interface StreamReader {
  format: 'sse' | 'ndjson';
  /** What one event's JSON data carried (text, the terminal event, tokens) or a failure. */
  step: (data: Record<string, unknown>, event: { event?: string }) => StreamStep | Classification;
  /** A terminal event that is not JSON (OpenAI's `[DONE]`). */
  rawTerminal?: (data: string) => boolean;
  /** What ends an incomplete stream early, checked before each event and at its end. */
  interrupt?: () => Classification | undefined;
  /** Lines outside any event (Gemini sends its mid-stream error as bare JSON). */
  onStrayLine?: (line: string) => void;
}

function eventsOf(
  res: HttpResponse,
  reader: StreamReader,
): AsyncIterable<{ event?: string; data: string }> {
  if (reader.format === 'sse') {
    return readSse(res.body, {
      maxBytes: MAX_STREAM_BYTES,
      ...(reader.onStrayLine ? { onStrayLine: reader.onStrayLine } : {}),
    });
  }
  return (async function* () {
    for await (const line of readNdjson(res.body, { maxBytes: MAX_STREAM_BYTES }))
      yield { data: line };
  })();
}

/**
 * The loop every streamed completion shares: each event's data as a JSON object (malformed →
 * bad_response), what the vendor's `step` read from it (text, the terminal event, tokens, or
 * a failure as a Classification), the time to first text and to the terminal event. Events
 * after the terminal one are drained, not read, so the keep-alive socket is reused; a
 * transport failure before it is classified by the phase reached.
 */
export async function readCompletionStream(
  res: HttpResponse,
  reader: StreamReader,
  io: { ctx: ProbeContext; start: number; scrub: Scrubber },
): Promise<StreamSummary | Classification> {
  const { ctx, start } = io;
  const summary: StreamSummary = { textChunks: 0, done: false };
  const finish = () => {
    summary.done = true;
    summary.doneMs = ctx.now() - start;
  };
  try {
    for await (const event of eventsOf(res, reader)) {
      const interrupted = summary.done ? undefined : reader.interrupt?.();
      if (interrupted) return interrupted;
      if (summary.done) continue;
      if (reader.rawTerminal?.(event.data)) {
        finish();
        continue;
      }
      const data = eventObject(event.data);
      if (isClassification(data)) return data;
      const step = reader.step(data, event);
      if (isClassification(step)) return step;
      if (step.text) noteText(summary, ctx.now() - start);
      if (step.tokens) summary.tokens = step.tokens;
      // Vendor text that becomes a metric label and an API field: scrubbed like messages.
      if (step.servedModel) summary.servedModel ??= io.scrub(step.servedModel);
      if (step.systemFingerprint) summary.systemFingerprint ??= io.scrub(step.systemFingerprint);
      if (step.done) finish();
    }
  } catch (err) {
    if (summary.done) return summary;
    const phase = summary.textChunks > 0 ? 'stream end' : 'first token';
    return classifyThrown(err, io.scrub, { aborted: ctx.signal.aborted, phase });
  }
  return (summary.done ? undefined : reader.interrupt?.()) ?? summary;
}
