import type { CorpusCase } from './types.js';
import { json } from './types.js';

// Sources
const OPENAI_SDK =
  'openai/openai-node src/resources/embeddings.ts (CreateEmbeddingResponse: data[].embedding, model, usage.prompt_tokens)';
const AZURE_DOC =
  'MicrosoftDocs/azure-ai-docs articles/ai-foundry/openai/reference.md (Embeddings: the OpenAI response shape)';
const VLLM =
  'vllm-project/vllm vllm/entrypoints/openai/protocol.py (EmbeddingResponse: id, object, created, model, data, usage)';
const GEMINI_DOC = 'ai.google.dev/api/embeddings (EmbedContentResponse {embedding: {values}})';
const TITAN_DOC =
  'docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html (V2 response)';
const COHERE_BEDROCK_DOC =
  'docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html (Cohere Embed response, embeddings_by_type)';
const COHERE_SDK =
  'cohere-ai/cohere-typescript src/api/types/EmbedByTypeResponse.ts and ApiMetaBilledUnits.ts';
const OLLAMA_DOC = 'ollama/ollama docs/api.md ("Generate Embeddings", POST /api/embed response)';

const vector = [0.0023064255, -0.009327292, 0.015797347, -0.0077780345, -0.0046922187];

/** Embeddings answers as the vendors document them: each probe reads the vector and its tokens. */
export const EMBEDDINGS_CASES: readonly CorpusCase[] = [
  {
    id: 'openai-embeddings-ok',
    vendor: 'openai',
    source: OPENAI_SDK,
    check: 'embeddings',
    dep: { embeddingModel: 'text-embedding-3-small' },
    response: json(
      200,
      {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: vector }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8, total_tokens: 8 },
      },
      { 'x-request-id': 'req_emb_0123' },
    ),
    expect: { ok: true, tokens: { input: 8, output: 0 } },
  },
  {
    id: 'openai-embeddings-404-model-not-found',
    vendor: 'openai',
    source: 'platform.openai.com/docs/guides/error-codes (404 model_not_found, OpenAI error body)',
    check: 'embeddings',
    dep: { embeddingModel: 'text-embedding-4-tiny' },
    response: json(404, {
      error: {
        message:
          'The model `text-embedding-4-tiny` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    }),
    expect: {
      ok: false,
      errorClass: 'model_unavailable',
      messageIncludes: ['text-embedding-4-tiny'],
    },
  },
  {
    id: 'azure-embeddings-ok',
    vendor: 'azure-openai',
    source: AZURE_DOC,
    check: 'embeddings',
    dep: { embeddingModel: 'embed-prod' },
    response: json(
      200,
      {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: vector }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 9, total_tokens: 9 },
      },
      { 'apim-request-id': '7c1e1b2f-emb' },
    ),
    expect: { ok: true, tokens: { input: 9, output: 0 }, requestId: '7c1e1b2f-emb' },
  },
  {
    id: 'openai-compatible-vllm-embeddings-ok',
    vendor: 'openai-compatible',
    source: VLLM,
    check: 'embeddings',
    dep: { embeddingModel: 'intfloat/e5-small' },
    response: json(200, {
      id: 'embd-5d1e2c3b4a',
      object: 'list',
      created: 1_733_000_000,
      model: 'intfloat/e5-small',
      data: [{ index: 0, object: 'embedding', embedding: vector }],
      usage: {
        prompt_tokens: 7,
        total_tokens: 7,
        completion_tokens: 0,
        prompt_tokens_details: null,
      },
    }),
    expect: { ok: true, tokens: { input: 7, output: 0 } },
  },
  {
    id: 'gemini-embed-content-ok',
    vendor: 'gemini',
    source: GEMINI_DOC,
    check: 'embeddings',
    dep: { embeddingModel: 'gemini-embedding-001' },
    response: json(200, { embedding: { values: vector } }),
    expect: { ok: true },
  },
  {
    id: 'gemini-embed-content-404',
    vendor: 'gemini',
    source: 'ai.google.dev/gemini-api/docs/troubleshooting (404 NOT_FOUND, Google error body)',
    check: 'embeddings',
    dep: { embeddingModel: 'embedding-002' },
    response: json(404, {
      error: {
        code: 404,
        message:
          'models/embedding-002 is not found for API version v1beta, or is not supported for embedContent. Call ListModels to see the list of available models and their supported methods.',
        status: 'NOT_FOUND',
      },
    }),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['embedding-002'] },
  },
  {
    id: 'bedrock-titan-embed-v2-ok',
    vendor: 'bedrock',
    source: TITAN_DOC,
    check: 'embeddings',
    dep: { embeddingModel: 'amazon.titan-embed-text-v2:0' },
    response: json(
      200,
      { embedding: vector, inputTextTokenCount: 11, embeddingsByType: { float: vector } },
      { 'x-amzn-requestid': '8d7f6e5c-emb', 'x-amzn-bedrock-input-token-count': '11' },
    ),
    expect: { ok: true, tokens: { input: 11, output: 0 } },
  },
  {
    id: 'bedrock-cohere-embed-ok',
    vendor: 'bedrock',
    source: COHERE_BEDROCK_DOC,
    check: 'embeddings',
    dep: { embeddingModel: 'cohere.embed-english-v3' },
    response: json(
      200,
      {
        id: '0b5f5a9e-emb',
        embeddings: { float: [vector] },
        response_type: 'embeddings_by_type',
        texts: ['bellwether embeddings probe'],
      },
      { 'x-amzn-requestid': '8d7f6e5c-emb2', 'x-amzn-bedrock-input-token-count': '13' },
    ),
    expect: { ok: true, tokens: { input: 13, output: 0 } },
  },
  {
    id: 'cohere-v2-embed-ok',
    vendor: 'cohere',
    source: COHERE_SDK,
    check: 'embeddings',
    dep: { embeddingModel: 'embed-v4.0' },
    response: json(200, {
      id: 'da6e531f-54c6-4a73-bf92-f60566d8d753',
      embeddings: { float: [vector] },
      texts: ['bellwether embeddings probe'],
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: 15 } },
      response_type: 'embeddings_by_type',
    }),
    expect: { ok: true, tokens: { input: 15, output: 0 } },
  },
  {
    id: 'ollama-embed-ok',
    vendor: 'ollama',
    source: OLLAMA_DOC,
    check: 'embeddings',
    dep: { embeddingModel: 'all-minilm' },
    response: json(200, {
      model: 'all-minilm',
      embeddings: [vector],
      total_duration: 14_143_917,
      load_duration: 1_019_500,
      prompt_eval_count: 8,
    }),
    expect: { ok: true, tokens: { input: 8, output: 0 } },
  },
  {
    id: 'ollama-embed-404-not-pulled',
    vendor: 'ollama',
    source: 'ollama/ollama docs/api/errors.mdx (404, {"error"} body: model not found)',
    check: 'embeddings',
    dep: { embeddingModel: 'mxbai-embed-large' },
    response: json(404, { error: 'model "mxbai-embed-large" not found, try pulling it first' }),
    expect: { ok: false, errorClass: 'model_unavailable', messageIncludes: ['mxbai-embed-large'] },
  },
];
