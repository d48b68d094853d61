import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  ApiErrorSchema,
  ConsumerListSchema,
  ConsumerSchema,
  DependencyListSchema,
  DependencySchema,
  HistorySchema,
  RouteSchema,
  StatusSchema,
} from '../../src/http/openapi.js';
import type {
  consumerView,
  dependencyView,
  historyEntry,
  statusView,
} from '../../src/http/views.js';
import { answers, type Harness, startHarness, vendorStatus } from './harness.js';

// Compile-time: the schemas name exactly the fields the view builders produce.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: [
  Same<keyof ReturnType<typeof statusView>, keyof z.infer<typeof StatusSchema>>,
  Same<keyof ReturnType<typeof dependencyView>, keyof z.infer<typeof DependencySchema>>,
  Same<keyof ReturnType<typeof consumerView>, keyof z.infer<typeof ConsumerSchema>>,
  Same<
    keyof ReturnType<typeof historyEntry>,
    keyof z.infer<typeof HistorySchema>['results'][number]
  >,
] = [true, true, true, true];

type Scenario = { name: string; setup: (h: Harness) => void };
const scenarios: Scenario[] = [
  { name: 'all healthy', setup: () => undefined },
  {
    name: 'primary down, on fallback',
    setup: (h) => {
      h.script.primary = answers.fail('server_error', 500, 'upstream said no');
    },
  },
  {
    name: 'the vendor declares an incident',
    setup: (h) => {
      h.monitor.setVendorStatus(
        vendorStatus({
          indicator: 'major',
          incidents: [
            {
              name: 'Elevated errors',
              status: 'investigating',
              url: 'https://stspg.io/x',
              startedAt: '2026-11-26T00:00:00Z',
              components: ['Chat Completions'],
            },
          ],
          maintenance: [
            { name: 'DB upgrade', status: 'scheduled', inProgress: false, components: [] },
          ],
        }),
      );
    },
  },
  {
    name: 'everything failing in different ways',
    setup: (h) => {
      h.script.primary = answers.fail('overloaded', 529);
      h.script.fallback = answers.fail('timeout');
      h.script.solo = answers.fail('auth', 401);
    },
  },
];

const routes: { path: string; schema: z.ZodType; status?: number }[] = [
  { path: '/api/v1/status', schema: StatusSchema },
  { path: '/api/v1/dependencies', schema: DependencyListSchema },
  { path: '/api/v1/dependencies/primary', schema: DependencySchema },
  { path: '/api/v1/dependencies/solo', schema: DependencySchema },
  { path: '/api/v1/dependencies/primary/history?since=1h', schema: HistorySchema },
  { path: '/api/v1/consumers', schema: ConsumerListSchema },
  { path: '/api/v1/consumers/phishing-triage', schema: ConsumerSchema },
  { path: '/api/v1/consumers/phishing-triage/route', schema: RouteSchema },
  { path: '/api/v1/consumers/siem-copilot/route', schema: RouteSchema },
  { path: '/api/v1/dependencies/nope', schema: ApiErrorSchema, status: 404 },
  { path: '/api/v1/consumers/nope/route', schema: ApiErrorSchema, status: 404 },
  { path: '/api/v1/dependencies/primary/history?limit=0', schema: ApiErrorSchema, status: 400 },
];

describe('the status API matches its OpenAPI schemas', () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('names the same fields as the view builders (checked by tsc)', () => {
    expect(sameKeys).toEqual([true, true, true, true]);
  });

  it.each(
    scenarios.flatMap((s) => [
      ...routes.map((r) => ({ ...r, scenario: s.name, setup: s.setup, probed: true })),
      { ...routes[0], scenario: s.name, setup: s.setup, probed: false },
    ]) as ((typeof routes)[number] & {
      scenario: string;
      setup: Scenario['setup'];
      probed: boolean;
    })[],
  )('$path when $scenario (probed: $probed)', async ({ path, schema, status, setup, probed }) => {
    setup(h);
    if (probed) {
      await h.round();
      await h.round();
    }
    const res = await h.app.request(path);
    expect(res.status).toBe(status ?? 200);
    const body = await res.json();
    const parsed = schema.safeParse(body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // Parsing strips fields the schema does not name: equality means none are undocumented.
    expect(parsed.data).toEqual(body);
  });
});

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
  const fetchDoc = async (): Promise<any> => {
    const res = await h.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return res.json();
  };

  it('is an OpenAPI 3.1 document whose every $ref resolves', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const n of node) walk(n);
      } else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref') refs.push(String(v));
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });

  it.each([
    ['Status', ['status', 'generatedAt', 'vantage', 'dependencies', 'consumers']],
    ['Route', ['consumer', 'state', 'route', 'reason', 'chain', 'generatedAt']],
    ['Dependency', ['id', 'state', 'breaker', 'lastProbe', 'uptime', 'latencyMs', 'rateLimit']],
  ])('describes %s with its required fields', async (name, fields) => {
    const doc = await fetchDoc();
    const schema = doc.components.schemas[name];
    expect(schema.type).toBe('object');
    for (const f of fields) {
      expect(schema.required).toContain(f);
      expect(schema.properties[f]).toBeDefined();
    }
  });

  it('documents every GET route the app serves under /api/v1', async () => {
    const doc = await fetchDoc();
    const served = h.app.routes
      .filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/'))
      .map((r) => r.path.replace(/:([a-zA-Z]+)/g, '{$1}'))
      .filter((p) => p !== '/api/v1/openapi.json');
    expect(served.length).toBeGreaterThanOrEqual(7);
    for (const p of served) {
      expect(Object.keys(doc.paths), `${p} is served but not in src/http/openapi.ts`).toContain(p);
    }
  });
});
