import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  type HttpClient,
  HttpClientError,
  type HttpRequest,
  type HttpResponse,
  type PhaseTimings,
  type TlsInfo,
} from './http-client.js';

/** Options for {@link createNodeHttpClient}. */
export interface NodeHttpClientOptions {
  /** Reuse sockets between requests (default true). */
  keepAlive?: boolean;
  /** Per-origin socket cap (default: Node's, unlimited). */
  maxSockets?: number;
  /** Sent when the request has no user-agent header of its own. */
  userAgent?: string;
  /** Extra trusted CA(s) for HTTPS, for example a test's self-signed certificate. */
  ca?: string | Buffer;
  /** Name resolution to use instead of the system's (tests simulate DNS failures with it). */
  lookup?: LookupFunction;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// Credentials must not follow a redirect to another origin (the fetch spec drops
// Authorization the same way); these are the header names vendors use for keys.
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
]);

const DEFAULT_USER_AGENT = 'bellwether';

/** discard() reads at most this much of a body to keep its socket, then closes it. */
const DISCARD_DRAIN_LIMIT = 64 * 1024;

/**
 * An HttpClient on node:http/node:https with keep-alive agents: about half the CPU of
 * global fetch per request (measured on a 2-vCPU machine at 100 probes/s: ≈ 0.66 ms against
 * ≈ 1.4 ms of CPU per request), and socket events give DNS/connect/TLS phases.
 */
