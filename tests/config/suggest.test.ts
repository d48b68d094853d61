import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { closest } from '../../src/config/schema.js';

const KEYS = ['id', 'vendor', 'model', 'team', 'apiKey', 'baseUrl', 'interval', 'timeout'];

describe('did you mean', () => {
  it.each([
    ['modle', 'model'], // two letters swapped: one edit
    ['teem', 'team'],
    ['vendro', 'vendor'],
    ['apikey', 'apiKey'],
    ['baseURL', 'baseUrl'],
    ['intreval', 'interval'],
    ['timout', 'timeout'],
    ['colour', undefined],
    ['xyz', undefined],
  ])('%s → %s', (typo, expected) => {
    expect(closest(typo, KEYS)).toBe(expected);
  });

  it('suggests the key in the config error', () => {
    const result = parseConfigText(
      'dependencies:\n  - id: a\n    vendor: openai\n    modle: gpt-4o-mini\n',
      'typo.yaml',
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`)).toContain(
      '4:5: dependencies[0]: unknown key "modle"; did you mean "model"?',
    );
  });
});
