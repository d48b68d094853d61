import { type FakeReply, jsonReply, sseReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake } from './scaffold.js';

type Ev = { event: string; data: Record<string, unknown> };

const ev = (event: string, data: Record<string, unknown> = {}): Ev => ({
  event,
  data: { type: event, ...data },
});

const START = ev('message_start', {
  message: {
    id: 'msg_canary',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-20241022',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 27, output_tokens: 1 },
  },
});

const stop = (reason: string): Ev[] => [
  ev('message_delta', {
    delta: { stop_reason: reason, stop_sequence: null },
    usage: { output_tokens: 5 },
  }),
  ev('message_stop'),
];

const textBlock = (fragments: string[]): Ev[] => [
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('ping'),
  ...fragments.map((text) =>
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
  ),
  ev('content_block_stop', { index: 0 }),
];

// Documented error bodies: `{"type": "error", "error": {type, message}}`.
function errorReply(status: number): FakeReply {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  return jsonReply(status, {
    type: 'error',
    error: { type, message: `${type} (fake)` },
    request_id: 'req_canary',
  });
}

/**
 * Frames of Anthropic's streamed Messages (anthropics/anthropic-sdk-typescript
 * src/resources/messages/messages.ts, `RawMessageStreamEvent`): `message_start`,
 * `content_block_start` (a `text` block, or `tool_use {id, name, input: {}}`), `ping`,
 * `content_block_delta` (`text_delta`, or `input_json_delta.partial_json` fragments, the
 * first one empty as the API sends it), `content_block_stop`, `message_delta` with
 * `stop_reason` (`end_turn`, `tool_use`, `refusal`) and cumulative usage, `message_stop`;
 * `event: error` mid-stream.
 */
function events(script: CanaryScript, key: string): Ev[] {
  switch (script.kind) {
    case 'text':
      return [
        START,
        ...textBlock(script.fragments.map((f) => f.replaceAll('$KEY', key))),
        ...stop('end_turn'),
      ];
    case 'tool':
      return [
        START,
        ev('content_block_start', {
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_canary', name: script.name, input: {} },
        }),
        ...['', ...script.fragments].map((partial_json) =>
          ev('content_block_delta', {
            index: 0,
            delta: { type: 'input_json_delta', partial_json },
          }),
        ),
        ev('content_block_stop', { index: 0 }),
        ...stop('tool_use'),
      ];
    case 'signal':
      // The streaming classifiers stop the answer mid-way: stop_reason "refusal".
      return [START, ...textBlock(['Here is']), ...stop(script.signal)];
    case 'stream-error':
      return [
        START,
        ...textBlock(['PHI']),
        ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ];
    default:
      return [START, ...textBlock(['PHI'])];
  }
}

/** A canary fake speaking Anthropic's Messages API (`POST /v1/messages`, `x-api-key`). */
export function startAnthropicCanaryFake(o: { apiKey: string }): Promise<CanaryFake> {
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname === '/v1/messages' ? 'completion' : undefined,
    denied: (req) =>
      req.headers['x-api-key'] === o.apiKey && req.headers['anthropic-version'] === '2023-06-01'
        ? undefined
        : jsonReply(401, {
            type: 'error',
            error: { type: 'authentication_error', message: 'invalid x-api-key' },
          }),
    reply: (script) =>
      script.kind === 'status' ? errorReply(script.status) : sseReply(events(script, o.apiKey)),
  });
}
