import { embeddingSource, type FakeEmbedding } from './fake-embedding.js';
import {
  cutJson,
  type FakeReply,
  type FakeRequest,
  jsonReply,
  sseReply,
  startVendorFake,
  type VendorFake,
  type VendorFault,
} from './fake-http.js';

/** Options for {@link startFakeGemini}. */
export interface FakeGeminiOptions {
  /** The `x-goog-api-key` every request must carry. */
  apiKey: string;
  /** Model ids served (default `['gemini-2.0-flash']`). */
  models?: string[];
  /** Embedding model ids served (default `['gemini-embedding-001', 'text-embedding-004']`). */
  embeddingModels?: string[];
  /** The vector embeddings answer (default 3072 numbers, gemini-embedding-001's length; seed 1). */
  embedding?: FakeEmbedding;
}

/** A fake Gemini API; `setEmbedding` changes the vector `embedContent` answers. */
export type FakeGemini = VendorFake & { setEmbedding(embedding: FakeEmbedding): void };

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Request contains an invalid argument.',
  403: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

/** Google's error body: `{"error":{"code","message","status","details"}}`. */
function googleError(status: number, message: string, reason?: string): unknown {
  const error: Record<string, unknown> = {
    code: status,
    message,
    status: STATUS_NAMES[status] ?? 'UNKNOWN',
  };
  if (reason !== undefined) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason,
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ];
  }
  return { error };
}

const INVALID_KEY = googleError(
  400,
  'API key not valid. Please pass a valid API key.',
  'API_KEY_INVALID',
);

