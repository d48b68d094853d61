import type { DependencyConfig } from '../../src/config/types.js';
import { type DependencyOverrides, testDependency } from './dependency.js';
import { startFakeAzure } from './fake-azure.js';
import { startFakeBedrock } from './fake-bedrock.js';
import { startFakeCohere } from './fake-cohere.js';
import type { FakeEmbedding } from './fake-embedding.js';
import { startFakeGemini } from './fake-gemini.js';
import { startFakeOllama } from './fake-ollama.js';
import { startFakeVendor } from './fake-vendor.js';

// Every vendor surface that offers the embeddings check, with its fake and a dependency on it:
// read by the probe tests (tests/probes/embeddings.test.ts) and the model-change tests.

const OPENAI_KEY = 'sk-emb-fake-0123456789abcdefghijklmn';
const AZURE_KEY = 'azkey-emb-0123456789abcdef0123456789';
const GEMINI_KEY = 'AIzaSyEmbFake0123456789abcdefghijklm';
const COHERE_KEY = 'co-emb-fake-key-0123456789abcdefghij';
export const AWS = {
  region: 'us-east-1',
  accessKeyId: 'AKIAEMBFAKE012345678',
  secretAccessKey: 'embSecretAccessKey/0123456789abcdefghijKL',
};
export const SECRETS = [
  OPENAI_KEY,
  AZURE_KEY,
  GEMINI_KEY,
  COHERE_KEY,
  AWS.accessKeyId,
  AWS.secretAccessKey,
];

/** One fake, whatever its vendor: its requests, its faults on the embeddings route, its vector. */
export interface Rig {
  url: string;
  requests: ReadonlyArray<{ method: string; path: string; body: string }>;
  clear(): void;
  fault(f: {
    status?: number;
    errorCode?: string;
    body?: string;
    hang?: 'before-headers';
    reset?: 'mid-body';
  }): void;
  setEmbedding(e: FakeEmbedding): void;
  stop(): Promise<void>;
}

/** One vendor surface under test. */
export interface Setup {
  name: string;
  start(): Promise<Rig>;
  dep(url: string, over?: DependencyOverrides): DependencyConfig;
  /** `METHOD path` of the embeddings request. */
  route: string;
  dimensions: number;
  /** Input tokens the vendor reports; undefined where it reports none (Gemini). */
  tokens: number | undefined;
  /** The fault that rejects our credentials. */
  authFault: { status?: number; errorCode?: string };
  /** A 2xx body in the vendor's shape carrying `vector` (JSON text) as the embedding. */
  body(vector: string): string;
}

type VendorFakeLike = {
  url: string;
  requests: Array<{ method: string; path: string; body: string }>;
  clearFaults(): void;
  setFault(route: 'embeddings', fault: object | null): void;
  setEmbedding(e: FakeEmbedding): void;
  stop(): Promise<void>;
};

function rig(fake: VendorFakeLike): Rig {
  return {
    url: fake.url,
    requests: fake.requests,
    clear() {
      fake.clearFaults();
      fake.requests.length = 0;
      fake.setEmbedding({});
    },
    fault: (f) => fake.setFault('embeddings', f),
    setEmbedding: (e) => fake.setEmbedding(e),
    stop: () => fake.stop(),
  };
}

const openAIBody = (v: string) =>
  `{"object":"list","data":[{"object":"embedding","index":0,"embedding":${v}}],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}`;

