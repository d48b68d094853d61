import { Hono } from 'hono';
import { html } from 'hono/html';
import { statusView, type ViewDeps } from './views.js';

/** Plain words for each error class, for people rather than dashboards. */
export const ERROR_CLASS_WORDS: Record<string, string> = {
  auth: 'API key rejected or missing',
  rate_limited: 'rate limited',
  overloaded: 'vendor overloaded',
  server_error: 'vendor server error',
  model_unavailable: 'model unavailable',
  bad_request: 'request rejected (API change?)',
  timeout: 'timed out',
  network: 'network error',
  bad_response: 'unexpected answer',
  circuit_open: 'paused: circuit breaker open',
};

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)}%`;

/** GET /: a small server-rendered status page that refreshes itself; works without JavaScript. */
export function pageRouter(deps: ViewDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const s = statusView(deps);
    c.header('cache-control', 'no-store');
    return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>Bellwether status: ${s.status}</title>
<style>
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
.banner { padding: 1rem; border-radius: .5rem; font-weight: 600; border: 2px solid; }
.ok, .healthy { border-color: #1a7f37; } .degraded { border-color: #9a6700; } .down { border-color: #cf222e; }
.unknown { border-color: #6e7781; }
table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
th, td { text-align: left; padding: .4rem; border-bottom: 1px solid #8884; vertical-align: top; }
</style>
</head>
<body>
<main>
<h1>Bellwether</h1>
<p class="banner ${s.status}" role="status">Overall: ${s.status.toUpperCase()} · vantage ${s.vantage} · ${s.generatedAt}</p>
<h2>Security tools</h2>
<table><thead><tr><th scope="col">Tool</th><th scope="col">State</th><th scope="col">Using now</th><th scope="col">Why</th></tr></thead>
<tbody>${s.consumers.map(
      (k) =>
        html`<tr><td>${k.id}</td><td>${k.state}</td><td>${k.route ?? 'nothing usable'}</td><td>${k.reason}</td></tr>`,
    )}</tbody></table>
<h2>Dependencies</h2>
<table><thead><tr><th scope="col">Dependency</th><th scope="col">State</th><th scope="col">Breaker</th><th scope="col">Last probe</th><th scope="col">Uptime 24h / 7d</th></tr></thead>
<tbody>${s.dependencies.map(
      (d) =>
        html`<tr><td>${d.id}<br><small>${d.vendor} ${d.model ?? ''}</small></td><td>${d.state}<br><small>${d.reasons.join('; ')}</small></td><td>${d.breaker}</td><td>${
          d.lastProbe
            ? d.lastProbe.ok
              ? `ok in ${d.lastProbe.latencyMs} ms`
              : (ERROR_CLASS_WORDS[d.lastProbe.errorClass ?? ''] ?? 'failed')
            : 'not yet'
        }</td><td>${pct(d.uptime['24h'])} / ${pct(d.uptime['7d'])}</td></tr>`,
    )}</tbody></table>
<p><a href="/api/v1/status">JSON</a> · <a href="/metrics">metrics</a></p>
</main>
</body>
</html>`);
  });
  return app;
}
