import { type CorpusCase, json, sse, stream } from './types.js';

// Sources
const SPEC =
  'Azure/azure-rest-api-specs specification/cognitiveservices/data-plane/AzureOpenAI/inference/stable/2024-10-21/inference.json (errorResponse, contentFilterResults, promptFilterResults)';
const QUOTA_DOC =
  'https://learn.microsoft.com/azure/ai-services/openai/quotas-limits (429, retry-after-ms / retry-after)';
const FILTER_DOC =
  'https://learn.microsoft.com/azure/ai-services/openai/concepts/content-filter (streaming annotations, 400 content_filter)';
const REQ_ID =
  'apim-request-id header: https://learn.microsoft.com/azure/ai-services/openai/reference';

const safe = { filtered: false, severity: 'safe' };
const filters = { hate: safe, self_harm: safe, sexual: safe, violence: safe };
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}) => ({
  id: 'chatcmpl-9Az',
  object: 'chat.completion.chunk',
  created: 1730000000,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_04751d0b65',
  choices: [{ index: 0, delta, finish_reason: finish, content_filter_results: filters, ...extra }],
});

/** Azure OpenAI: its error codes, its retry and request-id headers, and filter annotations in streams. */
export const AZURE_CASES: CorpusCase[] = [
  {
    id: 'azure-401-invalid-subscription-key',
    vendor: 'azure-openai',
    source: `${SPEC}; ${REQ_ID}`,
    check: 'models',
    response: json(
      401,
      {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      },
      { 'apim-request-id': '6d1b3c8e-2f4a-4b0e-9c1d-7a8b9c0d1e2f' },
    ),
    expect: {
      ok: false,
      errorClass: 'auth',
      requestId: '6d1b3c8e-2f4a-4b0e-9c1d-7a8b9c0d1e2f',
    },
  },
  {
    id: 'azure-404-deployment-not-found',
    vendor: 'azure-openai',
    source: SPEC,
    check: 'completion',
    response: json(404, {
      error: {
        code: 'DeploymentNotFound',
        message:
          'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      },
    }),
    expect: {
      ok: false,
      errorClass: 'model_unavailable',
      messageIncludes: ['deployment gpt-4o-mini-prod'],
    },
  },
  {
    id: 'azure-429-token-rate-limit',
    vendor: 'azure-openai',
    source: `${QUOTA_DOC}; ${SPEC}`,
    check: 'completion',
    response: json(
      429,
      {
        error: {
          code: '429',
          message:
            'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
        },
      },
      {
        'retry-after': '6',
        'retry-after-ms': '6000',
        'x-ratelimit-remaining-requests': '119',
        'x-ratelimit-remaining-tokens': '0',
        'apim-request-id': 'a6f1c2d3-rl',
      },
    ),
    expect: {
      ok: false,
      errorClass: 'rate_limited',
      retryAfterMs: 6000,
      resetResource: 'tokens',
      requestId: 'a6f1c2d3-rl',
      messageIncludes: ['retry after 6 s'],
    },
  },
  {
    id: 'azure-400-content-filter',
    vendor: 'azure-openai',
    source: `${FILTER_DOC}; ${SPEC} (innererror ResponsibleAIPolicyViolation)`,
    check: 'completion',
    response: json(400, {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_result: { ...filters, violence: { filtered: true, severity: 'medium' } },
        },
      },
    }),
    expect: {
      ok: false,
      errorClass: 'bad_request',
      messageIncludes: ['content_filter', 'param prompt'],
    },
  },
  {
    id: 'azure-500-internal-server-error',
    vendor: 'azure-openai',
    source: SPEC,
    check: 'completion',
    response: json(500, {
      error: {
        code: 'InternalServerError',
        message:
          'The service is temporarily unable to process your request. Please try again later.',
      },
    }),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'azure-models-list',
    vendor: 'azure-openai',
    source: 'https://learn.microsoft.com/rest/api/azureopenai/models/list (data[] of models)',
    check: 'models',
    response: json(200, {
      data: [
        {
          id: 'gpt-4o-mini-2024-07-18',
          status: 'succeeded',
          capabilities: { chat_completion: true },
          lifecycle_status: 'generally-available',
          object: 'model',
        },
      ],
      object: 'list',
    }),
    expect: { ok: true },
  },
  {
    id: 'azure-stream-prompt-filter-results-first',
    vendor: 'azure-openai',
    source: `${FILTER_DOC}; ${SPEC}`,
    check: 'completion',
    response: stream(
      [
        sse({
          choices: [],
          created: 0,
          id: '',
          model: '',
          object: '',
          prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }],
        }),
        sse(chunk({ role: 'assistant', content: '' })),
        sse(chunk({ content: 'Pong' })),
        sse(chunk({}, 'length')),
        sse({
          choices: [],
          created: 1730000000,
          id: 'chatcmpl-9Az',
          model: 'gpt-4o-mini-2024-07-18',
          object: 'chat.completion.chunk',
          usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
        }),
        'data: [DONE]\n\n',
      ],
      { 'apim-request-id': 'ok-stream' },
    ),
    expect: { ok: true, tokens: { input: 9, output: 1 } },
  },
  {
    id: 'azure-stream-content-filter-finish',
    vendor: 'azure-openai',
    source: `${FILTER_DOC} (finish_reason content_filter ends a filtered completion)`,
    check: 'completion',
    response: stream([
      sse(chunk({ role: 'assistant', content: '' })),
      sse(
        chunk({}, 'content_filter', {
          content_filter_results: { ...filters, violence: { filtered: true, severity: 'medium' } },
        }),
      ),
      'data: [DONE]\n\n',
    ]),
    expect: { ok: false, errorClass: 'bad_response', messageIncludes: ['empty completion'] },
  },
];
