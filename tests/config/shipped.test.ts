import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfig } from '../../src/config/load.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('shipped configs', () => {
  it.each([
    [
      'config/bellwether.yaml',
      { OPENAI_API_KEY: 'sk-test-openai', ANTHROPIC_API_KEY: 'sk-ant-test' },
    ],
    ['config/bellwether.yaml', {}],
    ['config/demo.yaml', {}],
    ['config/demo.yaml', { DEMO_VENDOR_URL: 'http://127.0.0.1:40123' }],
    ['config/examples/openai-compatible.yaml', {}],
  ])('%s validates with env %j', (file, env) => {
    const result = loadConfig(join(ROOT, file), env);
    const errors = result.ok ? [] : result.errors.map(formatConfigError);
    expect(errors).toEqual([]);
  });

  it('default config: two vendors, one consumer, keys from the environment', () => {
    const result = loadConfig(join(ROOT, 'config/bellwether.yaml'), {
      OPENAI_API_KEY: 'sk-test-openai',
    });
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { config } = result;
    expect(config.vantage).toBe('local');
    expect(config.server.port).toBe(9477);
    expect(config.dependencies.map((d) => [d.id, d.vendor, d.model, d.checks])).toEqual([
      ['openai-chat', 'openai', 'gpt-4o-mini', ['models', 'completion']],
      ['anthropic-chat', 'anthropic', 'claude-haiku-4-5', ['models', 'completion']],
    ]);
    expect(config.dependencies[0]?.apiKey).toBe('sk-test-openai');
    expect(config.dependencies[1]?.apiKey).toBeUndefined();
    expect(config.dependencies[1]?.apiKeyEnv).toBe('ANTHROPIC_API_KEY');
    expect(config.consumers).toEqual([
      { id: 'phishing-triage', team: 'secops', uses: ['openai-chat', 'anthropic-chat'] },
    ]);
    expect(config.secrets).toEqual(['sk-test-openai']);
  });

  it('demo config points every dependency at the fake vendor', () => {
    const url = 'http://127.0.0.1:40123';
    const result = loadConfig(join(ROOT, 'config/demo.yaml'), { DEMO_VENDOR_URL: url });
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { config } = result;
    expect(config.storage.path).toBe(':memory:');
    expect(config.server.port).toBe(9477);
    expect(
      config.dependencies.map((d) => ({
        id: d.id,
        vendor: d.vendor,
        baseUrl: d.baseUrl,
        url: d.options.url,
        apiKey: d.apiKey,
        model: d.model,
        intervalMs: d.intervalMs,
        timeoutMs: d.timeoutMs,
      })),
    ).toEqual([
      {
        id: 'demo-openai',
        vendor: 'openai',
        baseUrl: `${url}/v1`,
        url: undefined,
        apiKey: 'sk-demo-openai',
        model: 'gpt-4o-mini',
        intervalMs: 5000,
        timeoutMs: 3000,
      },
      {
        id: 'demo-anthropic',
        vendor: 'anthropic',
        baseUrl: url,
        url: undefined,
        apiKey: 'sk-ant-demo',
        model: 'claude-haiku-4-5',
        intervalMs: 5000,
        timeoutMs: 3000,
      },
      {
        id: 'demo-compatible',
        vendor: 'openai-compatible',
        baseUrl: `${url}/v1`,
        url: undefined,
        apiKey: undefined,
        model: 'llama-3.1-8b',
        intervalMs: 5000,
        timeoutMs: 3000,
      },
      {
        id: 'demo-http',
        vendor: 'http',
        baseUrl: `${url}/health`,
        url: `${url}/health`,
        apiKey: undefined,
        model: undefined,
        intervalMs: 5000,
        timeoutMs: 3000,
      },
    ]);
    expect(config.consumers).toEqual([
      { id: 'phishing-triage', team: 'secops', uses: ['demo-openai', 'demo-anthropic'] },
      { id: 'siem-copilot', team: 'soc', uses: ['demo-compatible'] },
    ]);
  });

  it('openai-compatible examples carry the documented base URLs', () => {
    const result = loadConfig(join(ROOT, 'config/examples/openai-compatible.yaml'), {});
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const urls = Object.fromEntries(result.config.dependencies.map((d) => [d.id, d.baseUrl]));
    expect(urls).toMatchObject({
      'groq-llama': 'https://api.groq.com/openai/v1',
      'mistral-small': 'https://api.mistral.ai/v1',
      'openrouter-haiku': 'https://openrouter.ai/api/v1',
      'vllm-local': 'http://127.0.0.1:8000/v1',
      'ollama-local': 'http://127.0.0.1:11434/v1',
    });
  });
});
