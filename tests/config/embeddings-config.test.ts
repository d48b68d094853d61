import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { embeddingFamily } from '../../src/vendors/bedrock.js';
import { VENDOR_MODULES } from '../../src/vendors/registry.js';

const parse = (yaml: string) => parseConfigText(yaml, 'e.yaml', {});

describe('embeddings config', () => {
  it('lets a dependency that only embeds leave out the chat model', () => {
    const result = parse(`dependencies:
  - { id: embed, vendor: gemini, embeddingModel: gemini-embedding-001, embeddingDimensions: 3072, checks: [embeddings] }
`);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const [dep] = result.config.dependencies;
    expect(dep?.model).toBeUndefined();
    expect(dep?.embeddingModel).toBe('gemini-embedding-001');
    expect(dep?.embeddingDimensions).toBe(3072);
    expect(dep?.checks).toEqual(['embeddings']);
  });

  it.each([
    ['listing completion too', 'checks: [completion, embeddings]'],
    ['taking the default checks', 'checks: [models]'],
  ])('still wants the chat model when %s', (_name, checks) => {
    const result = parse(`dependencies:
  - id: embed
    vendor: openai
    embeddingModel: text-embedding-3-small
    ${checks}
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatConfigError)).toEqual([
      'e.yaml:2:5: dependencies[0]: missing required key "model" (vendor openai needs one)',
    ]);
  });

  it('gives an example embeddingModel exactly for the vendors that offer embeddings', () => {
    for (const m of VENDOR_MODULES) {
      const offers = m.supportedChecks.includes('embeddings');
      expect([m.id, m.embeddingExample !== undefined]).toEqual([m.id, offers]);
      // The default checks stay the zero-token and one-completion ones.
      expect([m.id, m.checks.includes('embeddings')]).toEqual([m.id, false]);
    }
    expect(
      VENDOR_MODULES.filter((m) => m.supportedChecks.includes('embeddings')).map((m) => m.id),
    ).toEqual([
      'openai',
      'azure-openai',
      'gemini',
      'bedrock',
      'cohere',
      'ollama',
      'openai-compatible',
    ]);
  });

  it.each<[string, string | undefined]>([
    ['amazon.titan-embed-text-v2:0', 'titan'],
    ['amazon.titan-embed-text-v1', 'titan'],
    ['cohere.embed-english-v3', 'cohere'],
    ['us.cohere.embed-v4:0', 'cohere'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.cohere.embed-v4:0', 'cohere'],
    ['amazon.nova-micro-v1:0', undefined],
    ['anthropic.claude-3-haiku-20240307-v1:0', undefined],
  ])('reads Bedrock model %s as family %s', (model, family) => {
    expect(embeddingFamily(model)).toBe(family);
  });
});
