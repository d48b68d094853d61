import { type FakeReply, jsonReply, sseReply } from '../fake-http.js';
import { type CanaryFake, type CanaryScript, startCanaryFake, wholeArguments } from './scaffold.js';

const USAGE = { promptTokenCount: 25, candidatesTokenCount: 3, totalTokenCount: 28 };

type Part = Record<string, unknown>;

function candidateChunk(parts: Part[] | undefined, finishReason?: string, extra = {}) {
  return {
    data: {
      candidates: [
        {
          ...(parts === undefined ? {} : { content: { parts, role: 'model' } }),
          ...(finishReason === undefined ? {} : { finishReason }),
          index: 0,
          ...extra,
        },
      ],
      usageMetadata: USAGE,
      modelVersion: 'gemini-2.0-flash',
      responseId: 'canary',
    },
  };
}

const BLOCKED_RATING = [
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
];

// Google's error body: `{"error": {code, message, status}}`.
function errorReply(status: number): FakeReply {
  const name = status === 429 ? 'RESOURCE_EXHAUSTED' : status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
  return jsonReply(status, {
    error: { code: status, message: `${name} (fake)`, status: name },
  });
}

/**
 * Frames of Gemini's `streamGenerateContent?alt=sse` (googleapis/js-genai src/types.ts,
 * `GenerateContentResponse`): `data:` lines without event names, each with `candidates[0]`
 * (`content.parts[]` of `text` or a whole `functionCall {name, args}`; the last one with a
 * `finishReason`), `usageMetadata` and `modelVersion`. A blocked prompt is one chunk with
 * `promptFeedback.blockReason` and no candidates; an output filter is a candidate with
 * `finishReason` SAFETY (and no content when streaming, as the docs note) and safety ratings.
 * `signal` values: a FinishReason (`SAFETY`, …) or `block:<BlockedReason>`.
 */
function events(script: CanaryScript, key: string) {
  switch (script.kind) {
    case 'text':
      return script.fragments.map((f, i) =>
        candidateChunk(
          [{ text: f.replaceAll('$KEY', key) }],
          i === script.fragments.length - 1 ? 'STOP' : undefined,
        ),
      );
    case 'tool':
      return [
        candidateChunk(
          [
            {
              functionCall: { name: script.name, args: wholeArguments(script) },
              thoughtSignature: 'c2lnbmF0dXJl',
            },
          ],
          'STOP',
        ),
      ];
    case 'signal':
      if (script.signal.startsWith('block:')) {
        return [
          {
            data: {
              promptFeedback: {
                blockReason: script.signal.slice('block:'.length),
                safetyRatings: BLOCKED_RATING,
              },
              usageMetadata: { promptTokenCount: 25, totalTokenCount: 25 },
              modelVersion: 'gemini-2.0-flash',
            },
          },
        ];
      }
      return [
        candidateChunk([{ text: 'The' }]),
        candidateChunk(undefined, script.signal, { safetyRatings: BLOCKED_RATING }),
      ];
    case 'stream-error':
      return [
        candidateChunk([{ text: 'PHI' }]),
        {
          data: {
            error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' },
          },
        },
      ];
    default:
      return [candidateChunk([{ text: 'PHI' }])];
  }
}

/** A canary fake speaking the Gemini API (`POST /v1beta/models/{m}:streamGenerateContent?alt=sse`, `x-goog-api-key`). */
export function startGeminiCanaryFake(o: { apiKey: string }): Promise<CanaryFake> {
  return startCanaryFake({
    route: (method, pathname) =>
      method === 'POST' && pathname.endsWith(':streamGenerateContent') ? 'completion' : undefined,
    denied: (req) =>
      req.headers['x-goog-api-key'] === o.apiKey
        ? undefined
        : jsonReply(400, {
            error: {
              code: 400,
              message: 'API key not valid. Please pass a valid API key.',
              status: 'INVALID_ARGUMENT',
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason: 'API_KEY_INVALID',
                  domain: 'googleapis.com',
                },
              ],
            },
          }),
    reply: (script) =>
      script.kind === 'status' ? errorReply(script.status) : sseReply(events(script, o.apiKey)),
  });
}