export const SETUPS: Setup[] = [
  {
    name: 'openai',
    start: async () => rig(await startFakeVendor({ openaiKey: OPENAI_KEY })),
    dep: (url, over) =>
      testDependency({
        vendor: 'openai',
        baseUrl: `${url}/v1`,
        apiKey: OPENAI_KEY,
        embeddingModel: 'text-embedding-3-small',
        ...over,
      }),
    route: 'POST /v1/embeddings',
    dimensions: 1536,
    tokens: 8,
    authFault: { status: 401 },
    body: openAIBody,
  },
  {
    name: 'openai-compatible',
    start: async () => rig(await startFakeVendor({ anonymous: true })),
    dep: (url, over) =>
      testDependency({
        vendor: 'openai-compatible',
        baseUrl: `${url}/v1`,
        embeddingModel: 'nomic-embed-text',
        ...over,
      }),
    route: 'POST /v1/embeddings',
    dimensions: 1536,
    tokens: 8,
    authFault: { status: 401 },
    body: openAIBody,
  },
  ...[undefined, '2024-10-21'].map(
    (apiVersion): Setup => ({
      name: `azure-openai (${apiVersion === undefined ? 'v1' : 'dated'} surface)`,
      start: async () => rig(await startFakeAzure({ apiKey: AZURE_KEY })),
      dep: (url, over) =>
        testDependency({
          vendor: 'azure-openai',
          baseUrl: url,
          apiKey: AZURE_KEY,
          model: 'chat-prod',
          embeddingModel: 'embed-prod',
          ...(apiVersion === undefined ? {} : { apiVersion }),
          ...over,
        }),
      route:
        apiVersion === undefined
          ? 'POST /openai/v1/embeddings'
          : `POST /openai/deployments/embed-prod/embeddings?api-version=${apiVersion}`,
      dimensions: 1536,
      tokens: 8,
      authFault: { status: 401 },
      body: openAIBody,
    }),
  ),
  {
    name: 'gemini',
    start: async () => rig(await startFakeGemini({ apiKey: GEMINI_KEY })),
    dep: (url, over) =>
      testDependency({
        vendor: 'gemini',
        baseUrl: url,
        apiKey: GEMINI_KEY,
        model: 'gemini-2.0-flash',
        embeddingModel: 'gemini-embedding-001',
        ...over,
      }),
    route: 'POST /v1beta/models/gemini-embedding-001:embedContent',
    dimensions: 3072,
    tokens: undefined,
    authFault: { errorCode: 'API_KEY_INVALID' },
    body: (v) => `{"embedding":{"values":${v}}}`,
  },
  ...(
    [
      [
        'titan',
        'amazon.titan-embed-text-v2:0',
        (v: string) =>
          `{"embedding":${v},"inputTextTokenCount":12,"embeddingsByType":{"float":${v}}}`,
      ],
      [
        'cohere',
        'cohere.embed-v4:0',
        (v: string) =>
          `{"id":"x","embeddings":{"float":[${v}]},"response_type":"embeddings_by_type","texts":["t"]}`,
      ],
    ] as const
  ).map(
    ([family, model, body]): Setup => ({
      name: `bedrock (${family})`,
      start: async () => rig(await startFakeBedrock(AWS)),
      dep: (url, over) =>
        testDependency({
          vendor: 'bedrock',
          baseUrl: url,
          controlPlaneUrl: url,
          ...AWS,
          model: 'amazon.nova-micro-v1:0',
          embeddingModel: model,
          ...over,
        }),
      route: `POST /model/${encodeURIComponent(model)}/invoke`,
      dimensions: 1024,
      tokens: 12,
      authFault: { errorCode: 'UnrecognizedClientException' },
      body,
    }),
  ),
  {
    name: 'cohere',
    start: async () => rig(await startFakeCohere({ apiKey: COHERE_KEY })),
    dep: (url, over) =>
      testDependency({
        vendor: 'cohere',
        baseUrl: url,
        apiKey: COHERE_KEY,
        model: 'command-r-08-2024',
        embeddingModel: 'embed-v4.0',
        ...over,
      }),
    route: 'POST /v2/embed',
    dimensions: 1536,
    tokens: 14,
    authFault: { status: 401 },
    body: (v) =>
      `{"id":"x","embeddings":{"float":[${v}]},"texts":["t"],"meta":{"billed_units":{"input_tokens":14}}}`,
  },
  {
    name: 'ollama',
    start: async () => rig(await startFakeOllama()),
    dep: (url, over) =>
      testDependency({
        vendor: 'ollama',
        baseUrl: url,
        model: 'llama3.2',
        embeddingModel: 'nomic-embed-text',
        ...over,
      }),
    route: 'POST /api/embed',
    dimensions: 768,
    tokens: 15,
    authFault: { status: 401 },
    body: (v) => `{"model":"nomic-embed-text","embeddings":[${v}],"prompt_eval_count":15}`,
  },
];
