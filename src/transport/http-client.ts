/**
 * The one seam through which probes talk HTTP. The production implementation
 * (createNodeHttpClient in node-http-client.ts) sits on node:http/https with keep-alive
 * agents, because it measured at about half the CPU of global fetch per request, and
 * because socket events give the connection phases.
 */

/** A request a probe sends. The signal covers the whole exchange, body included. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal: AbortSignal;
  /** Follow at most this many redirects (default 0: a redirect is returned as is). */
  maxRedirects?: number;
}

/** Connection phases of one exchange, milliseconds; absent when not measured (reused socket has no dns/connect/tls). */
export interface PhaseTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  /** Request written → first response byte. */
  ttfbMs?: number;
  /** First response byte → last body byte (set once the body is consumed). */
  transferMs?: number;
}

/** Peer certificate facts for HTTPS exchanges on a new connection. */
export interface TlsInfo {
  /** Epoch milliseconds of the peer certificate's notAfter. */
  certNotAfter: number;
  subject?: string;
  issuer?: string;
}

/** A response whose body has not been read yet. Read it once: stream `body`, or call text(), or discard(). */
export interface HttpResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  /** The whole remaining body as UTF-8; rejects with HttpClientError('body_too_large') past maxBytes. */
  text(maxBytes: number): Promise<string>;
  /** Drop the body and free the connection. Safe to call more than once. */
  discard(): void;
  timings: PhaseTimings;
  tls?: TlsInfo;
}

/** Why a transport call failed, before or during the body. */
export type HttpClientErrorKind =
  | 'timeout' // the request's signal aborted
  | 'network' // DNS, refused, reset, TLS handshake, socket hang up
  | 'body_too_large'
  | 'protocol'; // malformed HTTP, too many redirects

/** Transport failure. The message names host and cause, never headers or bodies. */
export class HttpClientError extends Error {
  readonly kind: HttpClientErrorKind;
  readonly code: string | undefined;
  constructor(kind: HttpClientErrorKind, message: string, code?: string) {
    super(message);
    this.name = 'HttpClientError';
    this.kind = kind;
    this.code = code;
  }
}

/** What probes need from a transport. */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Close idle keep-alive sockets (shutdown, tests). */
  close(): void;
}
