import { createParser } from 'eventsource-parser';

/** One server-sent event: its `event:` name when the server sent one, and its joined `data:` lines. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Why an SSE body could not be read as promised; probes report either as `bad_response`. */
export class SseError extends Error {
  readonly kind: 'malformed' | 'too_large';
  constructor(kind: 'malformed' | 'too_large', message: string) {
    super(message);
    this.name = 'SseError';
    this.kind = kind;
  }
}

/** Options for {@link readSse}. */
export interface ReadSseOptions {
  /** Fail with SseError('too_large') once the body passes this many bytes. */
  maxBytes?: number;
  /** Called for comment lines (keep-alives such as `: OPENROUTER PROCESSING`). */
  onComment?: (comment: string) => void;
  /**
   * Given, lines that are not SSE (an unknown field) are handed here instead of failing the
   * stream: Gemini reports a mid-stream error as a bare JSON object between its events.
   */
  onStrayLine?: (line: string) => void;
}

/**
 * Reads an HTTP body as server-sent events. Chunks may split anywhere, inside a CRLF or a
 * multi-byte UTF-8 character included. Throws SseError('malformed') on a line that is not
 * SSE (an unknown field, say a JSON body where a stream was promised) and
 * SseError('too_large') past `maxBytes`; transport errors pass through unchanged. An event
 * whose last line was complete but whose closing blank line never came is still delivered
 * at the end of the body; a half-received line is dropped, so a truncated stream shows as a
 * missing terminal event to the caller.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<SseEvent, void, undefined> {
  const { maxBytes = Number.POSITIVE_INFINITY, onComment, onStrayLine } = options;
  const queue: SseEvent[] = [];
  let failure: SseError | undefined;
  const parser = createParser({
    onEvent: (ev) => {
      queue.push(ev.event === undefined ? { data: ev.data } : { event: ev.event, data: ev.data });
    },
    onComment,
    onError: (err) => {
      if (onStrayLine && err.type === 'unknown-field' && err.line !== undefined) {
        onStrayLine(err.line);
        return;
      }
      failure ??= new SseError('malformed', `malformed event stream: ${err.message}`);
    },
  });
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;

  function* drain(): Generator<SseEvent> {
    while (queue.length > 0) {
      const ev = queue.shift() as SseEvent;
      yield ev;
    }
    if (failure) throw failure;
  }

  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new SseError('too_large', `event stream larger than ${maxBytes} bytes`);
    }
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* drain();
  }
  // One newline closes an event whose final line arrived whole; a cut-off line stays incomplete.
  parser.feed(`${decoder.decode()}\n`);
  yield* drain();
}
