import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  ApiErrorSchema,
  ConsumerListSchema,
  ConsumerSchema,
  DependencyListSchema,
  DependencySchema,
  HistorySchema,
  OPENAPI_EXAMPLES,
  openApiDocument,
  RouteSchema,
  StatusSchema,
} from '../../src/http/openapi.js';
import type {
  consumerView,
  dependencyView,
  historyEntry,
  statusView,
} from '../../src/http/views.js';
import { createTestApp } from '../support/app-harness.js';
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

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Doc = any;

/** Every operation of the document with its path and method. */
const operations = (doc: Doc): { path: string; method: string; op: Doc }[] =>
  Object.entries(doc.paths as Record<string, Record<string, Doc>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

const SCHEMAS_BY_NAME: Record<string, z.ZodType> = {
  Status: StatusSchema,
  DependencyList: DependencyListSchema,
  Dependency: DependencySchema,
  History: HistorySchema,
  ConsumerList: ConsumerListSchema,
  Consumer: ConsumerSchema,
  Route: RouteSchema,
  Error: ApiErrorSchema,
};

describe('the OpenAPI document itself', () => {
  const doc: Doc = openApiDocument();

  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('fails that validator on a broken document (the check can fail)', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/v1/status'].get.responses[200].content['application/json'].schema = 42;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('declares bearer and basic security as src/http/access.ts accepts them, and the reload token', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      basicAuth: expect.objectContaining({ type: 'http', scheme: 'basic' }),
      reloadToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    // Open by default ({}), or either scheme once credentials are configured.
    expect(doc.security).toEqual([{}, { bearerAuth: [] }, { basicAuth: [] }]);
    expect(doc.paths['/-/reload'].post.security).toEqual([{ reloadToken: [] }]);
  });

  it('gives every operation a 401, and the reload its 403', () => {
    for (const { path, method, op } of operations(doc)) {
      expect(op.responses[401], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/-/reload'].post.responses[403]).toBeDefined();
  });

  it('has an example for every JSON response and every parameter', () => {
    let examples = 0;
    for (const { path, method, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        const media = response.content?.['application/json'];
        expect(media?.example, `${method} ${path} ${status}`).toBeDefined();
        examples++;
      }
      for (const p of op.parameters ?? []) expect(p.example, `${path} ${p.name}`).toBeDefined();
    }
    expect(examples).toBeGreaterThanOrEqual(20);
  });

  it('has examples that its own schemas accept, field for field', () => {
    for (const { path, method, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        const media = response.content?.['application/json'];
        const name = String(media?.schema?.$ref ?? '').replace('#/components/schemas/', '');
        const schema = SCHEMAS_BY_NAME[name];
        if (!schema) continue; // /-/reload's inline schemas
        const parsed = schema.safeParse(media.example);
        expect(parsed.error?.issues ?? [], `${method} ${path} ${status}`).toEqual([]);
        expect(parsed.data, `${method} ${path} ${status}: undocumented fields`).toEqual(
          media.example,
        );
      }
    }
    expect(Object.keys(OPENAPI_EXAMPLES).sort()).toEqual(
      Object.keys(SCHEMAS_BY_NAME)
        .filter((n) => n !== 'Error')
        .sort(),
    );
  });
});

describe('documented errors are the ones the app sends', () => {
  const doc: Doc = openApiDocument();
  const example = (path: string, method: string, status: number) =>
    doc.paths[path][method].responses[status].content['application/json'].example;

  it.each([
    ['/api/v1/status', '/api/v1/status', 'get'],
    ['/api/v1/dependencies/{id}', '/api/v1/dependencies/primary', 'get'],
    ['/-/reload', '/-/reload', 'post'],
  ])('401 on %s without credentials, with a challenge', async (documented, path, method) => {
    const h = createTestApp({
      access: { tokens: ['tok-1'] },
      reload: async () => ({ ok: true, dependencies: 2, restartNeeded: [] }),
      reloadToken: 'reload-tok',
    });
    try {
      const res = await h.app.request(path, { method: method.toUpperCase() });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual(example(documented, method, 401));
    } finally {
      h.close();
    }
  });

  it('403 on POST /-/reload when reload over HTTP is off', async () => {
    const h = createTestApp();
    try {
      const res = await h.app.request('/-/reload', { method: 'POST' });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(example('/-/reload', 'post', 403));
    } finally {
      h.close();
    }
  });

  it.each([
    ['/api/v1/dependencies/{id}', '/api/v1/dependencies/nope', 404],
    ['/api/v1/consumers/{id}/route', '/api/v1/consumers/nope/route', 404],
    ['/api/v1/dependencies/{id}/history', '/api/v1/dependencies/primary/history?limit=0', 400],
  ])('%s answers %s with the documented %i', async (documented, path, status) => {
    const h = createTestApp();
    try {
      const res = await h.app.request(path);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual(example(documented, 'get', status));
    } finally {
      h.close();
    }
  });
});
