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
import { belowMinimumOutputTokens, pingScript, responsesEvents } from './responses-stream.js';

/** Options for {@link startFakeAzure}. */
export interface FakeAzureOptions {
  /** The `api-key` every request must carry. */
  apiKey: string;
  /** Deployment names that exist (default `['chat-prod', 'embed-prod']`). */
  deployments?: string[];
  /** The vector embeddings answer (default 1536 numbers, seed 1). */
  embedding?: FakeEmbedding;
}

/** A fake Azure resource; `setEmbedding` changes the vector embeddings answer. */
export type FakeAzure = VendorFake & { setEmbedding(embedding: FakeEmbedding): void };

const DEPLOYMENT_NOT_FOUND = {
  error: {
    code: 'DeploymentNotFound',
    message:
      'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
  },
};

// Azure's documented bodies per status: `{"error":{"code","message"}}`, the code often just the status.
function azureError(status: number, code: string | undefined): unknown {
  if (code === 'DeploymentNotFound') return DEPLOYMENT_NOT_FOUND;
  switch (status) {
    case 401:
      return {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      };
    case 404:
      return { error: { code: '404', message: 'Resource not found' } };
    case 429:
      return {
        error: {
          code: '429',
          message:
            'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds.',
        },
      };
    case 500:
      return {
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      };
    case 503:
      return {
        error: {
          code: 'ServiceUnavailable',
          message:
            'The service is temporarily unable to process your request. Please try again later.',
        },
      };
    default:
      return {
        error: {
          message: code ?? 'Invalid request.',
          type: 'invalid_request_error',
          param: null,
          code: code ?? null,
        },
      };
  }
}

function statusOf(fault: VendorFault): number {
  if (fault.status !== undefined) return fault.status;
  return fault.errorCode === 'DeploymentNotFound' ? 404 : 400;
}

/**
 * Azure's embeddings answer is OpenAI's `CreateEmbeddingResponse` (MicrosoftDocs/azure-ai-docs
 * articles/ai-foundry/openai/reference.md, "Embeddings"): `data[0].embedding`, the model, and
 * `usage.{prompt_tokens,total_tokens}`.
 */
function embeddings(vector: number[]): unknown {
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: vector }],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };
}

function completion(req: FakeRequest, fault: VendorFault | undefined): FakeReply {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created,
    model: fault?.servedModel ?? 'gpt-4o-mini-2024-07-18',
    system_fingerprint: fault?.systemFingerprint ?? 'fp_fake',
    choices,
    ...extra,
  });
  const delta = (d: unknown, finish: string | null = null) => ({
    index: 0,
    delta: d,
    finish_reason: finish,
    content_filter_results: {},
  });
  const events: Array<{ data: unknown; delayMs?: number }> = [
    // Azure's first chunk: prompt filtering results and no choices. It is not a token.
    {
      data: chunk([], {
        id: '',
        object: '',
        created: 0,
        model: '',
        // The prompt-filter chunk carries no fingerprint (JSON.stringify drops undefined).
        system_fingerprint: undefined,
        prompt_filter_results: [
          {
            prompt_index: 0,
            content_filter_results: { hate: { filtered: false, severity: 'safe' } },
          },
        ],
      }),
    },
    { data: chunk([delta({ role: 'assistant', content: '' })]) },
  ];
  if (!fault?.emptyCompletion) {
    const content = chunk([delta({ content: 'pong' })]);
    events.push({
      data: fault?.malformed ? cutJson(JSON.stringify(content)) : content,
      delayMs: fault?.firstTokenDelayMs,
    });
  }
  if (fault?.streamError) {
    events.push({
      data: {
        error: {
          message: 'The server had an error processing your request.',
          type: 'server_error',
          code: 'server_error',
        },
      },
    });
    return sseReply(events, { 'apim-request-id': 'fake' });
  }
  const budget = req.json?.max_completion_tokens ?? req.json?.max_tokens;
  events.push({ data: chunk([delta({}, budget === 1 ? 'length' : 'stop')]) });
  events.push({
    data: chunk([], { usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } }),
  });
  events.push({ data: '[DONE]' });
  return sseReply(events, { 'apim-request-id': 'fake' });
}

/**
 * The v1 surface's Responses route (`POST /openai/v1/responses`, deployment in `model`):
 * OpenAI's event sequence (responses-stream.ts) naming the deployed model, with Azure's
 * `apim-request-id`. `max_output_tokens` below 16 is refused as OpenAI does (Azure too:
 * vectorize-io/hindsight#58); `streamError` is `response.failed`, `emptyCompletion` the
 * budget spent on reasoning, `malformed` a cut first text event.
 */
