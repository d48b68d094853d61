import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type EmbeddingSource, embeddingSource, type FakeEmbedding } from './fake-embedding.js';
import {
  belowMinimumOutputTokens,
  pingScript,
  type ResponsesFault,
  responsesEvents,
} from './responses-stream.js';

/**
 * Which requests a fault applies to: '*' every request; a vendor ('openai', 'anthropic')
 * every request in its shape; a route ('models', 'chat', 'messages', 'embeddings', 'health') that route
 * for both vendors; a vendor's route ('openai:models', 'anthropic:models') that alone. The
 * narrowest fault set for a request wins: vendor's route, route, vendor, then '*'.
 */
export type FaultRoute =
  | '*'
  | Route
  | 'openai'
  | 'anthropic'
  | 'openai:models'
  | 'anthropic:models';

/** Every FaultRoute, for validation, error messages and table-driven tests. */
export const FAULT_ROUTES: readonly FaultRoute[] = [
  '*',
  'openai',
  'anthropic',
  'models',
  'openai:models',
  'anthropic:models',
  'chat',
  'messages',
  'embeddings',
  'health',
  'responses',
];

/** The message for a route that is not a FaultRoute: it lists the valid ones. */
export function unknownFaultRoute(route: unknown): string {
  return `unknown fault route ${JSON.stringify(route)}; valid routes: ${FAULT_ROUTES.join(', ')}`;
}

/**
 * A misbehaviour to inject. Fields combine: response-shaping ones (status, body, malformed,
 * oversizedBytes) pick what is sent; timing and connection ones (headersDelayMs, hang, reset,
 * dripBytesPerSecond, firstTokenDelayMs) decide how it is sent.
 */
export interface Fault {
  /** Respond with this status and the vendor's documented error JSON for it, or `body` if given. */
  status?: number;
  /** Verbatim body (status 200 unless `status` is set). */
  body?: string;
  /** Extra response headers; they override the vendor's own. */
  headers?: Record<string, string>;
  /** Error code or type to put in the error body, e.g. 'insufficient_quota'; implies a status when none is set. */
  errorCode?: string;
  /** Never finish: send nothing at all, or only the headers. */
  hang?: 'before-headers' | 'after-headers';
  /** Wait this long before writing the headers. */
  headersDelayMs?: number;
  /** Streamed: wait this long before the first content chunk (non-streamed: before the headers). */
  firstTokenDelayMs?: number;
  /** Write the body at this rate. */
  dripBytesPerSecond?: number;
  /** Destroy the socket before any response, or after part of the body (half, or the first stream event). */
  reset?: 'before-headers' | 'mid-body';
  /** Status 200 with broken JSON, or with broken SSE framing when streamed. */
  malformed?: 'json' | 'sse';
  /** A body of this many bytes: the normal JSON with a padding field (streamed: a padded first event). */
  oversizedBytes?: number;
  /** Streamed: an error event after the first content delta, then the stream ends. */
  streamError?: boolean;
  /** A successful answer with no content tokens, as when a reasoning model spends the budget. */
  emptyCompletion?: boolean;
  /**
   * Not a misbehaviour: the model the answer says served it (OpenAI chunks' `model`,
   * Anthropic's message `model`), as when the vendor moves an alias to a new snapshot.
   */
  servedModel?: string;
  /** OpenAI-shaped answers: this `system_fingerprint` instead of `fp_fake`. */
  systemFingerprint?: string;
  /** Apply to the next N matching requests only, then clear. */
  times?: number;
  /** `POST /v1/responses` only: an in-stream failure, refusal or function call (responses-stream.ts). */
  responses?: ResponsesFault;
}

/** One request the fake vendor received (control endpoints are not recorded). */
export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Epoch milliseconds of arrival. */
  at: number;
}

/** Options for {@link startFakeVendor}. */
export interface FakeVendorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Model ids served on both vendor shapes (default {@link DEFAULT_MODELS}). */
  models?: string[];
  /** Embedding model ids `POST /v1/embeddings` serves (default {@link DEFAULT_EMBEDDING_MODELS}). */
  embeddingModels?: string[];
  /** The vector embeddings answer (default 1536 numbers, seed 1). */
  embedding?: FakeEmbedding;
  /** When set, OpenAI-shaped requests must send `Authorization: Bearer <key>`. */
  openaiKey?: string;
  /** When set, Anthropic-shaped requests must send `x-api-key: <key>`. */
  anthropicKey?: string;
  /**
   * Accept requests that carry no credentials at all, like a keyless vLLM or Ollama; a key
   * that is sent must still match. Default false: as with the real vendors, a missing key
   * is a 401.
   */
  anonymous?: boolean;
}

