import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusPageConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import {
  createStatusPagePoller,
  type StatusPageLogger,
  type StatusPagePoller,
} from '../../src/statuspages/poller.js';
import { incidentActive } from '../../src/statuspages/series.js';
import type { VendorStatus } from '../../src/statuspages/types.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import {
  type FakeStatusFlavour,
  type FakeStatusPage,
  startFakeStatusPage,
} from '../support/fake-statuspage.js';

// A pino logger must fit the poller's logger type (main.ts passes one).
const pinoFits: StatusPageLogger = createLogger({
  scrub: (s) => s,
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
void pinoFits;

interface LogLine {
  level: 'warn' | 'info' | 'debug';
  obj: object;
  msg: string;
}

function recordingLogger(): StatusPageLogger & {
  lines: LogLine[];
  count(level: string, msg?: RegExp): number;
} {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg: string): void => {
      lines.push({ level, obj, msg });
    };
  return {
    lines,
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    count: (level, msg) =>
      lines.filter((l) => l.level === level && (msg === undefined || msg.test(l.msg))).length,
  };
}

const until = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('status page poller against a fake status page', () => {
  let fake: FakeStatusPage;
  let http: HttpClient;
  let poller: StatusPagePoller | undefined;
  let updates: VendorStatus[];
  let logger: ReturnType<typeof recordingLogger>;

  beforeEach(async () => {
    fake = await startFakeStatusPage();
    http = createNodeHttpClient({ keepAlive: false });
    updates = [];
    logger = recordingLogger();
  });

  afterEach(async () => {
    poller?.stop();
    poller = undefined;
    http.close();
    await fake.stop();
  });

  const make = (
    page: Partial<StatusPageConfig> & { url: string },
    over: { timeoutMs?: number; intervalMs?: number; maxBodyBytes?: number } = {},
  ) => {
    poller = createStatusPagePoller({
      pages: [{ vendor: 'openai', components: ['API'], ...page }],
      http,
      clock: () => Date.now(),
      logger,
      onUpdate: (s) => updates.push(s),
      timeoutMs: over.timeoutMs ?? 2_000,
      ...(over.intervalMs !== undefined ? { intervalMs: over.intervalMs } : {}),
      ...(over.maxBodyBytes !== undefined ? { maxBodyBytes: over.maxBodyBytes } : {}),
    });
    return poller;
  };

  const pollOne = async (p: StatusPagePoller): Promise<VendorStatus> => {
    const [status] = await p.pollNow();
    if (status === undefined) throw new Error('no status');
    return status;
  };

  type Route = 'bare' | 'summary' | 'atom' | 'rss' | 'feed';
  const urlOf = (route: Route): string =>
    ({
      bare: fake.url,
      summary: fake.summaryUrl,
      atom: fake.atomUrl,
      rss: fake.rssUrl,
      feed: fake.feedUrl,
    })[route];

  it.each<{ flavour: FakeStatusFlavour; route: Route; source: string; link: RegExp }>([
    {
      flavour: 'statuspage',
      route: 'bare',
      source: 'statuspage',
      link: /^https:\/\/stspg\.io\/inc/,
    },
    {
      flavour: 'incident.io',
      route: 'bare',
      source: 'incident.io',
      link: /^https:\/\/stspg\.io\/inc/,
    },
    {
      flavour: 'statuspage',
      route: 'summary',
      source: 'statuspage',
      link: /^https:\/\/stspg\.io\/inc/,
    },
    { flavour: 'statuspage', route: 'atom', source: 'atom', link: /\/incidents\/inc/ },
    { flavour: 'statuspage', route: 'rss', source: 'rss', link: /\/incidents\/inc/ },
    { flavour: 'statuspage', route: 'feed', source: 'rss', link: /\/incidents\/inc/ },
  ])(
    '$flavour via $route: declare → shown, resolve → gone',
    async ({ flavour, route, source, link }) => {
      fake.setFlavour(flavour);
      const p = make({ url: urlOf(route) });

      const before = await pollOne(p);
      expect(before).toMatchObject({
        vendor: 'openai',
        ok: true,
        stale: false,
        source,
        incidents: [],
      });
      expect(before.components).toEqual([{ name: 'API', status: 'operational' }]);
      expect(incidentActive(before)).toBe(0);

      fake.declareIncident({
        name: 'Elevated errors on the API',
        impact: 'major',
        components: ['API'],
      });
      const during = await pollOne(p);
      expect(during.incidents).toHaveLength(1);
      expect(during.incidents[0]).toMatchObject({
        name: 'Elevated errors on the API',
        status: 'investigating',
      });
      expect(during.incidents[0]?.url).toMatch(link);
      expect(during.indicator).not.toBe('none');
      expect(incidentActive(during)).toBe(1);
      expect(p.current('openai')).toEqual(during);

      fake.resolveIncident();
      const after = await pollOne(p);
      expect(after.ok).toBe(true);
      expect(after.incidents).toEqual([]);
      expect(incidentActive(after)).toBe(0);

      expect(updates.map((u) => u.incidents.length)).toEqual([0, 1, 0]);
      expect(logger.count('info', /vendor status changed/)).toBe(2);
    },
  );

  it('an incident on a component not configured does not count', async () => {
    const p = make({ url: fake.url, components: ['API'] });
    fake.declareIncident({ name: 'ChatGPT login failures', components: ['ChatGPT'] });
    fake.setComponentStatus('ChatGPT', 'major_outage');
    const s = await pollOne(p);
    expect(s.incidents).toEqual([]);
    expect(s.indicator).toBe('none');
    expect(incidentActive(s)).toBe(0);
  });

  it.each<{ flavour: FakeStatusFlavour; indicator: string }>([
    { flavour: 'statuspage', indicator: 'maintenance' },
    { flavour: 'incident.io', indicator: 'maintenance' },
  ])('$flavour maintenance on the API', async ({ flavour, indicator }) => {
    fake.setFlavour(flavour);
    fake.setComponentStatus('API', 'under_maintenance');
    fake.setMaintenance({ name: 'Database migration', components: ['API'] });
    const s = await pollOne(make({ url: fake.url }));
    expect(s.indicator).toBe(indicator);
    expect(s.components).toEqual([{ name: 'API', status: 'under_maintenance' }]);
    expect(s.maintenance).toMatchObject([{ name: 'Database migration', inProgress: true }]);
    expect(incidentActive(s)).toBe(0);
  });

  it.each<{
    name: string;
    route: Route;
    fault: Parameters<FakeStatusPage['setFault']>[0];
    error: RegExp;
  }>([
    {
      name: 'HTTP 500',
      route: 'bare',
      fault: { status: 500 },
      error: /^HTTP 500 from 127\.0\.0\.1:\d+$/,
    },
    {
      name: 'malformed JSON',
      route: 'bare',
      fault: { malformed: true },
      error: /unreadable answer from 127\.0\.0\.1:\d+: malformed JSON/,
    },
    {
      name: 'malformed XML',
      route: 'atom',
      fault: { malformed: true },
      error: /unreadable answer .*: malformed XML at line/,
    },
    {
      name: 'an HTML error page',
      route: 'bare',
      fault: { body: '<!DOCTYPE html><html>Bad gateway</html>', contentType: 'text/html' },
      error: /got an HTML page \(text\/html\)/,
    },
    {
      name: 'a hang',
      route: 'bare',
      fault: { hang: true },
      error: /^no complete answer from 127\.0\.0\.1:\d+ within 300 ms$/,
    },
  ])(
    '$name → ok:false with error, last good data kept and stale, warned once',
    async ({ route, fault, error }) => {
      const p = make({ url: urlOf(route) }, { timeoutMs: 300 });
      fake.declareIncident({ name: 'Elevated errors on the API', components: ['API'] });
      const good = await pollOne(p);
      expect(good.ok).toBe(true);

      fake.setFault(fault);
      const bad = await pollOne(p);
      expect(bad.ok).toBe(false);
      expect(bad.error).toMatch(error);
      expect(bad.stale).toBe(true);
      expect(bad.lastSuccessAt).toBe(good.fetchedAt);
      expect(bad.incidents).toEqual(good.incidents);
      expect(bad.components).toEqual(good.components);
      expect(incidentActive(bad)).toBe(1);

      const again = await pollOne(p);
      expect(again.ok).toBe(false);
      expect(logger.count('warn')).toBe(1);

      fake.setFault(null);
      const back = await pollOne(p);
      expect(back).toMatchObject({ ok: true, stale: false });
      expect(back.error).toBeUndefined();
      expect(logger.count('info', /readable again/)).toBe(1);
      expect(updates.map((u) => u.ok)).toEqual([true, false, false, true]);
    },
  );

  it('a page that never answered: unknown, configured components unknown, not stale', async () => {
    const url = fake.url;
    await fake.stop();
    fake = await startFakeStatusPage();
    const s = await pollOne(make({ url, components: ['API', 'Responses'] }));
    expect(s).toMatchObject({ ok: false, stale: false, indicator: 'unknown', incidents: [] });
    expect(s.error).toMatch(/ECONNREFUSED/);
    expect(s.components).toEqual([
      { name: 'API', status: 'unknown' },
      { name: 'Responses', status: 'unknown' },
    ]);
    expect(s.lastSuccessAt).toBeUndefined();
  });

  it('warns once about configured components the page does not list', async () => {
    const p = make({ url: fake.url, components: ['API', 'Responses API'] });
    const s = await pollOne(p);
    await pollOne(p);
    expect(s.unmatchedComponents).toEqual(['Responses API']);
    expect(s.components).toContainEqual({ name: 'Responses API', status: 'unknown' });
    expect(logger.count('warn', /not found on the status page/)).toBe(1);
  });

  it('a body over the cap is an error', async () => {
    const s = await pollOne(make({ url: fake.url }, { maxBodyBytes: 100 }));
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/larger than 100 bytes/);
  });

  it('a 404 summary suggests the feed', async () => {
    const s = await pollOne(make({ url: `${fake.url}/nothing-here` }));
    expect(s.error).toMatch(/HTTP 404 .*configure its RSS\/Atom feed URL instead/);
  });

  it('credentials and query strings in the URL reach no status, error or log', async () => {
    const port = new URL(fake.url).port;
    fake.setFault({ status: 503 });
    const s = await pollOne(
      make({ url: `http://user:hunter2@127.0.0.1:${port}/api/v2/summary.json?token=s3cret` }),
    );
    expect(s.url).toBe(`http://127.0.0.1:${port}/api/v2/summary.json`);
    const everything = JSON.stringify([s, logger.lines]);
    expect(everything).not.toMatch(/hunter2|s3cret/);
  });

  it('polls on its timer, survives a failing onUpdate, and stop() ends polling', async () => {
    let calls = 0;
    poller = createStatusPagePoller({
      pages: [{ vendor: 'openai', url: fake.url, components: ['API'] }],
      http,
      clock: () => Date.now(),
      logger,
      intervalMs: 30,
      onUpdate: (s) => {
        calls += 1;
        updates.push(s);
        if (calls === 1) throw new Error('handler bug');
      },
    });
    poller.start();
    poller.start();
    await until(() => updates.length >= 2);
    expect(logger.count('warn', /update handler failed/)).toBe(1);

    fake.declareIncident({ name: 'Elevated errors on the API', components: ['API'] });
    await until(() => updates.at(-1)?.incidents.length === 1);

    poller.stop();
    const seen = fake.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.requests.length).toBe(seen);
  });

  it('stop() aborts a hanging fetch and drops its result', async () => {
    fake.setFault({ hang: true });
    const p = make({ url: fake.url }, { timeoutMs: 10_000 });
    p.start();
    await until(() => fake.requests.length === 1);
    const started = Date.now();
    p.stop();
    // The aborted poll reports nothing; a new pollNow after stop still works.
    fake.setFault(null);
    const s = await pollOne(p);
    expect(s.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(updates.map((u) => u.ok)).toEqual([true]);
  });
});