export function createNodeHttpClient(opts: NodeHttpClientOptions = {}): HttpClient {
  const agentOptions: http.AgentOptions = { keepAlive: opts.keepAlive ?? true };
  if (opts.maxSockets !== undefined) agentOptions.maxSockets = opts.maxSockets;
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(
    opts.ca === undefined ? agentOptions : { ...agentOptions, ca: opts.ca },
  );
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    let url = parseUrl(req);
    let method = req.method;
    let body = req.body;
    let headers = withDefaults(req.headers, userAgent);
    const maxRedirects = req.maxRedirects ?? 0;
    for (let hops = 0; ; hops++) {
      const res = await exchange(url, method, headers, body, req.signal);
      const location = res.headers.location;
      if (maxRedirects <= 0 || !REDIRECT_STATUSES.has(res.status) || location === undefined) {
        return res;
      }
      res.discard();
      if (hops >= maxRedirects) {
        throw new HttpClientError(
          'protocol',
          `${method} ${url.host}: too many redirects (more than ${maxRedirects})`,
          'TOO_MANY_REDIRECTS',
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new HttpClientError(
          'protocol',
          `${method} ${url.host}: redirect to an invalid location`,
          'BAD_REDIRECT',
        );
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new HttpClientError(
          'protocol',
          `${method} ${url.host}: redirect to unsupported protocol ${next.protocol}`,
          'BAD_REDIRECT',
        );
      }
      // 303 always, and 301/302 after POST, turn into a body-less GET (as browsers and fetch do).
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers = withoutBodyHeaders(headers);
      }
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      url = next;
    }
  }

  function exchange(
    url: URL,
    method: HttpRequest['method'],
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const host = url.host;
    const where = `${method} ${host}`;
    if (signal.aborted) {
      return Promise.reject(
        new HttpClientError('timeout', `${where}: aborted before the request was sent`),
      );
    }
    const isHttps = url.protocol === 'https:';
    const outHeaders = { ...headers };
    if (body !== undefined && !hasHeader(outHeaders, 'content-length')) {
      outHeaders['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      );
    }

    return new Promise<HttpResponse>((resolve, reject) => {
      const startedAt = performance.now();
      const timings: PhaseTimings = {};
      let tls: TlsInfo | undefined;
      let lookupAt: number | undefined;
      let connectAt: number | undefined;
      let secureAt: number | undefined;
      let writtenAt: number | undefined;
      let responseAt: number | undefined;
      let settled = false;
      let finished = false;
      let res: http.IncomingMessage | undefined;
      // First failure seen on the request; body errors prefer it over the generic
      // "aborted" the response reports, so a parse error mid-body stays 'protocol'.
      let failure: HttpClientError | undefined;

      const transport = isHttps ? https : http;
      const req = transport.request(url, {
        method,
        headers: outHeaders,
        agent: isHttps ? httpsAgent : httpAgent,
        ...(opts.lookup ? { lookup: opts.lookup } : {}),
      });

      const cleanup = (): void => {
        finished = true;
        signal.removeEventListener('abort', onAbort);
      };

      const fail = (err: HttpClientError): void => {
        failure ??= err;
        if (!settled) {
          settled = true;
          cleanup();
          unwatchSocket();
          reject(err);
        }
      };

      function onAbort(): void {
        const phase = res === undefined ? 'waiting for response headers' : 'reading the body';
        const err = new HttpClientError('timeout', `${where}: aborted while ${phase}`);
        failure ??= err;
        if (!settled) fail(err);
        else cleanup();
        // Destroying the response with the error makes a pending body read reject with it.
        res?.destroy(err);
        req.destroy();
      }
      signal.addEventListener('abort', onAbort, { once: true });

      const onLookup = (): void => {
        lookupAt = performance.now();
      };
      const onConnect = (): void => {
        connectAt = performance.now();
      };
      let newSocket: Socket | undefined;
      const onSecureConnect = (): void => {
        secureAt = performance.now();
        if (newSocket !== undefined) tls = peerCertificate(newSocket as TLSSocket);
      };
      // The phase listeners go once the response starts, so a pooled socket does not keep
      // this exchange's closure alive (an IP literal never emits 'lookup').
      const unwatchSocket = (): void => {
        newSocket?.off('lookup', onLookup);
        newSocket?.off('connect', onConnect);
        newSocket?.off('secureConnect', onSecureConnect);
      };
      req.on('socket', (socket: Socket) => {
        if (req.reusedSocket) return;
        newSocket = socket;
        socket.once('lookup', onLookup);
        socket.once('connect', onConnect);
        if (isHttps) socket.once('secureConnect', onSecureConnect);
      });

      req.on('finish', () => {
        writtenAt = performance.now();
      });

      req.on('error', (err: NodeJS.ErrnoException) => {
        if (failure !== undefined || finished) {
          failure ??= classify(err, where);
          return;
        }
        fail(classify(err, where));
      });

      req.on('response', (incoming: http.IncomingMessage) => {
        res = incoming;
        responseAt = performance.now();
        unwatchSocket();
        if (settled) {
          incoming.destroy();
          return;
        }
        settled = true;
        // Errors surface through the body iterator; this keeps an unread body's error
        // from becoming an uncaught exception.
        incoming.on('error', noop);
        incoming.once('end', () => {
          if (responseAt !== undefined) timings.transferMs = performance.now() - responseAt;
          cleanup();
        });
        incoming.once('close', cleanup);

        if (lookupAt !== undefined) timings.dnsMs = lookupAt - startedAt;
        if (connectAt !== undefined) timings.connectMs = connectAt - (lookupAt ?? startedAt);
        if (secureAt !== undefined && connectAt !== undefined) timings.tlsMs = secureAt - connectAt;
        const sentAt = Math.max(writtenAt ?? startedAt, secureAt ?? connectAt ?? startedAt);
        timings.ttfbMs = Math.max(0, responseAt - sentAt);

        resolve(makeResponse(incoming, req, where, timings, tls, () => failure));
      });

      if (body === undefined) req.end();
      else req.end(body);
    });
  }

  return {
    request,
    close(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function makeResponse(
  incoming: http.IncomingMessage,
  req: http.ClientRequest,
  where: string,
  timings: PhaseTimings,
  tls: TlsInfo | undefined,
  failure: () => HttpClientError | undefined,
): HttpResponse {
  const translate = (err: unknown): HttpClientError => {
    if (err instanceof HttpClientError) return err;
    return failure() ?? classify(err as NodeJS.ErrnoException, where);
  };

  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of incoming) yield chunk as Buffer;
    } catch (err) {
      throw translate(err);
    }
    // A stream destroyed without an error (discard) ends quietly; report it as the
    // failure that caused it, when there was one.
    const known = failure();
    if (known !== undefined && !incoming.complete) throw known;
  }

  const destroy = (): void => {
    incoming.destroy();
    req.destroy();
  };

  let discarded = false;
  return {
    status: incoming.statusCode ?? 0,
    headers: flattenHeaders(incoming.headers),
    body: { [Symbol.asyncIterator]: chunks },
    timings,
    ...(tls === undefined ? {} : { tls }),
    async text(maxBytes: number): Promise<string> {
      const declared = Number(incoming.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        destroy();
        throw tooLarge(where, maxBytes);
      }
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of chunks()) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          destroy();
          throw tooLarge(where, maxBytes);
        }
        parts.push(chunk as Buffer);
      }
      return Buffer.concat(parts, size).toString('utf8');
    },
    discard(): void {
      if (discarded) return;
      discarded = true;
      // Draining a short body lets its keep-alive socket return to the pool; a long one is
      // cut off rather than downloaded. A body that hangs is still ended by the signal.
      if (incoming.readableEnded || incoming.destroyed) return;
      let drained = 0;
      incoming.on('data', (chunk: Buffer) => {
        drained += chunk.byteLength;
        if (drained > DISCARD_DRAIN_LIMIT) destroy();
      });
      incoming.resume();
    },
  };
}

