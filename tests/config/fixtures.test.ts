import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'config-invalid');
// The fixtures may reference OPENAI_API_KEY; everything else they use is meant to be unset.
const ENV = { OPENAI_API_KEY: 'sk-test-0123456789' };

const names = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.slice(0, -'.yaml'.length))
  .sort();

describe('invalid config fixtures', () => {
  it('has a fixture for every required case, each with its expected errors', () => {
    const required = [
      'wrong-types',
      'unknown-key-root',
      'unknown-key-dependency',
      'bad-duration',
      'bad-cron',
      'interval-and-schedule',
      'duplicate-ids',
      'unknown-consumer-dependency',
      'unknown-vendor',
      'missing-env',
      'invalid-yaml',
      'several-errors',
      'http-without-url',
      'completion-on-http',
    ];
    expect(names).toEqual(expect.arrayContaining(required));
    const expected = readdirSync(DIR).filter((name) => name.endsWith('.expected.txt'));
    expect(expected.map((name) => name.slice(0, -'.expected.txt'.length)).sort()).toEqual(names);
  });

  it.each(names)('%s.yaml reports exactly its expected errors', (name) => {
    const text = readFileSync(join(DIR, `${name}.yaml`), 'utf8');
    const want = readFileSync(join(DIR, `${name}.expected.txt`), 'utf8')
      .trimEnd()
      .split('\n');
    const result = parseConfigText(text, `${name}.yaml`, ENV);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatConfigError)).toEqual(want);
  });

  it.each(names)('%s.yaml never echoes the secret it was given', (name) => {
    const text = readFileSync(join(DIR, `${name}.yaml`), 'utf8');
    const result = parseConfigText(text, `${name}.yaml`, ENV);
    const output = result.ok ? '' : result.errors.map(formatConfigError).join('\n');
    expect(output).not.toContain(ENV.OPENAI_API_KEY);
    expect(output).not.toContain('123456789012');
    expect(output).not.toContain('sk-live-abc123');
  });

  it('sorts errors by line and column', () => {
    for (const name of names) {
      const text = readFileSync(join(DIR, `${name}.yaml`), 'utf8');
      const result = parseConfigText(text, `${name}.yaml`, ENV);
      if (result.ok) continue;
      const positions = result.errors.map((e) => e.line * 10_000 + e.column);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});
