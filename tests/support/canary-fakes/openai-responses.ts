import { type FakeReply, jsonReply, sseReply } from '../fake-http.js';
import {
  belowMinimumOutputTokens,
  type ResponsesEnd,
  type ResponsesPart,
  responsesEvents,
} from '../responses-stream.js';
import { type CanaryFake, type CanaryScript, startCanaryFake } from './scaffold.js';

/** Options for {@link startOpenAIResponsesCanaryFake}. */
export interface ResponsesCanaryFakeOptions {
  /** The key the fake requires and echoes into wrong answers. */
  apiKey: string;
  /** Azure flavour: `api-key` header, `POST /openai/v1/responses`, 400 content_filter. */
  azure?: boolean;
}

// Documented error bodies `{"error": {message, type, param, code}}`, the same as chat's;
// Azure's prompt filter as in MicrosoftDocs/azure-ai-docs articles/ai-services/openai/concepts/content-filter.md.
function errorReply(status: number, azure: boolean): FakeReply {
  if (azure && status === 400) {
    return jsonReply(400, {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: { code: 'ResponsibleAIPolicyViolation' },
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
  return jsonReply(status, {
    error: {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

// The script as output parts and an ending (responses-stream.ts writes the events).
function shape(script: CanaryScript, key: string): { parts: ResponsesPart[]; end: ResponsesEnd } {
  const completed: ResponsesEnd = { kind: 'completed' };
  switch (script.kind) {
    case 'text':
      return {
        parts: [
          { kind: 'text', fragments: script.fragments.map((f) => f.replaceAll('$KEY', key)) },
        ],
        end: completed,
      };
    case 'tool':
      return {
        parts: [{ kind: 'call', name: script.name, fragments: script.fragments }],
        end: completed,
      };
    case 'signal':
      if (script.signal === 'refusal') {
        return {
          parts: [
            { kind: 'refusal', fragments: ["I'm sorry, ", 'I cannot assist with that request.'] },
          ],
          end: completed,
        };
      }
      // content_filter: the answer stops where the output filter caught it.
      return {
        parts: [{ kind: 'text', fragments: ['The'] }],
        end: { kind: 'incomplete', reason: 'content_filter' },
      };
    case 'stream-error':
      return {
        parts: [{ kind: 'text', fragments: ['PHI'] }],
        end: {
          kind: 'failed',
          code: 'server_error',
          message: 'The model failed to generate a response.',
        },
      };
    default:
      return { parts: [{ kind: 'text', fragments: ['PHI'] }], end: { kind: 'cut' } };
  }
}

/**
 * A canary fake speaking OpenAI's Responses API (`POST /v1/responses`, Bearer), or with
 * `azure` Azure OpenAI's v1 route (`POST /openai/v1/responses`, `api-key`).
 */
export function startOpenAIResponsesCanaryFake(o: ResponsesCanaryFakeOptions): Promise<CanaryFake> {
  const azure = o.azure === true;
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname.endsWith('/responses') ? 'completion' : undefined,
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
    reply(script, req) {
      const tooSmall = belowMinimumOutputTokens(req.json?.max_output_tokens);
      if (tooSmall) return jsonReply(400, tooSmall);
      if (script.kind === 'status') return errorReply(script.status, azure);
      if (azure && script.kind === 'signal' && script.signal === 'http-400') {
        return errorReply(400, true);
      }
      const { parts, end } = shape(script, o.apiKey);
      return sseReply(
        responsesEvents({
          model: 'gpt-4o-mini-2024-07-18',
          parts,
          end,
          usage: { input: 31, output: 4, reasoning: 0 },
        }),
      );
    },
  });
}
