import { type FakeReply, jsonReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake, wholeArguments } from './scaffold.js';

const line = (message: Record<string, unknown>, done = false, extra = {}) =>
  `${JSON.stringify({
    model: 'llama3.2',
    created_at: '2026-12-04T20:00:00.000000Z',
    message: { role: 'assistant', ...message },
    done,
    ...extra,
  })}\n`;

const DONE = line({ content: '' }, true, {
  done_reason: 'stop',
  total_duration: 182242375,
  load_duration: 41295167,
  prompt_eval_count: 26,
  prompt_eval_duration: 24573166,
  eval_count: 4,
  eval_duration: 115959084,
});

/**
 * Lines of Ollama's native streamed chat (ollama/ollama docs/api.md, "Generate a chat
 * completion", with tools): NDJSON objects with `message.content` fragments, a whole
 * `message.tool_calls[{function: {name, arguments: {…}}}]`, and a last `done: true` line
 * with `done_reason` and the counts; `{"error": …}` mid-stream. Ollama has no refusal field.
 */
function lines(script: CanaryScript, key: string): string[] {
  switch (script.kind) {
    case 'text':
      return [...script.fragments.map((f) => line({ content: f.replaceAll('$KEY', key) })), DONE];
    case 'tool':
      return [
        line({
          content: '',
          tool_calls: [{ function: { name: script.name, arguments: wholeArguments(script) } }],
        }),
        DONE,
      ];
    case 'stream-error':
      return [
        line({ content: 'PHI' }),
        `${JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`,
      ];
    default:
      return [line({ content: 'PHI' })];
  }
}

function errorReply(status: number): FakeReply {
  return jsonReply(status, {
    error:
      status === 429 ? 'too many requests' : 'llama runner process has terminated: exit status 2',
  });
}

/** A canary fake speaking Ollama's native `POST /api/chat` (a key as Bearer, as ollama.com takes one). */
export function startOllamaCanaryFake(o: { apiKey: string }): Promise<CanaryFake> {
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname === '/api/chat' ? 'completion' : undefined,
    denied: (req) =>
      req.headers.authorization === `Bearer ${o.apiKey}`
        ? undefined
        : jsonReply(401, { error: 'unauthorized' }),
    reply(script) {
      if (script.kind === 'status') return errorReply(script.status);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-ndjson' },
        parts: lines(script, o.apiKey).map((data) => ({ data })),
      };
    },
  });
}
