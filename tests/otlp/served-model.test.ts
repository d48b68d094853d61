import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrubber } from '../../src/probes/scrub.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import { testDependency } from '../support/dependency.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

// The served model the probes read from streamed answers, for gen_ai.response.model: the
// fake vendor sends it where the vendors do (OpenAI: `model` on every chat.completion.chunk;
// Anthropic: `message.model` in message_start).
describe('served model of a streamed completion', () => {
  let fake: FakeVendor;
  let http: HttpClient;
  beforeAll(async () => {
    fake = await startFakeVendor({ anonymous: true });
    http = createNodeHttpClient();
  });
  afterAll(async () => {
    http.close();
    await fake.stop();
  });

  it.each([
    ['openai-compatible', '/v1', 'gpt-4o-mini'],
    ['anthropic', '', 'claude-3-5-haiku-latest'],
  ] as const)('%s', async (vendor, suffix, model) => {
    const dep = testDependency({
      vendor,
      baseUrl: `${fake.url}${suffix}`,
      apiKey: 'sk-served-model-test',
      model,
      checks: ['completion'],
    });
    const probe = createProbe(dep, createScrubber([]));
    const result = await probe.run('completion', {
      http,
      signal: AbortSignal.timeout(3000),
      now: () => performance.now(),
    });
    expect(result).toMatchObject({ ok: true, servedModel: model });
  });
});
