import { ANTHROPIC_CASES } from './anthropic.js';
import { AZURE_CASES } from './azure-openai.js';
import { BEDROCK_CASES } from './bedrock.js';
import { COHERE_CASES } from './cohere.js';
import { EMBEDDINGS_CASES } from './embeddings.js';
import { GEMINI_CASES } from './gemini.js';
import { OLLAMA_CASES } from './ollama.js';
import { OPENAI_CASES } from './openai.js';
import { COMPATIBLE_CASES } from './openai-compatible.js';
import type { CorpusCase } from './types.js';

/** Every vendor answer of the conformance corpus. */
export const CORPUS: readonly CorpusCase[] = [
  ...OPENAI_CASES,
  ...ANTHROPIC_CASES,
  ...AZURE_CASES,
  ...GEMINI_CASES,
  ...BEDROCK_CASES,
  ...COHERE_CASES,
  ...OLLAMA_CASES,
  ...COMPATIBLE_CASES,
  ...EMBEDDINGS_CASES,
];

/** Cases per vendor and per outcome (`ok` or the error class), for the closing summary. */
export function corpusSummary(
  cases: readonly CorpusCase[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of cases) {
    const row = out[c.vendor] ?? {};
    out[c.vendor] = row;
    const key = c.expect.ok ? 'ok' : (c.expect.errorClass ?? 'unknown');
    row[key] = (row[key] ?? 0) + 1;
  }
  return out;
}