/** A running fake vendor. */
export interface FakeVendor {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  port: number;
  /** Set or (with null) clear the fault for a route. */
  setFault(route: FaultRoute, fault: Fault | null): void;
  clearFaults(): void;
  /** Every request received, oldest first (a live array: `requests.length = 0` empties it). */
  requests: RecordedRequest[];
  /** Changes the vector embeddings answer from now on (its length, seed, or the vector itself). */
  setEmbedding(embedding: FakeEmbedding): void;
  /** Close the listener and destroy open sockets, so clients see connection refused. */
  stop(): Promise<void>;
  /** Listen again on the same port after stop(). */
  start(): Promise<void>;
}

/** Embedding models served when none are configured. */
export const DEFAULT_EMBEDDING_MODELS: readonly string[] = [
  'text-embedding-3-small',
  'text-embedding-3-large',
  'nomic-embed-text',
];

/** Reasoning tokens the fake's chat completions report per `reasoning_effort` sent. */
export const REASONING_TOKENS: Readonly<Record<string, number>> = { minimal: 12, low: 64 };

/** Output tokens the fake's extended thinking costs when a request enables it. */
export const ANTHROPIC_THINKING_TOKENS = 20;

/** Models served when none are configured. */
export const DEFAULT_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'claude-3-5-haiku-latest',
  'claude-sonnet-4-20250514',
];

type Route = 'models' | 'chat' | 'messages' | 'embeddings' | 'health' | 'responses';
type Shape = 'openai' | 'anthropic' | 'plain';

interface SseEvent {
  event?: string;
  /** An object is serialized as JSON; a string is sent as is. */
  data?: unknown;
  comment?: string;
  delayMs?: number;
}

/** What to send, before faults decide how it goes on the wire. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  raw?: string;
  events?: SseEvent[];
  /** Delay before the headers (non-streamed generation time). */
  delayMs?: number;
}

interface Part {
  data: Buffer;
  delayMs?: number;
}

interface FaultEntry {
  fault: Fault;
  remaining: number | undefined;
}

interface Sleeper {
  timer: NodeJS.Timeout;
  wake: () => void;
}

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  shape: Shape;
  route: Route | undefined;
  /** Parsed JSON request body, when there was one. */
  payload: Record<string, unknown> | undefined;
  stream: boolean;
}

const PAD = Buffer.alloc(64 * 1024, 'x');
const CREATED = 1_715_367_049;
const PROMPT_TOKENS = 8;

/**
 * Start a local fake AI vendor on 127.0.0.1 that speaks the OpenAI and Anthropic shapes and
 * injects faults for real on the socket (hangs, resets, slow bodies, bad framing).
 */
