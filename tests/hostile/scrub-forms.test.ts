import { describe, expect, it } from 'vitest';
import { createScrubber, REDACTED } from '../../src/probes/scrub.js';

// Keys with the characters that change when encoded. Azure and Bedrock keys are base64
// (`/`, `+`, `=`); webhook secrets and basic passwords are free text.
const KEYS = [
  'AKIAb64/key+with=pad/0123',
  'pa"ss\\word-0123',
  'clé-ünïcødé-0123',
  'emoji-😀-key-0123',
  'go<html>&amp;-0123',
  "it's a 'quoted' key",
];

/** Python's json.dumps (ensure_ascii=True): every non-ASCII UTF-16 unit as lower-case \uXXXX. */
function pythonJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code > 0x7e || code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** PHP's json_encode default: `/` as `\/` and non-ASCII as \uXXXX. */
const phpJson = (text: string): string => pythonJson(text).replaceAll('/', '\\/');

/** Go's encoding/json: `<`, `>`, `&` as \u003c, \u003e, \u0026; UTF-8 kept as is. */
const goJson = (text: string): string =>
  JSON.stringify(text)
    .slice(1, -1)
    .replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

/** An error body quoting a JSON document as a string, as gateways wrapping upstream errors do. */
const jsonInJson = (text: string): string =>
  JSON.stringify(JSON.stringify({ error: { message: `bad key ${text}` } }));

const ENCODINGS: [string, (key: string) => string][] = [
  ['as is', (k) => k],
  ['JSON (JavaScript)', (k) => JSON.stringify({ key: k })],
  ['JSON with \\/ (PHP)', (k) => `{"key":"${phpJson(k)}"}`],
  ['JSON ensure_ascii (Python)', (k) => `{"key": "${pythonJson(k)}"}`],
  ['JSON with HTML escapes (Go)', (k) => `{"key":"${goJson(k)}"}`],
  ['JSON in JSON', jsonInJson],
  ['URL query', (k) => `https://api.example/v1?key=${encodeURIComponent(k)}&x=1`],
  [
    'URL query, lower-case hex',
    (k) => `?key=${encodeURIComponent(k).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`,
  ],
  ['form encoded', (k) => new URLSearchParams({ key: k, x: '1' }).toString()],
  [
    'HTML',
    (k) =>
      `<p>${k.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</p>`,
  ],
];

describe('every secret is scrubbed in its escaped and encoded forms', () => {
  const scrub = createScrubber(KEYS);
  const cases = KEYS.flatMap((key) =>
    ENCODINGS.map(([how, encode]) => [key, how, encode(key)] as const),
  );

  it.each(cases)('%s %s', (key, _how, echoed) => {
    const out = scrub(`vendor said: ${echoed} (end)`);
    expect(out).toContain(REDACTED);
    expect(out).toContain('vendor said: ');
    // No form of the key is left: neither the key nor any run of 8 of its characters.
    for (const [, encode] of ENCODINGS) expect(out).not.toContain(encode(key));
    const plain = key.replace(/[^A-Za-z0-9]/g, '');
    expect(out).not.toContain(plain.slice(-8));
  });

  it('leaves text that merely shares characters alone', () => {
    const text = 'HTTP 401: {"error":"invalid \\/ key \\u00e9"}';
    expect(scrub(text)).toBe(text);
  });
});
