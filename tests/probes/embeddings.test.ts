import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import {
  checkedVector,
  EMBEDDING_TEXT,
  embeddingDimensionsGuard,
} from '../../src/probes/embeddings.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { CheckResult, ErrorClass } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { AWS, type Rig, SECRETS, SETUPS } from '../support/embedding-vendors.js';
import { startFakeBedrock } from '../support/fake-bedrock.js';
import { expectNoSecrets } from '../support/vendor-cases.js';

let http: HttpClient;
beforeAll(() => {
  http = createNodeHttpClient();
});
afterAll(() => http.close());

function ctx(timeoutMs = 3000) {
  return { http, signal: AbortSignal.timeout(timeoutMs), now: () => performance.now() };
}

function run(dep: DependencyConfig, timeoutMs?: number): Promise<CheckResult> {
  return createProbe({ ...dep, checks: ['embeddings'] }, createScrubber(SECRETS)).run(
    'embeddings',
    ctx(timeoutMs),
  );
}

describe.each(SETUPS)('embeddings on $name', (setup) => {
  let fake: Rig;
  beforeAll(async () => {
    fake = await setup.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.clear());

  it('embeds the fixed text and returns the checked vector, its time and its tokens', async () => {
    const r = await run(setup.dep(fake.url));
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r).toMatchObject({ check: 'embeddings', ok: true, httpStatus: 200 });
    expect(r.embedding?.dimensions).toBe(setup.dimensions);
    expect(r.embedding?.vector).toHaveLength(setup.dimensions);
    expect(r.tokens).toEqual(
      setup.tokens === undefined ? undefined : { input: setup.tokens, output: 0 },
    );
    expect(r.ttftMs).toBeUndefined();
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([setup.route]);
    expect(fake.requests[0]?.body).toContain(EMBEDDING_TEXT);
  });

  it('answers the same vector for the same text, and another once the model changes', async () => {
    const first = await run(setup.dep(fake.url));
    const again = await run(setup.dep(fake.url));
    fake.setEmbedding({ seed: 2 });
    const changed = await run(setup.dep(fake.url));
    expect(again.embedding?.vector).toEqual(first.embedding?.vector);
    expect(changed.embedding?.vector).not.toEqual(first.embedding?.vector);
    expect(changed.embedding?.dimensions).toBe(setup.dimensions);
  });

  it('holds the vector to the first length seen while embeddingDimensions is unset', async () => {
    const probe = createProbe(
      { ...setup.dep(fake.url), checks: ['embeddings'] },
      createScrubber(SECRETS),
    );
    expect((await probe.run('embeddings', ctx())).ok).toBe(true);
    fake.setEmbedding({ dimensions: 256 });
    const r = await probe.run('embeddings', ctx());
    expect(r).toMatchObject({
      ok: false,
      errorClass: 'bad_response',
      httpStatus: 200,
      message: `embedding has 256 dimensions; expected ${setup.dimensions}, the length of the first answer since start`,
    });
    expect(r.embedding).toBeUndefined();
  });

  const failures: Array<{
    name: string;
    arrange: (f: Rig) => void;
    over?: DependencyOverrides;
    expected: ErrorClass;
    message: string | RegExp;
    timeoutMs?: number;
  }> = [
    {
      name: 'wrong dimension',
      arrange: (f) => f.setEmbedding({ dimensions: 768 }),
      over: { embeddingDimensions: 1536 },
      expected: 'bad_response',
      message: 'embedding has 768 dimensions; expected 1536 (embeddingDimensions)',
    },
    {
      name: 'all-zero vector',
      arrange: (f) => f.setEmbedding({ vector: [0, 0, 0, 0] }),
      expected: 'bad_response',
      message: 'embedding is all zeros (4 dimensions)',
    },
    {
      name: 'non-finite number',
      arrange: (f) => f.fault({ body: setup.body('[0.25,1e999,-0.5]') }),
      expected: 'bad_response',
      message: 'embedding holds a non-finite number at index 1',
    },
    {
      name: 'a string in the vector',
      arrange: (f) => f.fault({ body: setup.body('[0.25,"NaN",-0.5]') }),
      expected: 'bad_response',
      message: 'embedding holds a non-number at index 1',
    },
    {
      name: 'garbage body',
      arrange: (f) => f.fault({ body: '<html><body>502 Bad Gateway</body></html>' }),
      expected: 'bad_response',
      message: 'the embeddings answer (2xx) is not a JSON object',
    },
    {
      name: 'a JSON body without a vector',
      arrange: (f) => f.fault({ body: '{"object":"list","data":[]}' }),
      expected: 'bad_response',
      message: 'the answer holds no embedding',
    },
    {
      name: 'credentials rejected',
      arrange: (f) => f.fault(setup.authFault),
      expected: 'auth',
      message: /./,
    },
    {
      name: 'embedding model not found',
      arrange: () => {},
      over: setup.name.startsWith('bedrock')
        ? {
            embeddingModel: setup.name.includes('titan')
              ? 'amazon.titan-embed-text-v9:0'
              : 'cohere.embed-v9:0',
          }
        : setup.name.startsWith('azure')
          ? { embeddingModel: 'embed-gone' }
          : { embeddingModel: 'embed-gone-001' },
      expected: 'model_unavailable',
      message: setup.name.startsWith('bedrock')
        ? /^model (amazon\.titan-embed-text-v9:0|cohere\.embed-v9:0): HTTP 400 ValidationException/
        : setup.name.startsWith('azure')
          ? /^deployment embed-gone: HTTP 404 DeploymentNotFound/
          : /embed-gone-001/,
    },
    {
      name: 'rate limited',
      arrange: (f) => f.fault({ status: 429 }),
      expected: 'rate_limited',
      message: /./,
    },
    {
      name: 'a body over 1 MiB, refused before parsing',
      arrange: (f) => f.fault({ body: `{"pad":"${'x'.repeat(1024 * 1024 + 16)}"}` }),
      expected: 'bad_response',
      message: /^response body too large: .*exceeds 1048576 bytes/,
    },
    {
      name: 'no answer',
      arrange: (f) => f.fault({ hang: 'before-headers' }),
      expected: 'timeout',
      message: /response headers/,
      timeoutMs: 300,
    },
    {
      name: 'connection reset mid-body',
      arrange: (f) => f.fault({ reset: 'mid-body' }),
      expected: 'network',
      message: /./,
    },
  ];

  it.each(failures)('$name → $expected', async (c) => {
    c.arrange(fake);
    const r = await run(setup.dep(fake.url, c.over), c.timeoutMs);
    expect({ ok: r.ok, errorClass: r.errorClass }).toEqual({ ok: false, errorClass: c.expected });
    if (typeof c.message === 'string') expect(r.message).toBe(c.message);
    else expect(r.message).toMatch(c.message);
    expect(r.embedding).toBeUndefined();
    expectNoSecrets(r, SECRETS);
  });
});

