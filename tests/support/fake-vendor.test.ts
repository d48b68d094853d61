import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendor, type Fault, type FaultRoute, startFakeVendor } from './fake-vendor.js';

const OPENAI_KEY = 'sk-test-openai-0000ABCD';
const ANTHROPIC_KEY = 'sk-ant-test-1111WXYZ';

interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending to each body chunk. */
  chunks: Array<{ atMs: number; text: string }>;
  headersAtMs: number;
  endAtMs: number;
}

/** A bare node:http call with no connection reuse; rejects with the socket error or the abort. */
function call(url: string, opts: Call = {}): Promise<Received> {
  const started = performance.now();
  const since = (): number => performance.now() - started;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...opts.headers,
      },
      agent: false,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const headersAtMs = since();
      const chunks: Received['chunks'] = [];
      res.setEncoding('utf8');
      res.on('data', (text: string) => chunks.push({ atMs: since(), text }));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: chunks.map((c) => c.text).join(''),
          chunks,
          headersAtMs,
          endAtMs: since(),
        }),
      );
    });
    req.end(payload);
  });
}

async function rejection(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await promise;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected the call to fail');
}

const openai = { authorization: `Bearer ${OPENAI_KEY}` };
const anthropic = { 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' };
const chatBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'ping' }],
  max_completion_tokens: 1,
  ...extra,
});
const messagesBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'claude-3-5-haiku-latest',
  max_tokens: 1,
  messages: [{ role: 'user', content: 'ping' }],
  ...extra,
});
const streamChat = chatBody({ stream: true, stream_options: { include_usage: true } });
const streamMessages = messagesBody({ stream: true });

/** `data:` payloads of an SSE body, in order. */
function dataLines(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6));
}

function eventNames(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('event: '))
    .map((line) => line.slice(7));
}

let vendor: FakeVendor;

beforeAll(async () => {
  vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
});
afterAll(async () => {
  await vendor.stop();
});
afterEach(() => {
  vendor.clearFaults();
  vendor.requests.length = 0;
});

