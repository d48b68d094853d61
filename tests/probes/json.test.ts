import { describe, expect, it } from 'vitest';
import { listedStrings } from '../../src/probes/json.js';

describe('listedStrings', () => {
  it.each([
    [
      'an OpenAI model list',
      '{"data":[{"id":"gpt-4o"},{"id":"o3"}]}',
      'data',
      ['id'],
      ['gpt-4o', 'o3'],
    ],
    [
      'entries without the field or not objects skipped',
      '{"data":[{"id":1},"x",null,{"id":"a"}]}',
      'data',
      ['id'],
      ['a'],
    ],
    [
      'two fields, a value once per entry (Ollama name and model)',
      '{"models":[{"name":"llama3:latest","model":"llama3:latest"},{"name":"a","model":"b"}]}',
      'models',
      ['name', 'model'],
      ['llama3:latest', 'a', 'b'],
    ],
    ['an empty list', '{"modelSummaries":[]}', 'modelSummaries', ['modelId'], []],
    ['not JSON', '<html>', 'data', ['id'], undefined],
    ['no such list', '{"data":{"id":"x"}}', 'data', ['id'], undefined],
    ['not an object', '[{"id":"x"}]', 'data', ['id'], undefined],
  ])('%s', (_name, text, list, fields, expected) => {
    expect(listedStrings(text, list, ...fields)).toEqual(expected);
  });
});
