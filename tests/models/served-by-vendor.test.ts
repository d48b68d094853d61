import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { startFakeAzure } from '../support/fake-azure.js';
import { BEDROCK_MODELS, startFakeBedrock } from '../support/fake-bedrock.js';
import { startFakeCohere } from '../support/fake-cohere.js';
import { startFakeGemini } from '../support/fake-gemini.js';
import type { VendorFake, VendorFault } from '../support/fake-http.js';
import { startFakeOllama } from '../support/fake-ollama.js';
import { type FakeVendor, type Fault, startFakeVendor } from '../support/fake-vendor.js';

const KEY = 'sk-served-by-vendor-0123456789abcdef';
const REGION = 'us-east-1';

interface Fakes {
  vendor: FakeVendor;
  azure: VendorFake;
  gemini: VendorFake;
  ollama: VendorFake;
  cohere: VendorFake;
  bedrock: VendorFake;
}

interface Case {
  name: string;
  dep: (f: Fakes) => DependencyConfig;
  /** Make the fake name another model / fingerprint (absent: the vendor names none). */
  change?: (f: Fakes, servedModel: string, systemFingerprint: string) => void;
  /** What the answer names before the change. */
  first: { servedModel?: string; systemFingerprint?: string };
  /** Whether the vendor sends a fingerprint at all. */
  fingerprint: boolean;
}

// What each vendor's streamed answer says served it (README, "Model changes"): the probes read
// it where the vendors put it, and the fakes send it there.
const CASES: Case[] = [
  {
    name: 'openai (chunk model, system_fingerprint)',
    dep: (f) =>
      testDependency({
        vendor: 'openai',
        baseUrl: `${f.vendor.url}/v1`,
        apiKey: KEY,
        model: 'gpt-4o-mini',
      }),
    change: (f, servedModel, systemFingerprint) =>
      f.vendor.setFault('chat', { servedModel, systemFingerprint } satisfies Fault),
    first: { servedModel: 'gpt-4o-mini', systemFingerprint: 'fp_fake' },
    fingerprint: true,
  },
  {
    name: 'openai-compatible (chunk model, system_fingerprint)',
    dep: (f) =>
      testDependency({
        vendor: 'openai-compatible',
        baseUrl: `${f.vendor.url}/v1`,
        apiKey: KEY,
        model: 'gpt-4o',
      }),
    change: (f, servedModel, systemFingerprint) =>
      f.vendor.setFault('chat', { servedModel, systemFingerprint }),
    first: { servedModel: 'gpt-4o', systemFingerprint: 'fp_fake' },
    fingerprint: true,
  },
  {
    name: 'azure-openai (chunk model, system_fingerprint; the prompt-filter chunk skipped)',
    dep: (f) =>
      testDependency({
        vendor: 'azure-openai',
        baseUrl: f.azure.url,
        apiKey: KEY,
        model: 'chat-prod',
        apiVersion: '2024-10-21',
      }),
    change: (f, servedModel, systemFingerprint) =>
      f.azure.setFault('completion', { servedModel, systemFingerprint } satisfies VendorFault),
    first: { servedModel: 'gpt-4o-mini-2024-07-18', systemFingerprint: 'fp_fake' },
    fingerprint: true,
  },
  {
    name: 'anthropic (message_start message.model)',
    dep: (f) =>
      testDependency({
        vendor: 'anthropic',
        baseUrl: f.vendor.url,
        apiKey: KEY,
        model: 'claude-3-5-haiku-latest',
      }),
    change: (f, servedModel) => f.vendor.setFault('messages', { servedModel }),
    first: { servedModel: 'claude-3-5-haiku-latest' },
    fingerprint: false,
  },
  {
    name: 'gemini (modelVersion)',
    dep: (f) =>
      testDependency({
        vendor: 'gemini',
        baseUrl: f.gemini.url,
        apiKey: KEY,
        model: 'gemini-2.0-flash',
      }),
    change: (f, servedModel) => f.gemini.setFault('completion', { servedModel }),
    first: { servedModel: 'gemini-2.0-flash' },
    fingerprint: false,
  },
  {
    name: 'ollama (line model)',
    dep: (f) => testDependency({ vendor: 'ollama', baseUrl: f.ollama.url, model: 'llama3.2' }),
    change: (f, servedModel) => f.ollama.setFault('completion', { servedModel }),
    first: { servedModel: 'llama3.2' },
    fingerprint: false,
  },
  {
    name: 'cohere (the v2 chat stream names no model)',
    dep: (f) =>
      testDependency({
        vendor: 'cohere',
        baseUrl: f.cohere.url,
        apiKey: KEY,
        model: 'command-r-08-2024',
      }),
    first: {},
    fingerprint: false,
  },
  {
    name: 'bedrock (ConverseStream names no model)',
    dep: (f) =>
      testDependency({
        vendor: 'bedrock',
        baseUrl: f.bedrock.url,
        controlPlaneUrl: f.bedrock.url,
        region: REGION,
        apiKey: KEY,
        model: BEDROCK_MODELS[0],
      }),
    first: {},
    fingerprint: false,
  },
];

