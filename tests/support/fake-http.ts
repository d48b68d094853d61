import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ResponsesFault } from './responses-stream.js';

/** A vendor's routes as faults see them: its model-list route(s), its completion route, its embeddings route, or every route. */
export type VendorRoute = 'models' | 'completion' | 'embeddings';
export type VendorFaultRoute = VendorRoute | '*';

/**
 * A misbehaviour for one of the vendor fakes below (fake-azure, fake-gemini, fake-bedrock,
 * fake-ollama, fake-cohere). The vendor decides what `status`, `errorCode`, `malformed`,
 * `streamError`, `emptyCompletion` and `firstTokenDelayMs` look like in its own shapes; this
 * scaffold applies the wire-level ones (`hang`, `reset`, a verbatim `body`, extra `headers`).
 */
export interface VendorFault {
  /** Answer with this status and the vendor's documented error body for it. */
  status?: number;
  /** The vendor's own error code or type (`API_KEY_INVALID`, `ThrottlingException`, …); implies its status. */
  errorCode?: string;
  /** A verbatim body (status 200 unless `status` is set); the vendor is not consulted. */
  body?: string | Uint8Array;
  /** Extra response headers; they override the vendor's own. */
  headers?: Record<string, string>;
  /** Never finish: send nothing at all, or only the headers. */
  hang?: 'before-headers' | 'after-headers';
  /** Destroy the socket before any response, or after the first part of the body. */
  reset?: 'before-headers' | 'mid-body';
  /** A 2xx with a broken body: cut JSON, or broken stream framing. */
  malformed?: boolean;
  /** Streamed: an in-stream error after the first content token. */
  streamError?: boolean;
  /** With streamError: the vendor's in-stream error type, where it has several (Bedrock). */
  streamErrorCode?: string;
  /** A successful stream with no answer text, as when a reasoning model spends the budget. */
  emptyCompletion?: boolean;
  /** Streamed: wait this long before the first content token. */
  firstTokenDelayMs?: number;
  /**
   * Not a misbehaviour: the model the answer says served it (OpenAI/Azure chunk `model`,
   * Gemini `modelVersion`, Ollama line `model`), as when the vendor silently moves an alias.
   */
  servedModel?: string;
  /** OpenAI-shaped chunks: this `system_fingerprint` instead of the usual one. */
  systemFingerprint?: string;
  /** Apply to the next N matching requests only. */
  times?: number;
  /** Responses API routes only: an in-stream failure, refusal or function call (responses-stream.ts). */
  responses?: ResponsesFault;
}

/** One request a fake received. */
export interface FakeRequest {
  method: string;
  /** Path and query, as sent (still percent-encoded). */
  path: string;
  url: URL;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The body parsed, when it is a JSON object. */
  json: Record<string, unknown> | undefined;
}

/** One piece of a response body, sent after an optional pause. */
export interface ReplyPart {
  data: string | Uint8Array;
  delayMs?: number;
}

/** What a vendor answers, before wire faults decide how it is sent. */
export interface FakeReply {
  status: number;
  headers: Record<string, string>;
  /** The body in order; a stream has one part per event. */
  parts: ReplyPart[];
}

/** What a vendor fake supplies to the scaffold. */
export interface VendorHandler {
  /** Which fault route a request belongs to; undefined for unknown paths (still answered). */
  route(method: string, pathname: string): VendorRoute | undefined;
  /** The answer to a request under a fault that is not wire-level (or none). */
  answer(req: FakeRequest, fault: VendorFault | undefined): FakeReply | Promise<FakeReply>;
}

/** A running vendor fake. */
export interface VendorFake {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  /** Every request received, oldest first (a live array: `requests.length = 0` empties it). */
  requests: FakeRequest[];
  /** Set or (with null) clear the fault for a route. */
  setFault(route: VendorFaultRoute, fault: VendorFault | null): void;
  clearFaults(): void;
  /** Close the listener and destroy open sockets, so clients see connection refused. */
  stop(): Promise<void>;
}

/** A JSON reply. */
export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FakeReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    parts: [{ data: JSON.stringify(body) }],
  };
}

/** A server-sent-events reply: one part per event, each after its own delay. */
export function sseReply(
  events: Array<{ event?: string; data: unknown; delayMs?: number }>,
  headers: Record<string, string> = {},
): FakeReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers },
    parts: events.map((e) => {
      const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      const head = e.event === undefined ? '' : `event: ${e.event}\n`;
      return { data: `${head}data: ${data}\n\n`, delayMs: e.delayMs };
    }),
  };
}

/** Half of a JSON text and a NUL: what a truncated or garbled body looks like. */
export function cutJson(text: string): string {
  return `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}\u0000`;
}

/** Starts a vendor fake on 127.0.0.1 and a free port. */
export async function startVendorFake(handler: VendorHandler): Promise<VendorFake> {
  const faults = new Map<VendorFaultRoute, { fault: VendorFault; remaining?: number }>();
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      timers.add(entry);
    });

  const takeFault = (route: VendorRoute | undefined): VendorFault | undefined => {
    const key =
      route !== undefined && faults.has(route) ? route : faults.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const entry = faults.get(key);
    if (entry === undefined) return undefined;
    if (entry.remaining !== undefined && --entry.remaining <= 0) faults.delete(key);
    return entry.fault;
  };

  const gone = (res: http.ServerResponse): boolean =>
    res.destroyed || res.socket === null || res.socket.destroyed;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        json = parsed as Record<string, unknown>;
      }
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = req.method ?? 'GET';
    const fr: FakeRequest = { method, path: req.url ?? '/', url, headers, body, json };
    requests.push(fr);

    const fault = takeFault(handler.route(method, url.pathname));
    if (fault?.reset === 'before-headers') {
      req.socket.destroy();
      return;
    }
    // Never respond: the socket stays open until the client gives up or stop() runs.
    if (fault?.hang === 'before-headers') return;

    let reply: FakeReply =
      fault?.body !== undefined
        ? {
            status: fault.status ?? 200,
            headers: { 'content-type': 'application/json' },
            parts: [{ data: fault.body }],
          }
        : await handler.answer(fr, fault);
    if (fault?.headers) reply = { ...reply, headers: { ...reply.headers, ...fault.headers } };

    res.writeHead(reply.status, reply.headers);
    res.flushHeaders();
    if (fault?.hang === 'after-headers') return;
    const { parts } = reply;
    for (const part of parts) {
      if (part.delayMs !== undefined && part.delayMs > 0) await sleep(part.delayMs);
      if (gone(res)) return;
      const data = typeof part.data === 'string' ? Buffer.from(part.data) : part.data;
      if (fault?.reset === 'mid-body') {
        // A stream dies after its first event; a whole body halfway through.
        res.write(parts.length > 1 ? data : data.subarray(0, Math.floor(data.byteLength / 2)));
        // Let what was written reach the client before the connection dies.
        await sleep(10);
        req.socket.destroy();
        return;
      }
      res.write(data);
    }
    res.end();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFault(route, fault) {
      if (fault === null) faults.delete(route);
      else faults.set(route, { fault: { ...fault }, remaining: fault.times });
    },
    clearFaults: () => faults.clear(),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      for (const t of timers) {
        clearTimeout(t.timer);
        t.wake();
      }
      timers.clear();
      await closed;
    },
  };
}
