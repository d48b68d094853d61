import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { configWarnings } from '../../src/warnings.js';

const warningsOf = (yaml: string, env: Record<string, string> = {}) => {
  const parsed = parseConfigText(yaml, 'w.yaml', env);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return configWarnings(parsed.config);
};

describe('validate warnings', () => {
  it.each<[string, string, Record<string, string>, string[]]>([
    [
      'a key variable unset, and the consumer left with nothing',
      `dependencies:
  - { id: openai-chat, vendor: openai, apiKey: "\${OPENAI_API_KEY}", model: gpt-4o-mini }
consumers:
  - { id: triage, uses: [openai-chat] }
`,
      {},
      [
        'dependencies[0].apiKey: OPENAI_API_KEY is not set; openai-chat will only check reachability',
        'consumers[0].uses: its only dependency openai-chat has no key, so triage will have no usable dependency (route null) once probed',
      ],
    ],
    [
      'one of two unset: the consumer still has a keyed dependency',
      `dependencies:
  - { id: a, vendor: openai, apiKey: "\${A_KEY}", model: gpt-4o-mini }
  - { id: b, vendor: anthropic, apiKey: "\${B_KEY}", model: claude-haiku-4-5 }
consumers:
  - { id: triage, uses: [a, b] }
`,
      { B_KEY: 'sk-ant-set-0123456789' },
      ['dependencies[0].apiKey: A_KEY is not set; a will only check reachability'],
    ],
    [
      'a keyless server may be fine',
      `dependencies:
  - { id: vllm, vendor: openai-compatible, baseUrl: "http://vllm:8000/v1", apiKey: "\${VLLM_KEY}", model: m }
`,
      {},
      [
        'dependencies[0].apiKey: VLLM_KEY is not set; vllm sends no key (fine for a keyless server, a hosted API answers 401)',
      ],
    ],
    [
      'Bedrock without its SigV4 secret',
      `dependencies:
  - { id: br, vendor: bedrock, region: us-east-1, accessKeyId: "\${AWS_ACCESS_KEY_ID}", secretAccessKey: "\${AWS_SECRET_ACCESS_KEY}", model: anthropic.claude-3-haiku-20240307-v1:0 }
`,
      { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE0123456789' },
      ['dependencies[0]: AWS_SECRET_ACCESS_KEY is not set; br will only check reachability'],
    ],
    [
      'embedding keys without the embeddings check',
      `dependencies:
  - { id: a, vendor: openai, apiKey: "\${A_KEY}", model: gpt-4o-mini, embeddingModel: text-embedding-3-small, embeddingDimensions: 1536 }
  - { id: b, vendor: openai, apiKey: "\${A_KEY}", model: gpt-4o-mini, embeddingModel: text-embedding-3-small, checks: [models, embeddings] }
`,
      { A_KEY: 'sk-set-0123456789abcdef' },
      [
        'dependencies[0].embeddingModel: checks does not list embeddings, so a embeds nothing and embeddingModel is unused',
        'dependencies[0].embeddingDimensions: checks does not list embeddings, so a embeds nothing and embeddingDimensions is unused',
      ],
    ],
    [
      'every key set: no warning',
      `dependencies:
  - { id: a, vendor: openai, apiKey: "\${A_KEY}", model: gpt-4o-mini }
`,
      { A_KEY: 'sk-set-0123456789abcdef' },
      [],
    ],
  ])('%s', (_name, yaml, env, expected) => {
    const warnings = warningsOf(yaml, env);
    expect(warnings).toEqual(expected);
    for (const value of Object.values(env)) expect(warnings.join('\n')).not.toContain(value);
  });
});
