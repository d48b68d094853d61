import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ConfigLoadResult,
  formatConfigError,
  loadConfig,
  parseConfigText,
} from '../../src/config/load.js';
import type { BellwetherConfig, DependencyConfig } from '../../src/config/types.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'config', 'examples', 'more-vendors.yaml');

function ok(result: ConfigLoadResult): BellwetherConfig {
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

const byId = (config: BellwetherConfig, id: string): DependencyConfig | undefined =>
  config.dependencies.find((d) => d.id === id);

describe('config/examples/more-vendors.yaml', () => {
  const FULL_ENV = {
    AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
    AZURE_OPENAI_API_KEY: 'azure-key-0123456789',
    GEMINI_API_KEY: 'AIza-gemini-0123456789',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE012345678',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789/abcdef',
    AWS_SESSION_TOKEN: 'aws-session-token-0123456789',
    AWS_BEARER_TOKEN_BEDROCK: 'ABSK-bedrock-api-key-0123',
    COHERE_API_KEY: 'cohere-key-0123456789',
  };

  it.each([
    ['no environment', {}],
    ['every key set', FULL_ENV],
  ])('validates with %s', (_name, env) => {
    const result = loadConfig(EXAMPLE, env);
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
  });

  it('shows every vendor this issue added', () => {
    const config = ok(loadConfig(EXAMPLE, {}));
    expect(new Set(config.dependencies.map((d) => d.vendor))).toEqual(
      new Set(['azure-openai', 'gemini', 'bedrock', 'cohere', 'ollama']),
    );
  });

  it('resolves default base URLs, regions and the control plane', () => {
    const config = ok(loadConfig(EXAMPLE, {}));
    expect(
      config.dependencies.map((d) => [
        d.id,
        d.baseUrl,
        d.options.region,
        d.options.controlPlaneUrl,
        d.options.apiVersion,
      ]),
    ).toEqual([
      ['azure-chat', 'https://example-resource.openai.azure.com', undefined, undefined, undefined],
      [
        'azure-chat-dated',
        'https://example-resource.openai.azure.com',
        undefined,
        undefined,
        '2024-10-21',
      ],
      [
        'gemini-flash',
        'https://generativelanguage.googleapis.com',
        undefined,
        undefined,
        undefined,
      ],
      ['gemini-pro', 'https://generativelanguage.googleapis.com', undefined, undefined, undefined],
      [
        'bedrock-haiku',
        'https://bedrock-runtime.us-east-1.amazonaws.com',
        'us-east-1',
        'https://bedrock.us-east-1.amazonaws.com',
        undefined,
      ],
      [
        'bedrock-nova',
        'https://bedrock-runtime.eu-west-1.amazonaws.com',
        'eu-west-1',
        'https://bedrock.eu-west-1.amazonaws.com',
        undefined,
      ],
      ['cohere-command', 'https://api.cohere.com', undefined, undefined, undefined],
      ['ollama-native', 'http://127.0.0.1:11434', undefined, undefined, undefined],
    ]);
    expect(byId(config, 'gemini-pro')?.maxTokens).toBe(256);
  });

  it('records every credential as a secret to scrub', () => {
    const config = ok(loadConfig(EXAMPLE, FULL_ENV));
    const { AZURE_OPENAI_ENDPOINT: _endpoint, ...secrets } = FULL_ENV;
    expect([...config.secrets].sort()).toEqual(Object.values(secrets).sort());
    expect(byId(config, 'bedrock-haiku')?.options).toMatchObject({
      accessKeyId: FULL_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: FULL_ENV.AWS_SECRET_ACCESS_KEY,
      sessionToken: FULL_ENV.AWS_SESSION_TOKEN,
    });
    expect(byId(config, 'bedrock-haiku')?.apiKey).toBeUndefined();
    expect(byId(config, 'bedrock-nova')?.apiKey).toBe(FULL_ENV.AWS_BEARER_TOKEN_BEDROCK);
  });
});

describe('bedrock credentials in config', () => {
  const dep = (keys: string) =>
    `dependencies:\n  - id: b\n    vendor: bedrock\n    region: us-east-1\n    model: amazon.nova-micro-v1:0\n${keys}`;

  it.each([
    [
      'both SigV4 variables unset: names the access key variable',
      `    accessKeyId: \${AWS_ACCESS_KEY_ID}\n    secretAccessKey: \${AWS_SECRET_ACCESS_KEY}\n`,
      { AWS_SECRET_ACCESS_KEY: 'secret-0123456789' },
      'AWS_ACCESS_KEY_ID',
    ],
    [
      'only the secret unset: names the secret variable',
      `    accessKeyId: \${AWS_ACCESS_KEY_ID}\n    secretAccessKey: \${AWS_SECRET_ACCESS_KEY}\n`,
      { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE012345678' },
      'AWS_SECRET_ACCESS_KEY',
    ],
    [
      'an API key instead: names its variable',
      `    apiKey: \${AWS_BEARER_TOKEN_BEDROCK}\n`,
      {},
      'AWS_BEARER_TOKEN_BEDROCK',
    ],
  ])('%s', (_name, keys, env, missing) => {
    const config = ok(parseConfigText(dep(keys), 'b.yaml', env));
    const [d] = config.dependencies;
    expect(d?.apiKeyEnv).toBe(missing);
    expect(d?.apiKey).toBeUndefined();
    expect(d?.options.accessKeyId === undefined || d?.options.secretAccessKey === undefined).toBe(
      true,
    );
  });

  it('an unset SigV4 variable is not a config error, and the set value is a secret', () => {
    const config = ok(
      parseConfigText(
        dep(
          `    accessKeyId: \${AWS_ACCESS_KEY_ID}\n    secretAccessKey: \${AWS_SECRET_ACCESS_KEY}\n`,
        ),
        'b.yaml',
        { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE012345678' },
      ),
    );
    expect(config.secrets).toEqual(['AKIAEXAMPLE012345678']);
  });

  it('reads the region from a bedrock-runtime baseUrl', () => {
    const config = ok(
      parseConfigText(
        'dependencies:\n  - id: b\n    vendor: bedrock\n    baseUrl: https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com\n    model: amazon.nova-micro-v1:0\n',
        'b.yaml',
        {},
      ),
    );
    expect(config.dependencies[0]?.options).toMatchObject({
      region: 'us-gov-west-1',
      controlPlaneUrl: 'https://bedrock.us-gov-west-1.amazonaws.com',
    });
  });

  it('keeps an unquoted apiVersion a string', () => {
    const config = ok(
      parseConfigText(
        'dependencies:\n  - id: a\n    vendor: azure-openai\n    baseUrl: https://r.openai.azure.com\n    model: d\n    apiVersion: 2024-10-21\n',
        'a.yaml',
        {},
      ),
    );
    expect(config.dependencies[0]?.options.apiVersion).toBe('2024-10-21');
  });
});

describe('api: chat | responses (openai, azure-openai)', () => {
  it.each([
    ['openai', undefined, 'chat'],
    ['openai', 'responses', 'responses'],
    ['openai', 'chat', 'chat'],
    ['azure-openai', undefined, 'chat'],
    ['azure-openai', 'responses', 'responses'],
  ])('%s with api: %s resolves to %s in options', (vendor, api, want) => {
    const base = vendor === 'azure-openai' ? '\n    baseUrl: https://r.openai.azure.com' : '';
    const line = api === undefined ? '' : `\n    api: ${api}`;
    const config = ok(
      parseConfigText(
        `dependencies:\n  - id: a\n    vendor: ${vendor}${base}\n    model: m${line}\n`,
        'a.yaml',
        {},
      ),
    );
    expect(config.dependencies[0]?.options.api).toBe(want);
  });

  it('leaves other vendors without an api option', () => {
    const config = ok(
      parseConfigText(
        'dependencies:\n  - id: a\n    vendor: anthropic\n    model: claude-3-5-haiku-latest\n',
        'a.yaml',
        {},
      ),
    );
    expect(config.dependencies[0]?.options).toEqual({});
  });
});
