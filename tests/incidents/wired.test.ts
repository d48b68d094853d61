import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { loadConfig } from '../../src/config/load.js';
import type { BellwetherConfig } from '../../src/config/types.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

interface IncidentBody {
  dependency: string;
  worst: string;
  ongoing: boolean;
  errorClasses: string[];
  cause: string;
}

describe('incidents in a running Bellwether', () => {
  let vendor: FakeVendor;
  let dir: string;
  let config: BellwetherConfig;
  let bw: Bellwether | undefined;

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-incidents-'));
    const file = join(dir, 'bellwether.yaml');
    // A breaker that does not open within the test: every round reaches the vendor.
    writeFileSync(
      file,
      `vantage: wired
server: { port: 0, host: 127.0.0.1 }
storage: { path: "${join(dir, 'data', 'bellwether.db')}" }
defaults: { interval: 1h, timeout: 800ms, retries: 0, breaker: { volumeThreshold: 50, windowRounds: 50 } }
dependencies:
  - { id: health, vendor: http, url: "${vendor.url}/health" }
`,
    );
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    config = loaded.config;
  });
  afterAll(async () => {
    await bw?.stop();
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const incidents = async (b: Bellwether): Promise<IncidentBody[]> => {
    const res = await fetch(`http://127.0.0.1:${b.port}/api/v1/dependencies/health/incidents`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { incidents: IncidentBody[] }).incidents;
  };

  it('records an outage, keeps it open across a restart, ends it on recovery', async () => {
    bw = await startBellwether({ config, logLevel: 'silent', env: {} });
    await bw.monitor.probeNow('health');
    vendor.setFault('health', { status: 500 });
    await bw.monitor.probeNow('health');
    await bw.monitor.probeNow('health');
    expect(bw.monitor.dependency('health')?.evaluation.state).toBe('down');
    const [open] = await incidents(bw);
    expect(open).toMatchObject({
      dependency: 'health',
      worst: 'down',
      ongoing: true,
      errorClasses: ['server_error'],
    });
    await bw.stop();

    bw = await startBellwether({ config, logLevel: 'silent', env: {} });
    // The same incident, still open (its duration grows meanwhile).
    const { durationMs: _before, ...kept } = open as IncidentBody & { durationMs: number };
    const [resumed] = await incidents(bw);
    expect(resumed).toMatchObject(kept);
    vendor.clearFaults();
    for (
      let i = 0;
      i < 15 && bw.monitor.dependency('health')?.evaluation.state !== 'healthy';
      i++
    ) {
      await bw.monitor.probeNow('health');
    }
    const after = await incidents(bw);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ worst: 'down', ongoing: false });
    const page = await (await fetch(`http://127.0.0.1:${bw.port}/`)).text();
    expect(page).toContain('Recent incidents');
    expect(page).toContain('data-history="health"');
  });
});