function tooLarge(where: string, maxBytes: number): HttpClientError {
  return new HttpClientError(
    'body_too_large',
    `${where}: response body exceeds ${maxBytes} bytes`,
    'BODY_TOO_LARGE',
  );
}

/** Maps a Node network error to a kind; the message keeps only method, host and cause. */
function classify(err: NodeJS.ErrnoException, where: string): HttpClientError {
  const code = err.code ?? 'UNKNOWN';
  if (code.startsWith('HPE_')) {
    return new HttpClientError('protocol', `${where}: malformed HTTP response (${code})`, code);
  }
  // Node's own messages ("connect ECONNREFUSED 127.0.0.1:1", "certificate has expired",
  // "socket hang up") carry no request data; they are cut short just in case.
  const cause = (err.message ?? '').slice(0, 200);
  const detail = cause.includes(code) ? cause : `${code} ${cause}`.trim();
  return new HttpClientError('network', `${where}: ${detail}`, code);
}

function peerCertificate(socket: TLSSocket): TlsInfo | undefined {
  const cert = socket.getPeerCertificate();
  if (cert === null || cert.valid_to === undefined) return undefined;
  const notAfter = Date.parse(cert.valid_to);
  if (!Number.isFinite(notAfter)) return undefined;
  const info: TlsInfo = { certNotAfter: notAfter };
  const subject = firstString(cert.subject?.CN);
  const issuer = firstString(cert.issuer?.CN);
  if (subject !== undefined) info.subject = subject;
  if (issuer !== undefined) info.issuer = issuer;
  return info;
}

function firstString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseUrl(req: HttpRequest): URL {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new HttpClientError('protocol', `${req.method}: invalid URL`, 'ERR_INVALID_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpClientError(
      'protocol',
      `${req.method} ${url.host}: unsupported protocol ${url.protocol}`,
      'ERR_INVALID_PROTOCOL',
    );
  }
  return url;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function withDefaults(
  headers: Record<string, string> | undefined,
  userAgent: string,
): Record<string, string> {
  const out = { ...headers };
  if (!hasHeader(out, 'user-agent')) out['user-agent'] = userAgent;
  return out;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([key]) => !CREDENTIAL_HEADERS.has(key.toLowerCase())),
  );
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([key]) => !['content-length', 'content-type'].includes(key.toLowerCase()),
    ),
  );
}

function noop(): void {}
