// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${VAR} references, not templates
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';

const BASE = 'dependencies:\n  - { id: a, vendor: openai, model: gpt-4o-mini }\n';
const parse = (otlp: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfigText(`${BASE}${otlp}\n`, 'otlp.yaml', env);

describe('otlp config', () => {
  it('is absent unless configured: no export', () => {
    const r = parseConfigText(BASE, 'otlp.yaml', {});
    expect(r.ok && r.config.otlp).toBe(undefined);
  });

  it.each([
    [
      'otlp: { endpoint: "http://collector:4318/" }',
      {
        endpoint: 'http://collector:4318',
        protocol: 'http/protobuf',
        headers: {},
        intervalMs: 60_000,
      },
    ],
    [
      'otlp: { endpoint: "https://otlp.example.com/otlp", protocol: http/json, interval: 15s, headers: { authorization: "Bearer ${OTLP_TOKEN}" } }',
      {
        endpoint: 'https://otlp.example.com/otlp',
        protocol: 'http/json',
        headers: { authorization: 'Bearer otlp-token-123456' },
        intervalMs: 15_000,
      },
    ],
  ])('%s', (text, otlp) => {
    const r = parse(text, { OTLP_TOKEN: 'otlp-token-123456' });
    if (!r.ok) throw new Error(r.errors.map(formatConfigError).join('\n'));
    expect(r.config.otlp).toEqual(otlp);
  });

  it('treats header values as secrets, whole and by variable', () => {
    const r = parse(
      'otlp: { endpoint: "http://c:4318", headers: { x-api-key: "${KEY}", x-team: "Bearer ${TEAM}" } }',
      {
        KEY: 'k-123456789',
        TEAM: 'team-secret-42',
      },
    );
    if (!r.ok) throw new Error('config refused');
    expect(r.config.secrets).toEqual(
      expect.arrayContaining(['k-123456789', 'team-secret-42', 'Bearer team-secret-42']),
    );
  });

  it.each([
    [
      'otlp: { endpoint: "not a url" }',
      'otlp.yaml:3:19: otlp.endpoint: expected an http(s) URL, got "not a url"',
    ],
    [
      'otlp: { endpoint: "http://c:4318", protocol: grpc }',
      'otlp.yaml:3:46: otlp.protocol: expected one of http/protobuf, http/json, got "grpc"',
    ],
    [
      'otlp: { endpoint: "http://c:4318", headers: { "bad header": x } }',
      'otlp.yaml:3:61: otlp.headers["bad header"]: invalid header name "bad header"',
    ],
    [
      'otlp: { endpoint: "http://c:4318", headers: { x-token: "${MISSING}" } }',
      'otlp.yaml:3:56: otlp.headers["x-token"]: environment variable MISSING is not set',
    ],
    [
      'otlp: { endpoint: "http://c:4318", interval: 10ms }',
      'otlp.yaml:3:46: otlp.interval: expected at least 1s, got "10ms"',
    ],
    [
      'otlp: { endpoint: "http://c:4318", intervl: 10s }',
      'otlp.yaml:3:36: otlp: unknown key "intervl"; did you mean "interval"?',
    ],
    ['otlp: { protocol: http/json }', 'otlp.yaml:3:7: otlp: missing required key "endpoint"'],
  ])('%s is refused', (text, message) => {
    const r = parse(text);
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([message]);
  });
});
