import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusPagePoller } from '../../src/statuspages/poller.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { type FakeStatusPage, startFakeStatusPage } from '../support/fake-statuspage.js';

/** A server that answers every path with the real status page's summary, counting requests. */
async function summaryServer(
  host: string,
  page: FakeStatusPage,
  route: (path: string, self: string) => string | undefined,
): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  let self = '';
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const location = route(req.url ?? '', self);
    if (location !== undefined) {
      res.writeHead(302, { location }).end();
      return;
    }
    http.get(page.summaryUrl, (up) => {
      res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? '' });
      up.pipe(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  self = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the status-page poller follows redirects only on the same host, at most 3', () => {
  let page: FakeStatusPage;
  let elsewhere: Awaited<ReturnType<typeof summaryServer>>;
  let otherPort: Awaited<ReturnType<typeof summaryServer>>;
  let origin: Awaited<ReturnType<typeof summaryServer>>;
  const client = createNodeHttpClient();

  beforeAll(async () => {
    page = await startFakeStatusPage();
    // 127.0.0.2 is another loopback host on Linux: reachable, so following would succeed.
    elsewhere = await summaryServer('127.0.0.2', page, () => undefined);
    otherPort = await summaryServer('127.0.0.1', page, () => undefined);
    origin = await summaryServer('127.0.0.1', page, (path, self) => {
      const summary = '/api/v2/summary.json';
      if (path.startsWith('/same/')) return `/real${summary}`;
      if (path.startsWith('/absolute/')) return `${self}/real${summary}`;
      if (path.startsWith('/host/')) return `${elsewhere.url}${summary}`;
      if (path.startsWith('/port/')) return `${otherPort.url}${summary}`;
      if (path.startsWith('/scheme/')) return `ftp://127.0.0.1/${summary}`;
      if (path.startsWith('/loop/')) return path;
      if (path.startsWith('/two/')) return `/same${summary}`;
      return undefined;
    });
  });
  afterAll(async () => {
    client.close();
    await origin.close();
    await elsewhere.close();
    await otherPort.close();
    await page.stop();
  });

  const poll = async (prefix: string) => {
    const poller = createStatusPagePoller({
      pages: [{ vendor: 'openai', url: `${origin.url}${prefix}/api/v2/summary.json` }],
      http: client,
      clock: () => Date.now(),
      logger: pino({ level: 'silent' }),
      onUpdate: () => {},
    });
    const [status] = await poller.pollNow();
    poller.stop();
    return status;
  };

  it.each([['/same'], ['/absolute'], ['/two']])(
    '%s: a redirect on the same host is followed',
    async (prefix) => {
      const s = await poll(prefix);
      expect(s?.ok).toBe(true);
      expect(s?.indicator).toBe('none');
    },
  );

  it.each([
    ['/host', () => elsewhere],
    ['/port', () => otherPort],
  ])('%s: a redirect to another host is not followed', async (prefix, target) => {
    const before = target().hits.length;
    const s = await poll(prefix);
    expect(s?.ok).toBe(false);
    expect(s?.error).toBe(
      `${new URL(origin.url).host} redirected to ${target().url}, another host or a downgrade: not followed; configure that URL if it is the vendor's page`,
    );
    expect(target().hits.length).toBe(before);
  });

  it('a redirect to another scheme is refused', async () => {
    const s = await poll('/scheme');
    expect(s?.error).toBe(`${new URL(origin.url).host} redirected to an invalid location`);
  });

  it('a redirect loop stops after 3 redirects', async () => {
    const before = origin.hits.length;
    const s = await poll('/loop');
    expect(s?.error).toBe(`${new URL(origin.url).host}: too many redirects (more than 3)`);
    expect(origin.hits.length - before).toBe(4);
  });
});
