import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import {
  createExposition,
  EXPOSITION_CONTENT_TYPES,
  type ExpositionFormat,
} from '../metrics/exposition.js';

const wantsOpenMetrics = (accept: string | undefined): boolean =>
  accept?.includes('application/openmetrics-text') === true;

/** True when Accept-Encoding allows gzip (a q=0 refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const part of header.slice(0, 1024).split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

interface Render {
  pieces: string[];
  gzip?: Promise<Buffer>;
}

/** Pieces as bytes, encoded one at a time as the reader pulls them. */
function* bytes(pieces: readonly string[]): Generator<Buffer> {
  for (const piece of pieces) yield Buffer.from(piece, 'utf8');
}

/**
 * /metrics in the Prometheus text format, or OpenMetrics when the scraper asks for it (as
 * Prometheus does by default); gzip when the scraper accepts it. Rendering yields to the event
 * loop every few milliseconds and compression runs off the event loop, so a large scrape
 * never stalls probing. Scrapes that arrive while a render is under way share it. The vantage
 * and other default labels are read from the registry at every render, so a reload that
 * changes them shows in both formats.
 */
export function metricsRouter(deps: { registry: Registry }): Hono {
  const exposition = createExposition(deps.registry);
  // Scrapes that arrive while a render runs share it; a scrape after it sees new values.
  const running = new Map<ExpositionFormat, Promise<Render>>();
  const current = (format: ExpositionFormat): Promise<Render> => {
    const inFlight = running.get(format);
    if (inFlight !== undefined) return inFlight;
    const render = exposition
      .render(format)
      .then((pieces): Render => ({ pieces }))
      .finally(() => running.delete(format));
    running.set(format, render);
    return render;
  };

  const app = new Hono();
  app.get('/metrics', async (c) => {
    const format: ExpositionFormat = wantsOpenMetrics(c.req.header('accept'))
      ? 'openmetrics'
      : 'prometheus';
    const render = await current(format);
    const headers: Record<string, string> = {
      'content-type': EXPOSITION_CONTENT_TYPES[format],
      vary: 'Accept, Accept-Encoding',
    };
    if (acceptsGzip(c.req.header('accept-encoding'))) {
      // zlib works on the thread pool: the event loop only hands it the pieces.
      render.gzip ??= buffer(Readable.from(bytes(render.pieces)).pipe(createGzip()));
      const body = await render.gzip;
      return c.body(new Uint8Array(body), 200, {
        ...headers,
        'content-encoding': 'gzip',
      });
    }
    const stream = Readable.toWeb(
      Readable.from(bytes(render.pieces)),
    ) as ReadableStream<Uint8Array>;
    return c.body(stream, 200, headers);
  });
  return app;
}
