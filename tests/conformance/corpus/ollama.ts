import type { CorpusCase, CorpusResponse } from './types.js';
import { json } from './types.js';

// Sources
const ERRORS_DOC =
  'ollama/ollama docs/api/errors.mdx (status codes, {"error"} body, mid-stream error line)';
const STREAM_DOC = 'ollama/ollama docs/api/streaming.mdx (application/x-ndjson)';
const API_DOC = 'ollama/ollama docs/api.md (/api/version, /api/tags, /api/chat, thinking)';
const SERVER =
  'ollama/ollama server/sched.go ("server busy, please try again.  maximum pending requests exceeded", 503)';

const version = json(200, { version: '0.12.6' });
const tags = json(200, {
  models: [
    {
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      modified_at: '2025-10-26T17:15:24.097767Z',
      size: 2019393189,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: {
        format: 'gguf',
        family: 'llama',
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    },
  ],
});
const ndjson = (lines: readonly unknown[]): CorpusResponse => ({
  status: 200,
  headers: { 'content-type': 'application/x-ndjson' },
  frames: lines.map((l) => JSON.stringify(l)),
});
const line = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'llama3.2',
  created_at: '2025-10-26T17:15:24.097767Z',
  message: { role: 'assistant', content, ...extra },
  done: false,
});
const done = (prompt: number, evalCount: number) => ({
  model: 'llama3.2',
  created_at: '2025-10-26T17:15:24.166576Z',
  message: { role: 'assistant', content: '' },
  done_reason: 'length',
  done: true,
  total_duration: 177435542,
  load_duration: 10158958,
  prompt_eval_count: prompt,
  prompt_eval_duration: 9427125,
  eval_count: evalCount,
  eval_duration: 12127000,
});

/** Ollama: the documented statuses, its queue-full 503, the mid-stream error line, thinking. */
export const OLLAMA_CASES: CorpusCase[] = [
  {
    id: 'ollama-404-model-not-found',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (404: model doesn't exist); ${API_DOC}`,
    check: 'completion',
    dep: { model: 'llama9' },
    response: json(404, { error: 'model "llama9" not found, try pulling it first' }),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['llama9'] },
  },
  {
    id: 'ollama-400-bad-request',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (400)`,
    check: 'completion',
    response: json(400, { error: 'invalid options: num_predict must be an integer' }),
    expect: { ok: false, errorClass: 'bad_request' },
  },
  {
    id: 'ollama-401-unauthorized',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (401: authentication required but not provided)`,
    check: 'models',
    dep: { apiKey: undefined },
    response: json(401, { error: 'unauthorized' }),
    expect: { ok: false, errorClass: 'auth', credentialsMissing: true },
  },
  {
    id: 'ollama-403-cloud-access-disabled',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (403: cloud model access is disabled)`,
    check: 'completion',
    response: json(403, { error: 'cloud model access is disabled' }),
    expect: { ok: false, errorClass: 'auth' },
  },
  {
    id: 'ollama-429-rate-limited',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (429)`,
    check: 'completion',
    response: json(429, { error: 'rate limit exceeded' }, { 'retry-after': '3' }),
    expect: { ok: false, errorClass: 'rate_limited', retryAfterMs: 3000 },
  },
  {
    id: 'ollama-500-failed-to-generate',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (500, example body)`,
    check: 'completion',
    response: json(500, { error: 'the model failed to generate a response' }),
    expect: {
      ok: false,
      errorClass: 'server_error',
      messageIncludes: ['the model failed to generate a response'],
    },
  },
  {
    id: 'ollama-502-cloud-unreachable',
    vendor: 'ollama',
    source: `${ERRORS_DOC} (502: a cloud model cannot be reached)`,
    check: 'completion',
    response: json(502, { error: 'bad gateway' }),
    expect: { ok: false, errorClass: 'server_error' },
  },
  {
    id: 'ollama-503-server-busy',
    vendor: 'ollama',
    source: SERVER,
    check: 'completion',
    response: json(503, {
      error: 'server busy, please try again.  maximum pending requests exceeded',
    }),
    expect: { ok: false, errorClass: 'overloaded' },
  },
  {
    id: 'ollama-version-and-tags',
    vendor: 'ollama',
    source: API_DOC,
    check: 'models',
    routes: { '/api/version': version },
    response: tags,
    expect: { ok: true },
  },
  {
    id: 'ollama-stream-error-line',
    vendor: 'ollama',
    source: ERRORS_DOC,
    check: 'completion',
    response: ndjson([line('Yes'), { error: 'an error was encountered while running the model' }]),
    expect: {
      ok: false,
      errorClass: 'server_error',
      messageIncludes: ['an error was encountered while running the model'],
    },
  },
  {
    id: 'ollama-stream-thinking-then-content',
    vendor: 'ollama',
    source: `${STREAM_DOC}; ${API_DOC} (message.thinking)`,
    check: 'completion',
    response: ndjson([line('', { thinking: 'A short reply.' }), line('Pong'), done(26, 9)]),
    expect: { ok: true, tokens: { input: 26, output: 9 } },
  },
];
