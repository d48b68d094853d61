import { type FakeReply, jsonReply, sseReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake } from './scaffold.js';

/**
 * Frames of OpenAI's streamed chat completions (openai/openai-node
 * src/resources/chat/completions/completions.ts, `ChatCompletionChunk`): `data:` lines of
 * chunks, `delta.content`, `delta.refusal`, `delta.tool_calls[{index, id, type, function:
 * {name, arguments}}]` with the arguments in fragments, `finish_reason`, a last chunk with
 * `choices: []` and `usage`, then `data: [DONE]`.
 */
export interface OpenAIFakeOptions {
  /** The key the fake requires and echoes into wrong answers. */
  apiKey: string;
  /** Azure flavour: `api-key` header, routes under `/openai/…`, filter annotations, 400 content_filter. */
  azure?: boolean;
}

const FILTER_SAFE = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return {
    data: {
      id: 'chatcmpl-canary',
      object: 'chat.completion.chunk',
      created: 1733300000,
      model: 'gpt-4o-mini-2024-07-18',
      system_fingerprint: 'fp_canary',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    },
  };
}

const USAGE = {
  data: {
    id: 'chatcmpl-canary',
    object: 'chat.completion.chunk',
    created: 1733300000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage: { prompt_tokens: 31, completion_tokens: 4, total_tokens: 35 },
  },
};

// Documented error bodies: `{"error": {message, type, param, code}}`.
function errorReply(status: number, azure: boolean): FakeReply {
  if (azure && status === 400) {
    // MicrosoftDocs/azure-ai-docs articles/ai-services/openai/concepts/content-filter.md.
    return jsonReply(400, {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_result: {
            ...FILTER_SAFE,
            violence: { filtered: true, severity: 'medium' },
          },
        },
      },
    });
  }
  if (status === 429) {
    return jsonReply(
      429,
      {
        error: {
          message: 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
      { 'retry-after': '20' },
    );
  }
  if (status === 400) {
    return jsonReply(400, {
      error: {
        message: "Invalid value for 'temperature'.",
        type: 'invalid_request_error',
        param: 'temperature',
        code: null,
      },
    });
  }
  return jsonReply(status, {
    error: {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

function events(script: CanaryScript, key: string, azure: boolean) {
  // Azure sends the prompt's filter annotations first, in a chunk without choices.
  const head = azure
    ? [
        {
          data: {
            id: '',
            object: '',
            created: 0,
            model: '',
            choices: [],
            prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTER_SAFE }],
          },
        },
      ]
    : [];
  const done = [USAGE, { data: '[DONE]' }];
  switch (script.kind) {
    case 'text':
      return [
        ...head,
        chunk({ role: 'assistant', content: '', refusal: null }),
        ...script.fragments.map((f) => chunk({ content: f.replaceAll('$KEY', key) })),
        chunk({}, 'stop'),
        ...done,
      ];
    case 'tool':
      return [
        ...head,
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: 'call_canary1',
              type: 'function',
              function: { name: script.name, arguments: '' },
            },
          ],
          refusal: null,
        }),
        ...script.fragments.map((f) =>
          chunk({ tool_calls: [{ index: 0, function: { arguments: f } }] }),
        ),
        chunk({}, 'tool_calls'),
        ...done,
      ];
    case 'signal':
      if (script.signal === 'refusal') {
        return [
          ...head,
          chunk({ role: 'assistant', content: null, refusal: '' }),
          chunk({ refusal: "I'm sorry, " }),
          chunk({ refusal: 'I cannot assist with that request.' }),
          chunk({}, 'stop'),
          ...done,
        ];
      }
      // content_filter: the answer stops where the output filter caught it.
      return [
        ...head,
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'The' }),
        chunk({}, 'content_filter'),
        ...done,
      ];
    case 'stream-error':
      return [
        ...head,
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'PHI' }),
        {
          data: {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            },
          },
        },
      ];
    default:
      return [...head, chunk({ role: 'assistant', content: '' }), chunk({ content: 'PHI' })];
  }
}

/**
 * A canary fake speaking OpenAI's chat completions (`POST /v1/chat/completions`, Bearer), or
 * with `azure` Azure OpenAI's (`POST /openai/v1/chat/completions` or the dated
 * `/openai/deployments/{d}/chat/completions`, `api-key`).
 */
export function startOpenAICanaryFake(o: OpenAIFakeOptions): Promise<CanaryFake> {
  const azure = o.azure === true;
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname.endsWith('/chat/completions') ? 'completion' : undefined,
    denied(req) {
      const given = azure
        ? req.headers['api-key']
        : req.headers.authorization?.replace(/^Bearer /, '');
      if (given === o.apiKey) return undefined;
      return jsonReply(401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    },
    reply(script) {
      if (script.kind === 'status') return errorReply(script.status, azure);
      if (azure && script.kind === 'signal' && script.signal === 'http-400') {
        return errorReply(400, true);
      }
      return sseReply(events(script, o.apiKey, azure));
    },
  });
}
