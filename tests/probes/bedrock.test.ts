import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createNodeHttpClient } from '../../src/transport/node-http-client.js';
import { foundationModelId } from '../../src/vendors/bedrock.js';
import { type DependencyOverrides, testDependency } from '../support/dependency.js';
import { startFakeBedrock } from '../support/fake-bedrock.js';
import type { VendorFake } from '../support/fake-http.js';
import {
  expectFailure,
  expectHealthyCompletion,
  expectNoSecrets,
  type FaultCase,
  runCheck,
  WIRE_FAULTS,
} from '../support/vendor-cases.js';

const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'AKIAFAKE0123456789AB';
const SECRET_ACCESS_KEY = 'fakeSecretAccessKey/0123456789abcdefghijKLMN';
const SESSION_TOKEN = 'FwoGZXIvYXdzEFakeSessionToken0123456789abcdef';
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1mYWtlLTAxMjM0NTY3ODk=';
const SECRETS = [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, API_KEY];
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

let fake: VendorFake;
let http: HttpClient;

beforeAll(async () => {
  fake = await startFakeBedrock({
    region: REGION,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    apiKey: API_KEY,
  });
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

function sigv4(over: DependencyOverrides = {}): DependencyConfig {
  return testDependency({
    id: 'bedrock',
    vendor: 'bedrock',
    baseUrl: fake.url,
    controlPlaneUrl: fake.url,
    region: REGION,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    model: MODEL,
    timeoutMs: 3000,
    ...over,
  });
}

const bearer = (over: DependencyOverrides = {}): DependencyConfig =>
  sigv4({ accessKeyId: undefined, secretAccessKey: undefined, apiKey: API_KEY, ...over });

const AUTH_MODES = [
  { mode: 'SigV4', dep: sigv4 },
  { mode: 'Bedrock API key', dep: bearer },
] as const;

describe.each(AUTH_MODES)('bedrock with $mode, healthy', ({ mode, dep }) => {
  it('passes the models check (ListFoundationModels lists the model)', async () => {
    const r = await runCheck(http, dep(), 'models', SECRETS);
    expect(r.errorClass, r.message).toBeUndefined();
    expect(r).toMatchObject({ check: 'models', ok: true, httpStatus: 200 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe('/foundation-models');
    if (mode === 'SigV4') {
      expect(req?.headers.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/bedrock/aws4_request`,
        ),
      );
    } else {
      expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    }
  });

  it('streams ConverseStream event frames: TTFT ≤ latency, tokens from metadata', async () => {
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expectHealthyCompletion(r, { input: 8, output: 1 });
    const req = fake.requests.at(-1);
    expect(req?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
    expect(req?.json).toEqual({
      messages: [{ role: 'user', content: [{ text: 'ping' }] }],
      inferenceConfig: { maxTokens: 1 },
    });
  });

  it('measures TTFT from the first contentBlockDelta with text', async () => {
    fake.setFault('completion', { firstTokenDelayMs: 150 });
    const r = await runCheck(http, dep(), 'completion', SECRETS);
    expect(r.ok, r.message).toBe(true);
    expect(r.ttftMs).toBeGreaterThanOrEqual(140);
  });
});

describe('bedrock model lifecycle', () => {
  it.each([
    ['an inference profile of a listed model', `us.${MODEL}`, true],
    [
      'a model ARN (not checked against the list)',
      'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc',
      true,
    ],
    ['a model missing from ListFoundationModels', 'anthropic.claude-v2:1', false],
  ])('models check, %s', async (_name, model, ok) => {
    const r = await runCheck(http, sigv4({ model }), 'models', SECRETS);
    expect(r.ok, r.message).toBe(ok);
    if (!ok) {
      expect(r.errorClass).toBe('model_unavailable');
      expect(r.message).toContain(model);
    }
  });

  it('an unknown model id on the runtime (400 ValidationException) is model_unavailable', async () => {
    const r = await runCheck(
      http,
      sigv4({ model: 'anthropic.claude-v2:1' }),
      'completion',
      SECRETS,
    );
    expect(r).toMatchObject({ errorClass: 'model_unavailable', httpStatus: 400 });
    expect(r.message).toContain('anthropic.claude-v2:1');
  });

  it('an end-of-life model (404 ResourceNotFoundException) is model_unavailable, naming it', async () => {
    fake.setFault('completion', { errorCode: 'ResourceNotFoundException' });
    const r = await runCheck(http, sigv4(), 'completion', SECRETS);
    expect(r).toMatchObject({ errorClass: 'model_unavailable', httpStatus: 404 });
    expect(r.message).toBe(
      `model ${MODEL}: HTTP 404 ResourceNotFoundException: This model version has reached the end of its life. Please refer to the AWS documentation for more details.`,
    );
  });

  it('strips only the inference-profile prefix', () => {
    expect(foundationModelId(`eu.${MODEL}`)).toBe(MODEL);
    expect(foundationModelId(MODEL)).toBe(MODEL);
  });
});

const BEDROCK_FAULTS: FaultCase[] = [
  ...(['models', 'completion'] as const).flatMap((check): FaultCase[] => [
    ...(
      [
        ['ValidationException', 'bad_request'],
        ['AccessDeniedException', 'auth'],
        ['UnrecognizedClientException', 'auth'],
        ['InvalidSignatureException', 'auth'],
        ['ResourceNotFoundException', 'model_unavailable'],
        ['ThrottlingException', 'rate_limited'],
        ['ModelNotReadyException', 'overloaded'],
        ['ModelTimeoutException', 'timeout'],
        ['ModelErrorException', 'server_error'],
        ['InternalServerException', 'server_error'],
        ['ServiceUnavailableException', 'server_error'],
      ] as const
    ).map(
      ([code, expected]): FaultCase => ({
        name: `${code} (x-amzn-errortype)`,
        check,
        fault: { errorCode: code },
        expected,
        message: new RegExp(`^(?:model \\S+: )?HTTP \\d{3} ${code}`),
      }),
    ),
    {
      name: 'ServiceUnavailableException saying it is overloaded',
      check,
      fault: {
        status: 503,
        body: '{"message":"The model is overloaded, please try again later."}',
        headers: { 'x-amzn-errortype': 'ServiceUnavailableException:http://internal.amazon.com/' },
      },
      expected: 'overloaded',
    },
    {
      name: 'AWS JSON __type in the body, no header',
      check,
      fault: {
        status: 403,
        body: '{"__type":"com.amazon.coral.service#ExpiredTokenException","Message":"The security token included in the request is expired"}',
      },
      expected: 'auth',
      message: /ExpiredTokenException: The security token included in the request is expired/,
    },
  ]),
  ...(
    [
      ['throttlingException', 'rate_limited'],
      ['modelStreamErrorException', 'server_error'],
      ['internalServerException', 'server_error'],
      ['serviceUnavailableException', 'server_error'],
      ['validationException', 'bad_request'],
    ] as const
  ).map(
    ([code, expected]): FaultCase => ({
      name: `in-stream ${code} frame`,
      check: 'completion',
      fault: { streamError: true, streamErrorCode: code },
      expected,
      message: new RegExp(`^stream error after HTTP 200: ${code}`),
    }),
  ),
  ...WIRE_FAULTS,
];

describe('bedrock under faults', () => {
  it.each(BEDROCK_FAULTS)('$check check, $name → $expected', async (c) => {
    fake.setFault(c.check === 'models' ? 'models' : 'completion', c.fault);
    const r = await runCheck(http, sigv4(), c.check, SECRETS, c.timeoutMs);
    expectFailure(r, c, SECRETS);
  });
});

describe('bedrock credentials', () => {
  it.each([
    [
      'a wrong secret (signature mismatch)',
      { secretAccessKey: 'wrongSecret/0123456789abcdefghijKLMNOPQ' },
    ],
    ['an unknown access key id', { accessKeyId: 'AKIAWRONG00000000000' }],
    ['a signature scoped to another region', { region: 'eu-west-1' }],
    ['a wrong Bedrock API key', { accessKeyId: undefined, apiKey: 'ABSKwrong-0123456789abcdef' }],
  ] as Array<[string, DependencyOverrides]>)('%s is auth', async (_name, over) => {
    const extra = Object.values(over).filter((v): v is string => typeof v === 'string');
    for (const check of ['models', 'completion'] as const) {
      const r = await runCheck(http, sigv4(over), check, [...SECRETS, ...extra], 3000);
      expect(r).toMatchObject({ ok: false, errorClass: 'auth', httpStatus: 403 });
      expect(r.credentialsMissing).toBeUndefined();
      expectNoSecrets(r, SECRETS);
    }
  });

  it('signs the session token and keeps it out of the echoed canonical request', async () => {
    const withToken = await startFakeBedrock({
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      sessionToken: SESSION_TOKEN,
    });
    try {
      const d = (over: DependencyOverrides) =>
        sigv4({
          baseUrl: withToken.url,
          controlPlaneUrl: withToken.url,
          sessionToken: SESSION_TOKEN,
          ...over,
        });
      const ok = await runCheck(http, d({}), 'completion', SECRETS);
      expect(ok.ok, ok.message).toBe(true);
      expect(withToken.requests.at(-1)?.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
      const bad = await runCheck(
        http,
        d({ secretAccessKey: 'wrongSecret/0123456789abcdefghijKLMNOPQ' }),
        'models',
        SECRETS,
      );
      expect(bad).toMatchObject({ errorClass: 'auth', message: /InvalidSignatureException/ });
      expectNoSecrets(bad, SECRETS);
    } finally {
      await withToken.stop();
    }
  });

  it('without credentials the models check goes unsigned and says the vendor is reachable', async () => {
    const r = await runCheck(
      http,
      sigv4({
        accessKeyId: undefined,
        secretAccessKey: undefined,
        apiKeyEnv: 'AWS_SECRET_ACCESS_KEY',
      }),
      'models',
      SECRETS,
    );
    expect(r).toMatchObject({
      errorClass: 'auth',
      credentialsMissing: true,
      httpStatus: 403,
      message:
        'no API key configured (AWS_SECRET_ACCESS_KEY is not set); vendor reachable: HTTP 403',
    });
    expect(fake.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('without credentials the completion is skipped, nothing sent', async () => {
    const r = await runCheck(http, sigv4({ secretAccessKey: undefined }), 'completion', SECRETS);
    expect(r).toMatchObject({ skipped: true, credentialsMissing: true, errorClass: 'auth' });
    expect(fake.requests).toHaveLength(0);
  });

  it('a key echoed back in an error body never reaches the message', async () => {
    fake.setFault('completion', {
      status: 403,
      body: JSON.stringify({
        message: `Invalid key ${API_KEY} for ${ACCESS_KEY_ID}, token ${SESSION_TOKEN}`,
      }),
      headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' },
    });
    const r = await runCheck(http, sigv4(), 'completion', SECRETS);
    expect(r.errorClass).toBe('auth');
    expect(r.message).toContain('[REDACTED]');
    expectNoSecrets(r, SECRETS);
  });
});
