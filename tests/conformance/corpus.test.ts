import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { CheckResult, ErrorClass } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { expectNoSecrets, runCheck } from '../support/vendor-cases.js';
import { CORPUS, corpusSummary } from './corpus/index.js';
import type { CorpusCase, CorpusVendor } from './corpus/types.js';
import { type CorpusServer, startCorpusServer } from './corpus-server.js';

const KEY = 'sk-proj-corpusTestKey0123456789abcdefWXYZ';
const SECRETS = [KEY];

let server: CorpusServer;
let http: HttpClient;

beforeAll(async () => {
  server = await startCorpusServer();
  http = createNodeHttpClient();
});

afterAll(async () => {
  http.close();
  await server.close();
  // The closing summary: cases per vendor and per outcome.
  console.table(corpusSummary(CORPUS));
});

// Where each vendor's probe finds the corpus server, with the model the answers name.
function dependencyFor(c: CorpusCase, url: string): DependencyConfig {
  const base: DependencyOverrides = {
    id: `corpus-${c.vendor}`,
    vendor: c.vendor,
    apiKey: KEY,
    apiKeyEnv: 'CORPUS_KEY',
    checks: ['models', 'completion'],
    timeoutMs: 3000,
    retries: 0,
  };
  const byVendor: Record<CorpusVendor, DependencyOverrides> = {
    openai: { baseUrl: `${url}/v1`, model: 'gpt-4o-mini' },
    anthropic: { baseUrl: url, model: 'claude-3-5-haiku-latest' },
    'azure-openai': { baseUrl: url, model: 'gpt-4o-mini-prod', apiVersion: '2024-10-21' },
    gemini: { baseUrl: url, model: 'gemini-2.0-flash' },
    bedrock: {
      baseUrl: url,
      controlPlaneUrl: url,
      region: 'us-east-1',
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
    },
    cohere: { baseUrl: url, model: 'command-r-08-2024' },
    ollama: { baseUrl: url, model: 'llama3.2' },
    'openai-compatible': { baseUrl: `${url}/v1`, model: 'llama-3.1-8b-instant' },
  };
  const dep = testDependency({ ...base, ...byVendor[c.vendor], ...c.dep });
  // `dep: { apiKey: undefined }` asks for a dependency without a key.
  if (c.dep && 'apiKey' in c.dep && c.dep.apiKey === undefined) delete dep.apiKey;
  return dep;
}

function expectVendorReading(c: CorpusCase, r: CheckResult, before: number, after: number): void {
  const { retryAfterMs, resetResource } = c.expect;
  if (resetResource === undefined || retryAfterMs === undefined) return;
  const reading = r.rateLimits?.find((x) => x.resource === resetResource);
  expect(reading?.resetAt, 'the vendor’s retry time is the reset time').toBeDefined();
  expect(reading?.resetAt).toBeGreaterThanOrEqual(before + retryAfterMs);
  expect(reading?.resetAt).toBeLessThanOrEqual(after + retryAfterMs);
}

describe('conformance corpus: vendor answers from their SDKs, specs and docs', () => {
  it('holds at least 60 cases, each with its source, unique ids', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    for (const c of CORPUS) expect(c.source.length, c.id).toBeGreaterThan(10);
  });

  it('covers both directions for every vendor: healthy answers and the common error classes', () => {
    const needed: ErrorClass[] = [
      'auth',
      'rate_limited',
      'server_error',
      'model_unavailable',
      'bad_request',
    ];
    const summary = corpusSummary(CORPUS);
    for (const [vendor, row] of Object.entries(summary)) {
      expect(row.ok, `${vendor} healthy cases`).toBeGreaterThan(0);
      for (const cls of needed) expect(row[cls], `${vendor} ${cls}`).toBeGreaterThan(0);
    }
    expect(Object.keys(summary).sort()).toEqual([
      'anthropic',
      'azure-openai',
      'bedrock',
      'cohere',
      'gemini',
      'ollama',
      'openai',
      'openai-compatible',
    ]);
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    server.serve(c);
    const before = Date.now();
    const r = await runCheck(http, dependencyFor(c, server.url), c.check, SECRETS);
    const after = Date.now();
    const e = c.expect;
    expect({ ok: r.ok, errorClass: r.errorClass, message: r.message }).toMatchObject({
      ok: e.ok,
      errorClass: e.errorClass,
    });
    expect(r.reason).toBe(e.reason);
    if (!e.ok) expect(r.message?.length).toBeGreaterThan(0);
    for (const part of e.messageIncludes ?? []) expect(r.message).toContain(part);
    if (e.requestId !== undefined) expect(r.requestId).toBe(e.requestId);
    if (e.retryAfterMs !== undefined) expect(r.retryAfterMs).toBe(e.retryAfterMs);
    expect(r.vendorRetry).toBe(e.vendorRetry);
    if (e.tokens) expect(r.tokens).toEqual(e.tokens);
    if (e.credentialsMissing !== undefined) expect(r.credentialsMissing).toBe(e.credentialsMissing);
    expectVendorReading(c, r, before, after);
    expectNoSecrets(r, SECRETS);
    expect(server.paths.length, 'the probe reached the corpus server').toBeGreaterThan(0);
  });
});
