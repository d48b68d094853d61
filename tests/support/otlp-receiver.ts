import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

const fields = (f: Record<string, [number, string, ('repeated' | undefined)?]>) =>
  Object.fromEntries(
    Object.entries(f).map(([name, [id, type, rule]]) => [
      name,
      { id, type, ...(rule ? { rule } : {}) },
    ]),
  );

/**
 * The part of the OTLP metrics protocol the tests read, written here from the field numbers
 * of the opentelemetry-proto definitions (collector/metrics/v1/metrics_service.proto,
 * metrics/v1/metrics.proto, common/v1/common.proto, resource/v1/resource.proto). Fields we
 * leave out are skipped by the decoder, as protobuf decoders do with unknown fields; the
 * official SDK's exporter does the encoding, so a wrong number here fails the tests.
 */
const OTLP_METRICS = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue'] } },
          fields: fields({
            stringValue: [1, 'string'],
            boolValue: [2, 'bool'],
            intValue: [3, 'int64'],
            doubleValue: [4, 'double'],
          }),
        },
        KeyValue: { fields: fields({ key: [1, 'string'], value: [2, 'AnyValue'] }) },
        Resource: { fields: fields({ attributes: [1, 'KeyValue', 'repeated'] }) },
        InstrumentationScope: { fields: fields({ name: [1, 'string'], version: [2, 'string'] }) },
        AggregationTemporality: {
          values: {
            AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
            AGGREGATION_TEMPORALITY_DELTA: 1,
            AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
          },
        },
        HistogramDataPoint: {
          fields: fields({
            startTimeUnixNano: [2, 'fixed64'],
            timeUnixNano: [3, 'fixed64'],
            count: [4, 'fixed64'],
            sum: [5, 'double'],
            bucketCounts: [6, 'fixed64', 'repeated'],
            explicitBounds: [7, 'double', 'repeated'],
            attributes: [9, 'KeyValue', 'repeated'],
            min: [11, 'double'],
            max: [12, 'double'],
          }),
        },
        Histogram: {
          fields: fields({
            dataPoints: [1, 'HistogramDataPoint', 'repeated'],
            aggregationTemporality: [2, 'AggregationTemporality'],
          }),
        },
        NumberDataPoint: {
          oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
          fields: fields({
            startTimeUnixNano: [2, 'fixed64'],
            timeUnixNano: [3, 'fixed64'],
            asDouble: [4, 'double'],
            asInt: [6, 'sfixed64'],
            attributes: [7, 'KeyValue', 'repeated'],
          }),
        },
        Sum: {
          fields: fields({
            dataPoints: [1, 'NumberDataPoint', 'repeated'],
            aggregationTemporality: [2, 'AggregationTemporality'],
            isMonotonic: [3, 'bool'],
          }),
        },
        Metric: {
          fields: fields({
            name: [1, 'string'],
            description: [2, 'string'],
            unit: [3, 'string'],
            sum: [7, 'Sum'],
            histogram: [9, 'Histogram'],
          }),
        },
        ScopeMetrics: {
          fields: fields({
            scope: [1, 'InstrumentationScope'],
            metrics: [2, 'Metric', 'repeated'],
            schemaUrl: [3, 'string'],
          }),
        },
        ResourceMetrics: {
          fields: fields({
            resource: [1, 'Resource'],
            scopeMetrics: [2, 'ScopeMetrics', 'repeated'],
            schemaUrl: [3, 'string'],
          }),
        },
        ExportMetricsServiceRequest: {
          fields: fields({ resourceMetrics: [1, 'ResourceMetrics', 'repeated'] }),
        },
        ExportMetricsServiceResponse: { fields: {} },
      },
    },
  },
};

/** One export the receiver got, decoded to one plain shape. */
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
        sum?: { dataPoints?: NumberPoint[]; isMonotonic?: boolean };
      }[];
    }[];
  }[];
}

export interface KeyValue {
  key: string;
  value?: { stringValue?: string; intValue?: number; doubleValue?: number };
}

/** A counter's point (NumberDataPoint). */
export interface NumberPoint {
  attributes?: KeyValue[];
  asDouble?: number;
  asInt?: number;
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
  const root = protobuf.Root.fromJSON(OTLP_METRICS);
  const Request = root.lookupType('otlp.ExportMetricsServiceRequest');
  const Response = root.lookupType('otlp.ExportMetricsServiceResponse');
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
