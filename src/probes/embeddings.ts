import type { DependencyConfig } from '../config/types.js';
import type { HttpRequest } from '../transport/http-client.js';
import {
  type Classification,
  failed,
  httpFailure,
  type KeyedDependency,
  skippedNoKey,
} from './classify.js';
import { isResult, readBody, send } from './exchange.js';
import { isRecord, parseJson } from './json.js';
import type { CheckResult, ProbeContext } from './types.js';

/**
 * The one text every `embeddings` check embeds. Fixed, so that the vectors of two rounds
 * are comparable (the same model gives the same vector); short, so it costs a dozen tokens.
 */
export const EMBEDDING_TEXT =
  'Bellwether embeddings probe: the quick brown fox jumps over the lazy dog.';

/** The longest vector taken (the bound of the `embeddingDimensions` key). */
export const MAX_EMBEDDING_DIMENSIONS = 65_536;

/** What a vendor's embeddings answer carries, as its module reads it. */
export interface EmbeddingAnswer {
  /** The vector as found in the body; the shared code checks it. */
  vector: unknown;
  /** Input tokens, where the vendor reports them (embeddings spend no output tokens). */
  inputTokens?: number | undefined;
}

/** A vendor's embeddings exchange: the request for the model, and how its answer is read. */
export interface EmbeddingsExchange {
  /** The request for the model; a CheckResult when it cannot be made (Bedrock's signing). */
  request: (
    model: string,
  ) =>
    | Omit<HttpRequest, 'signal'>
    | CheckResult
    | Promise<Omit<HttpRequest, 'signal'> | CheckResult>;
  /** The vector and tokens in a 2xx body that is a JSON object; the response headers beside it. */
  read: (
    body: Record<string, unknown>,
    headers: Readonly<Record<string, string>>,
  ) => EmbeddingAnswer;
  /** The URL names the model (Gemini, Bedrock): a 404 there means the model is gone. */
  modelRoute?: boolean;
}

const badVector = (message: string): Classification => ({ errorClass: 'bad_response', message });

/**
 * The vector in an answer, checked: an array of finite numbers, not empty, not longer than
 * {@link MAX_EMBEDDING_DIMENSIONS}, not all zeros. A vector that fails is `bad_response`.
 */
export function checkedVector(raw: unknown): number[] | Classification {
  if (raw === undefined || raw === null) return badVector('the answer holds no embedding');
  if (!Array.isArray(raw)) return badVector('embedding is not an array of numbers');
  if (raw.length === 0) return badVector('embedding is empty');
  if (raw.length > MAX_EMBEDDING_DIMENSIONS) {
    return badVector(
      `embedding has ${raw.length} dimensions; more than ${MAX_EMBEDDING_DIMENSIONS} is no embedding`,
    );
  }
  let nonZero = false;
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v !== 'number') return badVector(`embedding holds a non-number at index ${i}`);
    if (!Number.isFinite(v)) return badVector(`embedding holds a non-finite number at index ${i}`);
    if (v !== 0) nonZero = true;
  }
  if (!nonZero) return badVector(`embedding is all zeros (${raw.length} dimensions)`);
  return raw as number[];
}

/**
 * One `embeddings` check: skipped without a key (where the vendor needs one), refused without
 * `embeddingModel`, else the vendor's request, a non-2xx answer classified by the vendor's
 * rules, the body read (capped at 1 MiB) and parsed, and the vector checked. A good answer
 * carries `embedding` and the input tokens. The vector's length is checked by
 * {@link embeddingDimensionsGuard}, which holds the memory.
 */
export async function runEmbeddingsCheck(
  exchange: EmbeddingsExchange,
  keyed: KeyedDependency & { dep: Pick<DependencyConfig, 'embeddingModel'> },
  ctx: ProbeContext,
): Promise<CheckResult> {
  const model = keyed.dep.embeddingModel;
  if (keyed.keyRequired && keyed.dep.apiKey === undefined) {
    return skippedNoKey('embeddings', keyed.dep.apiKeyEnv);
  }
  if (model === undefined) {
    return failed('embeddings', 0, {
      errorClass: 'bad_request',
      message: 'no embeddingModel configured for the embeddings check',
    });
  }
  const request = await exchange.request(model);
  if ('check' in request) return request;
  const sent = await send('embeddings', request, ctx, keyed.scrub);
  if (isResult(sent)) return sent;
  if (sent.res.status < 200 || sent.res.status > 299) {
    return httpFailure('embeddings', sent.res, sent.start, ctx, keyed, {
      modelRoute: exchange.modelRoute === true,
    });
  }
  const read = await readBody('embeddings', sent, ctx, keyed.scrub);
  if (isResult(read)) return read;
  const body = parseJson(read.text);
  if (!isRecord(body)) {
    return failed(
      'embeddings',
      read.latencyMs,
      badVector('the embeddings answer (2xx) is not a JSON object'),
      read.facts,
    );
  }
  const answer = exchange.read(body, sent.res.headers);
  const vector = checkedVector(answer.vector);
  if (!Array.isArray(vector)) return failed('embeddings', read.latencyMs, vector, read.facts);
  return {
    check: 'embeddings',
    ok: true,
    latencyMs: read.latencyMs,
    ...read.facts,
    ...(answer.inputTokens === undefined
      ? {}
      : { tokens: { input: answer.inputTokens, output: 0 } }),
    embedding: { dimensions: vector.length, vector },
  };
}

/**
 * The vector-length rule of one probe: the configured `embeddingDimensions`, else the length
 * of the first good answer since the probe was made (a restart or reload sets it afresh).
 * A good result of another length becomes `bad_response`, without its vector.
 */
export function embeddingDimensionsGuard(
  configured: number | undefined,
): (result: CheckResult) => CheckResult {
  let firstSeen: number | undefined;
  return (result) => {
    const got = result.embedding?.dimensions;
    if (!result.ok || got === undefined) return result;
    const expected = configured ?? firstSeen;
    if (expected === undefined) {
      firstSeen = got;
      return result;
    }
    if (got === expected) return result;
    const why =
      configured === undefined
        ? ', the length of the first answer since start'
        : ' (embeddingDimensions)';
    const { embedding: _vector, ...rest } = result;
    return {
      ...rest,
      ok: false,
      errorClass: 'bad_response',
      message: `embedding has ${got} dimensions; expected ${expected}${why}`,
    };
  };
}
