import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { NOTIFIER_MODULES, NOTIFIER_TYPES } from '../../src/notify/registry.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { CHECK_NAMES } from '../../src/probes/types.js';
import { VENDOR_MODULES, VENDORS, vendorDisplayName } from '../../src/vendors/registry.js';

const SRC = resolve(import.meta.dirname, '../../src');

async function exportsOf(dir: string, looksLikeModule: (value: unknown) => boolean) {
  const found: { file: string; value: Record<string, unknown> }[] = [];
  for (const file of readdirSync(resolve(SRC, dir)).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(pathToFileURL(resolve(SRC, dir, file)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(mod)) {
      if (looksLikeModule(value)) found.push({ file, value: value as Record<string, unknown> });
    }
  }
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

describe('vendor registry', () => {
  it('lists every vendor module in src/vendors/, each from the file named after its id', async () => {
    const modules = await exportsOf(
      'vendors',
      (v) => isObject(v) && typeof v.id === 'string' && typeof v.createProbe === 'function',
    );
    expect(
      modules.map((m) => m.value).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    ).toEqual([...VENDOR_MODULES].sort((a, b) => a.id.localeCompare(b.id)));
    for (const { file, value } of modules) expect(file).toBe(`${value.id}.ts`);
    expect(new Set(VENDORS).size).toBe(VENDORS.length);
  });

  it.each(VENDOR_MODULES.map((m) => [m.id, m] as const))('%s is complete', (_id, m) => {
    expect(vendorDisplayName(m.id)).toBe(m.displayName);
    expect(m.displayName.trim()).not.toBe('');
    expect(m.checks.length).toBeGreaterThan(0);
    for (const check of m.checks) expect(CHECK_NAMES).toContain(check);
    for (const key of m.credentialKeys ?? [])
      expect(Object.keys(m.configKeys ?? {})).toContain(key);
    if (m.defaultBaseUrl !== undefined)
      expect(() => new URL(m.defaultBaseUrl as string)).not.toThrow();
  });

  it.each(
    VENDOR_MODULES.flatMap((m) => (m.credentialKeys ?? []).map((key) => [m.id, key] as const)),
  )('%s credential %s is a secret: scrubbed, and reported missing when unset', (vendor, key) => {
    const secret = `cred-${key}-0123456789`;
    const text = `dependencies:\n  - id: d\n    vendor: ${vendor}\n    region: us-east-1\n    model: m\n    ${key}: \${CRED}\n`;
    const set = parseConfigText(text, 'v.yaml', { CRED: secret });
    if (!set.ok) throw new Error(set.errors.map((e) => e.message).join('; '));
    expect(set.config.secrets).toContain(secret);
    expect(createScrubber(set.config.secrets)(`echo ${secret}`)).not.toContain(secret);
    const unset = parseConfigText(text, 'v.yaml', {});
    expect(unset.ok).toBe(true);
  });
});

describe('notifier registry', () => {
  it('lists every notifier module in src/notify/, each from the file named after its type', async () => {
    const modules = await exportsOf(
      'notify',
      (v) => isObject(v) && typeof v.type === 'string' && typeof v.build === 'function',
    );
    expect(modules.map((m) => m.value.type).sort()).toEqual([...NOTIFIER_TYPES].sort());
    for (const { file, value } of modules) expect(file).toBe(`${value.type}.ts`);
    expect(new Set(NOTIFIER_TYPES).size).toBe(NOTIFIER_TYPES.length);
  });

  it.each(
    NOTIFIER_MODULES.flatMap((m) =>
      Object.entries(m.settings).map(([key, s]) => [m.type, key, s.secret === true] as const),
    ),
  )('%s %s: secret %s, as the config loader treats it', (type, key, secret) => {
    const module = NOTIFIER_MODULES.find((m) => m.type === type);
    const required = Object.entries(module?.settings ?? {})
      .filter(([k, s]) => s.required && k !== key)
      .map(([k]) => `    ${k}: https://receiver.example.com/${k}\n`)
      .join('');
    const value = `https://receiver.example.com/${key}/s3cr3t-value`;
    const text = `dependencies:\n  - { id: d, vendor: openai, model: m }\nnotify:\n  - type: ${type}\n    ${key}: \${VALUE}\n${required}`;
    const loaded = parseConfigText(text, 'n.yaml', { VALUE: value });
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
    expect(loaded.config.secrets.includes(value)).toBe(secret);
    expect(loaded.config.notify[0]?.settings[key]).toBe(value);
  });
});