describe('fake vendor routes', () => {
  it('serves /health', async () => {
    const res = await call(`${vendor.url}/health`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(vendor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists models in the OpenAI shape with OpenAI headers', async () => {
    const res = await call(`${vendor.url}/v1/models`, { headers: openai });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.object).toBe('list');
    expect(body.data[0]).toEqual({
      id: 'gpt-4o-mini',
      object: 'model',
      created: expect.any(Number),
      owned_by: expect.any(String),
    });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(Number(res.headers['openai-processing-ms'])).toBeGreaterThan(0);
    expect(res.headers).toMatchObject({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '29990',
      'x-ratelimit-reset-tokens': '6m0s',
    });
  });

  it('lists models in the Anthropic shape when asked with Anthropic headers', async () => {
    const res = await call(`${vendor.url}/v1/models`, { headers: anthropic });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.has_more).toBe(false);
    expect(body.first_id).toBe(body.data[0].id);
    expect(body.last_id).toBe(body.data.at(-1).id);
    expect(body.data[0]).toEqual({
      type: 'model',
      id: 'gpt-4o-mini',
      display_name: expect.any(String),
      created_at: expect.any(String),
    });
    expect(res.headers['request-id']).toMatch(/^req_/);
    expect(res.headers['anthropic-ratelimit-requests-limit']).toBe('50');
    expect(res.headers['anthropic-ratelimit-tokens-remaining']).toBe('79000');
    const reset = res.headers['anthropic-ratelimit-requests-reset'] as string;
    expect(reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it.each([
    ['openai known', openai, 'gpt-4o', 200, undefined],
    ['openai unknown', openai, 'gpt-2', 404, 'model_not_found'],
    ['anthropic known', anthropic, 'claude-sonnet-4-20250514', 200, undefined],
    ['anthropic unknown', anthropic, 'claude-1', 404, 'not_found_error'],
  ])('GET /v1/models/:id (%s)', async (_name, headers, id, status, error) => {
    const res = await call(`${vendor.url}/v1/models/${id}`, { headers });
    expect(res.status).toBe(status);
    const body = JSON.parse(res.body);
    if (status === 200) expect(body.id).toBe(id);
    else if (headers === openai) expect(body.error.code).toBe(error);
    else expect(body).toMatchObject({ type: 'error', error: { type: error } });
  });

  it('answers a non-streamed chat completion', async () => {
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: chatBody(),
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content).toBe('pong');
    expect(body.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 });
  });

  it('streams a chat completion as SSE with usage, a comment line and [DONE]', async () => {
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.body).toContain('\n: keep-alive\n\n');
    const data = dataLines(res.body);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('pong');
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 });
  });

  it('leaves the usage chunk out without include_usage', async () => {
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: chatBody({ stream: true }),
    });
    const chunks = dataLines(res.body)
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it('answers a non-streamed Anthropic message', async () => {
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: anthropic,
      body: messagesBody(),
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'pong' }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 8, output_tokens: 1 },
    });
  });

  it('streams an Anthropic message with the documented event names', async () => {
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: anthropic,
      body: streamMessages,
    });
    expect(res.status).toBe(200);
    expect(eventNames(res.body)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = dataLines(res.body).map((d) => JSON.parse(d));
    expect(data[3].delta).toEqual({ type: 'text_delta', text: 'pong' });
    expect(data[5].usage.output_tokens).toBe(1);
  });

  it.each([
    ['chat', '/v1/chat/completions', openai, chatBody({ model: 'gpt-9' })],
    ['messages', '/v1/messages', anthropic, messagesBody({ model: 'claude-9' })],
  ])('an unknown model in a %s request is a 404', async (route, path, headers, body) => {
    const res = await call(`${vendor.url}${path}`, { headers, body });
    expect(res.status).toBe(404);
    const json = JSON.parse(res.body);
    if (route === 'chat') expect(json.error.code).toBe('model_not_found');
    else expect(json.error).toEqual({ type: 'not_found_error', message: 'model: claude-9' });
  });

  it.each([
    ['wrong OpenAI key', '/v1/models', { authorization: 'Bearer sk-wrong-key-9876' }, 'openai'],
    ['no OpenAI key', '/v1/models', {}, 'openai'],
    ['wrong Anthropic key', '/v1/models', { ...anthropic, 'x-api-key': 'nope-nope' }, 'anthropic'],
    ['no Anthropic key', '/v1/messages', { 'anthropic-version': '2023-06-01' }, 'anthropic'],
  ])('%s is a 401 in the vendor shape', async (_name, path, headers, shape) => {
    const res = await call(`${vendor.url}${path}`, {
      headers,
      body: path === '/v1/messages' ? messagesBody() : undefined,
    });
    expect(res.status).toBe(401);
    const body = JSON.parse(res.body);
    if (shape === 'openai') {
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null });
    } else {
      expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect(body.request_id).toMatch(/^req_/);
    }
  });

  it('masks the presented key in the OpenAI 401 message', async () => {
    const res = await call(`${vendor.url}/v1/models`, {
      headers: { authorization: 'Bearer sk-wrong-key-9876' },
    });
    expect(JSON.parse(res.body).error).toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringContaining('sk-...9876'),
    });
  });

  it('requires anthropic-version on Anthropic requests', async () => {
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: { 'x-api-key': ANTHROPIC_KEY },
      body: messagesBody(),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.type).toBe('invalid_request_error');
  });

  it('rejects an unknown path with an OpenAI-style 404', async () => {
    const res = await call(`${vendor.url}/v1/nothing-here`, { headers: openai });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.message).toBe('Invalid URL (GET /v1/nothing-here)');
  });

  it('records requests with lower-case headers and the body', async () => {
    await call(`${vendor.url}/v1/chat/completions?x=1`, {
      headers: { Authorization: `Bearer ${OPENAI_KEY}`, 'X-Custom': 'yes' },
      body: chatBody(),
    });
    expect(vendor.requests).toHaveLength(1);
    const [recorded] = vendor.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions?x=1' });
    expect(recorded?.headers['x-custom']).toBe('yes');
    expect(JSON.parse(recorded?.body ?? '').model).toBe('gpt-4o-mini');
    expect(recorded?.at).toBeGreaterThan(Date.now() - 5000);
  });

  it('accepts credential-less requests when anonymous and no key is configured', async () => {
    const open = await startFakeVendor({ anonymous: true });
    try {
      expect((await call(`${open.url}/v1/models`)).status).toBe(200);
      const strict = await startFakeVendor();
      try {
        expect((await call(`${strict.url}/v1/models`)).status).toBe(401);
        const anyKey = await call(`${strict.url}/v1/models`, {
          headers: { authorization: 'Bearer anything' },
        });
        expect(anyKey.status).toBe(200);
      } finally {
        await strict.stop();
      }
    } finally {
      await open.stop();
    }
  });
});