describe('status page poller scheduling (stub transport, fake timers)', () => {
  const summary = JSON.stringify({
    status: { indicator: 'none' },
    components: [{ name: 'API', status: 'operational' }],
  });

  interface Pending {
    req: HttpRequest;
    resolve: () => void;
  }

  function stubHttp(
    opts: { manual?: boolean } = {},
  ): HttpClient & { requests: HttpRequest[]; pending: Pending[] } {
    const requests: HttpRequest[] = [];
    const pending: Pending[] = [];
    const response = (): HttpResponse => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { async *[Symbol.asyncIterator]() {} },
      text: async () => summary,
      discard() {},
      timings: {},
    });
    return {
      requests,
      pending,
      request(req) {
        requests.push(req);
        if (!opts.manual) return Promise.resolve(response());
        return new Promise((resolve) => pending.push({ req, resolve: () => resolve(response()) }));
      },
      close() {},
    };
  }

  const pages: StatusPageConfig[] = [
    { vendor: 'openai', url: 'https://status.openai.com' },
    { vendor: 'anthropic', url: 'https://status.claude.com' },
    {
      vendor: 'azure',
      url: 'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
      components: ['Azure OpenAI'],
    },
  ];

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (http: HttpClient) =>
    createStatusPagePoller({
      pages,
      http,
      clock: () => Date.now(),
      logger: recordingLogger(),
      intervalMs: 60_000,
      onUpdate: () => {},
    });

  it('one timer for all pages, and none after stop()', async () => {
    const http = stubHttp();
    const p = make(http);
    const before = vi.getTimerCount();
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(http.requests).toHaveLength(3);
    expect(vi.getTimerCount() - before).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(http.requests).toHaveLength(6);
    expect(vi.getTimerCount() - before).toBe(1);
    p.stop();
    expect(vi.getTimerCount()).toBe(before);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(http.requests).toHaveLength(6);
  });

  it('never overlaps polls: a slow poll delays the next, pollNow joins it', async () => {
    const http = stubHttp({ manual: true });
    const p = make(http);
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(http.requests).toHaveLength(3);
    const joined = p.pollNow();
    // Well past the interval, but under the per-fetch timeout's reach only if not aborted:
    // the stub ignores aborts, so nothing new may start while these hang.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(http.requests).toHaveLength(3);
    for (const x of http.pending.splice(0)) x.resolve();
    const statuses = await joined;
    expect(statuses.map((s) => s.vendor)).toEqual(['openai', 'anthropic', 'azure']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(http.requests).toHaveLength(6);
    p.stop();
  });

  it('fetches each page with a timeout signal and a body cap, following redirects itself', async () => {
    const http = stubHttp({ manual: true });
    const p = make(http);
    void p.pollNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(http.requests.map((r) => r.url)).toEqual([
      'https://status.openai.com/api/v2/summary.json',
      'https://status.claude.com/api/v2/summary.json',
      'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
    ]);
    expect(http.requests.every((r) => (r.maxRedirects ?? 0) === 0 && r.method === 'GET')).toBe(
      true,
    );
    expect(http.requests.some((r) => r.signal.aborted)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(http.requests.every((r) => r.signal.aborted)).toBe(true);
    p.stop();
  });

  it('rejects a vendor listed twice', () => {
    expect(() =>
      createStatusPagePoller({
        pages: [
          pages[0] as StatusPageConfig,
          { vendor: 'openai', url: 'https://status.openai.com/history.atom' },
        ],
        http: stubHttp(),
        clock: () => 0,
        logger: recordingLogger(),
        onUpdate: () => {},
      }),
    ).toThrow(/"openai" is listed twice/);
  });
});