function responses(req: FakeRequest, fault: VendorFault | undefined): FakeReply {
  const headers = { 'apim-request-id': 'fake' };
  const budget = req.json?.max_output_tokens;
  const tooSmall = belowMinimumOutputTokens(budget);
  if (tooSmall) return jsonReply(400, tooSmall, headers);
  const reasoning = req.json?.reasoning as { effort?: unknown } | undefined;
  const events = responsesEvents(
    pingScript({
      model: 'gpt-4o-mini-2024-07-18',
      fault: fault?.responses ?? (fault?.streamError ? 'failed' : undefined),
      empty: fault?.emptyCompletion === true,
      ...(typeof budget === 'number' ? { maxOutputTokens: budget } : {}),
      ...(typeof reasoning?.effort === 'string' ? { effort: reasoning.effort } : {}),
      ...(fault?.firstTokenDelayMs === undefined
        ? {}
        : { firstTokenDelayMs: fault.firstTokenDelayMs }),
    }),
  );
  const at = fault?.malformed
    ? events.findIndex((e) => e.event === 'response.output_text.delta')
    : -1;
  return sseReply(
    events.map((e, i) => (i === at ? { ...e, data: cutJson(JSON.stringify(e.data)) } : e)),
    headers,
  );
}

/**
 * A fake Azure OpenAI resource on 127.0.0.1 speaking both surfaces: v1
 * (`/openai/v1/models`, `/openai/v1/chat/completions` with the deployment in `model`) and
 * dated (`/openai/models?api-version=`, `/openai/deployments/{d}/chat/completions?api-version=`).
 * Keys go in `api-key`; an unknown deployment is 404 `DeploymentNotFound`; streams open
 * with the `prompt_filter_results` chunk. Embeddings on both surfaces
 * (`/openai/v1/embeddings`, `/openai/deployments/{d}/embeddings?api-version=`).
 * `POST /openai/v1/responses` is the Responses API.
 */
export async function startFakeAzure(opts: FakeAzureOptions): Promise<FakeAzure> {
  const deployments = opts.deployments ?? ['chat-prod', 'embed-prod'];
  const vector = embeddingSource(1536, opts.embedding);
  const fake = await startVendorFake({
    route(method, pathname) {
      if (method === 'GET' && /^\/openai(?:\/v1)?\/models$/.test(pathname)) return 'models';
      if (method === 'POST' && pathname.endsWith('/chat/completions')) return 'completion';
      if (method === 'POST' && pathname.endsWith('/embeddings')) return 'embeddings';
      if (method === 'POST' && pathname === '/openai/v1/responses') return 'completion';
      return undefined;
    },
    answer(req, fault) {
      const headers = { 'apim-request-id': 'fake', 'x-ratelimit-remaining-requests': '99' };
      if (fault?.status !== undefined || fault?.errorCode !== undefined) {
        const status = statusOf(fault);
        return jsonReply(status, azureError(status, fault.errorCode), headers);
      }
      const path = req.url.pathname;
      const dated = !path.startsWith('/openai/v1/');
      if (dated && !req.url.searchParams.get('api-version')) {
        return jsonReply(404, azureError(404, undefined), headers);
      }
      if (req.headers['api-key'] !== opts.apiKey) {
        return jsonReply(401, azureError(401, undefined), headers);
      }
      if (req.method === 'GET' && /^\/openai(?:\/v1)?\/models$/.test(path)) {
        // Models, not deployments: the deployment names are not here.
        const data = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'].map((id) => ({
          id,
          object: 'model',
          created_at: 1_715_367_049,
          status: 'succeeded',
        }));
        const body = { object: 'list', data };
        if (fault?.malformed) {
          return { status: 200, headers, parts: [{ data: cutJson(JSON.stringify(body)) }] };
        }
        return jsonReply(200, body, headers);
      }
      const embed = /^\/openai\/deployments\/([^/]+)\/embeddings$/.exec(path);
      if (req.method === 'POST' && (embed !== null || path === '/openai/v1/embeddings')) {
        const name = dated ? decodeURIComponent(embed?.[1] ?? '') : req.json?.model;
        if ((dated && embed === null) || typeof name !== 'string' || !deployments.includes(name)) {
          return jsonReply(404, DEPLOYMENT_NOT_FOUND, headers);
        }
        return jsonReply(200, embeddings(vector.vector()), headers);
      }
      if (req.method === 'POST' && path === '/openai/v1/responses') {
        const model = req.json?.model;
        if (typeof model !== 'string' || !deployments.includes(model)) {
          return jsonReply(404, DEPLOYMENT_NOT_FOUND, headers);
        }
        return responses(req, fault);
      }
      const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
      const deployment = dated ? decodeURIComponent(match?.[1] ?? '') : req.json?.model;
      if (
        req.method !== 'POST' ||
        (dated && match === null) ||
        (!dated && path !== '/openai/v1/chat/completions')
      ) {
        return jsonReply(404, azureError(404, undefined), headers);
      }
      if (typeof deployment !== 'string' || !deployments.includes(deployment)) {
        return jsonReply(404, DEPLOYMENT_NOT_FOUND, headers);
      }
      return completion(req, fault);
    },
  });
  return { ...fake, setEmbedding: (e) => vector.set(e) };
}
