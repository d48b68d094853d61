import { describe, expect, it } from 'vitest';
import { createScrubber, REDACTED } from '../../src/probes/scrub.js';

const OPENAI_KEY = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345';
const ANTHROPIC_KEY = 'sk-ant-api03-ZyX987wVu654tSr321-qPo_AA';
const CUSTOM = 'tok_live_4f9a2c';

describe('createScrubber', () => {
  const scrub = createScrubber([OPENAI_KEY, ANTHROPIC_KEY, CUSTOM, '', 'ab']);

  it.each([
    ['a configured secret', `key ${CUSTOM} rejected`, `key ${REDACTED} rejected`],
    [
      'an echoed OpenAI key',
      `Incorrect API key provided: ${OPENAI_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      `Incorrect API key provided: ${REDACTED}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    ],
    ['an Anthropic key', `x-api-key ${ANTHROPIC_KEY} invalid`, `x-api-key ${REDACTED} invalid`],
    [
      'an unknown sk- key of 20+ chars',
      'got sk-unknownKEY1234567890abcd here',
      `got ${REDACTED} here`,
    ],
    [
      'a masked key as OpenAI echoes it',
      'Incorrect API key provided: sk-proj-********************************abcd.',
      `Incorrect API key provided: ${REDACTED}.`,
    ],
    ['an unknown sk-ant- key', 'sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa', REDACTED],
    [
      'the short masked echo OpenAI sends',
      'Incorrect API key provided: sk-...WXYZ. You can',
      `Incorrect API key provided: ${REDACTED}. You can`,
    ],
    ['a masked key with an ellipsis', 'key sk-proj-…abcd failed', `key ${REDACTED} failed`],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
    ['a lower-case bearer', 'bearer xyz123;', `Bearer ${REDACTED};`],
    ['a URL-encoded secret', `q=${encodeURIComponent('p@ss/word+1')}`, `q=${REDACTED}`],
    ['short sk- runs stay', 'sk-short is fine', 'sk-short is fine'],
    ['words ending in sk- stay', 'task-1234567890abcdefghijk', 'task-1234567890abcdefghijk'],
    ['too-short secrets are ignored', 'about abs', 'about abs'],
    ['text without secrets is unchanged', 'HTTP 500: upstream error', 'HTTP 500: upstream error'],
  ])('redacts %s', (_name, input, expected) => {
    const s = createScrubber([OPENAI_KEY, ANTHROPIC_KEY, CUSTOM, 'p@ss/word+1', 'ab']);
    expect(s(input)).toBe(expected);
  });

  it('removes a secret that contains another one whole', () => {
    const s = createScrubber(['abcd', 'xxabcdxx']);
    expect(s('v=xxabcdxx')).toBe(`v=${REDACTED}`);
  });

  it('is idempotent', () => {
    const once = scrub(`Bearer ${OPENAI_KEY} and ${CUSTOM}`);
    expect(scrub(once)).toBe(once);
    expect(once).not.toContain(OPENAI_KEY);
  });
});