export async function startFakeVendor(opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  const host = opts.host ?? '127.0.0.1';
  const models = [...(opts.models ?? DEFAULT_MODELS)];
  const embeddingModels = [...(opts.embeddingModels ?? DEFAULT_EMBEDDING_MODELS)];
  const embedding: EmbeddingSource = embeddingSource(1536, opts.embedding);
  const faults = new Map<FaultRoute, FaultEntry>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const sleepers = new Set<Sleeper>();
  let port = opts.port ?? 0;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry: Sleeper = {
        timer: setTimeout(() => {
          sleepers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      sleepers.add(entry);
    });

  const setFault = (route: FaultRoute, fault: Fault | null): void => {
    if (!FAULT_ROUTES.includes(route)) throw new Error(unknownFaultRoute(route));
    if (fault === null || (fault.times !== undefined && fault.times <= 0)) {
      faults.delete(route);
      return;
    }
    faults.set(route, { fault: { ...fault }, remaining: fault.times });
  };

  const takeFault = (route: Route | undefined, shape: Shape): Fault | undefined => {
    const vendor = shape === 'plain' ? undefined : shape;
    const candidates = [vendor && route ? `${vendor}:${route}` : undefined, route, vendor, '*'] as (
      | FaultRoute
      | undefined
    )[];
    const key = candidates.find((k) => k !== undefined && faults.has(k));
    if (key === undefined) return undefined;
    const entry = faults.get(key) as FaultEntry;
    if (entry.remaining !== undefined) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) faults.delete(key);
    }
    return entry.fault;
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"fake vendor failure"}');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', noop);
    const method = req.method ?? 'GET';
    const target = new URL(req.url ?? '/', 'http://fake.invalid');
    const path = target.pathname.replace(/\/+$/, '') || '/';
    const bodyText = await readBody(req);

    if (path.startsWith('/__')) {
      control(method, path, bodyText, res);
      return;
    }
    requests.push({
      method,
      path: `${target.pathname}${target.search}`,
      headers: flatHeaders(req.headers),
      body: bodyText,
      at: Date.now(),
    });

    const route = routeOf(method, path);
    let payload: Record<string, unknown> | undefined;
    let badJson = false;
    if (bodyText.length > 0) {
      try {
        const parsed: unknown = JSON.parse(bodyText);
        if (parsed !== null && typeof parsed === 'object') {
          payload = parsed as Record<string, unknown>;
        } else {
          badJson = true;
        }
      } catch {
        badJson = true;
      }
    }
    const ex: Exchange = {
      req,
      res,
      method,
      path,
      route,
      shape: shapeOf(route, req.headers),
      payload,
      stream: payload?.stream === true,
    };

    const fault = takeFault(route, ex.shape);
    if (fault?.headersDelayMs !== undefined && fault.headersDelayMs > 0) {
      await sleep(fault.headersDelayMs);
      if (gone(res)) return;
    }
    if (fault?.reset === 'before-headers') {
      req.socket.destroy();
      return;
    }
    // Never respond: the socket stays open until the client gives up or stop() runs.
    if (fault?.hang === 'before-headers') return;

    let reply =
      faultReply(ex, fault) ??
      (badJson ? errorReply(ex, 400, 'invalid_json') : normalReply(ex, fault));
    if (fault?.headers !== undefined) {
      reply = { ...reply, headers: { ...reply.headers, ...fault.headers } };
    }
    await send(ex, reply, fault);
  }

  function control(method: string, path: string, bodyText: string, res: http.ServerResponse): void {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/__fault' && method === 'POST') {
      try {
        const { route, fault } = JSON.parse(bodyText) as { route: FaultRoute; fault: Fault | null };
        setFault(route, fault ?? null);
        reply(200, { ok: true });
      } catch (err) {
        reply(400, { error: (err as Error).message, routes: FAULT_ROUTES });
      }
    } else if (path === '/__fault' && method === 'DELETE') {
      faults.clear();
      reply(200, { ok: true });
    } else if (path === '/__requests' && method === 'GET') {
      // Headers are left out: they carry the keys.
      reply(200, {
        count: requests.length,
        requests: requests.map(({ method: m, path: p, at }) => ({ method: m, path: p, at })),
      });
    } else {
      reply(404, { error: 'unknown control endpoint' });
    }
  }

  /** A reply decided wholly by the fault, or undefined to answer normally. */
  function faultReply(ex: Exchange, fault: Fault | undefined): Reply | undefined {
    if (fault === undefined) return undefined;
    const status = fault.status ?? (fault.errorCode !== undefined ? statusFor(fault.errorCode) : 0);
    if (fault.body !== undefined) {
      return {
        status: status || 200,
        headers: { ...vendorHeaders(ex.shape, status || 200), 'content-type': 'application/json' },
        raw: fault.body,
      };
    }
    if (status !== 0) return errorReply(ex, status, fault.errorCode);
    return undefined;
  }

  function normalReply(ex: Exchange, fault: Fault | undefined): Reply {
    const { route, shape, path } = ex;
    if (route === 'health') return jsonReply(ex, 200, { status: 'ok' });
    if (route === undefined) return errorReply(ex, 404, 'unknown_url');

    const denied = authProblem(ex);
    if (denied !== undefined) return denied;

    if (route === 'models') {
      const id = path === '/v1/models' ? undefined : decodeURIComponent(path.slice(11));
      if (id === undefined) {
        return jsonReply(ex, 200, shape === 'anthropic' ? anthropicModelList() : openaiModelList());
      }
      if (!models.includes(id)) return errorReply(ex, 404, undefined, id);
      return jsonReply(ex, 200, shape === 'anthropic' ? anthropicModel(id) : openaiModel(id));
    }

    const model = ex.payload?.model;
    if (typeof model !== 'string' || model.length === 0) {
      return errorReply(ex, 400, 'missing_model');
    }
    if (route === 'embeddings') return openaiEmbedding(ex, model);
    if (route === 'responses') {
      return models.includes(model)
        ? openaiResponses(ex, model, fault)
        : errorReply(ex, 404, undefined, model);
    }
    if (!Array.isArray(ex.payload?.messages)) return errorReply(ex, 400, 'missing_messages');
    if (route === 'messages' && typeof ex.payload?.max_tokens !== 'number') {
      return errorReply(ex, 400, 'missing_max_tokens');
    }
    if (!models.includes(model)) return errorReply(ex, 404, undefined, model);
    // The answer names the model that served it; real vendors name a dated snapshot.
    const served = fault?.servedModel ?? model;
    return route === 'chat'
      ? openaiCompletion(ex, served, fault)
      : anthropicMessage(ex, served, fault);
  }

  function authProblem(ex: Exchange): Reply | undefined {
    const { req, shape } = ex;
    if (shape === 'anthropic') {
      const key = header(req, 'x-api-key');
      if (key === undefined && !opts.anonymous) {
        return errorReply(ex, 401, 'missing_key');
      }
      if (opts.anthropicKey !== undefined && key !== undefined && key !== opts.anthropicKey) {
        return errorReply(ex, 401);
      }
      if (header(req, 'anthropic-version') === undefined) {
        return errorReply(ex, 400, 'missing_version');
      }
      return undefined;
    }
    const auth = header(req, 'authorization');
    if (auth === undefined && !opts.anonymous) {
      return errorReply(ex, 401, 'missing_key');
    }
    if (opts.openaiKey !== undefined && auth !== undefined && auth !== `Bearer ${opts.openaiKey}`) {
      return errorReply(ex, 401);
    }
    return undefined;
  }

  function openaiModelList(): unknown {
    return { object: 'list', data: models.map(openaiModel) };
  }

  function anthropicModelList(): unknown {
    return {
      data: models.map(anthropicModel),
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models[models.length - 1] ?? null,
    };
  }

  /**
   * A `CreateEmbeddingResponse` (openai/openai-node src/resources/embeddings.ts): `data[]` of
   * `{object: "embedding", index, embedding}`, the model, `usage.{prompt_tokens,total_tokens}`.
   * An unknown model is 404 `model_not_found`, as for chat; no `input` is a 400.
   */
  function openaiEmbedding(ex: Exchange, model: string): Reply {
    const input = ex.payload?.input;
    if (typeof input !== 'string' && !Array.isArray(input)) {
      return errorReply(ex, 400, 'missing_input');
    }
    if (!embeddingModels.includes(model)) return errorReply(ex, 404, undefined, model);
    return jsonReply(ex, 200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: embedding.vector() }],
      model,
      usage: { prompt_tokens: PROMPT_TOKENS, total_tokens: PROMPT_TOKENS },
    });
  }

  function openaiCompletion(ex: Exchange, model: string, fault: Fault | undefined): Reply {
    const budget = ex.payload?.max_completion_tokens ?? ex.payload?.max_tokens;
    const empty = fault?.emptyCompletion === true;
    const finish = empty || budget === 1 ? 'length' : 'stop';
    // A reasoning model thinks unless `reasoning_effort` is "none"; what it spends thinking is
    // inside `completion_tokens` and counted apart in `completion_tokens_details.reasoning_tokens`
    // (openai/openai-node src/resources/completions.ts `CompletionUsage`).
    const effort = ex.payload?.reasoning_effort;
    const thought = empty
      ? 1
      : typeof effort === 'string' && effort !== 'none'
        ? (REASONING_TOKENS[effort] ?? 0)
        : 0;
    const usage = {
      prompt_tokens: PROMPT_TOKENS,
      completion_tokens: (empty ? 0 : 1) + thought,
      total_tokens: PROMPT_TOKENS + (empty ? 0 : 1) + thought,
      completion_tokens_details: { reasoning_tokens: thought },
    };
    const id = `chatcmpl-${hex(12)}`;
    const created = Math.floor(Date.now() / 1000);
    const fingerprint = fault?.systemFingerprint ?? 'fp_fake';
    if (!ex.stream) {
      return {
        ...jsonReply(ex, 200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: empty ? '' : 'pong', refusal: null },
              logprobs: null,
              finish_reason: finish,
            },
          ],
          usage,
          system_fingerprint: fingerprint,
        }),
        delayMs: fault?.firstTokenDelayMs,
      };
    }
    const streamOptions = ex.payload?.stream_options as { include_usage?: unknown } | undefined;
    const includeUsage = streamOptions?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): unknown => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: fingerprint,
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
    const delta = (d: unknown, finishReason: string | null = null): unknown => ({
      index: 0,
      delta: d,
      logprobs: null,
      finish_reason: finishReason,
    });
    const events: SseEvent[] = [
      { data: chunk([delta({ role: 'assistant', content: '', refusal: null })]) },
      { comment: 'keep-alive' },
    ];
    if (!empty) {
      events.push({
        data: chunk([delta({ content: 'pong' })]),
        delayMs: fault?.firstTokenDelayMs,
      });
    }
    if (fault?.streamError) {
      events.push({
        data: {
          error: {
            message: 'The server had an error while processing your request. Sorry about that!',
            type: 'server_error',
            param: null,
            code: null,
          },
        },
      });
      return sseReply(ex, events);
    }
    events.push({ data: chunk([delta({}, finish)]) });
    if (includeUsage) events.push({ data: chunk([], { usage }) });
    events.push({ data: '[DONE]' });
    return sseReply(ex, events);
  }

  /**
   * `POST /v1/responses` (the Responses API): a `max_output_tokens` below 16 is refused as
   * OpenAI does; streamed, the real event sequence (responses-stream.ts) ending in
   * `response.completed` with usage, or the fault's failure; unstreamed, the final response.
   * `streamError` is an `error` event, `emptyCompletion` a reasoning model's budget spent
   * (`response.incomplete`, `max_output_tokens`); a `reasoning.effort` adds reasoning tokens.
   */
  function openaiResponses(ex: Exchange, model: string, fault: Fault | undefined): Reply {
    const budget = ex.payload?.max_output_tokens;
    const tooSmall = belowMinimumOutputTokens(budget);
    if (tooSmall) {
      return { ...jsonReply(ex, 400, tooSmall), headers: vendorHeaders('openai', 400) };
    }
    const reasoning = ex.payload?.reasoning as { effort?: unknown } | undefined;
    const script = pingScript({
      model: `${model}-2024-07-18`,
      fault: fault?.responses ?? (fault?.streamError ? 'error-event' : undefined),
      empty: fault?.emptyCompletion === true,
      ...(typeof budget === 'number' ? { maxOutputTokens: budget } : {}),
      ...(typeof reasoning?.effort === 'string' ? { effort: reasoning.effort } : {}),
      ...(fault?.firstTokenDelayMs === undefined
        ? {}
        : { firstTokenDelayMs: fault.firstTokenDelayMs }),
    });
    const events = responsesEvents(script);
    if (!ex.stream) {
      const last = events.at(-1)?.data.response;
      return { ...jsonReply(ex, 200, last ?? {}), delayMs: fault?.firstTokenDelayMs };
    }
    return sseReply(ex, events);
  }

  function anthropicMessage(ex: Exchange, model: string, fault: Fault | undefined): Reply {
    const empty = fault?.emptyCompletion === true;
    const stop = empty || ex.payload?.max_tokens === 1 ? 'max_tokens' : 'end_turn';
    const id = `msg_${hex(12)}`;
    if (!ex.stream) {
      return {
        ...jsonReply(ex, 200, {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: empty ? [] : [{ type: 'text', text: 'pong' }],
          stop_reason: stop,
          stop_sequence: null,
          usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
        }),
        delayMs: fault?.firstTokenDelayMs,
      };
    }
    const events: SseEvent[] = [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
          },
        },
      },
    ];
    // Extended thinking on (`thinking.type` enabled): a thinking block streams first, as
    // thinking_delta then signature_delta (anthropic-sdk-typescript `RawContentBlockDeltaEvent`),
    // its tokens inside output_tokens.
    const thinks = (ex.payload?.thinking as { type?: unknown } | undefined)?.type === 'enabled';
    const text = thinks ? 1 : 0;
    if (thinks && !empty) {
      events.push(
        {
          event: 'content_block_start',
          data: {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'thinking', thinking: '', signature: '' },
          },
        },
        {
          event: 'content_block_delta',
          data: {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'thinking_delta', thinking: 'A greeting.' },
          },
        },
        {
          event: 'content_block_delta',
          data: {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' },
          },
        },
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      );
    }
    if (!empty) {
      events.push({
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: text,
          content_block: { type: 'text', text: '' },
        },
      });
    }
    events.push({ event: 'ping', data: { type: 'ping' } });
    if (!empty) {
      events.push({
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: text,
          delta: { type: 'text_delta', text: 'pong' },
        },
        delayMs: fault?.firstTokenDelayMs,
      });
      if (fault?.streamError) {
        events.push({
          event: 'error',
          data: {
            type: 'error',
            error: { type: 'overloaded_error', message: 'Overloaded' },
            request_id: `req_${hex(12)}`,
          },
        });
        return sseReply(ex, events);
      }
      events.push({
        event: 'content_block_stop',
        data: { type: 'content_block_stop', index: text },
      });
    }
    events.push(
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: stop, stop_sequence: null },
          usage: { output_tokens: 1 + (thinks && !empty ? ANTHROPIC_THINKING_TOKENS : 0) },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    );
    return sseReply(ex, events);
  }

  function errorReply(ex: Exchange, status: number, code?: string, model?: string): Reply {
    const headers = vendorHeaders(ex.shape, status, code);
    if (ex.shape === 'anthropic') {
      const error = anthropicError(status, code, model ?? modelOf(ex));
      return {
        status,
        headers: { ...headers, 'content-type': 'application/json' },
        json: { type: 'error', error, request_id: headers['request-id'] },
      };
    }
    if (ex.shape === 'plain') {
      return {
        status,
        headers: { ...headers, 'content-type': 'application/json' },
        json: { status: 'error', code: status },
      };
    }
    const presented = header(ex.req, 'authorization')?.replace(/^Bearer\s+/i, '');
    return {
      status,
      headers: { ...headers, 'content-type': 'application/json' },
      json: {
        error: openaiError(
          status,
          code,
          model ?? modelOf(ex),
          presented,
          `${ex.method} ${ex.path}`,
        ),
      },
    };
  }

  function jsonReply(ex: Exchange, status: number, json: unknown): Reply {
    return {
      status,
      headers: { ...vendorHeaders(ex.shape, status), 'content-type': 'application/json' },
      json,
    };
  }

  function sseReply(ex: Exchange, events: SseEvent[]): Reply {
    return {
      status: 200,
      headers: {
        ...vendorHeaders(ex.shape, 200),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      },
      events,
    };
  }

  /** Writes a reply, applying the fault's wire-level misbehaviour. */
  async function send(ex: Exchange, reply: Reply, fault: Fault | undefined): Promise<void> {
    const { res, req } = ex;
    if (reply.delayMs !== undefined && reply.delayMs > 0) {
      await sleep(reply.delayMs);
      if (gone(res)) return;
    }
    const { parts, streamed } = serialize(reply, fault);
    const total = parts.reduce((sum, part) => sum + part.data.byteLength, 0);
    const headers: Record<string, string> = { ...reply.headers };
    if (!streamed && !hasKey(headers, 'content-length')) headers['content-length'] = String(total);
    res.writeHead(reply.status, headers);
    if (fault?.hang === 'after-headers') {
      res.flushHeaders();
      return;
    }
    const cutoff =
      fault?.reset === 'mid-body'
        ? streamed
          ? (parts[0]?.data.byteLength ?? 0)
          : Math.floor(total / 2)
        : Number.POSITIVE_INFINITY;
    let written = 0;
    for (const part of parts) {
      if (written >= cutoff) break;
      if (part.delayMs !== undefined && part.delayMs > 0) {
        res.flushHeaders();
        await sleep(part.delayMs);
      }
      if (gone(res)) return;
      const room = cutoff - written;
      const data = part.data.byteLength > room ? part.data.subarray(0, room) : part.data;
      await write(res, data, fault?.dripBytesPerSecond);
      written += data.byteLength;
    }
    if (gone(res)) return;
    if (fault?.reset === 'mid-body') {
      res.flushHeaders();
      // Let what was written reach the client before the connection dies.
      await sleep(10);
      req.socket.destroy();
      return;
    }
    res.end();
  }

  async function write(
    res: http.ServerResponse,
    data: Buffer,
    rate: number | undefined,
  ): Promise<void> {
    if (rate === undefined || rate <= 0) {
      if (!res.write(data)) await drained(res);
      return;
    }
    // Slices of about 1/20 s each, so slow rates still move a byte at a time.
    const slice = Math.max(1, Math.floor(rate / 20));
    const pauseMs = (slice * 1000) / rate;
    for (let offset = 0; offset < data.byteLength; offset += slice) {
      if (gone(res)) return;
      res.write(data.subarray(offset, offset + slice));
      await sleep(pauseMs);
    }
  }

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ port, host }, () => {
        server.off('error', onError);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  await listen();
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    setFault,
    setEmbedding: (e) => embedding.set(e),
    clearFaults: () => faults.clear(),
    async start(): Promise<void> {
      if (!server.listening) await listen();
    },
    async stop(): Promise<void> {
      const closed = server.listening
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      // Writers waiting on a timer wake up, find their socket gone and return.
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      sleepers.clear();
      await closed;
    },
  };
}

