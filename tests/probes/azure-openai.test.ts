import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { startFakeAzure } from '../support/fake-azure.js';
import type { VendorFake } from '../support/fake-http.js';
import {
  expectFailure,
  expectHealthyCompletion,
  expectNoSecrets,
  type FaultCase,
  runCheck,
  WIRE_FAULTS,
} from '../support/vendor-cases.js';

const KEY = 'azkey0123456789abcdef0123456789ab';
const SECRETS = [KEY];

let fake: VendorFake;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeAzure({ apiKey: KEY, deployments: ['chat-prod'] });
  http = createNodeHttpClient();
});

afterAll(async () => {
  http.close();
  await fake.stop();
});

beforeEach(() => {
  fake.clearFaults();
  fake.requests.length = 0;
});

const SURFACES = [
  { surface: 'v1', apiVersion: undefined },
  { surface: 'dated', apiVersion: '2024-10-21' },
] as const;

function dep(over: DependencyOverrides = {}): DependencyConfig {
  return testDependency({
    id: 'azure',
    vendor: 'azure-openai',
    baseUrl: fake.url,
    apiKey: KEY,
    apiKeyEnv: 'AZURE_OPENAI_API_KEY',
    model: 'chat-prod',
    timeoutMs: 3000,
    ...over,
  });
}

describe.each(SURFACES)('azure-openai, $surface surface, healthy', ({ apiVersion }) => {
  const d = (over: DependencyOverrides = {}) => dep({ apiVersion, ...over });

  it('passes the models check with the api-key header on the surface route', async () => {
    const r = await runCheck(http, d(), 'models', SECRETS);
    expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe(
      apiVersion ? `/openai/models?api-version=${apiVersion}` : '/openai/v1/models',
    );
    expect(req?.headers['api-key']).toBe(KEY);
    expect(req?.headers.authorization).toBeUndefined();
  });

  it('streams a completion: TTFT ≤ latency, tokens from the usage chunk', async () => {
    const r = await runCheck(http, d(), 'completion', SECRETS);
    expectHealthyCompletion(r, { input: 8, output: 1 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe(
      apiVersion
        ? `/openai/deployments/chat-prod/chat/completions?api-version=${apiVersion}`
        : '/openai/v1/chat/completions',
    );
    expect(req?.json).toMatchObject({
      model: 'chat-prod',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 1,
    });
  });

  it('does not stop the first-token clock on the prompt_filter_results chunk', async () => {
    fake.setFault('completion', { firstTokenDelayMs: 150 });
    const r = await runCheck(http, d(), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });

  it('reports a missing deployment as model_unavailable, naming it', async () => {
    const r = await runCheck(http, d({ model: 'gone-deployment' }), 'completion', SECRETS);
    expect(r).toMatchObject({ ok: false, errorClass: 'model_unavailable', httpStatus: 404 });
    expect(r.message).toContain('gone-deployment');
    expect(r.message).toContain('DeploymentNotFound');
  });

  it('passes the models check even though deployments are not in the model list', async () => {
    const r = await runCheck(http, d({ model: 'chat-prod' }), 'models', SECRETS);
    expect(r.ok).toBe(true);
  });
});

describe('azure-openai surface details', () => {
  it.each([
    ['https://res.openai.azure.com', undefined],
    ['https://res.openai.azure.com/openai', undefined],
    ['https://res.openai.azure.com/openai/v1/', undefined],
  ])('accepts the base URL %s', async (baseUrl) => {
    const { azureUrls } = await import('../../src/vendors/azure-openai.js');
    expect(azureUrls(dep({ baseUrl }))).toEqual({
      models: 'https://res.openai.azure.com/openai/v1/models',
      completion: 'https://res.openai.azure.com/openai/v1/chat/completions',
    });
  });

  it('uses max_tokens on dated api-versions older than max_completion_tokens', async () => {
    const r = await runCheck(http, dep({ apiVersion: '2024-02-01' }), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(fake.requests.at(-1)?.json).toMatchObject({ max_tokens: 1 });
    expect(fake.requests.at(-1)?.json?.max_completion_tokens).toBeUndefined();
  });

  it('sends the dependency token budget (reasoning deployments need more than 1)', async () => {
    const r = await runCheck(http, dep({ maxTokens: 256 }), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(fake.requests.at(-1)?.json).toMatchObject({ max_completion_tokens: 256 });
  });
});

const AZURE_FAULTS: FaultCase[] = [
  ...(['models', 'completion'] as const).flatMap((check): FaultCase[] => [
    { name: '401', check, fault: { status: 401 }, expected: 'auth', httpStatus: 401 },
    { name: '403', check, fault: { status: 403 }, expected: 'auth' },
    { name: '429 retry after', check, fault: { status: 429 }, expected: 'rate_limited' },
    { name: '500', check, fault: { status: 500 }, expected: 'server_error' },
    { name: '503 ServiceUnavailable', check, fault: { status: 503 }, expected: 'server_error' },
    { name: '400', check, fault: { status: 400 }, expected: 'bad_request' },
  ]),
  {
    name: '404 DeploymentNotFound',
    check: 'completion',
    fault: { errorCode: 'DeploymentNotFound' },
    expected: 'model_unavailable',
    message: /deployment chat-prod: HTTP 404 DeploymentNotFound/,
  },
  {
    name: 'stream error after 200',
    check: 'completion',
    fault: { streamError: true },
    expected: 'server_error',
    message: /^stream error after HTTP 200/,
  },
  ...WIRE_FAULTS,
];

describe.each(SURFACES)('azure-openai, $surface surface, under faults', ({ apiVersion }) => {
  it.each(AZURE_FAULTS)('$check check, $name → $expected', async (c) => {
    fake.setFault(c.check === 'models' ? 'models' : 'completion', c.fault);
    const r = await runCheck(http, dep({ apiVersion }), c.check, SECRETS, c.timeoutMs);
    expectFailure(r, c, SECRETS);
  });
});

describe('azure-openai credentials', () => {
  it('without a key the models check says the vendor is reachable', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'models', SECRETS);
    expect(r).toMatchObject({
      errorClass: 'auth',
      credentialsMissing: true,
      httpStatus: 401,
      message:
        'no API key configured (AZURE_OPENAI_API_KEY is not set); vendor reachable: HTTP 401',
    });
  });

  it('without a key the completion is skipped, nothing sent', async () => {
    const r = await runCheck(http, dep({ apiKey: undefined }), 'completion', SECRETS);
    expect(r).toMatchObject({ skipped: true, credentialsMissing: true, errorClass: 'auth' });
    expect(fake.requests).toHaveLength(0);
  });

  it('a key echoed back in an error body never reaches the message', async () => {
    fake.setFault('models', {
      status: 401,
      body: JSON.stringify({ error: { code: '401', message: `Key ${KEY} is not valid` } }),
    });
    const r = await runCheck(http, dep(), 'models', SECRETS);
    expect(r.errorClass).toBe('auth');
    expect(r.message).toContain('[REDACTED]');
    expectNoSecrets(r, SECRETS);
  });
});
