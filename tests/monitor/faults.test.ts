import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BellwetherConfig, DependencyConfig } from '../../src/config/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Monitor } from '../../src/monitor.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { type FakeVendor, type Fault, startFakeVendor } from '../support/fake-vendor.js';

const OPENAI_KEY = 'sk-faults-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-faults-0123456789abcdef';

function dependency(vendor: 'openai' | 'anthropic', url: string): DependencyConfig {
  return testDependency({
    id: `${vendor}-dep`,
    vendor,
    baseUrl: vendor === 'openai' ? `${url}/v1` : url,
    apiKey: vendor === 'openai' ? OPENAI_KEY : ANTHROPIC_KEY,
    model: vendor === 'openai' ? 'gpt-4o-mini' : 'claude-3-5-haiku-latest',
    timeoutMs: 400,
    retries: 1,
  });
}

/** Fault on every route → expected class, and whether it may take the dependency down. */
type Expected = string | { openai: string; anthropic: string };
const FAULTS: [string, Fault, Expected, 'down' | 'unknown'][] = [
  ['401', { status: 401 }, 'auth', 'unknown'],
  [
    '404 model_not_found',
    { status: 404, errorCode: 'model_not_found' },
    'model_unavailable',
    'down',
  ],
  ['429', { status: 429 }, 'rate_limited', 'down'],
  ['500', { status: 500 }, 'server_error', 'down'],
  // OpenAI's 503 carries overload wording ("Slow Down"); Anthropic's overload is its own 529.
  ['503', { status: 503 }, { openai: 'overloaded', anthropic: 'server_error' }, 'down'],
  ['529', { status: 529 }, 'overloaded', 'down'],
  ['hang before headers', { hang: 'before-headers' }, 'timeout', 'down'],
  ['slow headers', { headersDelayMs: 2000 }, 'timeout', 'down'],
  ['reset', { reset: 'before-headers' }, 'network', 'down'],
  ['malformed JSON', { malformed: 'json' }, 'bad_response', 'down'],
  ['oversized body', { oversizedBytes: 6 * 1024 * 1024 }, 'bad_response', 'down'],
];

describe.each(['openai', 'anthropic'] as const)('%s dependency under faults', (vendorName) => {
  let vendor: FakeVendor;
  beforeAll(async () => {
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
  });
  afterAll(async () => {
    await vendor.stop();
  });
  afterEach(() => vendor.clearFaults());

  const build = () => {
    const dep = dependency(vendorName, vendor.url);
    const config: BellwetherConfig = {
      sourcePath: '/dev/null',
      vantage: 'faults',
      server: { port: 0, host: '127.0.0.1' },
      storage: { path: ':memory:', retentionMs: 86_400_000 },
      dependencies: [dep],
      consumers: [{ id: 'tool', uses: [dep.id] }],
      statusPages: [],
      notify: [],
      secrets: [OPENAI_KEY, ANTHROPIC_KEY],
    };
    const registry = new Registry();
    registry.setDefaultLabels({ vantage: 'faults' });
    const store = openSqliteStore({ path: ':memory:' });
    const http = createNodeHttpClient();
    const scrub = createScrubber(config.secrets);
    const monitor = new Monitor({
      config,
      createProbe: (d) => createProbe(d, scrub),
      http,
      store,
      metrics: createMetrics(registry, { version: 'test' }),
      logger: pino({ level: 'silent' }),
      now: () => performance.now(),
      clock: () => Date.now(),
      retryDelayMs: 1,
    });
    const close = async () => {
      await monitor.stop(1000);
      http.close();
      store.close();
    };
    return { dep, monitor, registry, store, close };
  };

  it.each(FAULTS)(
    '%s: classified, state, breaker and metrics',
    async (_name, fault, expected, state) => {
      const cls = typeof expected === 'string' ? expected : expected[vendorName];
      const { dep, monitor, registry, store, close } = build();
      try {
        vendor.setFault('*', fault);
        await monitor.probeNow(dep.id);
        const first = monitor.dependency(dep.id);
        expect(first?.lastRound?.results[0]?.errorClass).toBe(cls);
        await monitor.probeNow(dep.id);
        const snap = monitor.dependency(dep.id);
        expect(snap?.evaluation.state).toBe(state);
        expect(snap?.breaker).toBe(state === 'down' ? 'open' : 'closed');
        expect(monitor.consumer('tool')?.state).toBe('down');
        const text = await registry.metrics();
        expect(text).toMatch(
          new RegExp(
            `bellwether_probe_results_total\\{dependency="${dep.id}",vendor="${vendorName}",check="models",outcome="failure",error_class="${cls}",vantage="faults"\\} 2`,
          ),
        );
        expect(text).toContain(
          `bellwether_dependency_state{dependency="${dep.id}",vendor="${vendorName}",state="${state}",vantage="faults"} 1`,
        );
        const stored = store.recent(dep.id, 10);
        expect(stored.filter((r) => r.check === 'models').every((r) => r.errorClass === cls)).toBe(
          true,
        );
        expect(JSON.stringify(stored)).not.toContain(OPENAI_KEY);
      } finally {
        await close();
      }
    },
  );

  it('a healthy round records latency, first token and tokens spent', async () => {
    const { dep, monitor, registry, close } = build();
    try {
      await monitor.probeNow(dep.id);
      const snap = monitor.dependency(dep.id);
      expect(snap?.evaluation.state).toBe('healthy');
      const completion = snap?.lastRound?.results.find((r) => r.check === 'completion');
      expect(completion?.ttftMs).toBeGreaterThan(0);
      expect(completion?.ttftMs).toBeLessThanOrEqual(completion?.latencyMs ?? 0);
      const text = await registry.metrics();
      expect(text).toMatch(
        new RegExp(
          `bellwether_probe_tokens_total\\{dependency="${dep.id}",type="output",vantage="faults"\\} [1-9]`,
        ),
      );
      expect(text).toMatch(
        /bellwether_ratelimit_remaining\{dependency="[^"]+",resource="requests",vantage="faults"\} \d+/,
      );
    } finally {
      await close();
    }
  });
});
