import { describe, expect, it } from 'vitest';
import {
  AnswerBuilder,
  argumentsText,
  MAX_ANSWER_CHARS,
  MAX_TOOL_ARGUMENT_CHARS,
  MAX_TOOL_CALLS,
} from '../../src/probes/canary-stream.js';

describe('AnswerBuilder bounds what a hostile stream can make it hold', () => {
  it.each([
    [
      'text',
      (b: AnswerBuilder, s: string) => b.addText(s),
      (b: AnswerBuilder) => b.answer().text,
      MAX_ANSWER_CHARS,
    ],
    [
      'refusal text',
      (b: AnswerBuilder, s: string) => b.addRefusalText(s),
      (b: AnswerBuilder) => b.answer().refusalText ?? '',
      MAX_ANSWER_CHARS,
    ],
    [
      'tool arguments',
      (b: AnswerBuilder, s: string) => b.addToolArguments(0, s),
      (b: AnswerBuilder) => b.answer().toolCalls[0]?.arguments ?? '',
      MAX_TOOL_ARGUMENT_CHARS,
    ],
  ] as const)('%s stops at its cap', (_name, add, read, cap) => {
    const b = new AnswerBuilder();
    for (let i = 0; i < 100; i++) add(b, 'x'.repeat(1000));
    expect(read(b)).toHaveLength(cap);
  });

  it(`keeps at most ${MAX_TOOL_CALLS} tool calls`, () => {
    const b = new AnswerBuilder();
    for (let i = 0; i < 40; i++) {
      b.startToolCall(i, `tool_${i}`);
      b.addToolArguments(i, '{}');
    }
    expect(b.toolCallCount).toBe(MAX_TOOL_CALLS);
    expect(b.answer().toolCalls.map((c) => c.name)).toEqual(
      Array.from({ length: MAX_TOOL_CALLS }, (_, i) => `tool_${i}`),
    );
  });

  it('a second start with the same key only fills a missing name; fragments join in order', () => {
    const b = new AnswerBuilder();
    b.addToolArguments(3, '{"ip": ');
    b.startToolCall(3, 'block_ip');
    b.startToolCall(3, 'other');
    b.addToolArguments(3, '"192.0.2.1"}');
    expect(b.answer()).toEqual({
      text: '',
      toolCalls: [{ name: 'block_ip', arguments: '{"ip": "192.0.2.1"}' }],
    });
  });

  it.each([
    [{ ip: '192.0.2.1' }, '{"ip":"192.0.2.1"}'],
    [undefined, '{}'],
    [null, '{}'],
    ['{"ip": "192.0.2.1"}', '{"ip": "192.0.2.1"}'],
  ])('argumentsText(%j) is %s', (args, expected) => {
    expect(argumentsText(args)).toBe(expected);
  });
});