describe('embeddings without what it needs', () => {
  it.each([
    [
      'openai',
      { vendor: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
      'skipped: no API key configured (OPENAI_API_KEY is not set)',
    ],
    [
      'gemini',
      { vendor: 'gemini', apiKeyEnv: 'GEMINI_API_KEY' },
      'skipped: no API key configured (GEMINI_API_KEY is not set)',
    ],
    [
      'bedrock',
      { vendor: 'bedrock', region: 'us-east-1' },
      'skipped: no API key configured (no apiKey in the config)',
    ],
  ] as const)('skips on %s without a key, sending nothing', async (_name, over, message) => {
    const dep = testDependency({
      ...over,
      embeddingModel: 'amazon.titan-embed-text-v2:0',
      checks: ['embeddings'],
    });
    const r = await createProbe(dep, createScrubber([])).run('embeddings', ctx());
    expect(r).toMatchObject({ ok: false, skipped: true, credentialsMissing: true, message });
  });

  it('refuses to run without embeddingModel', async () => {
    const dep = testDependency({ vendor: 'ollama', checks: ['embeddings'] });
    const r = await createProbe(dep, createScrubber([])).run('embeddings', ctx());
    expect(r).toMatchObject({
      ok: false,
      errorClass: 'bad_request',
      message: 'no embeddingModel configured for the embeddings check',
    });
  });

  it('answers embeddings as unsupported on a vendor without it, and keeps it out of the checks', async () => {
    const dep = testDependency({ vendor: 'anthropic', checks: ['models', 'embeddings'] });
    const probe = createProbe(dep, createScrubber([]));
    expect(probe.checks).toEqual(['models']);
    expect(await probe.run('embeddings', ctx())).toMatchObject({
      ok: false,
      skipped: true,
      errorClass: 'bad_request',
      message: 'check "embeddings" is not supported for vendor anthropic',
    });
  });

  it('runs embeddings where listed, in the listed order', () => {
    const dep = testDependency({ vendor: 'cohere', checks: ['embeddings', 'models'] });
    expect(createProbe(dep, createScrubber([])).checks).toEqual(['embeddings', 'models']);
  });
});

describe('vector rules', () => {
  it.each<[string, unknown, string | number]>([
    ['a good vector', [0.1, -0.2, 0.3], 3],
    ['no vector', undefined, 'the answer holds no embedding'],
    ['base64 text', 'AAAAPwAAAL8=', 'embedding is not an array of numbers'],
    ['an empty array', [], 'embedding is empty'],
    ['NaN', [0.1, Number.NaN], 'embedding holds a non-finite number at index 1'],
    ['-Infinity', [Number.NEGATIVE_INFINITY], 'embedding holds a non-finite number at index 0'],
    ['null inside', [0.1, null], 'embedding holds a non-number at index 1'],
    ['all zeros', [0, -0, 0], 'embedding is all zeros (3 dimensions)'],
    [
      'too long',
      new Array(65_537).fill(0.1),
      'embedding has 65537 dimensions; more than 65536 is no embedding',
    ],
  ])('%s', (_name, raw, want) => {
    const got = checkedVector(raw);
    if (typeof want === 'number') expect(got).toHaveLength(want);
    else expect(got).toEqual({ errorClass: 'bad_response', message: want });
  });

  it('keeps the configured length over the first one seen', () => {
    const guard = embeddingDimensionsGuard(3);
    const ok = (n: number): CheckResult => ({
      check: 'embeddings',
      ok: true,
      latencyMs: 5,
      tokens: { input: 4, output: 0 },
      embedding: { dimensions: n, vector: new Array(n).fill(0.5) },
    });
    expect(guard(ok(3)).ok).toBe(true);
    expect(guard(ok(2))).toEqual({
      check: 'embeddings',
      ok: false,
      latencyMs: 5,
      tokens: { input: 4, output: 0 },
      errorClass: 'bad_response',
      message: 'embedding has 2 dimensions; expected 3 (embeddingDimensions)',
    });
    // A failed result passes untouched and sets nothing.
    const failedResult: CheckResult = {
      check: 'embeddings',
      ok: false,
      latencyMs: 1,
      errorClass: 'timeout',
    };
    expect(embeddingDimensionsGuard(undefined)(failedResult)).toBe(failedResult);
  });
});

describe('embeddings on Bedrock with a model of another family', () => {
  it('refuses to guess its body, sending nothing', async () => {
    const fake = await startFakeBedrock(AWS);
    try {
      const dep = testDependency({
        vendor: 'bedrock',
        baseUrl: fake.url,
        ...AWS,
        embeddingModel: 'mistral.mistral-embed-v1:0',
        checks: ['embeddings'],
      });
      const r = await createProbe(dep, createScrubber(SECRETS)).run('embeddings', ctx());
      expect(r).toMatchObject({
        ok: false,
        errorClass: 'bad_request',
        message:
          'embeddingModel mistral.mistral-embed-v1:0 is not an Amazon Titan (amazon.titan-embed-…) or Cohere (cohere.embed-…) embedding model: its request body is unknown',
      });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.stop();
    }
  });
});
