import { SseError } from './sse.js';

/** One AWS event-stream message: its string headers (`:message-type`, `:event-type`, …) and its body as text. */
export interface EventStreamMessage {
  headers: Record<string, string>;
  body: string;
}

/** What the reader needs from a codec: Smithy's EventStreamCodec (`@smithy/eventstream-codec`) fits. */
export interface FrameDecoder {
  /** One whole frame → headers and body; throws when a CRC or a length does not match. */
  decode(frame: Uint8Array): {
    headers: Record<string, { type: string; value: unknown }>;
    body: Uint8Array;
  };
}

// 12-byte prelude (two lengths and their CRC) plus the 4-byte message CRC.
const MIN_MESSAGE_BYTES = 16;
// The event-stream specification's limit for one message.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Reads an HTTP body as AWS event-stream binary framing (Bedrock's ConverseStream):
 * length-prefixed messages, each checked against its CRCs by `codec`. Chunks may split a
 * message anywhere. A length outside the format's bounds or a CRC mismatch throws
 * SseError('malformed'), past `maxBytes` SseError('too_large'): the stream-format errors
 * classifyThrown reports as bad_response, whatever the framing. A message cut off by the
 * end of the body is dropped, so a truncated stream shows as a missing terminal event.
 */
export async function* readEventStream(
  body: AsyncIterable<Uint8Array>,
  codec: FrameDecoder,
  options: { maxBytes?: number } = {},
): AsyncGenerator<EventStreamMessage, void, undefined> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new SseError('too_large', `event stream larger than ${maxBytes} bytes`);
    }
    pending = pending.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    while (pending.byteLength >= 4) {
      // Checked before buffering, so a garbled prefix cannot make us wait for gigabytes.
      const length = pending.readUInt32BE(0);
      if (length < MIN_MESSAGE_BYTES || length > MAX_MESSAGE_BYTES) {
        throw new SseError('malformed', `malformed event stream: message length ${length}`);
      }
      if (length > maxBytes) {
        throw new SseError('too_large', `event stream message larger than ${maxBytes} bytes`);
      }
      if (pending.byteLength < length) break;
      const frame = pending.subarray(0, length);
      pending = pending.subarray(length);
      yield decode(codec, frame);
    }
  }
}

function decode(codec: FrameDecoder, frame: Uint8Array): EventStreamMessage {
  let message: ReturnType<FrameDecoder['decode']>;
  try {
    message = codec.decode(frame);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SseError('malformed', `malformed event stream: ${reason}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) {
    if (header.type === 'string' && typeof header.value === 'string') headers[name] = header.value;
  }
  return { headers, body: new TextDecoder().decode(message.body) };
}
