import { describe, expect, it } from 'vitest';
import {
  classifyHttp,
  classifyStreamError,
  classifyThrown,
  parseVendorError,
} from '../../src/probes/classify.js';
import { createScrubber } from '../../src/probes/scrub.js';
import { SseError } from '../../src/probes/sse.js';
import { HttpClientError } from '../../src/transport/http-client.js';

const KEY = 'sk-proj-SECRETSECRETSECRETSECRET1234';
const scrub = createScrubber([KEY]);

const openai = (code: string | null, type: string, message = 'vendor says no') =>
  JSON.stringify({ error: { message, type, param: null, code } });
const anthropic = (type: string, message = 'vendor says no') =>
  JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

describe('classifyHttp', () => {
  it.each([
    // status, body, modelRoute, class, reason
    [401, openai('invalid_api_key', 'invalid_request_error'), false, 'auth', undefined],
    [401, anthropic('authentication_error'), false, 'auth', undefined],
    [403, anthropic('permission_error'), false, 'auth', undefined],
    [403, 'Forbidden', false, 'auth', undefined],
    [400, openai('invalid_api_key', 'invalid_request_error'), false, 'auth', undefined],
    [429, openai('rate_limit_exceeded', 'requests'), false, 'rate_limited', undefined],
    [429, anthropic('rate_limit_error'), false, 'rate_limited', undefined],
    [429, openai('insufficient_quota', 'insufficient_quota'), false, 'rate_limited', 'billing'],
    [402, anthropic('billing_error'), false, 'rate_limited', 'billing'],
    [
      402,
      '{"error":{"message":"Insufficient credits","code":402}}',
      false,
      'rate_limited',
      'billing',
    ],
    [429, '', false, 'rate_limited', undefined],
    [529, anthropic('overloaded_error', 'Overloaded'), false, 'overloaded', undefined],
    [529, undefined, false, 'overloaded', undefined],
    [503, openai(null, 'server_error', 'Slow Down'), false, 'overloaded', undefined],
    [
      503,
      openai(null, 'server_error', 'The engine is currently overloaded'),
      false,
      'overloaded',
      undefined,
    ],
    [
      503,
      '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}',
      false,
      'overloaded',
      undefined,
    ],
    [503, '<html><body>Service Unavailable</body></html>', false, 'server_error', undefined],
    [
      503,
      '{"error":{"message":"No allowed providers are available","code":503}}',
      false,
      'server_error',
      undefined,
    ],
    [500, anthropic('api_error'), false, 'server_error', undefined],
    [500, openai(null, 'server_error'), false, 'server_error', undefined],
    [502, 'Bad Gateway', false, 'server_error', undefined],
    [504, anthropic('timeout_error'), false, 'server_error', undefined],
    [
      498,
      '{"error":{"message":"capacity exceeded","code":"capacity_exceeded"}}',
      false,
      'overloaded',
      undefined,
    ],
    [
      404,
      openai('model_not_found', 'invalid_request_error', 'The model `gpt-x` does not exist'),
      false,
      'model_unavailable',
      undefined,
    ],
    [404, anthropic('not_found_error', 'model: claude-x'), false, 'model_unavailable', undefined],
    [
      404,
      '{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}',
      false,
      'model_unavailable',
      undefined,
    ],
    [
      404,
      '{"object":"error","message":"The model `llama` does not exist.","type":"NotFoundError","code":404}',
      false,
      'model_unavailable',
      undefined,
    ],
    [
      404,
      '{"error":{"message":"model \\"llama3\\" not found, try pulling it first","type":"api_error"}}',
      false,
      'model_unavailable',
      undefined,
    ],
    [404, 'Not Found', true, 'model_unavailable', undefined],
    [404, 'Not Found', false, 'bad_request', undefined],
    [
      400,
      anthropic('invalid_request_error', 'max_tokens: field required'),
      false,
      'bad_request',
      undefined,
    ],
    [
      422,
      '{"detail":[{"loc":["body","model"],"msg":"field required"}]}',
      false,
      'bad_request',
      undefined,
    ],
    [413, anthropic('request_too_large'), false, 'bad_request', undefined],
    [408, '', false, 'timeout', undefined],
    [302, '', false, 'bad_response', undefined],
  ] as const)('HTTP %i %s (model route %s) → %s', (status, body, modelRoute, cls, reason) => {
    const out = classifyHttp({ status, body, modelRoute }, scrub);
    expect(out.errorClass).toBe(cls);
    expect(out.reason).toBe(reason);
    expect(out.message).toContain(`HTTP ${status}`);
  });

  it('puts the vendor message and code in a short message', () => {
    const out = classifyHttp(
      {
        status: 429,
        body: openai('rate_limit_exceeded', 'requests', 'Rate limit reached for gpt-4o-mini'),
      },
      scrub,
    );
    expect(out.message).toBe('HTTP 429 rate_limit_exceeded: Rate limit reached for gpt-4o-mini');
  });

  it('says billing is not transient', () => {
    const out = classifyHttp(
      {
        status: 429,
        body: openai('insufficient_quota', 'insufficient_quota', 'You exceeded your current quota'),
      },
      scrub,
    );
    expect(out.message).toContain('billing');
  });

  it('scrubs an echoed key from the vendor message', () => {
    const out = classifyHttp(
      {
        status: 401,
        body: openai(
          'invalid_api_key',
          'invalid_request_error',
          `Incorrect API key provided: ${KEY}.`,
        ),
      },
      scrub,
    );
    expect(out.message).not.toContain(KEY);
    expect(out.message).toContain('[REDACTED]');
  });

  it('scrubs before shortening, so a key at the cut cannot leak in part', () => {
    const body = `${'x'.repeat(230)} ${KEY}`;
    const out = classifyHttp({ status: 500, body }, scrub);
    expect(out.message).not.toContain('sk-proj-SECRET');
    expect(out.message.length).toBeLessThan(300);
  });

  it('keeps angle brackets in JSON messages', () => {
    const out = classifyHttp(
      { status: 400, body: openai(null, 'invalid_request_error', 'expected <int>') },
      scrub,
    );
    expect(out.message).toBe('HTTP 400 invalid_request_error: expected <int>');
  });

  it('reads the text of an HTML page without a title', () => {
    const out = classifyHttp(
      {
        status: 503,
        body: '<html><style>p{}</style><body><h1>Service  Unavailable</h1></body></html>',
      },
      scrub,
    );
    expect(out).toEqual({ errorClass: 'server_error', message: 'HTTP 503: Service Unavailable' });
  });

  it('flattens HTML error pages', () => {
    const out = classifyHttp(
      { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' },
      scrub,
    );
    expect(out.message).toBe('HTTP 502: 502 Bad Gateway');
  });
});

describe('parseVendorError', () => {
  it.each([
    [
      openai('invalid_api_key', 'invalid_request_error', 'bad'),
      { type: 'invalid_request_error', code: 'invalid_api_key', message: 'bad' },
    ],
    [
      anthropic('overloaded_error', 'Overloaded'),
      { type: 'overloaded_error', message: 'Overloaded', requestId: 'req_1' },
    ],
    ['{"error":"model not found"}', { message: 'model not found' }],
    ['{"message":"Unauthorized"}', { message: 'Unauthorized' }],
    ['{"detail":"Not authenticated"}', { message: 'Not authenticated' }],
    [
      '{"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}}',
      { type: 'RESOURCE_EXHAUSTED', code: '429', message: 'slow' },
    ],
    ['not json', undefined],
    ['[]', undefined],
    ['{}', undefined],
  ])('%s', (body, expected) => {
    expect(parseVendorError(body)).toEqual(expected);
  });
});

describe('classifyStreamError', () => {
  it.each([
    [{ type: 'overloaded_error', message: 'Overloaded' }, 'overloaded'],
    [{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded'],
    [{ type: 'api_error', message: 'Internal' }, 'server_error'],
    [{ type: 'rate_limit_error', message: 'slow down' }, 'rate_limited'],
    [{ message: 'The server had an error', type: 'server_error' }, 'server_error'],
    [{ code: 502, message: 'Provider returned error' }, 'server_error'],
    [{ code: 429, message: 'Rate limited upstream' }, 'rate_limited'],
    [{ code: 'invalid_api_key', message: 'bad key' }, 'auth'],
    [{ type: 'invalid_request_error', message: 'bad' }, 'bad_request'],
    [{ message: 'something odd' }, 'server_error'],
    ['plain string error', 'server_error'],
  ])('%j → %s', (error, cls) => {
    const out = classifyStreamError(error, scrub);
    expect(out.errorClass).toBe(cls);
    expect(out.message).toMatch(/^stream error after HTTP 200/);
  });
});

describe('classifyThrown', () => {
  const ctx = { aborted: false, phase: 'headers' as const };
  it.each([
    [new HttpClientError('timeout', 'GET h: aborted'), 'timeout'],
    [new HttpClientError('network', 'GET h: ECONNREFUSED', 'ECONNREFUSED'), 'network'],
    [new HttpClientError('body_too_large', 'too big'), 'bad_response'],
    [new HttpClientError('protocol', 'HPE_INVALID'), 'bad_response'],
    [new SseError('malformed', 'bad line'), 'bad_response'],
    [new SseError('too_large', 'big'), 'bad_response'],
    [new Error('weird'), 'network'],
  ])('%s → %s', (err, cls) => {
    expect(classifyThrown(err, scrub, ctx).errorClass).toBe(cls);
  });

  it('calls any failure after the signal aborted a timeout', () => {
    const out = classifyThrown(new Error('socket hang up'), scrub, {
      aborted: true,
      phase: 'first token',
    });
    expect(out).toEqual({
      errorClass: 'timeout',
      message: 'timed out waiting for the first token',
    });
  });

  it('scrubs transport messages too', () => {
    const out = classifyThrown(new HttpClientError('network', `boom ${KEY}`), scrub, ctx);
    expect(out.message).not.toContain(KEY);
  });
});