describe('what a streamed completion says served it, per vendor', () => {
  let fakes: Fakes;
  let http: HttpClient;
  beforeAll(async () => {
    fakes = {
      vendor: await startFakeVendor({ openaiKey: KEY, anthropicKey: KEY }),
      azure: await startFakeAzure({ apiKey: KEY, deployments: ['chat-prod'] }),
      gemini: await startFakeGemini({ apiKey: KEY }),
      ollama: await startFakeOllama(),
      cohere: await startFakeCohere({ apiKey: KEY }),
      bedrock: await startFakeBedrock({
        region: REGION,
        accessKeyId: 'AKIAFAKE0123456789AB',
        secretAccessKey: 'fakeSecretAccessKey/0123456789abcdefghijKLMN',
        apiKey: KEY,
      }),
    };
    http = createNodeHttpClient();
  });
  afterAll(async () => {
    http.close();
    await Promise.all(Object.values(fakes).map((f) => f.stop()));
  });

  const complete = (dep: DependencyConfig) =>
    createProbe({ ...dep, checks: ['completion'] }, createScrubber([KEY])).run('completion', {
      http,
      signal: AbortSignal.timeout(3000),
      now: () => performance.now(),
    });

  it.each(CASES)('$name', async ({ dep, change, first, fingerprint }) => {
    const d = dep(fakes);
    const before = await complete(d);
    expect(before.ok).toBe(true);
    expect({
      servedModel: before.servedModel,
      systemFingerprint: before.systemFingerprint,
    }).toEqual({
      servedModel: first.servedModel,
      systemFingerprint: first.systemFingerprint,
    });
    if (!change) return;
    change(fakes, 'model-2026-12-01', 'fp_moved');
    const after = await complete(d);
    expect(after).toMatchObject({ ok: true, servedModel: 'model-2026-12-01' });
    expect(after.systemFingerprint).toBe(fingerprint ? 'fp_moved' : undefined);
    for (const f of Object.values(fakes)) f.clearFaults();
  });
});

describe('a served model or fingerprint that echoes our key', () => {
  it('is scrubbed before it can become a label or an API field', async () => {
    const fake = await startFakeVendor({ openaiKey: KEY });
    const http = createNodeHttpClient();
    try {
      fake.setFault('chat', { servedModel: `model-${KEY}`, systemFingerprint: KEY });
      const dep = testDependency({
        vendor: 'openai',
        baseUrl: `${fake.url}/v1`,
        apiKey: KEY,
        checks: ['completion'],
      });
      const r = await createProbe(dep, createScrubber([KEY])).run('completion', {
        http,
        signal: AbortSignal.timeout(3000),
        now: () => performance.now(),
      });
      expect(r.ok).toBe(true);
      expect(JSON.stringify([r.servedModel, r.systemFingerprint])).not.toContain(KEY);
      expect(r.servedModel).toMatch(/^model-/);
    } finally {
      http.close();
      await fake.stop();
    }
  });
});
