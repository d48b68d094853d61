import type { createApp } from '../../src/app.js';
import type { BellwetherConfig, DependencyConfig } from '../../src/config/types.js';
import type { Monitor } from '../../src/monitor.js';
import type { CheckResult, ErrorClass } from '../../src/probes/types.js';
import type { VendorStatus } from '../../src/statuspages/types.js';
import type { HistoryStore } from '../../src/store/sqlite-store.js';
import { createTestApp } from '../support/app-harness.js';
import { testDependency } from '../support/dependency.js';

/** What a scripted dependency answers for each check. */
export type Answer = (check: CheckResult['check']) => CheckResult;

export const answers = {
  ok:
    (latencyMs = 120): Answer =>
    (check) => ({
      check,
      ok: true,
      latencyMs,
      ...(check === 'completion' ? { ttftMs: 80, tokens: { input: 8, output: 1 } } : {}),
      rateLimits: [
        { resource: 'requests', limit: 500, remaining: 499 },
        { resource: 'tokens', limit: 30_000, remaining: 29_990 },
      ],
    }),
  fail:
    (errorClass: ErrorClass, httpStatus?: number, message?: string): Answer =>
    (check) => ({ check, ok: false, latencyMs: 15, errorClass, httpStatus, message }),
};

/** A vendor status page reading, as the status-page poller reports it. */
export function vendorStatus(over: Partial<VendorStatus> = {}): VendorStatus {
  return {
    vendor: 'openai',
    source: 'statuspage',
    url: 'https://status.openai.com/api/v2/summary.json',
    fetchedAt: Date.now(),
    ok: true,
    stale: false,
    lastSuccessAt: Date.now(),
    indicator: 'none',
    description: 'All Systems Operational',
    components: [{ name: 'Chat Completions', status: 'operational' }],
    incidents: [],
    maintenance: [],
    unmatchedComponents: [],
    ...over,
  };
}

/** An app on a monitor whose probes answer from a script the test changes between rounds. */
export interface Harness {
  app: ReturnType<typeof createApp>;
  monitor: Monitor;
  store: HistoryStore;
  script: Record<string, Answer>;
  /** One round of every dependency. */
  round(): Promise<void>;
  close(): Promise<void>;
}

const dep = (id: string, vendor: DependencyConfig['vendor']): DependencyConfig =>
  testDependency({ id, vendor, baseUrl: 'https://api.example.test/v1', degradedLatencyMs: 1000 });

/** primary (openai) and fallback (anthropic) used by phishing-triage; solo used by siem-copilot. */
export function startHarness(): Harness {
  const config: BellwetherConfig = {
    sourcePath: '/tmp/page-test.yaml',
    vantage: 'page-test',
    server: { port: 0, host: '127.0.0.1' },
    storage: { path: ':memory:', retentionMs: 8 * 86_400_000 },
    dependencies: [dep('primary', 'openai'), dep('fallback', 'anthropic'), dep('solo', 'openai')],
    consumers: [
      { id: 'phishing-triage', team: 'secops', uses: ['primary', 'fallback'] },
      { id: 'siem-copilot', team: 'soc', uses: ['solo'] },
    ],
    statusPages: [],
    notify: [],
    secrets: [],
  } as BellwetherConfig;
  // The shared harness does the wiring; this one brings the page's own cast of dependencies.
  const h = createTestApp({}, config);
  for (const id of Object.keys(h.script)) h.script[id] = answers.ok();
  return {
    app: h.app,
    monitor: h.monitor,
    store: h.store,
    script: h.script,
    round: () => h.monitor.probeAll(),
    close: h.close,
  };
}

/** The text a person reads: tags dropped, entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The HTML of the element carrying `attr="value"` up to its closing tag (no nesting of the same tag assumed across cards). */
export function cardHtml(html: string, attr: string, value: string): string {
  const start = html.indexOf(`${attr}="${value}"`);
  if (start < 0) throw new Error(`no element with ${attr}="${value}"`);
  const open = html.lastIndexOf('<article', start);
  const end = html.indexOf('</article>', start);
  return html.slice(open, end + '</article>'.length);
}
