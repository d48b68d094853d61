import { type FakeReply, jsonReply, sseReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake } from './scaffold.js';

type Ev = { event: string; data: Record<string, unknown> };

const ev = (event: string, data: Record<string, unknown> = {}): Ev => ({
  event,
  data: { type: event, ...data },
});

const START = ev('message-start', {
  id: 'canary-1',
  delta: {
    message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
  },
});

const end = (finish: string, extra: Record<string, unknown> = {}): Ev =>
  ev('message-end', {
    delta: {
      finish_reason: finish,
      usage: {
        billed_units: { input_tokens: 24, output_tokens: 3 },
        tokens: { input_tokens: 230, output_tokens: 3 },
      },
      ...extra,
    },
  });

const textEvents = (fragments: string[]): Ev[] => [
  ev('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
  ...fragments.map((text) =>
    ev('content-delta', { index: 0, delta: { message: { content: { text } } } }),
  ),
  ev('content-end', { index: 0 }),
];

/**
 * Frames of Cohere's streamed v2 chat (cohere-ai/cohere-typescript
 * src/serialization/resources/v2/types/V2ChatStreamResponse.ts and src/api/types/Chat*Event*):
 * `event:` names equal to `type`; `message-start`, `content-start`/`content-delta`
 * (`delta.message.content.text`)/`content-end`, `tool-plan-delta`, `tool-call-start`
 * (`delta.message.tool_calls {id, type, function {name, arguments: ""}}`), `tool-call-delta`
 * (`delta.message.tool_calls.function.arguments` fragments), `tool-call-end`, and
 * `message-end` with `finish_reason` (`COMPLETE`, `TOOL_CALL`, `ERROR` with `delta.error`)
 * and usage. Cohere has no refusal field, so `signal` is not used.
 */
function events(script: CanaryScript, key: string): Ev[] {
  switch (script.kind) {
    case 'text':
      return [
        START,
        ...textEvents(script.fragments.map((f) => f.replaceAll('$KEY', key))),
        end('COMPLETE'),
      ];
    case 'tool':
      return [
        START,
        ev('tool-plan-delta', { delta: { message: { tool_plan: 'I will call the tool.' } } }),
        ev('tool-call-start', {
          index: 0,
          delta: {
            message: {
              tool_calls: {
                id: `${script.name}_canary`,
                type: 'function',
                function: { name: script.name, arguments: '' },
              },
            },
          },
        }),
        ...script.fragments.map((a) =>
          ev('tool-call-delta', {
            index: 0,
            delta: { message: { tool_calls: { function: { arguments: a } } } },
          }),
        ),
        ev('tool-call-end', { index: 0 }),
        end('TOOL_CALL'),
      ];
    case 'stream-error':
      return [START, ...textEvents(['PHI']), end('ERROR', { error: 'internal server error' })];
    default:
      return [START, ...textEvents(['PHI'])];
  }
}

// Cohere's error body: `{"message"}` (`{"id", "message"}` on some routes).
function errorReply(status: number): FakeReply {
  return jsonReply(status, {
    id: 'canary-error',
    message:
      status === 429
        ? 'You are using a Trial key, which is limited to 10 API calls / minute.'
        : 'internal server error',
  });
}

/** A canary fake speaking Cohere's v2 chat (`POST /v2/chat`, Bearer). */
export function startCohereCanaryFake(o: { apiKey: string }): Promise<CanaryFake> {
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname === '/v2/chat' ? 'completion' : undefined,
    denied: (req) =>
      req.headers.authorization === `Bearer ${o.apiKey}`
        ? undefined
        : jsonReply(401, { id: 'canary-error', message: 'invalid api token' }),
    reply: (script) =>
      script.kind === 'status' ? errorReply(script.status) : sseReply(events(script, o.apiKey)),
  });
}
