import { describe, expect, it } from 'vitest';
import { readSse, SseError, type SseEvent } from '../../src/probes/sse.js';

const enc = new TextEncoder();

async function* chunked(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(parts: Uint8Array[], maxBytes?: number): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of readSse(chunked(parts), maxBytes === undefined ? {} : { maxBytes })) {
    out.push(ev);
  }
  return out;
}

// CRLF, LF and lone-CR line ends, comments, multi-line data, event names, an id, multi-byte
// UTF-8 (2, 3 and 4 bytes) and a BOM: every framing rule a split could break.
const STREAM =
  '\uFEFF: keep-alive\r\n' +
  'event: message_start\r\n' +
  'data: {"text":"héllo 😀 日本"}\r\n' +
  '\r\n' +
  ': OPENROUTER PROCESSING\n\n' +
  'data: line1\n' +
  'data: line2\n' +
  '\n' +
  'id: 7\rdata: ü€\r\r' +
  'event: ping\ndata:\n\n' +
  'data:no-space\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"text":"héllo 😀 日本"}' },
  { data: 'line1\nline2' },
  { data: 'ü€' },
  { event: 'ping', data: '' },
  { data: 'no-space' },
  { data: '[DONE]' },
];

describe('readSse', () => {
  const bytes = enc.encode(STREAM);

  it('parses the whole stream in one chunk', async () => {
    expect(await collect([bytes])).toEqual(EXPECTED);
  });

  it('gives identical events when split at every byte offset', async () => {
    for (let i = 0; i <= bytes.length; i++) {
      const events = await collect([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(events, `split at byte ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives identical events when split at every pair of offsets', async () => {
    for (let i = 1; i < bytes.length; i += 3) {
      for (let j = i; j <= bytes.length; j++) {
        const events = await collect([
          bytes.subarray(0, i),
          bytes.subarray(i, j),
          bytes.subarray(j),
        ]);
        expect(events, `split at bytes ${i} and ${j}`).toEqual(EXPECTED);
      }
    }
  });

  it('gives identical events fed one byte at a time', async () => {
    const parts = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(parts)).toEqual(EXPECTED);
  });

  it('reports comments to onComment', async () => {
    const comments: string[] = [];
    for await (const _ of readSse(chunked([bytes]), { onComment: (c) => comments.push(c) })) {
      // drain
    }
    expect(comments).toEqual(['keep-alive', 'OPENROUTER PROCESSING']);
  });

  it('delivers a last event whose blank line never came, but not a cut-off line', async () => {
    expect(await collect([enc.encode('data: a\n\ndata: [DONE]\n')])).toEqual([
      { data: 'a' },
      { data: '[DONE]' },
    ]);
    expect(await collect([enc.encode('data: a\n\ndata: [DONE]')])).toEqual([{ data: 'a' }]);
    expect(await collect([enc.encode('data: a\n\ndata: {"cho')])).toEqual([{ data: 'a' }]);
  });

  it('throws SseError(malformed) on a line that is not SSE, after the good events', async () => {
    const seen: SseEvent[] = [];
    const run = async () => {
      for await (const ev of readSse(chunked([enc.encode('data: ok\n\n{"id":"chatcmpl"}\n\n')]))) {
        seen.push(ev);
      }
    };
    await expect(run()).rejects.toSatisfy(
      (e: unknown) => e instanceof SseError && e.kind === 'malformed',
    );
    expect(seen).toEqual([{ data: 'ok' }]);
  });

  it('throws SseError(too_large) past maxBytes', async () => {
    const big = enc.encode(`data: ${'x'.repeat(2000)}\n\n`);
    await expect(collect([big, big, big], 5000)).rejects.toSatisfy(
      (e: unknown) => e instanceof SseError && e.kind === 'too_large',
    );
    expect(await collect([big, big], 5000)).toHaveLength(2);
  });

  it('passes transport errors through unchanged', async () => {
    const boom = new Error('socket hang up');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield enc.encode('data: a\n\n');
      throw boom;
    }
    const seen: SseEvent[] = [];
    await expect(
      (async () => {
        for await (const ev of readSse(failing())) seen.push(ev);
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual([{ data: 'a' }]);
  });
});
