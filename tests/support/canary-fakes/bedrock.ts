import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { type FakeReply, type FakeRequest, jsonReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake } from './scaffold.js';

/** Credentials the fake accepts: a Bedrock API key (Bearer) and a SigV4 key pair. */
export interface BedrockFakeOptions {
  apiKey: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

// AWS REST-JSON errors: `{"message"}` with the exception name in `x-amzn-errortype`.
function awsError(status: number, name: string, message: string): FakeReply {
  return jsonReply(
    status,
    { message },
    { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  );
}

function errorReply(status: number): FakeReply {
  if (status === 429) {
    return awsError(
      429,
      'ThrottlingException',
      'Too many requests, please wait before trying again.',
    );
  }
  return awsError(
    status,
    'InternalServerException',
    'The server encountered an internal error while processing the request.',
  );
}

/**
 * Frames of ConverseStream (aws/aws-sdk-js-v3 clients/client-bedrock-runtime
 * src/models/models_0.ts, `ConverseStreamOutput`) in AWS event-stream binary framing:
 * `messageStart`, `contentBlockStart.start.toolUse {toolUseId, name}`,
 * `contentBlockDelta.delta` (`text` or `toolUse.input` fragments), `contentBlockStop`,
 * `messageStop.stopReason` (`end_turn`, `tool_use`, `guardrail_intervened`,
 * `content_filtered`, enums.ts `StopReason`), then `metadata.usage`; an exception frame
 * (`:message-type: exception`, `:exception-type: throttlingException`) mid-stream. Event
 * payloads carry Bedrock's `p` padding.
 */
function frames(codec: EventStreamCodec, script: CanaryScript, key: string): Uint8Array[] {
  const frame = (type: string, payload: Record<string, unknown>) =>
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEF' })),
    });
  const start = frame('messageStart', { role: 'assistant' });
  const text = (t: string) =>
    frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: t } });
  const end = (stopReason: string) => [
    frame('contentBlockStop', { contentBlockIndex: 0 }),
    frame('messageStop', { stopReason }),
    frame('metadata', {
      usage: { inputTokens: 29, outputTokens: 4, totalTokens: 33 },
      metrics: { latencyMs: 250 },
    }),
  ];
  switch (script.kind) {
    case 'text':
      return [
        start,
        ...script.fragments.map((f) => text(f.replaceAll('$KEY', key))),
        ...end('end_turn'),
      ];
    case 'tool':
      return [
        start,
        frame('contentBlockStart', {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: 'tooluse_canary', name: script.name } },
        }),
        ...script.fragments.map((input) =>
          frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } }),
        ),
        ...end('tool_use'),
      ];
    case 'signal':
      // A guardrail replaces the answer with its configured blocked message.
      return [start, text('Sorry, the model cannot answer this question.'), ...end(script.signal)];
    case 'stream-error':
      return [
        start,
        text('PHI'),
        codec.encode({
          headers: {
            ':exception-type': { type: 'string', value: 'throttlingException' },
            ':content-type': { type: 'string', value: 'application/json' },
            ':message-type': { type: 'string', value: 'exception' },
          },
          body: fromUtf8(
            JSON.stringify({ message: 'Too many tokens, please wait before trying again.' }),
          ),
        }),
      ];
    default:
      return [start, text('PHI')];
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Re-signs the request with the fake's own key pair; the signatures must match. */
async function sigV4Valid(req: FakeRequest, o: BedrockFakeOptions, port: number): Promise<boolean> {
  const m = AUTHORIZATION.exec(req.headers.authorization ?? '');
  if (!m || m[1] !== o.accessKeyId || m[2] !== o.region || m[3] !== 'bedrock') return false;
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(req.headers['x-amz-date'] ?? '');
  if (!d) return false;
  const [, y, mo, day, h, mi, s] = d.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, day, h, mi, s));
  const headers: Record<string, string> = {};
  for (const name of (m[4] ?? '').split(';')) headers[name] = req.headers[name] ?? '';
  const signer = new SignatureV4({
    service: 'bedrock',
    region: o.region,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    sha256: Sha256,
  });
  const expected = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: req.url.pathname,
      query: {},
      headers,
      body: req.body,
    },
    { signingDate },
  );
  return expected.headers.authorization?.endsWith(`Signature=${m[5]}`) === true;
}

/**
 * A canary fake speaking Bedrock's ConverseStream (`POST /model/{id}/converse-stream`),
 * accepting the Bedrock API key as Bearer or a SigV4 signature for service `bedrock`.
 */
export async function startBedrockCanaryFake(o: BedrockFakeOptions): Promise<CanaryFake> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let port = 0;
  const fake = await startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname.endsWith('/converse-stream') ? 'completion' : undefined,
    async denied(req) {
      const auth = req.headers.authorization ?? '';
      if (auth === `Bearer ${o.apiKey}`) return undefined;
      if (auth.startsWith('AWS4-HMAC-SHA256') && (await sigV4Valid(req, o, port))) return undefined;
      return awsError(
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    },
    reply(script) {
      if (script.kind === 'status') return errorReply(script.status);
      return {
        status: 200,
        headers: {
          'content-type': 'application/vnd.amazon.eventstream',
          'x-amzn-requestid': 'canary-request',
        },
        parts: frames(codec, script, o.apiKey).map((data) => ({ data })),
      };
    },
  });
  port = fake.port;
  return fake;
}