describe('fake vendor error statuses', () => {
  const openaiExpect: Record<number, { type: string; code: string | null }> = {
    400: { type: 'invalid_request_error', code: null },
    401: { type: 'invalid_request_error', code: 'invalid_api_key' },
    403: { type: 'request_forbidden', code: 'unsupported_country_region_territory' },
    404: { type: 'invalid_request_error', code: 'model_not_found' },
    429: { type: 'requests', code: 'rate_limit_exceeded' },
    500: { type: 'server_error', code: null },
    502: { type: 'server_error', code: null },
    503: { type: 'server_error', code: null },
    529: { type: 'server_error', code: null },
  };
  const anthropicExpect: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    429: 'rate_limit_error',
    500: 'api_error',
    502: 'api_error',
    503: 'api_error',
    529: 'overloaded_error',
  };
  const statuses = [400, 401, 403, 404, 429, 500, 502, 503, 529];

  it.each(statuses)('status %i on chat has the OpenAI error shape', async (status) => {
    vendor.setFault('chat', { status });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-request-id']).toBeDefined();
    const body = JSON.parse(res.body);
    expect(body.error).toMatchObject({ ...openaiExpect[status], param: null });
    expect(body.error.message).toEqual(expect.any(String));
    expect(res.headers['retry-after']).toBe(status === 429 ? '1' : undefined);
    if (status === 429) expect(res.headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it.each(statuses)('status %i on messages has the Anthropic error shape', async (status) => {
    vendor.setFault('messages', { status });
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: anthropic,
      body: streamMessages,
    });
    expect(res.status).toBe(status);
    const body = JSON.parse(res.body);
    expect(body).toEqual({
      type: 'error',
      error: { type: anthropicExpect[status], message: expect.any(String) },
      request_id: res.headers['request-id'],
    });
    expect(res.headers['retry-after']).toBe(status === 429 ? '1' : undefined);
  });

  it('429 insufficient_quota is the billing variant, without retry-after', async () => {
    vendor.setFault('chat', { status: 429, errorCode: 'insufficient_quota' });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: chatBody(),
    });
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body).error).toMatchObject({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it.each([
    ['model_not_found', 404],
    ['insufficient_quota', 429],
    ['overloaded_error', 529],
  ])('errorCode %s alone implies status %i', async (errorCode, status) => {
    vendor.setFault('*', { errorCode });
    const res = await call(`${vendor.url}/v1/models`, { headers: openai });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body).error.code).toBe(errorCode);
  });

  it('a health fault answers with a plain JSON error', async () => {
    vendor.setFault('health', { status: 503 });
    const res = await call(`${vendor.url}/health`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'error', code: 503 });
  });
});

