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

/** Options for {@link startFakeCohere}. */
export interface FakeCohereOptions {
  /** The Bearer key requests must carry. */
  apiKey: string;
  /** Chat models listed (default `['command-r-08-2024', 'command-a-03-2025']`). */
  models?: string[];
  /** Embedding models served (default `['embed-v4.0', 'embed-english-v3.0']`). */
  embeddingModels?: string[];
  /** The vector `/v2/embed` answers (default 1536 numbers, embed-v4.0's length; seed 1). */
  embedding?: FakeEmbedding;
}

/** A fake Cohere API; `setEmbedding` changes the vector `/v2/embed` answers. */
export type FakeCohere = VendorFake & { setEmbedding(embedding: FakeEmbedding): void };

/**
 * `EmbedByTypeResponse` of v2 (cohere-ai/cohere-typescript src/api/types/EmbedByTypeResponse.ts):
 * `{id, embeddings: {float: [[…]]}, texts, meta: {api_version, billed_units: {input_tokens}}}`.
 */
function embedded(req: FakeRequest, vector: number[]): FakeReply {
  const texts = Array.isArray(req.json?.texts) ? req.json.texts : [];
  return jsonReply(200, {
    id: 'e1f5c9a3-fake',
    embeddings: { float: texts.map(() => vector) },
    texts,
    meta: {
      api_version: { version: '2' },
      billed_units: { input_tokens: 14 },
    },
  });
}

// Cohere's error bodies: `{"id","message"}`.
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid request: message must be at least 1 token long or tool results must be specified.',
  401: 'invalid api token',
  403: 'Forbidden',
  429: 'You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits.',
  500: 'internal server error, this has been reported to our developers. id abc123',
  503: 'Service Unavailable',
};

function cohereError(status: number, message: string): FakeReply {
  return jsonReply(status, { id: '7a1c3b3e-fake', message });
}

function modelNotFound(model: string): FakeReply {
  return cohereError(
    404,
    `model '${model}' not found, make sure the correct model ID was used and that you have access to the model.`,
  );
}

/** Output tokens the fake's thinking costs when a request enables `thinking`. */
export const COHERE_THINKING_TOKENS = 6;

function chat(req: FakeRequest, fault: VendorFault | undefined): FakeReply {
  const thinking = req.json?.thinking as { type?: unknown } | undefined;
  const thinks = thinking?.type === 'enabled';
  const thought = thinks && !fault?.emptyCompletion ? COHERE_THINKING_TOKENS : 0;
  const events: Array<{ event: string; data: unknown; delayMs?: number }> = [
    {
      event: 'message-start',
      data: {
        id: 'c14c80c3-fake',
        type: 'message-start',
        delta: {
          message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
        },
      },
    },
    {
      event: 'content-start',
      data: {
        type: 'content-start',
        index: 0,
        delta: { message: { content: { type: 'text', text: '' } } },
      },
    },
  ];
  if (fault?.emptyCompletion) {
    // A reasoning model: the budget went to thinking deltas.
    events.push({
      event: 'content-delta',
      data: {
        type: 'content-delta',
        index: 0,
        delta: { message: { content: { thinking: 'hmm' } } },
      },
    });
  } else {
    // `thinking: {type: "enabled"}` on a reasoning model: thinking deltas come first
    // (cohere-typescript `ChatContentDeltaEventDeltaMessageContent.thinking`).
    if (thinks) {
      events.push({
        event: 'content-delta',
        data: {
          type: 'content-delta',
          index: 0,
          delta: { message: { content: { thinking: 'A greeting.' } } },
        },
      });
    }
    const delta = {
      type: 'content-delta',
      index: 0,
      delta: { message: { content: { text: 'Pong' } } },
    };
    events.push({
      event: 'content-delta',
      data: fault?.malformed ? cutJson(JSON.stringify(delta)) : delta,
      delayMs: fault?.firstTokenDelayMs,
    });
  }
  if (fault?.streamError) {
    // UNCONFIRMED: Cohere documents no in-stream error event; this is the shape probes accept.
    events.push({ event: 'error', data: { type: 'error', message: 'internal server error' } });
    return sseReply(events);
  }
  events.push(
    { event: 'content-end', data: { type: 'content-end', index: 0 } },
    {
      event: 'message-end',
      data: {
        type: 'message-end',
        delta: {
          finish_reason: req.json?.max_tokens === 1 ? 'MAX_TOKENS' : 'COMPLETE',
          usage: {
            billed_units: { input_tokens: 1, output_tokens: 1 + thought },
            tokens: { input_tokens: 67, output_tokens: 1 + thought },
          },
        },
      },
    },
  );
  return sseReply(events);
}

