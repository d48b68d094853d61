import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { type EventStreamMessage, readEventStream } from '../../src/probes/eventstream.js';
import { readNdjson } from '../../src/probes/ndjson.js';
import { SseError } from '../../src/probes/sse.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of gen) out.push(item);
  return out;
}

function frame(type: string, body: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':message-type': { type: 'string', value: 'event' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(body)),
  });
}

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

describe('readEventStream', () => {
  const stream = concat(
    frame('messageStart', { role: 'assistant' }),
    frame('contentBlockDelta', { delta: { text: 'héllo ✓' } }),
    frame('messageStop', { stopReason: 'end_turn' }),
  );
  const expected: EventStreamMessage[] = [
    { type: 'messageStart', body: { role: 'assistant' } },
    { type: 'contentBlockDelta', body: { delta: { text: 'héllo ✓' } } },
    { type: 'messageStop', body: { stopReason: 'end_turn' } },
  ].map(({ type, body }) => ({
    headers: { ':event-type': type, ':message-type': 'event', ':content-type': 'application/json' },
    body: JSON.stringify(body),
  }));

  it.each([1, 3, 7, 16, 64, 100_000])('reads frames split into %i-byte chunks', async (size) => {
    expect(await collect(readEventStream(chunked(stream, size), codec))).toEqual(expected);
  });

  it('drops a frame cut off by the end of the body', async () => {
    const cut = stream.subarray(0, stream.byteLength - 5);
    const messages = await collect(readEventStream(chunked(cut, 10), codec));
    expect(messages.map((m) => m.headers[':event-type'])).toEqual([
      'messageStart',
      'contentBlockDelta',
    ]);
  });

  it('rejects a CRC mismatch as malformed', async () => {
    const bad = Buffer.from(stream);
    bad[20] = (bad[20] ?? 0) ^ 0xff;
    await expect(collect(readEventStream(chunked(bad, 8), codec))).rejects.toMatchObject({
      name: 'SseError',
      kind: 'malformed',
    });
  });

  it('rejects a JSON body (a garbled length prefix) at once, without buffering for it', async () => {
    const json = Buffer.from('{"message":"not an event stream"}');
    const error = await collect(readEventStream(chunked(json, 4), codec)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseError);
    expect((error as SseError).message).toMatch(/message length \d+/);
  });

  it('stops past maxBytes', async () => {
    await expect(
      collect(readEventStream(chunked(stream, 16), codec, { maxBytes: 40 })),
    ).rejects.toMatchObject({ kind: 'too_large' });
  });
});

describe('readNdjson', () => {
  const text = '{"a":"é"}\n\n{"b":2}\r\n{"done":true}';
  const bytes = Buffer.from(text);

  it.each([1, 2, 5, 1000])('reads lines split into %i-byte chunks', async (size) => {
    expect(await collect(readNdjson(chunked(bytes, size)))).toEqual([
      '{"a":"é"}',
      '{"b":2}',
      '{"done":true}',
    ]);
  });

  it('stops past maxBytes', async () => {
    await expect(collect(readNdjson(chunked(bytes, 4), { maxBytes: 8 }))).rejects.toMatchObject({
      kind: 'too_large',
    });
  });
});