describe('fake vendor faults', () => {
  it('body and headers replace the response content', async () => {
    vendor.setFault('models', {
      status: 503,
      body: '<html>Slow Down</html>',
      headers: { 'content-type': 'text/html', 'x-extra': '1' },
    });
    const res = await call(`${vendor.url}/v1/models`, { headers: openai });
    expect(res.status).toBe(503);
    expect(res.body).toBe('<html>Slow Down</html>');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers['x-extra']).toBe('1');
  });

  it('hang before headers never answers', async () => {
    vendor.setFault('models', { hang: 'before-headers' });
    const err = await rejection(
      call(`${vendor.url}/v1/models`, { headers: openai, timeoutMs: 200 }),
    );
    expect(err.name).toBe('AbortError');
  });

  it('hang after headers sends the headers and never ends the body', async () => {
    vendor.setFault('chat', { hang: 'after-headers' });
    let status = 0;
    const err = await rejection(
      new Promise((resolve, reject) => {
        const req = http.request(`${vendor.url}/v1/chat/completions`, {
          method: 'POST',
          headers: openai,
          agent: false,
          signal: AbortSignal.timeout(300),
        });
        req.on('response', (res) => {
          status = res.statusCode ?? 0;
          res.on('error', reject);
          res.on('end', resolve);
          res.resume();
        });
        req.on('error', reject);
        req.end(JSON.stringify(streamChat));
      }),
    );
    expect(status).toBe(200);
    expect(err.name).toBe('AbortError');
  });

  it('headersDelayMs delays the headers', async () => {
    vendor.setFault('models', { headersDelayMs: 200 });
    const res = await call(`${vendor.url}/v1/models`, { headers: openai });
    expect(res.status).toBe(200);
    expect(res.headersAtMs).toBeGreaterThanOrEqual(190);
  });

  it('firstTokenDelayMs delays the first content chunk, not the headers', async () => {
    vendor.setFault('chat', { firstTokenDelayMs: 250 });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    const firstContent = res.chunks.find((c) => c.text.includes('"content":"pong"'));
    // Headers and the role chunk arrive at once; the content waits (relative, so load cannot fake it).
    expect((firstContent?.atMs ?? 0) - (res.chunks[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(240);
    expect(res.chunks[0]?.text).toContain('"role":"assistant"');
  });

  it('firstTokenDelayMs applies to Anthropic streams too', async () => {
    vendor.setFault('messages', { firstTokenDelayMs: 250 });
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: anthropic,
      body: streamMessages,
    });
    const firstDelta = res.chunks.find((c) => c.text.includes('content_block_delta'));
    expect((firstDelta?.atMs ?? 0) - (res.chunks[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(240);
    expect(res.chunks[0]?.text).toContain('message_start');
  });

  it('dripBytesPerSecond writes the body slowly', async () => {
    vendor.setFault('health', { dripBytesPerSecond: 50 });
    const res = await call(`${vendor.url}/health`);
    expect(res.body).toBe('{"status":"ok"}');
    // 15 bytes at 50 B/s go in 2-byte slices every 40 ms: the last leaves ~280 ms after the first.
    expect(res.endAtMs - res.headersAtMs).toBeGreaterThanOrEqual(200);
    expect(res.chunks.length).toBeGreaterThan(1);
  });

  it('reset before headers destroys the socket', async () => {
    vendor.setFault('models', { reset: 'before-headers' });
    const err = await rejection(call(`${vendor.url}/v1/models`, { headers: openai }));
    expect(err.code).toBe('ECONNRESET');
  });

  it.each([
    ['non-streamed', '/v1/models', openai, undefined],
    ['streamed', '/v1/chat/completions', openai, streamChat],
  ])(
    'reset mid-body sends headers and part of the body (%s)',
    async (_name, path, headers, body) => {
      vendor.setFault('*', { reset: 'mid-body' });
      let status = 0;
      let received = '';
      const err = await rejection(
        new Promise((resolve, reject) => {
          const req = http.request(`${vendor.url}${path}`, {
            method: body === undefined ? 'GET' : 'POST',
            headers,
            agent: false,
          });
          req.on('response', (res) => {
            status = res.statusCode ?? 0;
            res.setEncoding('utf8');
            res.on('data', (text: string) => {
              received += text;
            });
            res.on('error', reject);
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end(body === undefined ? undefined : JSON.stringify(body));
        }),
      );
      expect(status).toBe(200);
      expect(received.length).toBeGreaterThan(0);
      expect(err.code).toBe('ECONNRESET');
    },
  );

  it.each([
    ['models', '/v1/models', openai, undefined],
    ['chat', '/v1/chat/completions', openai, chatBody()],
    ['messages', '/v1/messages', anthropic, messagesBody()],
  ])('malformed json on %s is a 200 with unparsable JSON', async (route, path, headers, body) => {
    vendor.setFault(route as FaultRoute, { malformed: 'json' });
    const res = await call(`${vendor.url}${path}`, { headers, body });
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.body)).toThrow();
  });

  it('malformed json on a stream keeps SSE framing but breaks each payload', async () => {
    vendor.setFault('chat', { malformed: 'json' });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    const data = dataLines(res.body);
    expect(data.length).toBeGreaterThan(1);
    for (const line of data.filter((d) => d !== '[DONE]')) {
      expect(() => JSON.parse(line)).toThrow();
    }
  });

  it.each([
    ['chat', '/v1/chat/completions', openai, streamChat],
    ['messages', '/v1/messages', anthropic, streamMessages],
  ])(
    'malformed sse on %s leaves nothing an SSE parser can dispatch',
    async (route, path, headers, body) => {
      vendor.setFault(route as FaultRoute, { malformed: 'sse' });
      const res = await call(`${vendor.url}${path}`, { headers, body });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
      expect(dataLines(res.body)).toEqual([]);
      expect(eventNames(res.body)).toEqual([]);
      expect(res.body).not.toContain('\n\n');
    },
  );

  it('oversizedBytes sends a valid-looking JSON body of exactly that size', async () => {
    vendor.setFault('models', { oversizedBytes: 1_000_000 });
    const res = await call(`${vendor.url}/v1/models`, { headers: openai });
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.body)).toBe(1_000_000);
    expect(res.headers['content-length']).toBe('1000000');
    expect(res.body.startsWith('{"object":"list","data":[')).toBe(true);
    expect(JSON.parse(res.body).padding.length).toBeGreaterThan(900_000);
  });

  it('oversizedBytes on a stream pads the first event', async () => {
    vendor.setFault('chat', { oversizedBytes: 300_000 });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    expect(Buffer.byteLength(res.body)).toBeGreaterThanOrEqual(300_000);
    expect(dataLines(res.body).at(-1)).toBe('[DONE]');
  });

  it('streamError on chat sends an error data line after the first content and no [DONE]', async () => {
    vendor.setFault('chat', { streamError: true });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: streamChat,
    });
    expect(res.status).toBe(200);
    const data = dataLines(res.body).map((d) => JSON.parse(d));
    expect(data.at(-2).choices[0].delta.content).toBe('pong');
    expect(data.at(-1).error.type).toBe('server_error');
    expect(res.body).not.toContain('[DONE]');
  });

  it('streamError on messages sends event: error overloaded_error after the first delta', async () => {
    vendor.setFault('messages', { streamError: true });
    const res = await call(`${vendor.url}/v1/messages`, {
      headers: anthropic,
      body: streamMessages,
    });
    const names = eventNames(res.body);
    expect(names.slice(-2)).toEqual(['content_block_delta', 'error']);
    const last = JSON.parse(dataLines(res.body).at(-1) ?? '');
    expect(last.error.type).toBe('overloaded_error');
  });

  it.each([
    ['chat', '/v1/chat/completions', openai, streamChat],
    ['messages', '/v1/messages', anthropic, streamMessages],
  ])('emptyCompletion on %s streams no content tokens', async (route, path, headers, body) => {
    vendor.setFault(route as FaultRoute, { emptyCompletion: true });
    const res = await call(`${vendor.url}${path}`, { headers, body });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('pong');
    if (route === 'chat') {
      expect(dataLines(res.body).at(-1)).toBe('[DONE]');
      expect(res.body).toContain('"finish_reason":"length"');
    } else {
      expect(eventNames(res.body)).not.toContain('content_block_delta');
      expect(eventNames(res.body).at(-1)).toBe('message_stop');
    }
  });

  it('emptyCompletion on a non-streamed chat returns empty content', async () => {
    vendor.setFault('chat', { emptyCompletion: true });
    const res = await call(`${vendor.url}/v1/chat/completions`, {
      headers: openai,
      body: chatBody(),
    });
    expect(JSON.parse(res.body).choices[0].message.content).toBe('');
  });

  it('times limits a fault to the next N matching requests', async () => {
    vendor.setFault('models', { status: 500, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(`${vendor.url}/v1/models`, { headers: openai })).status);
    }
    expect(statuses).toEqual([500, 500, 200]);
  });

  it("a route's own fault wins over '*', and null clears it", async () => {
    vendor.setFault('*', { status: 503 });
    vendor.setFault('health', { status: 500 });
    expect((await call(`${vendor.url}/health`)).status).toBe(500);
    expect((await call(`${vendor.url}/v1/models`, { headers: openai })).status).toBe(503);
    vendor.setFault('health', null);
    expect((await call(`${vendor.url}/health`)).status).toBe(503);
    vendor.clearFaults();
    expect((await call(`${vendor.url}/health`)).status).toBe(200);
  });

  it('faults precede authentication (a vendor outage hides key problems)', async () => {
    vendor.setFault('models', { status: 529 });
    const res = await call(`${vendor.url}/v1/models`, { headers: anthropic });
    expect(res.status).toBe(529);
  });
});

