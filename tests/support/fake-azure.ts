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

/** Options for {@link startFakeAzure}. */
export interface FakeAzureOptions {
  /** The `api-key` every request must carry. */
  apiKey: string;
  /** Deployment names that exist (default `['chat-prod']`). */
  deployments?: string[];
}

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
 * A fake Azure OpenAI resource on 127.0.0.1 speaking both surfaces: v1
 * (`/openai/v1/models`, `/openai/v1/chat/completions` with the deployment in `model`) and
 * dated (`/openai/models?api-version=`, `/openai/deployments/{d}/chat/completions?api-version=`).
 * Keys go in `api-key`; an unknown deployment is 404 `DeploymentNotFound`; streams open
 * with the `prompt_filter_results` chunk.
 */
export function startFakeAzure(opts: FakeAzureOptions): Promise<VendorFake> {
  const deployments = opts.deployments ?? ['chat-prod'];
  return startVendorFake({
    route(method, pathname) {
      if (method === 'GET' && /^\/openai(?:\/v1)?\/models$/.test(pathname)) return 'models';
      if (method === 'POST' && pathname.endsWith('/chat/completions')) return 'completion';
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
}
