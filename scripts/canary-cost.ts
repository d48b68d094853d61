/**
 * Estimated token cost of the shipped security canaries: `npx tsx scripts/canary-cost.ts`.
 * Input tokens are estimated at 4 characters per token (OpenAI's rule of thumb for English)
 * over the system prompt, the prompt and the tool definitions as JSON, plus 10 tokens of
 * message framing; output tokens at the canary's maxTokens (the most a run can spend). Real
 * counts differ per tokenizer: the run's own usage is exported as bellwether_canary_tokens_total.
 */
import { resolveCanaries } from '../src/canary/config.js';
import { SHIPPED_CANARIES } from '../src/canary/library.js';

const CHARS_PER_TOKEN = 4;
const FRAMING_TOKENS = 10;
const RUNS_PER_DAY = 86_400_000 / (5 * 60_000);
// USD per million tokens (input, output), from the vendors' pricing pages; check them.
const PRICES = [
  { model: 'OpenAI gpt-4o-mini', input: 0.15, output: 0.6 },
  { model: 'Anthropic claude-haiku-4-5', input: 1, output: 5 },
];

const specs = resolveCanaries(
  SHIPPED_CANARIES.map((c) => ({ id: String(c.id), use: String(c.id) })),
);
const rows = [...specs.values()].map((c) => {
  const text = `${c.system ?? ''}${c.prompt}${c.tools ? JSON.stringify(c.tools) : ''}`;
  return {
    id: c.id,
    input: Math.ceil(text.length / CHARS_PER_TOKEN) + FRAMING_TOKENS,
    output: c.maxTokens,
  };
});
const lines = ['| canary | input tokens (est.) | output tokens (at most) |', '|---|---|---|'];
for (const r of rows) lines.push(`| \`${r.id}\` | ${r.input} | ${r.output} |`);
const input = rows.reduce((s, r) => s + r.input, 0);
const output = rows.reduce((s, r) => s + r.output, 0);
lines.push(`| all ${rows.length} | ${input} | ${output} |`, '');
lines.push(
  `All ${rows.length} every 5 minutes (${RUNS_PER_DAY} runs each a day), per dependency:`,
  '',
);
for (const p of PRICES) {
  const usd = (RUNS_PER_DAY * (input * p.input + output * p.output)) / 1e6;
  lines.push(
    `- ${p.model}: ${RUNS_PER_DAY * input} input + at most ${RUNS_PER_DAY * output} output tokens a day ≈ $${usd.toFixed(2)}/day`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
