import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The official OTLP definitions (opentelemetry-proto, vendored under otlp-proto/, see its README).
const PROTO_ROOT = fileURLToPath(new URL('./otlp-proto/', import.meta.url));
const SERVICE_PROTO = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto';

/** One export the receiver got, decoded with the official definitions to one plain shape. */
export interface ReceivedExport {
  path: string;
  contentType: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** ExportMetricsServiceRequest as protobufjs `toObject` gives it (longs as numbers, enums as names). */
  request: ExportRequest;
}

/** The parts of ExportMetricsServiceRequest the tests read. */
export interface ExportRequest {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: {
      scope?: { name?: string };
      metrics?: {
        name: string;
        unit?: string;
        histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: string };
      }[];
    }[];
  }[];
}

export interface KeyValue {
  key: string;
  value?: { stringValue?: string; intValue?: number; doubleValue?: number };
}

export interface HistogramPoint {
  attributes?: KeyValue[];
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

/** A local OTLP/HTTP metrics receiver on 127.0.0.1 that decodes both encodings. */
export interface OtlpReceiver {
  /** http://127.0.0.1:PORT: the collector base URL (exports arrive at /v1/metrics). */
  url: string;
  exports: ReceivedExport[];
  /** Resolves once `count` exports arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedExport[]>;
  stop(): Promise<void>;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  bytes: String,
  defaults: false,
  arrays: true,
};

/**
 * Starts an OTLP/HTTP receiver (OTLP spec, "OTLP/HTTP"): `POST /v1/metrics` with
 * `application/x-protobuf` (binary ExportMetricsServiceRequest) or `application/json` (the
 * protobuf JSON mapping), answering 200 with an empty ExportMetricsServiceResponse in the same
 * encoding. Anything else gets 415 or 404, as a collector answers.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
  await root.load(SERVICE_PROTO, { keepCase: false });
  const Request = root.lookupType(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  );
  const Response = root.lookupType(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  );
  const exports: ReceivedExport[] = [];
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType =
        String(req.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim() ?? '';
      if (req.method !== 'POST' || req.url !== '/v1/metrics') {
        res.writeHead(404).end();
        return;
      }
      let message: protobuf.Message;
      try {
        if (contentType === 'application/x-protobuf') message = Request.decode(body);
        else if (contentType === 'application/json') {
          // fromObject, not verify(): the protobuf JSON mapping writes 64-bit integers as
          // strings, which verify() rejects and fromObject() reads.
          message = Request.fromObject(JSON.parse(body.toString('utf8')));
        } else {
          res.writeHead(415).end();
          return;
        }
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
      exports.push({
        path: req.url,
        contentType,
        headers,
        request: Request.toObject(message, TO_OBJECT) as ExportRequest,
      });
      for (const wake of waiters) wake();
      if (contentType === 'application/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        const empty = Response.encode(Response.create({})).finish();
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(empty));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (exports.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(exports.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} OTLP exports, got ${exports.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The attributes of a data point as a plain record. */
export function attributesOf(list: KeyValue[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const kv of list ?? []) {
    const v = kv.value;
    const value = v?.stringValue ?? v?.intValue ?? v?.doubleValue;
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}