function notFound(model: string, method = 'generateContent'): unknown {
  return googleError(
    404,
    `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

function faultReply(fault: VendorFault, model: string): FakeReply {
  if (fault.errorCode === 'API_KEY_INVALID') return jsonReply(400, INVALID_KEY);
  const status = fault.status ?? 400;
  if (status === 404) return jsonReply(404, notFound(model));
  return jsonReply(status, googleError(status, MESSAGES[status] ?? 'Error.'));
}

function stream(req: FakeRequest, model: string, fault: VendorFault | undefined): FakeReply {
  const config = req.json?.generationConfig as
    | { maxOutputTokens?: unknown; thinkingConfig?: { thinkingBudget?: unknown } }
    | undefined;
  const budget = config?.maxOutputTokens;
  // `thinkingBudget: 0` turns thinking off (js-genai `ThinkingConfig`): no thought summary,
  // no `thoughtsTokenCount`.
  const thinks = config?.thinkingConfig?.thinkingBudget !== 0;
  const usage = (candidates: number | undefined, thoughts?: number) => ({
    promptTokenCount: 2,
    ...(candidates === undefined ? {} : { candidatesTokenCount: candidates }),
    ...(thoughts === undefined ? {} : { thoughtsTokenCount: thoughts }),
    totalTokenCount: 2 + (candidates ?? 0) + (thoughts ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }],
  });
  const candidate = (parts: unknown[] | undefined, finishReason?: string) => ({
    content: parts === undefined ? { role: 'model' } : { parts, role: 'model' },
    ...(finishReason === undefined ? {} : { finishReason }),
    index: 0,
  });
  const chunk = (c: unknown, u: unknown) => ({
    candidates: [c],
    usageMetadata: u,
    // GenerateContentResponse.modelVersion names the version that answered.
    modelVersion: fault?.servedModel ?? model,
    responseId: 'fake-response',
  });
  if (fault?.emptyCompletion) {
    // A thinking model that spent the whole budget thinking: no parts, MAX_TOKENS.
    return sseReply([{ data: chunk(candidate(undefined, 'MAX_TOKENS'), usage(undefined, 1)) }]);
  }
  const first = chunk(candidate([{ text: 'Po' }]), usage(undefined));
  const events: Array<{ data: unknown; delayMs?: number }> = [
    // A thought summary arrives before the answer; it is not the first token.
    ...(thinks
      ? [
          {
            data: chunk(
              candidate([{ text: 'thinking about ping', thought: true }]),
              usage(undefined),
            ),
          },
        ]
      : []),
    {
      data: fault?.malformed ? cutJson(JSON.stringify(first)) : first,
      delayMs: fault?.firstTokenDelayMs,
    },
  ];
  if (fault?.streamError) {
    // Gemini reports a mid-stream failure as a bare, pretty-printed JSON object outside SSE
    // framing; its SDK raises an API error with that code (js-genai src/_api_client.ts).
    const reply = sseReply(events);
    reply.parts.push({
      data: `${JSON.stringify(googleError(503, MESSAGES[503] ?? ''), null, 2)}\n`,
    });
    return reply;
  }
  const finish = budget === 1 ? 'MAX_TOKENS' : 'STOP';
  events.push({
    data: chunk(candidate([{ text: 'ng' }], finish), usage(1, thinks ? 3 : undefined)),
  });
  return sseReply(events);
}

/**
 * A fake Gemini API on 127.0.0.1: `GET /v1beta/models/{m}` and
 * `POST /v1beta/models/{m}:streamGenerateContent?alt=sse` (data-only SSE, no `[DONE]`),
 * `x-goog-api-key` auth. A missing key is 403 PERMISSION_DENIED, a wrong one 400
 * INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, an unknown model 404 NOT_FOUND.
 * `POST /v1beta/models/{m}:embedContent` answers `EmbedContentResponse` `{embedding: {values}}`
 * (ai.google.dev/api/embeddings; no usage in it).
 */
export async function startFakeGemini(opts: FakeGeminiOptions): Promise<FakeGemini> {
  const models = opts.models ?? ['gemini-2.0-flash'];
  const embeddingModels = opts.embeddingModels ?? ['gemini-embedding-001', 'text-embedding-004'];
  const vector = embeddingSource(3072, opts.embedding);
  const modelOf = (pathname: string) =>
    decodeURIComponent(/^\/v1beta\/models\/([^/:]+)/.exec(pathname)?.[1] ?? '');
  const fake = await startVendorFake({
    route(method, pathname) {
      if (method === 'GET' && pathname.startsWith('/v1beta/models')) return 'models';
      if (method === 'POST' && pathname.endsWith(':streamGenerateContent')) return 'completion';
      if (method === 'POST' && pathname.endsWith(':embedContent')) return 'embeddings';
      return undefined;
    },
    answer(req, fault) {
      const model = modelOf(req.url.pathname);
      if (fault?.status !== undefined || fault?.errorCode !== undefined) {
        return faultReply(fault, model);
      }
      const key = req.headers['x-goog-api-key'];
      if (key === undefined) return jsonReply(403, googleError(403, MESSAGES[403] ?? ''));
      if (key !== opts.apiKey) return jsonReply(400, INVALID_KEY);
      if (req.method === 'POST' && req.url.pathname.endsWith(':embedContent')) {
        if (!embeddingModels.includes(model))
          return jsonReply(404, notFound(model, 'embedContent'));
        const content = req.json?.content as { parts?: unknown } | undefined;
        if (!Array.isArray(content?.parts)) {
          return jsonReply(
            400,
            googleError(400, '* EmbedContentRequest.content: contents is not specified'),
          );
        }
        return jsonReply(200, { embedding: { values: vector.vector() } });
      }
      if (!models.includes(model)) return jsonReply(404, notFound(model));
      if (req.method === 'GET') {
        const body = {
          name: `models/${model}`,
          version: '001',
          displayName: model,
          inputTokenLimit: 1_048_576,
          outputTokenLimit: 8192,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        };
        if (fault?.malformed)
          return { ...jsonReply(200, body), parts: [{ data: cutJson(JSON.stringify(body)) }] };
        return jsonReply(200, body);
      }
      if (req.url.searchParams.get('alt') !== 'sse') {
        return jsonReply(400, googleError(400, 'streaming needs alt=sse in this fake'));
      }
      return stream(req, model, fault);
    },
  });
  return { ...fake, setEmbedding: (e) => vector.set(e) };
}
