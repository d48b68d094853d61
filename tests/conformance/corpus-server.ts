import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { CorpusCase, CorpusResponse, EventStreamFrame } from './corpus/types.js';

/** A local server that answers every request with the current corpus case's response. */
export interface CorpusServer {
  url: string;
  /** The case answered from now on. */
  serve(c: CorpusCase): void;
  /** Paths requested since the last serve(). */
  readonly paths: string[];
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function encodeFrame(frame: EventStreamFrame): Uint8Array {
  const headers = Object.fromEntries(
    Object.entries(frame.headers).map(([name, value]) => [
      name,
      { type: 'string' as const, value },
    ]),
  );
  return codec.encode({ headers, body: fromUtf8(frame.body) });
}

function frameBytes(frame: string | EventStreamFrame, ndjson: boolean): string | Uint8Array {
  if (typeof frame !== 'string') return encodeFrame(frame);
  return ndjson ? `${frame}\n` : frame;
}

async function send(res: http.ServerResponse, answer: CorpusResponse): Promise<void> {
  res.writeHead(answer.status, answer.headers ?? {});
  if (answer.frames === undefined) {
    res.end(answer.body ?? '');
    return;
  }
  const ndjson = (answer.headers?.['content-type'] ?? '').includes('ndjson');
  for (const frame of answer.frames) {
    res.write(frameBytes(frame, ndjson));
    // One write per frame, each its own chunk on the wire, as a vendor streams them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** Starts the corpus server on 127.0.0.1 and an OS-chosen port. */
export async function startCorpusServer(): Promise<CorpusServer> {
  let current: CorpusCase | undefined;
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      paths.push(pathname);
      if (!current) {
        res.writeHead(500).end('no corpus case');
        return;
      }
      void send(res, current.routes?.[pathname] ?? current.response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    serve(c) {
      current = c;
      paths.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