function routeOf(method: string, path: string): Route | undefined {
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) return 'health';
  if (method === 'GET' && (path === '/v1/models' || /^\/v1\/models\/[^/]+$/.test(path))) {
    return 'models';
  }
  if (method === 'POST' && path === '/v1/chat/completions') return 'chat';
  if (method === 'POST' && path === '/v1/messages') return 'messages';
  if (method === 'POST' && path === '/v1/embeddings') return 'embeddings';
  if (method === 'POST' && path === '/v1/responses') return 'responses';
  return undefined;
}

function shapeOf(route: Route | undefined, headers: http.IncomingHttpHeaders): Shape {
  if (route === 'health') return 'plain';
  if (route === 'messages') return 'anthropic';
  if (route === 'chat' || route === 'embeddings' || route === 'responses') return 'openai';
  return headers['x-api-key'] !== undefined || headers['anthropic-version'] !== undefined
    ? 'anthropic'
    : 'openai';
}

function openaiModel(id: string): unknown {
  return {
    id,
    object: 'model',
    created: CREATED,
    owned_by: id.startsWith('gpt') ? 'system' : 'organization-owner',
  };
}

function anthropicModel(id: string): unknown {
  return { type: 'model', id, display_name: id, created_at: '2025-02-19T00:00:00Z' };
}

