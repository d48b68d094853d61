import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeStatusPage, startFakeStatusPage } from '../support/fake-statuspage.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

interface DependencyView {
  state: string;
  reasons: string[];
  vendorStatus: {
    incidents: { name: string; status: string; url: string | null }[];
    agreement: string;
  } | null;
}

describe('vendor status pages in the state and the API', () => {
  let vendor: FakeVendor;
  let page: FakeStatusPage;
  let bw: Bellwether;
  let base = '';

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    page = await startFakeStatusPage();
    const parsed = parseConfigText(
      `vantage: status
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1m, timeout: 800ms, retries: 0 }
statusPages:
  - { vendor: openai, url: "${page.url}" }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: sk-status-0123456789abcdef, model: gpt-4o-mini }
`,
      'status.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({ config: parsed.config, logLevel: 'silent', firstRunSpreadMs: 10 });
    base = `http://127.0.0.1:${bw.port}`;
  });
  afterAll(async () => {
    await bw.stop();
    await vendor.stop();
    await page.stop();
  });

  const view = async (): Promise<DependencyView> =>
    (await fetch(`${base}/api/v1/dependencies/openai-chat`)).json() as Promise<DependencyView>;
  const metrics = async () => (await fetch(`${base}/metrics`)).text();

  it('probes pass, vendor quiet: healthy, agree', async () => {
    await bw.monitor.probeNow('openai-chat');
    await bw.pollStatusPages();
    const v = await view();
    expect(v.state).toBe('healthy');
    expect(v.vendorStatus?.agreement).toBe('agree');
    expect(await metrics()).toMatch(
      /bellwether_vendor_incident_active\{vendor="openai",vantage="status"\} 0/,
    );
  });

  it('vendor declares an incident while probes pass: degraded, with the incident, vendor_only', async () => {
    page.declareIncident({ name: 'Elevated error rates on Chat Completions', impact: 'major' });
    await bw.pollStatusPages();
    const v = await view();
    expect(v.state).toBe('degraded');
    expect(v.reasons.join(' ')).toContain('Elevated error rates on Chat Completions');
    expect(v.vendorStatus?.incidents[0]).toMatchObject({
      name: 'Elevated error rates on Chat Completions',
    });
    expect(v.vendorStatus?.agreement).toBe('vendor_only');
    const text = await metrics();
    expect(text).toMatch(/bellwether_vendor_incident_active\{vendor="openai",vantage="status"\} 1/);
    expect(text).toMatch(
      /bellwether_vendor_status\{vendor="openai",component="[^"]+",status="operational",vantage="status"\} [01]/,
    );
  });

  it('the reverse: probes fail while the vendor says all is well: probes_only', async () => {
    page.resolveIncident();
    await bw.pollStatusPages();
    vendor.setFault('*', { status: 500 });
    await bw.monitor.probeNow('openai-chat');
    await bw.monitor.probeNow('openai-chat');
    vendor.clearFaults();
    const v = await view();
    expect(v.state).toBe('down');
    expect(v.vendorStatus?.agreement).toBe('probes_only');
  });

  it('/metrics with vendor status, headroom, phases and token spend passes promtool check metrics', async () => {
    const text = await metrics();
    for (const name of [
      'bellwether_vendor_status{',
      'bellwether_vendor_incident_active{',
      'bellwether_ratelimit_remaining{',
      'bellwether_ratelimit_limit{',
      'bellwether_probe_phase_seconds{',
      'bellwether_probe_tokens_total{',
    ]) {
      expect(text).toContain(name);
    }
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('an unreachable status page is reported and probing goes on', async () => {
    page.setFault({ status: 503 });
    await bw.pollStatusPages();
    const text = await metrics();
    expect(text).toMatch(/bellwether_vendor_status_up\{vendor="openai",vantage="status"\} 0/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    page.setFault(null);
  });
});
