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

/**
 * Builds a scrubber for the given secrets (API keys, header values, routing keys).
 * Besides the literal secrets (and their URL-encoded forms) it redacts anything that
 * looks like an OpenAI/Anthropic key of 20+ characters, masked key echoes such as
 * `sk-...abcd`, and every `Bearer <token>`.
 */
export function createScrubber(secrets: string[]): Scrubber {
  const literals = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    literals.add(secret);
    literals.add(encodeURIComponent(secret));
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