/** The status a bare errorCode implies. */
function statusFor(code: string): number {
  switch (code) {
    case 'invalid_api_key':
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
    case 'unsupported_country_region_territory':
      return 403;
    case 'model_not_found':
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_exceeded':
    case 'rate_limit_error':
    case 'insufficient_quota':
      return 429;
    case 'api_error':
    case 'server_error':
      return 500;
    case 'timeout_error':
      return 504;
    case 'overloaded_error':
      return 529;
    default:
      return 400;
  }
}

/** OpenAI's error object for a status; `code` is an errorCode or an internal reason. */
function openaiError(
  status: number,
  code: string | undefined,
  model: string,
  presentedKey: string | undefined,
  what: string,
): Record<string, unknown> {
  const err = (
    message: string,
    type: string,
    errorCode: string | null,
  ): Record<string, unknown> => ({
    message,
    type,
    param: null,
    code: errorCode,
  });
  if (code === 'unknown_url') return err(`Invalid URL (${what})`, 'invalid_request_error', null);
  if (code === 'missing_model') {
    return err('you must provide a model parameter', 'invalid_request_error', null);
  }
  if (code === 'missing_input') {
    return {
      ...err(
        "Missing required parameter: 'input'.",
        'invalid_request_error',
        'missing_required_parameter',
      ),
      param: 'input',
    };
  }
  if (code === 'missing_messages') {
    return {
      ...err(
        "Missing required parameter: 'messages'.",
        'invalid_request_error',
        'missing_required_parameter',
      ),
      param: 'messages',
    };
  }
  if (code === 'invalid_json') {
    return err('We could not parse the JSON body of your request.', 'invalid_request_error', null);
  }
  if (code === 'missing_key') {
    return err(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
    );
  }
  switch (status) {
    case 400:
      return err('Invalid request.', 'invalid_request_error', code ?? null);
    case 401:
      return err(
        `Incorrect API key provided: ${maskKey(presentedKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        code ?? 'invalid_api_key',
      );
    case 403:
      return err(
        'Country, region, or territory not supported',
        'request_forbidden',
        code ?? 'unsupported_country_region_territory',
      );
    case 404:
      return err(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        code ?? 'model_not_found',
      );
    case 429:
      if (code === 'insufficient_quota') {
        return err(
          'You exceeded your current quota, please check your plan and billing details.',
          'insufficient_quota',
          'insufficient_quota',
        );
      }
      return err(
        `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.`,
        'requests',
        code ?? 'rate_limit_exceeded',
      );
    case 500:
      return err(
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        code ?? null,
      );
    case 502:
      return err('Bad gateway.', 'server_error', code ?? null);
    case 503:
      return err(
        'The engine is currently overloaded, please try again later.',
        'server_error',
        code ?? null,
      );
    default:
      return status >= 500
        ? err('The server is overloaded or not ready yet.', 'server_error', code ?? null)
        : err('Invalid request.', 'invalid_request_error', code ?? null);
  }
}

/** Anthropic's `error` object for a status; an errorCode replaces the type. */
function anthropicError(
  status: number,
  code: string | undefined,
  model: string,
): Record<string, string> {
  if (code === 'unknown_url') return { type: 'not_found_error', message: 'Not Found' };
  if (code === 'missing_key') {
    return { type: 'authentication_error', message: 'x-api-key header is required' };
  }
  if (code === 'missing_version') {
    return { type: 'invalid_request_error', message: 'anthropic-version: header is required' };
  }
  if (code === 'missing_model')
    return { type: 'invalid_request_error', message: 'model: Field required' };
  if (code === 'missing_messages') {
    return { type: 'invalid_request_error', message: 'messages: Field required' };
  }
  if (code === 'missing_max_tokens') {
    return { type: 'invalid_request_error', message: 'max_tokens: Field required' };
  }
  if (code === 'invalid_json') {
    return { type: 'invalid_request_error', message: 'There was an error parsing the body' };
  }
  const [type, message] = ((): [string, string] => {
    switch (status) {
      case 400:
        return ['invalid_request_error', 'Invalid request'];
      case 401:
        return ['authentication_error', 'invalid x-api-key'];
      case 402:
        return ['billing_error', 'Your credit balance is too low to access the Anthropic API.'];
      case 403:
        return [
          'permission_error',
          'Your API key does not have permission to use the specified resource.',
        ];
      case 404:
        return ['not_found_error', `model: ${model}`];
      case 413:
        return ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'];
      case 429:
        return [
          'rate_limit_error',
          'This request would exceed the rate limit for your organization of 50 requests per minute.',
        ];
      case 504:
        return ['timeout_error', 'Request timed out'];
      case 529:
        return ['overloaded_error', 'Overloaded'];
      default:
        return status >= 500
          ? ['api_error', 'Internal server error']
          : ['invalid_request_error', 'Invalid request'];
    }
  })();
  return { type: code ?? type, message };
}

function vendorHeaders(shape: Shape, status: number, code?: string): Record<string, string> {
  const limited = status === 429 && code !== 'insufficient_quota';
  if (shape === 'anthropic') {
    const reset = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const headers: Record<string, string> = { 'request-id': `req_${hex(12)}` };
    const limits: Array<[string, number, number]> = [
      ['requests', 50, limited ? 0 : 49],
      ['tokens', 80_000, 79_000],
      ['input-tokens', 40_000, 39_000],
      ['output-tokens', 16_000, 16_000],
    ];
    for (const [resource, limit, remaining] of limits) {
      headers[`anthropic-ratelimit-${resource}-limit`] = String(limit);
      headers[`anthropic-ratelimit-${resource}-remaining`] = String(remaining);
      headers[`anthropic-ratelimit-${resource}-reset`] = reset;
    }
    if (limited) headers['retry-after'] = '1';
    return headers;
  }
  if (shape === 'plain') return {};
  return {
    'x-request-id': `req_${hex(16)}`,
    'openai-processing-ms': String(20 + (randomBytes(1)[0] ?? 0)),
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': limited ? '0' : '499',
    'x-ratelimit-reset-requests': '120ms',
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': '29990',
    'x-ratelimit-reset-tokens': '6m0s',
    ...(limited ? { 'retry-after': '1' } : {}),
  };
}

/** Turns a reply into wire bytes, applying malformed and oversized faults. */
function serialize(reply: Reply, fault: Fault | undefined): { parts: Part[]; streamed: boolean } {
  const malformed = reply.status < 300 ? fault?.malformed : undefined;
  const oversized = fault?.oversizedBytes;
  if (reply.events !== undefined) {
    const events = reply.events;
    if (oversized !== undefined && oversized > 0) {
      const [first, ...rest] = events;
      const head = first?.event !== undefined ? `event: ${first.event}\n` : '';
      const json = JSON.stringify(first?.data ?? {});
      const parts = padded(`${head}data: ${json.slice(0, -1)},"padding":"`, '"}\n\n', oversized);
      return { parts: [...parts, ...rest.map((e) => sseEvent(e, undefined))], streamed: true };
    }
    return { parts: events.map((e) => sseEvent(e, malformed)), streamed: true };
  }
  const text = reply.raw ?? JSON.stringify(reply.json ?? null);
  if (oversized !== undefined && oversized > 0) {
    const prefix = text.endsWith('}') ? `${text.slice(0, -1)},"padding":"` : `{"padding":"`;
    return { parts: padded(prefix, '"}', oversized), streamed: false };
  }
  if (malformed !== undefined && reply.raw === undefined) {
    return { parts: [{ data: Buffer.from(truncateJson(text)) }], streamed: false };
  }
  return { parts: [{ data: Buffer.from(text) }], streamed: false };
}

