import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DependencySchema } from '../../src/http/openapi.js';
import { modelChangeWords } from '../../src/http/page-parts.js';
import { answers, cardHtml, type Harness, startHarness, visibleText } from './harness.js';

const served = (model: string, fingerprint: string) => {
  const ok = answers.ok();
  return (check: Parameters<typeof ok>[0]) => ({
    ...ok(check),
    ...(check === 'completion' ? { servedModel: model, systemFingerprint: fingerprint } : {}),
  });
};

describe('the status page shows what serves a dependency and its last model change', () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(() => h.close());

  it('served model, fingerprint and the last change, with the dependency still healthy', async () => {
    h.script.primary = served('gpt-4o-mini-2024-07-18', 'fp_a');
    await h.round();
    let card = visibleText(
      cardHtml(await (await h.app.request('/')).text(), 'data-dependency', 'primary'),
    );
    expect(card).toContain('Served by gpt-4o-mini-2024-07-18 · fp_a');
    expect(card).not.toContain('Model change');
    h.script.primary = served('gpt-4o-mini-2025-01-31', 'fp_b');
    await h.round();
    card = visibleText(
      cardHtml(await (await h.app.request('/')).text(), 'data-dependency', 'primary'),
    );
    expect(card).toContain('Healthy');
    expect(card).toMatch(
      /Model change served model gpt-4o-mini-2024-07-18 → gpt-4o-mini-2025-01-31 at \d\d:\d\d:\d\d UTC \(\d+ s ago\)/,
    );
    // The API answer the page is built from matches its published schema.
    const body = await (await h.app.request('/api/v1/dependencies/primary')).json();
    const parsed = DependencySchema.strict().parse(body);
    expect(parsed.modelChanges).toEqual([
      {
        at: expect.any(String),
        kind: 'served_model',
        from: 'gpt-4o-mini-2024-07-18',
        to: 'gpt-4o-mini-2025-01-31',
        similarity: null,
        canaries: null,
      },
    ]);
    expect(parsed.systemFingerprint).toBe('fp_b');
  });
});

describe('modelChangeWords', () => {
  const NOW = Date.UTC(2026, 11, 1, 15);
  it.each([
    {
      change: {
        at: '2026-12-01T12:00:00.000Z',
        kind: 'served_model' as const,
        from: 'a',
        to: 'b',
        similarity: null,
        canaries: { before: { runs: 288, passed: 288 }, after: { runs: 36, passed: 30 } },
      },
      text: 'served model a → b at 12:00:00 UTC (3 h ago); canaries passed 288 of 288 before, 30 of 36 since',
    },
    {
      change: {
        at: '2026-11-29T15:00:00.000Z',
        kind: 'embedding' as const,
        from: 'e, 1536 dimensions',
        to: 'e, 1536 dimensions',
        similarity: 0.9412,
        canaries: null,
      },
      text: 'embedding e, 1536 dimensions → e, 1536 dimensions, similarity 0.941 at 2026-11-29 15:00 UTC (2 d ago)',
    },
  ])('$text', ({ change, text }) => {
    expect(modelChangeWords(change, NOW)).toBe(text);
  });
});
