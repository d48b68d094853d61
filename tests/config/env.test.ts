// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are interpolation input, not templates
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { interpolate, interpolateDocument } from '../../src/config/env.js';

describe('interpolate', () => {
  const env = { HOST: 'example.com', EMPTY: '', PORT: '8080' };

  it.each([
    ['plain text', 'plain text'],
    ['${HOST}', 'example.com'],
    ['https://${HOST}:${PORT}/v1', 'https://example.com:8080/v1'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${HOST:-fallback}', 'example.com'],
    ['${UNSET:-}', ''],
    ['${UNSET:-http://127.0.0.1:9478}/v1', 'http://127.0.0.1:9478/v1'],
    ['${EMPTY}', ''],
    ['$${HOST}', '${HOST}'],
    ['cost: $5', 'cost: $5'],
    ['$$', '$$'],
    ['trailing $', 'trailing $'],
    // Only `$${` is special, read left to right: `$` then the escape.
    ['$$${HOST}', '$${HOST}'],
  ])('%j becomes %j', (input, value) => {
    const result = interpolate(input, env);
    expect(result).toMatchObject({ ok: true, value, missing: [] });
  });

  it('lists unset variables instead of failing', () => {
    const result = interpolate('${A}-${HOST}-${B}', env);
    expect(result).toEqual({
      ok: true,
      value: '-example.com-',
      refs: [{ name: 'HOST', value: 'example.com', fromDefault: false }],
      missing: ['A', 'B'],
    });
  });

  it('records defaults as references', () => {
    const result = interpolate('${UNSET:-x}', env);
    expect(result).toMatchObject({ refs: [{ name: 'UNSET', value: 'x', fromDefault: true }] });
  });

  it.each([
    ['${', 'unterminated "${": close it with "}" or write "$${" for a literal "${"'],
    ['${HOST', 'unterminated "${": close it with "}" or write "$${" for a literal "${"'],
    ['${}', 'invalid variable reference "${}": expected ${NAME} or ${NAME:-default}'],
    ['${1X}', 'invalid variable reference "${1X}": expected ${NAME} or ${NAME:-default}'],
    ['${A B}', 'invalid variable reference "${A B}": expected ${NAME} or ${NAME:-default}'],
    ['${A:=b}', 'invalid variable reference "${A:=b}": expected ${NAME} or ${NAME:-default}'],
  ])('rejects %j', (input, message) => {
    expect(interpolate(input, env)).toEqual({ ok: false, message });
  });

  it('leaves the reference out of the message when quiet', () => {
    expect(interpolate('${sk-secret}', env, true)).toEqual({
      ok: false,
      message: 'invalid variable reference: expected ${NAME} or ${NAME:-default}',
    });
  });
});

describe('interpolateDocument', () => {
  const run = (text: string, env: NodeJS.ProcessEnv) => {
    const doc = parseDocument(text);
    const result = interpolateDocument(doc, env);
    return { ...result, data: doc.toJS() };
  };

  it('types plain scalars after substitution but keeps quoted ones as strings', () => {
    const { data, issues } = run(
      'server:\n  port: ${PORT:-9477}\n  host: "${PORT:-9477}"\n  on: ${FLAG}\n',
      { FLAG: 'true' },
    );
    expect(issues).toEqual([]);
    expect(data).toEqual({ server: { port: 9477, host: '9477', on: true } });
  });

  it('removes an apiKey whose variable is unset and remembers the variable', () => {
    const { data, issues, credentialEnv, secrets } = run(
      'dependencies:\n  - id: a\n    apiKey: ${OPENAI_API_KEY}\n  - id: b\n    apiKey: ${B_KEY}\n',
      { B_KEY: 'sk-b-123456' },
    );
    expect(issues).toEqual([]);
    expect(data).toEqual({ dependencies: [{ id: 'a' }, { id: 'b', apiKey: 'sk-b-123456' }] });
    expect([...credentialEnv].map(([i, names]) => [i, names.get('apiKey')])).toEqual([
      [0, 'OPENAI_API_KEY'],
      [1, 'B_KEY'],
    ]);
    expect(secrets).toEqual(['sk-b-123456']);
  });

  it('treats an apiKey that interpolates to nothing as absent', () => {
    const { data, credentialEnv } = run('dependencies:\n  - apiKey: ${VLLM_KEY:-}\n', {});
    expect(data).toEqual({ dependencies: [{}] });
    expect(credentialEnv.get(0)?.get('apiKey')).toBe('VLLM_KEY');
  });

  it('reports a missing variable anywhere else, naming it', () => {
    const { issues } = run(
      'vantage: ${REGION}\ndependencies:\n  - headers:\n      Authorization: Bearer ${TOKEN}\nnotify:\n  - type: opsgenie\n    apiKey: ${OG_KEY}\n',
      {},
    );
    expect(issues).toEqual([
      { path: ['vantage'], message: 'environment variable REGION is not set' },
      {
        path: ['dependencies', 0, 'headers', 'Authorization'],
        message: 'environment variable TOKEN is not set',
      },
      { path: ['notify', 0, 'apiKey'], message: 'environment variable OG_KEY is not set' },
    ]);
  });

  it('names every missing variable of one value', () => {
    const { issues } = run('vantage: ${A}-${B}\n', {});
    expect(issues).toEqual([
      { path: ['vantage'], message: 'environment variables A, B are not set' },
    ]);
  });

  it('collects secrets from secret-bearing fields only', () => {
    const env = {
      TOKEN: 'tok-123456',
      PD: 'pd-routing-key',
      HOOK: 'https://hooks.slack.com/services/T/B/X',
      AM: 'http://alertmanager:9093',
      MODEL: 'gpt-4o-mini',
      TRACE: 'trace-abcdef',
    };
    const { secrets } = run(
      [
        'dependencies:',
        '  - model: ${MODEL}',
        '    apiKey: sk-literal-key',
        '    headers:',
        '      Authorization: Bearer ${TOKEN}',
        '      X-Trace: ${TRACE}',
        '      X-Api-Key: literal-header-key',
        '      Accept: application/json',
        'notify:',
        '  - { type: pagerduty, routingKey: "${PD}" }',
        '  - { type: slack, webhookUrl: "${HOOK}" }',
        '  - { type: webhook, url: "https://example.com/hook", secret: hmac-secret }',
        '  - { type: alertmanager, url: "${AM}" }',
      ].join('\n'),
      env,
    );
    expect(secrets.sort()).toEqual(
      [
        'sk-literal-key',
        'tok-123456',
        'Bearer tok-123456',
        'trace-abcdef',
        'literal-header-key',
        'pd-routing-key',
        'https://hooks.slack.com/services/T/B/X',
        'https://example.com/hook',
        'hmac-secret',
      ].sort(),
    );
  });

  it('does not interpolate keys or non-string scalars', () => {
    const { data } = run('${KEY}: 1\nn: 5\n', { KEY: 'x' });
    expect(data).toEqual({ '${KEY}': 1, n: 5 });
  });
});
