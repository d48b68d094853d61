import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the receiver misbehaves for the next matching requests. */
export interface ReceiverFault {
  /** Answer with this status (and an empty JSON body). */
  status?: number;
  /** Never answer: the socket stays open until the client gives up or stop() runs. */
  hang?: boolean;
  /** Destroy the socket without a response. */
  reset?: boolean;
  /** Apply to this many requests, then fall back to the next fault or the normal answer. */
  times?: number;
}

/** One request the receiver got, recorded before any fault was applied. */
export interface ReceivedRequest {
  method: string;
  /** Path and query as sent (still percent-encoded). */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/** A running receiver. */
export interface FakeReceiver {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Every request received, oldest first (a live array). */
  requests: ReceivedRequest[];
  /** Queue a fault; faults apply in the order added. */
  fail(fault: ReceiverFault): void;
  clearFaults(): void;
  /** Resolves once `count` requests arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
}

/**
 * A local notification receiver on 127.0.0.1 and a free port: answers 202 with `{}` (what
 * PagerDuty and Opsgenie answer), records every request, and fails on demand.
 */
export async function startFakeReceiver(): Promise<FakeReceiver> {
  const requests: ReceivedRequest[] = [];
  const faults: { fault: ReceiverFault; remaining: number }[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();

  const takeFault = (): ReceiverFault | undefined => {
    const entry = faults[0];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) faults.shift();
    return entry.fault;
  };

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body, json });
      for (const wake of waiters) wake();
      const fault = takeFault();
      if (fault?.reset) {
        req.socket.destroy();
        return;
      }
      if (fault?.hang) return;
      res.writeHead(fault?.status ?? 202, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(fault) {
      faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults.length = 0;
    },
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...requests]);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} requests, got ${requests.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
