import type { Attributes, Histogram } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type { DependencyConfig, OtlpConfig } from '../config/types.js';
import type { AttemptedResult, Round } from '../evaluate/evaluate.js';
import type { Logger } from '../log.js';
import type { Monitor } from '../monitor.js';
import type { CheckName } from '../probes/types.js';
import { genAiProviderName } from './provider.js';

/** What the exporter reads from the monitor: completed rounds and the dependency they belong to. */
export type ObservedRounds = Pick<Monitor, 'onRoundCompleted' | 'dependency'>;

/** A running OTLP export: subscribe it to a monitor; shut it down to send the last points. */
export interface OtlpExport {
  /** Records every completed round of `monitor` from now on; returns a function that unsubscribes. */
  observe(monitor: ObservedRounds): () => void;
  /** Records one round of `dep` (what observe() does per round). */
  record(dep: DependencyConfig, round: Round): void;
  /** Exports what is recorded now. */
  flush(): Promise<void>;
  /** Exports the last points and stops the timer. */
  shutdown(): Promise<void>;
}

/** Options for {@link createOtlpExport}. */
export interface OtlpExportOptions {
  config: OtlpConfig;
  logger: Logger;
  vantage: string;
  version: string;
}

// Bucket boundaries the GenAI semantic conventions advise (gen-ai-metrics.md).
const SECONDS_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/**
 * `gen_ai.operation.name` of the checks that are GenAI operations (the convention's
 * `embeddings` for the embeddings check). `models` and `http` only list or reach an
 * endpoint: no GenAI operation, nothing to emit.
 */
function operationName(dep: DependencyConfig, check: CheckName): string | undefined {
  if (check === 'embeddings') return 'embeddings';
  if (check !== 'completion') return undefined;
  // The convention names Gemini's generateContent `generate_content`, every chat API `chat`.
  return dep.vendor === 'gemini' ? 'generate_content' : 'chat';
}

function serverAttributes(baseUrl: string): Attributes {
  try {
    const url = new URL(baseUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    // URL keeps IPv6 hosts in brackets; server.address wants the bare address.
    return { 'server.address': url.hostname.replace(/^\[(.*)\]$/, '$1'), 'server.port': port };
  } catch {
    return {};
  }
}

/** The GenAI attributes of one check result, or undefined when it is no GenAI operation. */
export function genAiAttributes(
  dep: DependencyConfig,
  result: AttemptedResult,
): Attributes | undefined {
  const operation = operationName(dep, result.check);
  const provider = genAiProviderName(dep.vendor);
  if (operation === undefined || provider === undefined) return undefined;
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': provider,
    ...serverAttributes(dep.baseUrl),
  };
  const model = result.check === 'embeddings' ? dep.embeddingModel : dep.model;
  if (model !== undefined) attributes['gen_ai.request.model'] = model;
  if (result.servedModel !== undefined) attributes['gen_ai.response.model'] = result.servedModel;
  return attributes;
}

/** Logs failed exports (the SDK's own error handler is silent) and passes everything else through. */
function reporting(exporter: PushMetricExporter, logger: Logger, url: string): PushMetricExporter {
  return {
    export(metrics, done) {
      exporter.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          logger.warn({ url, err: result.error?.message }, 'OTLP metrics export failed');
        }
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality: exporter.selectAggregationTemporality?.bind(exporter),
  };
}

/**
 * Exports what probes measure as OpenTelemetry GenAI client metrics over OTLP/HTTP:
 * `gen_ai.client.operation.duration` (with `error.type` on failures),
 * `gen_ai.client.token.usage` and `gen_ai.client.operation.time_to_first_chunk`, for the
 * checks that are GenAI operations (completion, embeddings). Starts its export timer at once.
 */
export function createOtlpExport(opts: OtlpExportOptions): OtlpExport {
  const { config, logger } = opts;
  const url = `${config.endpoint}/v1/metrics`;
  // Retries of one export stop at its timeout, which must end before the next export is due.
  const timeoutMillis = Math.min(config.intervalMs, 10_000);
  const exporterOptions = { url, headers: { ...config.headers }, timeoutMillis };
  const exporter =
    config.protocol === 'http/json'
      ? new JsonExporter(exporterOptions)
      : new ProtobufExporter(exporterOptions);
  const reader = new PeriodicExportingMetricReader({
    exporter: reporting(exporter, logger, url),
    exportIntervalMillis: config.intervalMs,
    exportTimeoutMillis: timeoutMillis,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'bellwether',
      'service.version': opts.version,
      'bellwether.vantage': opts.vantage,
    }),
    readers: [reader],
  });
  const meter = provider.getMeter('bellwether', opts.version);
  const seconds = (name: string, description: string): Histogram =>
    meter.createHistogram(name, {
      unit: 's',
      description,
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
  const duration = seconds('gen_ai.client.operation.duration', 'GenAI operation duration.');
  const firstChunk = seconds(
    'gen_ai.client.operation.time_to_first_chunk',
    'Time to receive the first chunk of a streamed response, from sending the request.',
  );
  const tokens = meter.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    description: 'Number of input and output tokens used.',
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  });

  // The GenAI conventions' counter of reasoning tokens, a subset of the output tokens above
  // (open-telemetry/semantic-conventions-genai docs/gen-ai/gen-ai-token-metrics.md).
  const reasoningTokens = meter.createCounter(
    'gen_ai.client.inference.usage.reasoning.output_tokens',
    {
      unit: '{token}',
      description: 'The number of output tokens used for reasoning.',
    },
  );

  const record = (dep: DependencyConfig, round: Round): void => {
    for (const result of round.results) {
      // A skipped check or an open breaker sent no request: there is no operation to time.
      if (result.skipped || result.errorClass === 'circuit_open') continue;
      const attributes = genAiAttributes(dep, result);
      if (attributes === undefined) continue;
      duration.record(
        result.latencyMs / 1000,
        result.ok ? attributes : { ...attributes, 'error.type': result.errorClass ?? '_OTHER' },
      );
      if (result.ok && result.ttftMs !== undefined) {
        firstChunk.record(result.ttftMs / 1000, attributes);
      }
      if (result.tokens !== undefined) {
        tokens.record(result.tokens.input, { ...attributes, 'gen_ai.token.type': 'input' });
        // An embedding produces no output tokens: only its input is usage.
        if (result.check !== 'embeddings') {
          tokens.record(result.tokens.output, { ...attributes, 'gen_ai.token.type': 'output' });
        }
        if (result.tokens.reasoning !== undefined) {
          reasoningTokens.add(result.tokens.reasoning, {
            ...attributes,
            'gen_ai.token.modality': 'text',
          });
        }
      }
    }
  };

  return {
    observe(monitor) {
      return monitor.onRoundCompleted((id, round) => {
        const dep = monitor.dependency(id)?.config;
        if (dep) record(dep, round);
      });
    },
    record,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