/**
 * A fake Cohere API on 127.0.0.1: `POST /v1/check-api-key` (200 `{"valid":false}` for a wrong
 * key), `GET /v1/models`, `POST /v2/chat` streamed as SSE (`content-delta`, `message-end`).
 * `POST /v2/embed` answers floats by type. Errors are `{"id","message"}`; an unknown model is 404.
 */
export async function startFakeCohere(opts: FakeCohereOptions): Promise<FakeCohere> {
  const models = opts.models ?? ['command-r-08-2024', 'command-a-03-2025'];
  const embeddingModels = opts.embeddingModels ?? ['embed-v4.0', 'embed-english-v3.0'];
  const vector = embeddingSource(1536, opts.embedding);
  const fake = await startVendorFake({
    route(method, pathname) {
      if (pathname === '/v1/check-api-key' || (method === 'GET' && pathname === '/v1/models')) {
        return 'models';
      }
      if (method === 'POST' && pathname === '/v2/chat') return 'completion';
      if (method === 'POST' && pathname === '/v2/embed') return 'embeddings';
      return undefined;
    },
    answer(req, fault) {
      if (fault?.status !== undefined) {
        const model = String(req.json?.model ?? 'unknown');
        return fault.status === 404
          ? modelNotFound(model)
          : cohereError(fault.status, MESSAGES[fault.status] ?? 'error');
      }
      const auth = req.headers.authorization;
      const path = req.url.pathname;
      if (auth === undefined) return cohereError(401, 'no api key supplied');
      if (req.method === 'POST' && path === '/v1/check-api-key') {
        const body =
          auth === `Bearer ${opts.apiKey}`
            ? { valid: true, organization_id: 'org-fake', owner_id: 'owner-fake' }
            : { valid: false, organization_id: null, owner_id: null };
        if (fault?.malformed)
          return { ...jsonReply(200, {}), parts: [{ data: cutJson(JSON.stringify(body)) }] };
        return jsonReply(200, body);
      }
      if (auth !== `Bearer ${opts.apiKey}`) return cohereError(401, MESSAGES[401] ?? '');
      if (req.method === 'GET' && path === '/v1/models') {
        return jsonReply(200, {
          models: models.map((name) => ({
            name,
            endpoints: ['generate', 'chat', 'summarize'],
            finetuned: false,
            context_length: 128_000,
            features: ['tools', 'json_mode'],
          })),
        });
      }
      if (req.method === 'POST' && path === '/v2/embed') {
        const model = req.json?.model;
        if (typeof model !== 'string')
          return cohereError(400, 'invalid request: model is required');
        if (!embeddingModels.includes(model)) return modelNotFound(model);
        if (typeof req.json?.input_type !== 'string') {
          return cohereError(
            400,
            'invalid request: valid input_type must be provided with the provided model',
          );
        }
        return embedded(req, vector.vector());
      }
      if (req.method === 'POST' && path === '/v2/chat') {
        const model = req.json?.model;
        if (typeof model !== 'string')
          return cohereError(400, 'invalid request: model is required');
        if (!models.includes(model)) return modelNotFound(model);
        return chat(req, fault);
      }
      return cohereError(404, 'Not Found');
    },
  });
  return { ...fake, setEmbedding: (e) => vector.set(e) };
}
