import { SseError } from './sse.js';

/**
 * Reads an HTTP body as newline-delimited JSON (Ollama's `/api/chat` stream), yielding each
 * non-blank line's text. Chunks may split anywhere, inside a multi-byte UTF-8 character
 * included; a last line without its newline is still yielded (a cut-off one then fails to
 * parse). Past `maxBytes` it throws SseError('too_large'): the stream-format error that
 * classifyThrown reports as bad_response, whatever the framing.
 */
export async function* readNdjson(
  body: AsyncIterable<Uint8Array>,
  options: { maxBytes?: number } = {},
): AsyncGenerator<string, void, undefined> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let pending = '';
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new SseError('too_large', `NDJSON stream larger than ${maxBytes} bytes`);
    }
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield line;
      newline = pending.indexOf('\n');
    }
  }
  const last = (pending + decoder.decode()).trim();
  if (last !== '') yield last;
}
