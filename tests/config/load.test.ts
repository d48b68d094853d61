import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ConfigLoadResult,
  formatConfigError,
  formatPath,
  loadConfig,
  MAX_CONFIG_BYTES,
  parseConfigText,
} from '../../src/config/load.js';
import type { BellwetherConfig } from '../../src/config/types.js';

function expectOk(result: ConfigLoadResult): BellwetherConfig {
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

function errorsOf(result: ConfigLoadResult): string[] {
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.errors.map(formatConfigError);
}

const MINIMAL = `
dependencies:
  - id: openai-chat
    vendor: openai
    model: gpt-4o-mini
`;

describe('parseConfigText', () => {
  it('applies the built-in defaults', () => {
    const config = expectOk(parseConfigText(MINIMAL, 'min.yaml', {}, '/etc/bellwether/min.yaml'));
    expect(config).toEqual({
      sourcePath: '/etc/bellwether/min.yaml',
      vantage: 'local',
      server: { port: 9477, host: '0.0.0.0' },
      storage: { path: './data/bellwether.db', retentionMs: 8 * 86_400_000 },
      dependencies: [
        {
          id: 'openai-chat',
          vendor: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          model: 'gpt-4o-mini',
          checks: ['models', 'completion'],
          intervalMs: 30_000,
          timeoutMs: 10_000,
          retries: 1,
          degradedLatencyMs: 4_000,
          maxTokens: 1,
          objective: 0.99,
          degradedHeadroom: 0.1,
          embeddingSimilarity: 0.99,
          breaker: {
            errorThresholdPercentage: 50,
            volumeThreshold: 2,
            windowRounds: 3,
            resetTimeoutMs: 60_000,
          },
          // openai's `api:` key, resolved to its default.
          options: { api: 'chat' },
        },
      ],
      consumers: [],
      statusPages: [],
      notify: [],
      secrets: [],
    });
  });

  it('resolves sourcePath against the working directory by default', () => {
    const config = expectOk(parseConfigText(MINIMAL, 'min.yaml', {}));
    expect(config.sourcePath).toBe(join(process.cwd(), 'min.yaml'));
  });

  it('lets a dependency override the defaults, field by field', () => {
    const config = expectOk(
      parseConfigText(
        `
vantage: eu-west-1
server: { port: 9100, host: 127.0.0.1 }
storage: { path: ":memory:", retention: 30d }
defaults:
  interval: 1m
  timeout: 20s
  retries: 2
  degradedLatency: 6s
  degradedTtft: 2s
  maxTokens: 16
  breaker: { errorThresholdPercentage: 40, windowRounds: 5, resetTimeout: 90s }
dependencies:
  - id: inherits
    vendor: anthropic
    model: claude-haiku-4-5
  - id: overrides
    vendor: openai
    model: o4-mini
    baseUrl: https://gateway.example.com/openai/v1/
    interval: 2m
    timeout: 30s
    retries: 0
    degradedLatency: 10s
    degradedTtft: 5s
    maxTokens: 64
    checks: [models]
    breaker: { volumeThreshold: 4, resetTimeout: 5m }
  - id: scheduled
    vendor: anthropic
    model: claude-haiku-4-5
    schedule: "*/30 * * * * *"
    timeout: 5s
`,
        'o.yaml',
        {},
      ),
    );
    expect(config.vantage).toBe('eu-west-1');
    expect(config.server).toEqual({ port: 9100, host: '127.0.0.1' });
    expect(config.storage).toEqual({ path: ':memory:', retentionMs: 30 * 86_400_000 });
    const [inherits, overrides, scheduled] = config.dependencies;
    expect(inherits).toMatchObject({
      baseUrl: 'https://api.anthropic.com',
      intervalMs: 60_000,
      timeoutMs: 20_000,
      retries: 2,
      degradedLatencyMs: 6_000,
      degradedTtftMs: 2_000,
      maxTokens: 16,
      breaker: {
        errorThresholdPercentage: 40,
        volumeThreshold: 2,
        windowRounds: 5,
        resetTimeoutMs: 90_000,
      },
    });
    expect(overrides).toMatchObject({
      baseUrl: 'https://gateway.example.com/openai/v1',
      checks: ['models'],
      intervalMs: 120_000,
      timeoutMs: 30_000,
      retries: 0,
      degradedLatencyMs: 10_000,
      degradedTtftMs: 5_000,
      maxTokens: 64,
      breaker: {
        errorThresholdPercentage: 40,
        volumeThreshold: 4,
        windowRounds: 5,
        resetTimeoutMs: 300_000,
      },
    });
    expect(scheduled).toMatchObject({ schedule: '*/30 * * * * *', timeoutMs: 5_000 });
    expect(scheduled?.intervalMs).toBeUndefined();
  });

  it('defaults the breaker reset to twice the interval, or 60s on a schedule', () => {
    const config = expectOk(
      parseConfigText(
        `
dependencies:
  - { id: fast, vendor: openai, model: m, interval: 5s, timeout: 2s }
  - { id: cron, vendor: openai, model: m, schedule: "0 * * * *" }
`,
        'b.yaml',
        {},
      ),
    );
    expect(config.dependencies.map((d) => d.breaker.resetTimeoutMs)).toEqual([10_000, 60_000]);
  });

  it('fills in http probe defaults', () => {
    const config = expectOk(
      parseConfigText(
        `
dependencies:
  - id: health
    vendor: http
    url: https://intranet.example.com/health/
  - id: post
    vendor: http
    url: https://example.com/ping
    method: POST
    expectedStatus: [200, 204]
    bodyMatch: '"status":\\s*"ok"'
    headers: { X-Probe: bellwether }
`,
        'h.yaml',
        {},
      ),
    );
    const [health, post] = config.dependencies;
    expect(health).toMatchObject({
      vendor: 'http',
      baseUrl: 'https://intranet.example.com/health',
      checks: ['http'],
      options: {
        url: 'https://intranet.example.com/health/',
        method: 'GET',
        expectedStatus: [200],
      },
    });
    expect(health?.model).toBeUndefined();
    expect(post).toMatchObject({
      options: { method: 'POST', expectedStatus: [200, 204], bodyMatch: '"status":\\s*"ok"' },
      headers: { 'X-Probe': 'bellwether' },
    });
  });

  it('interpolates environment variables and records secrets', () => {
    const config = expectOk(
      parseConfigText(
        `
vantage: \${REGION:-local}
server:
  port: \${PORT}
dependencies:
  - id: openai-chat
    vendor: openai
    model: \${MODEL:-gpt-4o-mini}
    apiKey: \${OPENAI_API_KEY}
  - id: gateway
    vendor: openai-compatible
    baseUrl: \${GATEWAY}/v1
    model: llama
    headers:
      Authorization: Bearer \${GATEWAY_TOKEN}
      X-Literal: "$\${NOT_A_VAR}"
notify:
  - type: pagerduty
    routingKey: \${PD_ROUTING_KEY}
    minSeverity: critical
`,
        'e.yaml',
        {
          REGION: 'eu-west-1',
          PORT: '9500',
          OPENAI_API_KEY: 'sk-live-abcdef',
          GATEWAY: 'https://llm.internal',
          GATEWAY_TOKEN: 'gw-token-123',
          PD_ROUTING_KEY: 'R0UTINGKEY123',
        },
      ),
    );
    expect(config.vantage).toBe('eu-west-1');
    expect(config.server.port).toBe(9500);
    const [openai, gateway] = config.dependencies;
    expect(openai).toMatchObject({
      model: 'gpt-4o-mini',
      apiKey: 'sk-live-abcdef',
      apiKeyEnv: 'OPENAI_API_KEY',
    });
    expect(gateway).toMatchObject({
      baseUrl: 'https://llm.internal/v1',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the escaped literal, as configured
      headers: { Authorization: 'Bearer gw-token-123', 'X-Literal': '${NOT_A_VAR}' },
    });
    expect(gateway?.apiKey).toBeUndefined();
    expect(config.notify).toEqual([
      { type: 'pagerduty', minSeverity: 'critical', settings: { routingKey: 'R0UTINGKEY123' } },
    ]);
    expect(config.secrets.sort()).toEqual(
      ['sk-live-abcdef', 'gw-token-123', 'Bearer gw-token-123', 'R0UTINGKEY123'].sort(),
    );
  });

  it('accepts a missing optional apiKey variable and names it', () => {
    const config = expectOk(
      parseConfigText(`${MINIMAL}    apiKey: \${OPENAI_API_KEY}\n`, 'k.yaml', {}),
    );
    const [dep] = config.dependencies;
    expect(dep?.apiKey).toBeUndefined();
    expect(dep?.apiKeyEnv).toBe('OPENAI_API_KEY');
    expect(config.secrets).toEqual([]);
  });

  it('keeps a literal apiKey and lists it as a secret', () => {
    const config = expectOk(parseConfigText(`${MINIMAL}    apiKey: sk-inline-1\n`, 'k.yaml', {}));
    expect(config.dependencies[0]?.apiKey).toBe('sk-inline-1');
    expect(config.dependencies[0]?.apiKeyEnv).toBeUndefined();
    expect(config.secrets).toEqual(['sk-inline-1']);
  });

  it('resolves consumers, status pages and notifiers', () => {
    const config = expectOk(
      parseConfigText(
        `${MINIMAL}
statusPages:
  - { vendor: openai, url: https://status.openai.com, components: [API, ChatGPT] }
consumers:
  - { id: phishing-triage, team: secops, uses: [openai-chat] }
  - { id: soar, uses: [openai-chat] }
notify:
  - { type: webhook, url: https://hooks.example.com/x, secret: s3cret-value }
  - { type: slack, webhookUrl: https://hooks.slack.com/services/T/B/X, minSeverity: info }
  - { type: opsgenie, apiKey: og-key-123 }
  - { type: alertmanager, url: http://alertmanager:9093 }
`,
        'c.yaml',
        {},
      ),
    );
    expect(config.statusPages).toEqual([
      { vendor: 'openai', url: 'https://status.openai.com', components: ['API', 'ChatGPT'] },
    ]);
    expect(config.consumers).toEqual([
      { id: 'phishing-triage', team: 'secops', uses: ['openai-chat'] },
      { id: 'soar', uses: ['openai-chat'] },
    ]);
    expect(config.notify).toEqual([
      {
        type: 'webhook',
        minSeverity: 'warning',
        settings: { url: 'https://hooks.example.com/x', secret: 's3cret-value' },
      },
      {
        type: 'slack',
        minSeverity: 'info',
        settings: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
      },
      { type: 'opsgenie', minSeverity: 'warning', settings: { apiKey: 'og-key-123' } },
      {
        type: 'alertmanager',
        minSeverity: 'warning',
        settings: { url: 'http://alertmanager:9093' },
      },
    ]);
    expect(config.secrets).toEqual(
      expect.arrayContaining([
        'https://hooks.example.com/x',
        's3cret-value',
        'https://hooks.slack.com/services/T/B/X',
        'og-key-123',
      ]),
    );
    expect(config.secrets).not.toContain('http://alertmanager:9093');
  });

  it('treats empty optional lists as absent', () => {
    const config = expectOk(parseConfigText(`${MINIMAL}notify:\nconsumers:\n`, 'n.yaml', {}));
    expect(config.notify).toEqual([]);
    expect(config.consumers).toEqual([]);
  });

  it('refuses text over 1 MiB without parsing it', () => {
    const text = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n${MINIMAL}`;
    expect(errorsOf(parseConfigText(text, 'big.yaml', {}))).toEqual([
      `big.yaml:1:1: (root): the file is ${text.length} bytes, above the 1 MiB limit for a config file; refusing to parse it`,
    ]);
  });

  it('reports a YAML alias bomb instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const errors = errorsOf(parseConfigText(lines.join('\n'), 'bomb.yaml', {}));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bomb\.yaml:1:1: \(root\): .*alias/i);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bellwether-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and records its absolute path', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, MINIMAL);
    const config = expectOk(loadConfig(file, {}));
    expect(config.sourcePath).toBe(file);
  });

  it('reports an unreadable file at 1:1 with the OS reason', () => {
    const file = join(dir, 'missing.yaml');
    expect(errorsOf(loadConfig(file, {}))).toEqual([
      `${file}:1:1: (root): cannot read the file: ENOENT: no such file or directory`,
    ]);
    expect(errorsOf(loadConfig(dir, {}))).toEqual([
      `${dir}:1:1: (root): cannot read the file: EISDIR: illegal operation on a directory`,
    ]);
  });

  it('refuses a file over 1 MiB', () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(errorsOf(loadConfig(file, {}))).toEqual([
      `${file}:1:1: (root): the file is ${MAX_CONFIG_BYTES + 3} bytes, above the 1 MiB limit for a config file; refusing to parse it`,
    ]);
  });

  it('uses the path as given in error locations', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'dependencies:\n  - id: x\n    vendor: openai\n    model: m\n    intervall: 1s\n',
    );
    expect(errorsOf(loadConfig(file, {}))).toEqual([
      `${file}:5:5: dependencies[0]: unknown key "intervall"; did you mean "interval"?`,
    ]);
  });
});

describe('formatting', () => {
  it('formats an error as FILE:LINE:COL: PATH: MESSAGE', () => {
    expect(
      formatConfigError({
        file: 'config/bellwether.yaml',
        line: 12,
        column: 15,
        path: 'dependencies[2].interval',
        message: 'expected a duration like 30s, 2m or 1h, got "30 seconds"',
      }),
    ).toBe(
      'config/bellwether.yaml:12:15: dependencies[2].interval: expected a duration like 30s, 2m or 1h, got "30 seconds"',
    );
  });

  it.each([
    [[], '(root)'],
    [['vantage'], 'vantage'],
    [['dependencies', 2, 'interval'], 'dependencies[2].interval'],
    [['dependencies', 0, 'headers', 'X-Api-Key'], 'dependencies[0].headers["X-Api-Key"]'],
    [['defaults', 'breaker', 'windowRounds'], 'defaults.breaker.windowRounds'],
  ] as const)('formats path %j as %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
