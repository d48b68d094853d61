/** Replaces secrets in a piece of text with `[REDACTED]`. */
export type Scrubber = (text: string) => string;

/** What every scrubbed secret becomes. */
export const REDACTED = '[REDACTED]';

// Secrets shorter than this would redact ordinary words; config validation rejects such keys anyway.
const MIN_SECRET_LENGTH = 4;

// Key-looking runs: OpenAI (sk-…, sk-proj-…) and Anthropic (sk-ant-…) keys, including the
// masked form vendors echo back ("sk-proj-****…abcd"). The look-behind keeps "task-…" intact.
const KEY_PATTERN = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_*-]{17,}/g;
// Short masked echoes ("sk-...abcd", "sk-proj-…wxyz") still name the key's tail: redact them too.
const MASKED_KEY_PATTERN = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]*(?:\.{3}|…|\*{3,})[A-Za-z0-9_*-]*/g;
const BEARER_PATTERN = /\bBearer\s+[^\s"',;]+/gi;

const hex4 = (c: string): string => (c.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
// One UTF-16 unit at a time, as JSON writes a character outside the BMP (a surrogate pair).
const unicodeEscape = (text: string, which: RegExp, upper: boolean): string =>
  text.replace(which, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) {
      const h = c.charCodeAt(i).toString(16).padStart(4, '0');
      out += `\\u${upper ? h.toUpperCase() : h}`;
    }
    return out;
  });
const NON_ASCII = /[^ -~\t\n\r]/gu;
const jsonInner = (text: string): string => JSON.stringify(text).slice(1, -1);
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The forms a secret takes when a vendor or a library echoes it: as is; URL-encoded (both
 * hex cases, and form encoding with `+` for space); inside a JSON string (JavaScript's
 * escapes; `/` as `\/` as PHP and Java write it; every non-ASCII character as `\uXXXX` as
 * Python's json.dumps writes it; `<`, `>`, `&` as `\u003c` as Go writes them), also JSON in
 * JSON; and HTML-escaped.
 */
export function secretForms(secret: string): Set<string> {
  const forms = new Set<string>([secret]);
  const url = encodeURIComponent(secret);
  forms.add(url);
  forms.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(new URLSearchParams([['', secret]]).toString().slice(1));
  const json = jsonInner(secret);
  const jsonForms = [
    json,
    json.replaceAll('/', '\\/'),
    unicodeEscape(json, NON_ASCII, false),
    unicodeEscape(json, NON_ASCII, true),
    unicodeEscape(json.replaceAll('/', '\\/'), NON_ASCII, false),
    unicodeEscape(json, /[<>&\u2028\u2029]/gu, false),
  ];
  for (const f of jsonForms) {
    forms.add(f);
    forms.add(jsonInner(f));
  }
  forms.add(secret.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c));
  forms.add(secret.replace(/[&<>"']/g, (c) => `&#x${hex4(c).replace(/^0+/, '')};`));
  return forms;
}

/**
 * Builds a scrubber for the given secrets (API keys, header values, routing keys).
 * Besides the literal secrets (in every form {@link secretForms} lists) it redacts anything
 * that looks like an OpenAI/Anthropic key of 20+ characters, masked key echoes such as
 * `sk-...abcd`, and every `Bearer <token>`.
 */
export function createScrubber(secrets: string[]): Scrubber {
  const literals = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretForms(secret)) literals.add(form);
  }
  // Longest first, so a secret that contains another one is removed whole.
  const ordered = [...literals].sort((a, b) => b.length - a.length);

  return (text: string): string => {
    let out = text;
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out
      .replace(KEY_PATTERN, REDACTED)
      .replace(MASKED_KEY_PATTERN, REDACTED)
      .replace(BEARER_PATTERN, `Bearer ${REDACTED}`);
  };
}
