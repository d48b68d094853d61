import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Round } from '../../src/evaluate/evaluate.js';
import { createLogger } from '../../src/log.js';
import { createOtlpExport, genAiAttributes } from '../../src/otlp/export.js';
import { genAiProviderName } from '../../src/otlp/provider.js';
import { VENDORS, type Vendor } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import {
  attributesOf,
  type ExportRequest,
  type HistogramPoint,
  type OtlpReceiver,
  startOtlpReceiver,
} from '../support/otlp-receiver.js';

const logger = createLogger({ level: 'silent', scrub: (t) => t });

// Two rounds of an OpenAI dependency: one good streamed completion, one that timed out, each
// with a zero-token models check (no GenAI operation: must not be exported).
const rounds: Round[] = [
  {
    startedAt: 1_000,
    finishedAt: 1_500,
    results: [
      { check: 'models', ok: true, latencyMs: 80, attempts: 1 },
      {
        check: 'completion',
        ok: true,
        latencyMs: 420,
        ttftMs: 150,
        tokens: { input: 9, output: 1 },
        servedModel: 'gpt-4o-mini-2024-07-18',
        attempts: 1,
      },
    ],
  },
  {
    startedAt: 2_000,
    finishedAt: 3_000,
    results: [
      { check: 'models', ok: true, latencyMs: 90, attempts: 1 },
      { check: 'completion', ok: false, latencyMs: 1000, errorClass: 'timeout', attempts: 1 },
      // Not sent at all: breaker open.
      { check: 'completion', ok: false, latencyMs: 0, errorClass: 'circuit_open', attempts: 0 },
    ],
  },
];

function metric(request: ExportRequest, name: string) {
  const metrics = request.resourceMetrics?.flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []),
  );
  return metrics?.find((m) => m.name === name);
}

const points = (request: ExportRequest, name: string): HistogramPoint[] =>
  metric(request, name)?.histogram?.dataPoints ?? [];

describe('OTLP export of GenAI client metrics', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ] as const)(
    'sends %s that a receiver decodes by the protocol field numbers',
    async (protocol, contentType) => {
      const before = receiver.exports.length;
      const otlp = createOtlpExport({
        config: {
          endpoint: receiver.url,
          protocol,
          headers: { authorization: 'Bearer otlp-test-token' },
          intervalMs: 3_600_000,
        },
        logger,
        vantage: 'eu-west-1',
        version: '9.9.9',
      });
      const dep = testDependency({ baseUrl: 'https://api.openai.com/v1' });
      for (const round of rounds) otlp.record(dep, round);
      await otlp.shutdown();
      const [received] = (await receiver.waitFor(before + 1)).slice(before);
      if (!received) throw new Error('no export');
      expect(received.path).toBe('/v1/metrics');
      expect(received.contentType).toBe(contentType);
      expect(received.headers.authorization).toBe('Bearer otlp-test-token');
      const { request } = received;
      expect(attributesOf(request.resourceMetrics?.[0]?.resource?.attributes)).toMatchObject({
        'service.name': 'bellwether',
        'service.version': '9.9.9',
        'bellwether.vantage': 'eu-west-1',
      });

      const common = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'server.address': 'api.openai.com',
        'server.port': 443,
      };
      const duration = metric(request, 'gen_ai.client.operation.duration');
      expect(duration?.unit).toBe('s');
      const durations = points(request, 'gen_ai.client.operation.duration').map((p) => ({
        attributes: attributesOf(p.attributes),
        count: p.count,
        sum: p.sum,
      }));
      // The models checks and the circuit_open result are not operations: two points, one each.
      expect(durations).toHaveLength(2);
      expect(durations).toContainEqual({
        attributes: { ...common, 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' },
        count: 1,
        sum: 0.42,
      });
      expect(durations).toContainEqual({
        attributes: { ...common, 'error.type': 'timeout' },
        count: 1,
        sum: 1,
      });
      // The convention's advised boundaries, not the SDK's defaults.
      expect(points(request, 'gen_ai.client.operation.duration')[0]?.explicitBounds).toEqual([
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
      ]);

      const ttfc = points(request, 'gen_ai.client.operation.time_to_first_chunk');
      expect(ttfc.map((p) => [attributesOf(p.attributes)['error.type'], p.count, p.sum])).toEqual([
        [undefined, 1, 0.15],
      ]);

      expect(metric(request, 'gen_ai.client.token.usage')?.unit).toBe('{token}');
      const tokens = points(request, 'gen_ai.client.token.usage').map((p) => [
        attributesOf(p.attributes)['gen_ai.token.type'],
        p.sum,
      ]);
      expect(tokens.sort()).toEqual([
        ['input', 9],
        ['output', 1],
      ]);
    },
  );

  it('logs a failed export and goes on', async () => {
    const lines: string[] = [];
    const otlp = createOtlpExport({
      // Nothing listens on port 1 of 127.0.0.1.
      // A short interval bounds the exporter's retries (its timeout is at most the interval).
      config: {
        endpoint: 'http://127.0.0.1:1',
        protocol: 'http/protobuf',
        headers: {},
        intervalMs: 1000,
      },
      logger: createLogger({
        level: 'warn',
        scrub: (t) => t,
        destination: { write: (l: string) => lines.push(l) },
      }),
      vantage: 'v',
      version: '0',
    });
    otlp.record(testDependency(), rounds[0] as Round);
    await otlp.flush();
    await otlp.shutdown();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain('OTLP metrics export failed');
    expect(JSON.parse(lines[0] ?? '{}').url).toBe('http://127.0.0.1:1/v1/metrics');
  });
});

describe('gen_ai.provider.name', () => {
  const expected: Record<Vendor, string | undefined> = {
    openai: 'openai',
    anthropic: 'anthropic',
    'azure-openai': 'azure.ai.openai',
    gemini: 'gcp.gemini',
    bedrock: 'aws.bedrock',
    cohere: 'cohere',
    ollama: 'ollama',
    'openai-compatible': 'openai-compatible',
    http: undefined,
  };
  it.each(VENDORS.map((v) => [v, expected[v]]))('%s → %s', (vendor, name) => {
    expect(genAiProviderName(vendor as Vendor)).toBe(name);
  });
});

describe('GenAI attributes of the embeddings check', () => {
  it.each([
    ['embeddings', 'embeddings', 'text-embedding-3-small'],
    ['completion', 'chat', 'gpt-4o-mini'],
    ['models', undefined, undefined],
  ] as const)('%s is operation %s on model %s', (check, operation, model) => {
    const dep = testDependency({
      vendor: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      embeddingModel: 'text-embedding-3-small',
    });
    const attributes = genAiAttributes(dep, { check, ok: true, latencyMs: 5, attempts: 1 });
    expect(attributes?.['gen_ai.operation.name']).toBe(operation);
    expect(attributes?.['gen_ai.request.model']).toBe(model);
  });
});