function sseEvent(e: SseEvent, malformed: 'json' | 'sse' | undefined): Part {
  let text: string;
  if (e.comment !== undefined) {
    text = malformed === 'sse' ? '' : `: ${e.comment}\n\n`;
  } else {
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    if (malformed === 'sse') {
      // No field names and no blank-line separators: nothing a parser can dispatch.
      text = `${e.event !== undefined ? `${e.event} ` : ''}${data}\n`;
    } else {
      const body = malformed === 'json' && typeof e.data !== 'string' ? truncateJson(data) : data;
      text = `${e.event !== undefined ? `event: ${e.event}\n` : ''}data: ${body}\n\n`;
    }
  }
  return { data: Buffer.from(text), delayMs: e.delayMs };
}

function truncateJson(text: string): string {
  return `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}\u0000<<truncated`;
}

/** prefix + 'x' padding + suffix, `total` bytes when it fits, as shared 64 KiB slices. */
function padded(prefix: string, suffix: string, total: number): Part[] {
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  let padding = Math.max(0, total - head.byteLength - tail.byteLength);
  const parts: Part[] = [{ data: head }];
  while (padding > 0) {
    const size = Math.min(padding, PAD.byteLength);
    parts.push({ data: PAD.subarray(0, size) });
    padding -= size;
  }
  parts.push({ data: tail });
  return parts;
}

function modelOf(ex: Exchange): string {
  const model = ex.payload?.model;
  if (typeof model === 'string') return model;
  return ex.path.startsWith('/v1/models/') ? decodeURIComponent(ex.path.slice(11)) : 'unknown';
}

function maskKey(key: string | undefined): string {
  if (key === undefined || key.length < 8) return 'sk-...';
  return `${key.slice(0, 3)}...${key.slice(-4)}`;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function hasKey(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function gone(res: http.ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function noop(): void {}
