import { embeddingSource, type FakeEmbedding } from './fake-embedding.js';
import {
  cutJson,
  type FakeReply,
  type FakeRequest,
  jsonReply,
  startVendorFake,
  type VendorFake,
  type VendorFault,
} from './fake-http.js';

/** Options for {@link startFakeOllama}. */
export interface FakeOllamaOptions {
  /** Pulled models, with their tags (default `['llama3.2:latest']`). */
  models?: string[];
  /** When set, requests must send `Authorization: Bearer <key>` (Ollama behind a proxy). */
  apiKey?: string;
  /** The vector `/api/embed` answers (default 768 numbers, nomic-embed-text's length; seed 1). */
  embedding?: FakeEmbedding;
}

/** A fake Ollama; `setEmbedding` changes the vector `/api/embed` answers. */
export type FakeOllama = VendorFake & { setEmbedding(embedding: FakeEmbedding): void };

// Ollama answers errors as `{"error":"…"}`.
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid options: num_predict',
  401: 'unauthorized',
  500: 'llama runner process has terminated: exit status 2',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

function notPulled(model: string): unknown {
  return { error: `model "${model}" not found, try pulling it first` };
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** Tokens the fake's thinking costs when a request sends `think` true or a level. */
export const OLLAMA_THINKING_TOKENS = 5;

function chat(req: FakeRequest, asked: string, fault: VendorFault | undefined): FakeReply {
  // Each ChatResponse line names its `model` (ollama api/types.go); a test may change it.
  const model = fault?.servedModel ?? asked;
  const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, 0, ms)).toISOString();
  const parts: Array<{ data: string; delayMs?: number }> = [];
  const think = req.json?.think;
  const thinks = think === true || typeof think === 'string';
  if (fault?.emptyCompletion) {
    // A thinking model: everything it produced within num_predict was thinking.
    parts.push({
      data: line({
        model,
        created_at: at(1),
        message: { role: 'assistant', content: '', thinking: 'hmm' },
        done: false,
      }),
    });
  } else {
    // `think` true or a level: the model's thinking streams first in `message.thinking`
    // (ollama docs/api.md); eval_count then covers it too.
    if (thinks) {
      parts.push({
        data: line({
          model,
          created_at: at(1),
          message: { role: 'assistant', content: '', thinking: 'A greeting.' },
          done: false,
        }),
      });
    }
    const first = line({
      model,
      created_at: at(1),
      message: { role: 'assistant', content: 'Pong' },
      done: false,
    });
    parts.push({
      data: fault?.malformed ? cutJson(first) : first,
      delayMs: fault?.firstTokenDelayMs,
    });
  }
  if (fault?.streamError) {
    parts.push({
      data: line({ error: 'an error was encountered while running the model: unexpected EOF' }),
    });
  } else {
    const options = req.json?.options as { num_predict?: unknown } | undefined;
    parts.push({
      data: line({
        model,
        created_at: at(2),
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: options?.num_predict === 1 ? 'length' : 'stop',
        total_duration: 120_000_000,
        load_duration: 10_000_000,
        prompt_eval_count: 11,
        prompt_eval_duration: 50_000_000,
        eval_count: 1 + (thinks ? OLLAMA_THINKING_TOKENS : 0),
        eval_duration: 20_000_000,
      }),
    });
  }
  return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, parts };
}

/**
 * A fake Ollama server on 127.0.0.1 speaking the native API: `GET /api/version`,
 * `GET /api/tags`, `POST /api/chat` streamed as NDJSON (`done: true` last). Errors are
 * `{"error":"…"}`; a model that was not pulled is 404. `POST /api/embed` answers
 * `{model, embeddings: [[…]], total_duration, load_duration, prompt_eval_count}` (docs/api.md,
 * "Generate Embeddings") for any pulled model.
 */
export async function startFakeOllama(opts: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const models = opts.models ?? ['llama3.2:latest', 'nomic-embed-text:latest'];
  const vector = embeddingSource(768, opts.embedding);
  const fake = await startVendorFake({
    route(method, pathname) {
      if (method === 'GET' && (pathname === '/api/version' || pathname === '/api/tags')) {
        return 'models';
      }
      if (method === 'POST' && pathname === '/api/chat') return 'completion';
      if (method === 'POST' && pathname === '/api/embed') return 'embeddings';
      return undefined;
    },
    answer(req, fault) {
      if (fault?.status !== undefined) {
        const status = fault.status;
        const model = String(req.json?.model ?? 'unknown');
        return jsonReply(
          status,
          status === 404 ? notPulled(model) : { error: MESSAGES[status] ?? 'error' },
        );
      }
      if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        return jsonReply(401, { error: MESSAGES[401] });
      }
      const path = req.url.pathname;
      if (req.method === 'GET' && path === '/api/version') {
        return fault?.malformed
          ? { ...jsonReply(200, {}), parts: [{ data: '{"version":"0.' }] }
          : jsonReply(200, { version: '0.12.6' });
      }
      if (req.method === 'GET' && path === '/api/tags') {
        const body = {
          models: models.map((name) => ({
            name,
            model: name,
            modified_at: '2025-01-01T00:00:00Z',
            size: 2_019_393_189,
            digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
            details: {
              format: 'gguf',
              family: 'llama',
              parameter_size: '3.2B',
              quantization_level: 'Q4_K_M',
            },
          })),
        };
        return jsonReply(200, body);
      }
      if (req.method === 'POST' && path === '/api/embed') {
        const model = req.json?.model;
        if (typeof model !== 'string') return jsonReply(400, { error: 'model is required' });
        const known = models.includes(model) || models.includes(`${model}:latest`);
        if (!known) return jsonReply(404, notPulled(model));
        return jsonReply(200, {
          model,
          embeddings: [vector.vector()],
          total_duration: 14_143_917,
          load_duration: 1_019_500,
          prompt_eval_count: 15,
        });
      }
      if (req.method === 'POST' && path === '/api/chat') {
        const model = req.json?.model;
        if (typeof model !== 'string') return jsonReply(400, { error: 'model is required' });
        const known = models.includes(model) || models.includes(`${model}:latest`);
        if (!known) return jsonReply(404, notPulled(model));
        return chat(req, model, fault);
      }
      return {
        status: 404,
        headers: { 'content-type': 'text/plain' },
        parts: [{ data: '404 page not found' }],
      };
    },
  });
  return { ...fake, setEmbedding: (e) => vector.set(e) };
}
