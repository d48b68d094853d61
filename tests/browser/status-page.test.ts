import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { openIncidentStore } from '../../src/store/incidents.js';
import { startFakeStatusPages, statusSummary } from '../dashboards/support.js';
import { DEFAULT_MODELS, type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../artifacts/screenshots/', import.meta.url).pathname;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WCAG 2 contrast ratio of two CSS rgb() colours, computed in the page. */
const CONTRAST = `(() => {
  const lum = (css) => {
    const [r, g, b] = css.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return [...document.querySelectorAll('.badge, .banner h2, .route, .facts dd, .facts dt, .sub, .bar-label, .days-head span, .days-scale, .incident p, .incident-head span')].map((el) => {
    const s = getComputedStyle(el);
    let bgEl = el;
    let bg = s.backgroundColor;
    while (bgEl && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
      bgEl = bgEl.parentElement;
      bg = bgEl ? getComputedStyle(bgEl).backgroundColor : 'rgb(255, 255, 255)';
    }
    const [a, b] = [lum(s.color), lum(bg)].sort((x, y) => y - x);
    return { text: el.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05) };
  });
})()`;

// Skipped on a workstation without it; in CI (CI set) a missing binary fails the run.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('status page in a browser', () => {
  const vendors: FakeVendor[] = [];
  let statusPages: Awaited<ReturnType<typeof startFakeStatusPages>> | undefined;
  let bw: Bellwether;
  let base = '';
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bellwether-browser-data-'));
  const DAY = 86_400_000;
  const today = Math.floor(Date.now() / DAY) * DAY;
  const dayOf = (daysAgo: number) => new Date(today - daysAgo * DAY).toISOString().slice(0, 10);

  const open = async (opts: {
    width: number;
    height: number;
    dark?: boolean;
    phone?: boolean;
  }): Promise<Page> => {
    const profile = mkdtempSync(join(tmpdir(), 'bellwether-chromium-'));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: opts.width, height: opts.height },
      deviceScaleFactor: opts.phone ? 2 : 1,
      isMobile: opts.phone === true,
      hasTouch: opts.phone === true,
      colorScheme: opts.dark ? 'dark' : 'light',
      // The page must work without JavaScript; nothing on it needs any.
      javaScriptEnabled: false,
      reducedMotion: 'reduce',
    });
    contexts.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    const res = await page.goto(`${base}/`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    return page;
  };

  beforeAll(async () => {
    const models = [...DEFAULT_MODELS, 'llama-3.1-8b-instruct', 'mistral-small-latest'];
    const main = await startFakeVendor({
      models,
      openaiKey: 'sk-browser-openai',
      anthropicKey: 'sk-ant-browser',
    });
    const slow = await startFakeVendor({ models, anonymous: true });
    const broken = await startFakeVendor({ models, anonymous: true });
    vendors.push(main, slow, broken);
    statusPages = await startFakeStatusPages({
      openai: statusSummary('OpenAI'),
      mistral: statusSummary('Mistral AI', {
        name: 'Elevated error rates on the chat API',
        status: 'investigating',
        impact: 'major',
      }),
    });
    // A yearly schedule: after the first round at start-up, rounds run only when the test
    // calls probeNow, so what the page shows is decided here.
    const parsed = parseConfigText(
      `vantage: eu-west-1
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { timeout: 3s, retries: 0, degradedLatency: 250ms }
dependencies:
  - { id: openai-chat, vendor: openai, team: secops, baseUrl: "${main.url}/v1", apiKey: "\${OPENAI_KEY}", model: gpt-4o-mini, schedule: "0 0 0 1 1 *" }
  - { id: anthropic-claude, vendor: anthropic, team: secops, baseUrl: "${main.url}", apiKey: "\${ANTHROPIC_KEY}", model: claude-3-5-haiku-latest, schedule: "0 0 0 1 1 *" }
  - { id: selfhosted-llama, vendor: openai-compatible, team: platform, baseUrl: "${slow.url}/v1", model: llama-3.1-8b-instruct, schedule: "0 0 0 1 1 *" }
  - { id: mistral-eu, vendor: openai-compatible, team: secops, statusPage: mistral, baseUrl: "${broken.url}/v1", model: mistral-small-latest, schedule: "0 0 0 1 1 *" }
consumers:
  - { id: phishing-triage, team: secops, uses: [mistral-eu, anthropic-claude] }
  - { id: siem-copilot, team: soc, uses: [openai-chat, anthropic-claude] }
  - { id: soar-playbooks, team: secops, uses: [selfhosted-llama, openai-chat] }
  - { id: malware-report-writer, team: dfir, uses: [mistral-eu] }
statusPages:
  - { vendor: openai, url: "${statusPages.url}/openai" }
  - { vendor: mistral, url: "${statusPages.url}/mistral" }
`,
      'browser.yaml',
      { OPENAI_KEY: 'sk-browser-openai', ANTHROPIC_KEY: 'sk-ant-browser' },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // 89 days of history from before this run, as a Bellwether running all along would have
    // recorded it: openai-chat down 40 minutes 12 days ago, anthropic-claude degraded 2 hours
    // 40 days ago while Anthropic declared an incident; selfhosted-llama added 30 days ago.
    const storePath = join(dataDir, 'bellwether.db');
    const seed = openIncidentStore({ path: storePath });
    for (let ago = 89; ago >= 1; ago--) {
      for (const id of ['openai-chat', 'anthropic-claude', 'mistral-eu']) {
        const bad =
          (id === 'openai-chat' && ago === 12) || (id === 'anthropic-claude' && ago === 40);
        seed.countDay(id, today - ago * DAY, 2880, bad ? 2800 : 2880);
      }
      if (ago <= 30) seed.countDay('selfhosted-llama', today - ago * DAY, 2880, 2880);
    }
    const past = (
      dependency: string,
      vendor: string,
      daysAgo: number,
      minutes: number,
      worst: 'down' | 'degraded',
      cause: string,
      errorClasses: string[],
      vendorIncident?: { name: string; url: string },
    ) => {
      const startedAt = today - daysAgo * DAY + 9 * 3_600_000;
      const id = seed.openIncident({
        dependency,
        vendor,
        vantage: 'eu-west-1',
        startedAt,
        worst,
        errorClasses,
        cause,
        ...(vendorIncident ? { vendorIncident } : {}),
      }) as number;
      seed.switchSpan(id, dependency, startedAt, worst);
      seed.switchSpan(id, dependency, startedAt + minutes * 60_000);
      seed.updateIncident(id, { endedAt: startedAt + minutes * 60_000 });
    };
    past(
      'openai-chat',
      'openai',
      12,
      40,
      'down',
      'circuit breaker open; last failure: completion check: server_error (HTTP 503)',
      ['server_error', 'timeout'],
    );
    past(
      'anthropic-claude',
      'anthropic',
      40,
      120,
      'degraded',
      'last probe failed: completion check: overloaded (HTTP 529)',
      ['overloaded'],
      {
        name: 'Elevated errors on Claude Haiku',
        url: 'https://status.anthropic.com/incidents/test',
      },
    );
    seed.close();
    parsed.config.storage.path = storePath;
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent', firstRunSpreadMs: 50 });
    base = `http://127.0.0.1:${bw.port}`;
    const ids = parsed.config.dependencies.map((d) => d.id);
    const deadline = Date.now() + 10_000;
    while (ids.some((id) => !bw.monitor.dependency(id)?.lastRound)) {
      if (Date.now() > deadline) throw new Error('first rounds did not run');
      await new Promise((r) => setTimeout(r, 50));
    }
    const round = () => Promise.all(ids.map((id) => bw.monitor.probeNow(id)));
    for (let i = 0; i < 24; i++) await round();
    // Healthy history, then: the self-hosted model answers slowly (degraded), and Mistral
    // answers 500 for two rounds in a row (down, breaker open).
    slow.setFault('*', { headersDelayMs: 400 });
    broken.setFault('*', { status: 500 });
    await round();
    await round();
    await bw.pollStatusPages();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await bw?.stop();
    for (const v of vendors) await v.stop();
    await statusPages?.stop();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('shows healthy, degraded and down dependencies, the routes and the banner, in light and dark', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const dark of [false, true]) {
      const page = await open({ width: 1280, height: 900, dark });
      expect(await page.title()).toBe('Outage · AI vendor status · Bellwether');
      const banner = page.getByRole('status');
      await expect
        .poll(() => banner.locator('h2').textContent())
        .toBe('Outage: 1 security tool has no usable AI vendor');
      const bannerText = (await banner.textContent()) ?? '';
      expect(bannerText).toContain(
        'malware-report-writer has no usable AI vendor: mistral-eu is down since',
      );
      expect(bannerText).toContain(
        'phishing-triage is running on fallback anthropic-claude: mistral-eu is down',
      );
      expect(bannerText).toContain('selfhosted-llama is degraded since');

      for (const [id, state] of [
        ['openai-chat', 'Healthy'],
        ['anthropic-claude', 'Healthy'],
        ['selfhosted-llama', 'Degraded'],
        ['mistral-eu', 'Down'],
      ] as const) {
        const card = page.locator(`[data-dependency="${id}"]`);
        // The state is a word next to an icon, not a colour alone.
        await expect.poll(() => card.locator('.badge').textContent()).toBe(state);
        expect(await card.locator('.badge svg').count()).toBe(1);
        expect(await card.getByRole('heading', { level: 3 }).textContent()).toBe(id);
      }
      const down = (await page.locator('[data-dependency="mistral-eu"]').textContent()) ?? '';
      expect(down).toContain('Failed: vendor server error (HTTP 500)');
      expect(down).toContain('open: probes paused');
      expect(down).toContain(
        'Vendor incident: Elevated error rates on the chat API (investigating)',
      );
      expect(
        await page
          .locator('[data-dependency="mistral-eu"] a', { hasText: 'Vendor incident' })
          .getAttribute('href'),
      ).toBe('https://stspg.io/bellwether-test');
      const slowCard =
        (await page.locator('[data-dependency="selfhosted-llama"]').textContent()) ?? '';
      expect(slowCard).toMatch(/slow: models took \d+ ms \(threshold 250 ms\)/);
      const healthy = (await page.locator('[data-dependency="openai-chat"]').textContent()) ?? '';
      expect(healthy).toContain('499 of 500 requests left (99.8%)');
      expect(healthy).toContain('24 h 100% · 7 d 100%');
      expect(healthy).toContain('No incident reported (all systems operational) · status page');
      expect(
        await page.locator('[data-dependency="mistral-eu"] .bar').getAttribute('aria-label'),
      ).toMatch(/^Last 27 probe rounds \(since [0-9:]+ UTC\): 25 answered, 2 failed$/);

      for (const [id, state, route] of [
        ['phishing-triage', 'Degraded', 'Using anthropic-claude (fallback 1 of 1)'],
        ['siem-copilot', 'OK', 'Using openai-chat (primary)'],
        ['soar-playbooks', 'OK', 'Using selfhosted-llama (primary)'],
        ['malware-report-writer', 'Down', 'No usable AI vendor: calls will fail'],
      ] as const) {
        const card = page.locator(`[data-consumer="${id}"]`);
        expect(await card.locator('.badge').textContent()).toBe(state);
        expect(await card.locator('.route').textContent()).toBe(route);
      }

      // Readable: every state badge, heading and fact clears WCAG AA contrast.
      const contrast = (await page.evaluate(CONTRAST)) as { text: string; ratio: number }[];
      expect(contrast.length).toBeGreaterThan(40);
      for (const c of contrast)
        expect(c.ratio, `${dark ? 'dark' : 'light'}: ${c.text}`).toBeGreaterThanOrEqual(4.5);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('30');
      expect(await page.locator('script').count()).toBe(0);

      await page.screenshot({
        path: join(SCREENSHOTS, `status-desktop-${dark ? 'dark' : 'light'}.png`),
        fullPage: true,
      });
    }
  });

  it('fits a phone without sideways scrolling', async () => {
    const page = await open({ width: 390, height: 844, phone: true });
    const overflow = await page.evaluate(
      '(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)()',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('[data-dependency="mistral-eu"] .badge').textContent()).toBe('Down');
    const box = await page.locator('[data-consumer="malware-report-writer"]').boundingBox();
    expect(box?.width ?? 0).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'status-phone.png'), fullPage: true });
  });
  it('shows recent incidents and 90 daily uptime bars per dependency', async () => {
    // One more round of mistral-eu after its status page was polled: the incident now carries
    // the vendor's own.
    await bw.monitor.probeNow('mistral-eu');
    const page = await open({ width: 1280, height: 900 });
    const incidents = page.locator('.incidents > li');
    expect(await incidents.count()).toBe(3);
    const texts = await incidents.allTextContents();
    const mistral = texts.find((t) => t.startsWith('mistral-eu')) ?? '';
    expect(mistral).toContain('DownOngoing');
    expect(mistral).toContain('Failures: vendor server error');
    expect(mistral).toContain('seen from eu-west-1');
    expect(mistral).toContain('Vendor incident: Elevated error rates on the chat API');
    expect(
      await page
        .locator('.incidents > li', { hasText: 'mistral-eu' })
        .getByRole('link', { name: 'Elevated error rates on the chat API' })
        .getAttribute('href'),
    ).toBe('https://stspg.io/bellwether-test');
    expect(texts.find((t) => t.startsWith('selfhosted-llama'))).toContain('DegradedOngoing');
    // Newest first: the resolved openai-chat outage of 12 days ago comes last.
    expect(texts[2]).toContain('openai-chat');
    expect(texts[2]).toContain('Resolved');
    expect(texts[2]).toContain('lasted 40 min');
    expect(texts[2]).toContain('Failures: vendor server error, timed out');
    // 40 days ago is past the list, but not past the bars.
    expect(texts.join('\n')).not.toContain('Elevated errors on Claude Haiku');

    for (const id of ['openai-chat', 'anthropic-claude', 'selfhosted-llama', 'mistral-eu']) {
      expect(await page.locator(`[data-history="${id}"] .days span`).count()).toBe(90);
    }
    const bar = (id: string, daysAgo: number) =>
      page.locator(`[data-history="${id}"] .days span[data-date="${dayOf(daysAgo)}"]`);
    expect(await bar('openai-chat', 12).getAttribute('class')).toBe('d-down');
    expect(await bar('openai-chat', 12).getAttribute('title')).toBe(
      `${dayOf(12)}: 97.22% of probes passed · down 40 min`,
    );
    expect(await bar('openai-chat', 11).getAttribute('class')).toBe('d-ok');
    expect(await bar('anthropic-claude', 40).getAttribute('class')).toBe('d-degraded');
    expect(await bar('anthropic-claude', 40).getAttribute('title')).toBe(
      `${dayOf(40)}: 97.22% of probes passed · degraded 2 h`,
    );
    expect(await bar('selfhosted-llama', 31).getAttribute('class')).toBe('d-none');
    expect(await bar('mistral-eu', 0).getAttribute('class')).toBe('d-down');
    expect(await bar('selfhosted-llama', 0).getAttribute('class')).toBe('d-degraded');
    expect(
      await page.locator('[data-history="selfhosted-llama"] .days').getAttribute('aria-label'),
    ).toMatch(
      /^selfhosted-llama, last 90 days: 0 with an outage, 1 degraded, [\d.]+% of probes passed$/,
    );

    // Readable in both schemes, like the rest of the page.
    for (const dark of [false, true]) {
      const p = dark ? await open({ width: 1280, height: 900, dark }) : page;
      const contrast = (await p.evaluate(CONTRAST)) as { text: string; ratio: number }[];
      for (const c of contrast)
        expect(c.ratio, `${dark ? 'dark' : 'light'}: ${c.text}`).toBeGreaterThanOrEqual(4.5);
      await p.locator('section[aria-labelledby="incidents-h"]').screenshot({
        path: join(SCREENSHOTS, `status-incidents-${dark ? 'dark' : 'light'}.png`),
      });
      await p.locator('section[aria-labelledby="days-h"]').screenshot({
        path: join(SCREENSHOTS, `status-daily-bars-${dark ? 'dark' : 'light'}.png`),
      });
    }
  });
});
