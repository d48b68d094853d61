import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CLASS_WORDS, STATUS_PAGE_STYLE_HASH } from '../../src/http/page.js';
import {
  barRounds,
  clockTime,
  plainReason,
  spanWords,
  uptimeText,
} from '../../src/http/page-parts.js';
import { ERROR_CLASSES, type ErrorClass } from '../../src/probes/types.js';
import type { StoredResult } from '../../src/store/sqlite-store.js';
import {
  answers,
  cardHtml,
  type Harness,
  startHarness,
  vendorStatus,
  visibleText,
} from './harness.js';

describe('status page', () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const page = async (): Promise<{ res: Response; html: string; text: string }> => {
    const res = await h.app.request('/');
    const html = await res.text();
    return { res, html, text: visibleText(html) };
  };

  it('is a complete, self-refreshing HTML document with no script at all', async () => {
    await h.round();
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).toMatch(/<meta http-equiv="refresh" content="30"\/?>/);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1"\/?>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('@media (prefers-color-scheme: dark)');
  });

  it('exports the hash a strict CSP needs for its one inline stylesheet', async () => {
    const { html } = await page();
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256')
      .update(styles[0] as string)
      .digest('base64');
    expect(STATUS_PAGE_STYLE_HASH).toBe(`'sha256-${hash}'`);
  });

  it.each([
    {
      name: 'everything healthy',
      setup: () => undefined,
      banner: 'Operational: every security tool has a working AI vendor',
      status: 'ok',
      tool: 'Using primary (primary)',
    },
    {
      name: 'primary down: the tool runs on its fallback',
      setup: (x: Harness) => {
        x.script.primary = answers.fail('server_error', 500);
      },
      banner: 'Degraded: 1 security tool is running on a fallback vendor',
      status: 'degraded',
      tool: 'Using fallback (fallback 1 of 1)',
    },
    {
      name: 'both down: nothing usable',
      setup: (x: Harness) => {
        x.script.primary = answers.fail('server_error', 500);
        x.script.fallback = answers.fail('overloaded', 529);
      },
      banner: 'Outage: 1 security tool has no usable AI vendor',
      status: 'down',
      tool: 'No usable AI vendor: calls will fail',
    },
  ])('banner and route when $name', async ({ setup, banner, status, tool }) => {
    setup(h);
    await h.round();
    await h.round();
    const { html, text } = await page();
    expect(html).toContain(`data-status="${status}"`);
    expect(text).toContain(banner);
    expect(visibleText(cardHtml(html, 'data-consumer', 'phishing-triage'))).toContain(tool);
    expect(visibleText(cardHtml(html, 'data-consumer', 'siem-copilot'))).toContain(
      'Using solo (primary)',
    );
  });

  it('says which vendor put a tool at risk and since when', async () => {
    await h.round();
    h.script.primary = answers.fail('server_error', 500);
    await h.round();
    await h.round();
    const { html, text } = await page();
    const since = h.monitor.dependency('primary')?.since as number;
    const when = `since ${clockTime(since, Date.now())}`;
    expect(text).toContain(
      `phishing-triage is running on fallback fallback: primary is down ${when}`,
    );
    const tool = visibleText(cardHtml(html, 'data-consumer', 'phishing-triage'));
    expect(tool).toContain(`Because primary is down ${when}`);
    expect(tool).toMatch(/primary primary · down .*fallback 1 fallback · healthy · in use/);
    const card = visibleText(cardHtml(html, 'data-dependency', 'primary'));
    expect(card).toContain('Down since');
    expect(card).toContain('Failed: vendor server error (HTTP 500)');
    expect(card).toContain('Breaker open: probes paused');
  });

  it('lists the troubled dependencies first', async () => {
    h.script.solo = answers.fail('timeout');
    await h.round();
    await h.round();
    const { html } = await page();
    const order = [...html.matchAll(/data-dependency="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['solo', 'primary', 'fallback']);
  });

  it.each(
    ERROR_CLASSES.filter((c) => c !== 'circuit_open' && c !== 'auth').map((errorClass) => ({
      errorClass,
    })),
  )('puts $errorClass in plain words', async ({ errorClass }) => {
    h.script.solo = answers.fail(errorClass as ErrorClass, 503);
    await h.round();
    const { html } = await page();
    const card = visibleText(cardHtml(html, 'data-dependency', 'solo'));
    expect(card).toContain(`Failed: ${ERROR_CLASS_WORDS[errorClass]} (HTTP 503)`);
    expect(card).not.toContain(errorClass.includes('_') ? errorClass : '\u0000');
  });

  it('says plainly when our own API key is the problem, not the vendor', async () => {
    h.script.solo = answers.fail('auth', 401);
    await h.round();
    const card = visibleText(cardHtml((await page()).html, 'data-dependency', 'solo'));
    expect(card).toContain('Unknown');
    expect(card).toContain('Failed: API key rejected or missing (HTTP 401)');
    expect(card).toContain(
      'Our API key is rejected: fix the credential. This is not a vendor outage.',
    );
  });

  it('shows latency, first token, uptime, headroom and an uptime bar of recent rounds', async () => {
    await h.round();
    h.script.solo = answers.fail('server_error', 502);
    await h.round();
    h.script.solo = answers.ok();
    await h.round();
    const { html } = await page();
    const card = cardHtml(html, 'data-dependency', 'solo');
    const text = visibleText(card);
    expect(text).toContain('Latency (1 h) p50 120 ms · p95 120 ms');
    expect(text).toContain('First token 80 ms');
    expect(text).toContain('Uptime 24 h 66.66% · 7 d 66.66%');
    expect(text).toContain('499 of 500 requests left (99.8%)');
    expect(text).toMatch(/Last 3 probe rounds \(since [0-9:]+ UTC\): 2 answered, 1 failed/);
    expect(card).toContain('data-rounds="3"');
    expect(card.match(/<span class="fail"/g)).toHaveLength(1);
    expect(card.match(/<span class="ok"/g)).toHaveLength(2);
    expect(card).toMatch(
      /role="img" aria-label="Last 3 probe rounds \(since [0-9:]+ UTC\): 2 answered, 1 failed"/,
    );
    expect(card).toMatch(/<meter [^>]*aria-label="requests headroom"/);
  });

  it('escapes what a vendor puts in an error message', async () => {
    h.script.solo = answers.fail('bad_request', 400, '<script>alert(1)</script><img src=x>');
    await h.round();
    await h.round();
    const { html } = await page();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('status page helpers', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 5 min'],
    [50 * 3_600_000, '2 d 2 h'],
  ])('spanWords(%i) = %s', (ms, words) => {
    expect(spanWords(ms)).toBe(words);
  });

  it.each([
    [null, 'no data'],
    [1, '100%'],
    [0.99999, '99.99%'],
    [0.5, '50.00%'],
  ])('uptimeText(%s) = %s never rounds up to 100%%', (v, words) => {
    expect(uptimeText(v)).toBe(words);
  });

  it.each([
    ['models check: server_error (HTTP 500)', 'models check: vendor server error (HTTP 500)'],
    ['completion check: rate_limited', 'completion check: rate limited'],
    ['2 probe rounds failed in a row', '2 probe rounds failed in a row'],
  ])('plainReason(%s)', (reason, words) => {
    expect(plainReason(reason)).toBe(words);
  });

  it('groups results into rounds, newest first, and labels each', () => {
    const r = (at: number, over: Partial<StoredResult>): StoredResult => ({
      dependency: 'd',
      check: 'models',
      at,
      ok: true,
      latencyMs: 100,
      attempts: 1,
      ...over,
    });
    const rounds = barRounds(
      [
        r(5, { errorClass: 'circuit_open', ok: false }),
        r(4, { check: 'completion', ok: false, errorClass: 'overloaded', httpStatus: 529 }),
        r(4, {}),
        r(3, { latencyMs: 2500 }),
        r(2, { ok: false, errorClass: 'auth', httpStatus: 401 }),
        r(1, {}),
        r(0, {}),
      ],
      1000,
      5,
    );
    expect(rounds.map((x) => [x.at, x.kind])).toEqual([
      [5, 'paused'],
      [4, 'fail'],
      [3, 'slow'],
      [2, 'auth'],
      [1, 'ok'],
    ]);
    expect(rounds[1]?.words).toBe('failed: vendor overloaded (HTTP 529)');
  });

  it('tells apart rounds that started in the same millisecond', () => {
    const r = (check: StoredResult['check'], ok: boolean): StoredResult => ({
      dependency: 'd',
      check,
      at: 7,
      ok,
      latencyMs: 10,
      attempts: 1,
      ...(ok ? {} : { errorClass: 'timeout' as const }),
    });
    const rounds = barRounds(
      [r('completion', false), r('models', true), r('completion', true), r('models', true)],
      1000,
      40,
    );
    expect(rounds.map((x) => x.kind)).toEqual(['fail', 'ok']);
  });
});

describe('vendor status on a dependency card', () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const incident = {
    name: 'Elevated errors on chat completions',
    status: 'investigating',
    impact: 'major',
    url: 'https://stspg.io/abc',
    components: ['Chat Completions'],
  };

  it.each([
    { name: 'not watched', vs: undefined, text: 'Vendor page not watched', link: undefined },
    {
      name: 'no incident',
      vs: vendorStatus(),
      text: 'No incident reported (all systems operational) · status page',
      link: 'https://status.openai.com',
    },
    {
      name: 'an incident with its link, and who sees it',
      vs: vendorStatus({ indicator: 'major', incidents: [incident] }),
      text: 'Vendor incident: Elevated errors on chat completions (investigating)The vendor declares a problem our probes do not see.',
      link: 'https://stspg.io/abc',
    },
    {
      name: 'maintenance running',
      vs: vendorStatus({
        indicator: 'maintenance',
        maintenance: [
          { name: 'Database upgrade', status: 'in_progress', inProgress: true, components: [] },
        ],
      }),
      text: 'Maintenance in progress: Database upgrade · status page',
      link: 'https://status.openai.com',
    },
    {
      name: 'a javascript: link, dropped',
      vs: vendorStatus({
        url: 'javascript:alert(1)',
        incidents: [{ ...incident, url: 'javascript:alert(2)' }],
      }),
      text: 'Vendor incident: Elevated errors on chat completions (investigating)',
      link: undefined,
    },
    {
      name: 'a failed read',
      vs: vendorStatus({ ok: false, stale: true, error: 'status poll failed' }),
      text: 'No incident reported (all systems operational) · status page · last read failed',
      link: 'https://status.openai.com',
    },
  ])('$name', async ({ vs, text, link }) => {
    await h.round();
    if (vs) h.monitor.setVendorStatus(vs);
    const html = cardHtml(await (await h.app.request('/')).text(), 'data-dependency', 'solo');
    expect(visibleText(html).replace(/ (?=The vendor)/, '')).toContain(text);
    if (link) expect(html).toContain(`href="${link}"`);
    expect(html).not.toContain('javascript:');
  });
});