describe('fake vendor control endpoints', () => {
  it('sets and clears faults and counts requests over HTTP', async () => {
    const fault: Fault = { status: 502, times: 1 };
    const set = await call(`${vendor.url}/__fault`, { body: { route: 'health', fault } });
    expect(set.status).toBe(200);
    expect((await call(`${vendor.url}/health`)).status).toBe(502);
    expect((await call(`${vendor.url}/health`)).status).toBe(200);

    await call(`${vendor.url}/__fault`, { body: { route: '*', fault: { status: 500 } } });
    expect((await call(`${vendor.url}/health`)).status).toBe(500);
    await call(`${vendor.url}/__fault`, { body: { route: '*', fault: null } });
    expect((await call(`${vendor.url}/health`)).status).toBe(200);

    const counted = JSON.parse((await call(`${vendor.url}/__requests`)).body);
    expect(counted.count).toBe(4);
    expect(counted.requests[0]).toEqual({ method: 'GET', path: '/health', at: expect.any(Number) });
  });

  it('rejects an unknown fault route, listing the valid ones', async () => {
    const res = await call(`${vendor.url}/__fault`, { body: { route: 'nope', fault: {} } });
    expect(res.status).toBe(400);
    const valid =
      '*, openai, anthropic, models, openai:models, anthropic:models, chat, messages, embeddings, health, responses';
    expect(JSON.parse(res.body)).toEqual({
      error: `unknown fault route "nope"; valid routes: ${valid}`,
      routes: valid.split(', '),
    });
    expect(() => vendor.setFault('nope' as FaultRoute, {})).toThrow(
      `unknown fault route "nope"; valid routes: ${valid}`,
    );
  });

  // Which of the four requests (OpenAI models, chat; Anthropic models, messages) a fault hits.
  it.each<[FaultRoute, string[]]>([
    ['*', ['openai models', 'chat', 'anthropic models', 'messages', 'health']],
    ['openai', ['openai models', 'chat']],
    ['anthropic', ['anthropic models', 'messages']],
    ['models', ['openai models', 'anthropic models']],
    ['openai:models', ['openai models']],
    ['anthropic:models', ['anthropic models']],
    ['chat', ['chat']],
    ['messages', ['messages']],
    ['health', ['health']],
  ])('a fault on %s hits exactly %j', async (route, hit) => {
    const requests: [string, string, Record<string, string>, unknown][] = [
      ['openai models', '/v1/models', openai, undefined],
      ['chat', '/v1/chat/completions', openai, chatBody()],
      ['anthropic models', '/v1/models', anthropic, undefined],
      ['messages', '/v1/messages', anthropic, messagesBody()],
      ['health', '/health', {}, undefined],
    ];
    vendor.setFault(route, { status: 503 });
    const faulted: string[] = [];
    for (const [name, path, headers, body] of requests) {
      const res = await call(`${vendor.url}${path}`, { headers, body });
      if (res.status === 503) faulted.push(name);
    }
    expect(faulted).toEqual(hit);
  });

  it('the narrowest fault wins: vendor route over route over vendor over *', async () => {
    vendor.setFault('*', { status: 500 });
    vendor.setFault('openai', { status: 502 });
    vendor.setFault('models', { status: 503 });
    vendor.setFault('openai:models', { status: 504 });
    const status = async (path: string, headers: Record<string, string>, body?: unknown) =>
      (await call(`${vendor.url}${path}`, { headers, body })).status;
    expect(await status('/v1/models', openai)).toBe(504);
    expect(await status('/v1/models', anthropic)).toBe(503);
    expect(await status('/v1/chat/completions', openai, chatBody())).toBe(502);
    expect(await status('/v1/messages', anthropic, messagesBody())).toBe(500);
  });
});

describe('fake vendor stop and start', () => {
  it('stop() ends hanging and dripping requests, refuses new ones, and start() listens again', async () => {
    const own = await startFakeVendor({ anonymous: true });
    own.setFault('models', { hang: 'before-headers', times: 1 });
    own.setFault('health', { dripBytesPerSecond: 1 });
    const hanging = rejection(call(`${own.url}/v1/models`, { timeoutMs: 10_000 }));
    const dripping = rejection(call(`${own.url}/health`, { timeoutMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = performance.now();
    await own.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await hanging).code).toBe('ECONNRESET');
    expect((await dripping).code).toBe('ECONNRESET');

    const refused = await rejection(call(`${own.url}/health`));
    expect(refused.code).toBe('ECONNREFUSED');

    own.clearFaults();
    await own.start();
    expect((await call(`${own.url}/health`)).status).toBe(200);
    await own.stop();
    await own.stop();
  });

  it('listens on a requested port', async () => {
    const first = await startFakeVendor();
    const port = first.port;
    await first.stop();
    const second = await startFakeVendor({ port });
    try {
      expect(second.port).toBe(port);
      expect(second.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await second.stop();
    }
  });
});
