import { describeValue, expecting } from '../config/fields.js';
import type { DependencyConfig } from '../config/types.js';
import { isRecord } from '../probes/json.js';
import { withModelNamed } from '../probes/llm-probe.js';

import {
  createOpenAIApiCanary,
  createOpenAIApiProbe,
  openAIApiField,
} from '../probes/openai-responses.js';
import type { Scrubber } from '../probes/scrub.js';
import type { Probe } from '../probes/types.js';
import { type CanaryAdapter, defineVendor, type VendorConfigIssue } from './types.js';

/** The Azure-only key: the dated surface's `api-version`; absent means the v1 surface. */
interface AzureOptions {
  apiVersion?: string;
}

const optionsOf = (dep: DependencyConfig): AzureOptions => dep.options as AzureOptions;

// Dated api-versions before this one do not know `max_completion_tokens`.
const FIRST_MAX_COMPLETION_TOKENS_VERSION = '2024-09-01';

// Operators copy the endpoint from the portal with or without the `/openai…` part.
function resourceRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/, '');
}

/** The two routes of one surface: v1 (`/openai/v1/…`, deployment in the body) or dated (`/openai/deployments/{d}/…?api-version=`). */
export function azureUrls(dep: DependencyConfig): { models: string; completion: string } {
  const root = resourceRoot(dep.baseUrl);
  const { apiVersion } = optionsOf(dep);
  if (apiVersion === undefined) {
    return {
      models: `${root}/openai/v1/models`,
      completion: `${root}/openai/v1/chat/completions`,
    };
  }
  const version = `api-version=${encodeURIComponent(apiVersion)}`;
  const deployment = encodeURIComponent(dep.model ?? '');
  return {
    models: `${root}/openai/models?${version}`,
    completion: `${root}/openai/deployments/${deployment}/chat/completions?${version}`,
  };
}

/**
 * Where `embeddings` goes: the v1 surface's `/openai/v1/embeddings` (the embedding deployment
 * in the body), or the dated `/openai/deployments/{embeddingModel}/embeddings?api-version=`.
 */
export function azureEmbeddingsUrl(dep: DependencyConfig): string {
  const root = resourceRoot(dep.baseUrl);
  const { apiVersion } = optionsOf(dep);
  if (apiVersion === undefined) return `${root}/openai/v1/embeddings`;
  const deployment = encodeURIComponent(dep.embeddingModel ?? '');
  return `${root}/openai/deployments/${deployment}/embeddings?api-version=${encodeURIComponent(apiVersion)}`;
}

/**
 * The Responses route, on the v1 surface only: `{resource}/openai/v1/responses` with the
 * deployment in `model` and no api-version (the OpenAI client pointed at
 * `{endpoint}/openai/v1/`, openai/openai-node examples/azure/responses.ts; the v1 API needs
 * no dated api-version, learn.microsoft.com azure/ai-foundry/openai/api-version-lifecycle).
 */
export function azureResponsesUrl(dep: DependencyConfig): string {
  return `${resourceRoot(dep.baseUrl)}/openai/v1/responses`;
}

const azureKeyHeader = (d: DependencyConfig): Record<string, string> =>
  d.apiKey === undefined ? {} : { 'api-key': d.apiKey };

/**
 * Probe for Azure OpenAI (`api-key` header; `model` is the deployment name). Without
 * `apiVersion` it speaks the v1 surface (`{baseUrl}/openai/v1/…`); with one, the dated
 * surface (`/openai/deployments/{deployment}/chat/completions?api-version=…`). `models`
 * lists the resource's models, which proves endpoint and key but not the deployment (the
 * list names models, not deployments); a missing deployment shows in `completion` as 404
 * `DeploymentNotFound` → model_unavailable, naming it. The stream is OpenAI's: the leading
 * `choices: []` chunk with `prompt_filter_results` carries no text and does not stop the
 * first-token clock. With `api: responses` the completion goes to {@link azureResponsesUrl}.
 */
export function createAzureOpenAIProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const { apiVersion } = optionsOf(dep);
  const dated = apiVersion !== undefined;
  const options = {
    vendor: 'azure-openai',
    dep,
    scrub,
    keyRequired: true,
    tokenParam:
      dated && (apiVersion ?? '') < FIRST_MAX_COMPLETION_TOKENS_VERSION
        ? 'max_tokens'
        : 'max_completion_tokens',
    urls: azureUrls(dep),
    embeddingsUrl: azureEmbeddingsUrl(dep),
    embeddingNoun: 'deployment',
    authHeaders: azureKeyHeader,
    modelListed: false,
  } as const;
  const probe = createOpenAIApiProbe(options, azureResponsesUrl(dep));
  return withModelNamed(probe, dep.model, scrub, 'deployment');
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(?:-preview)?$/;
const apiVersionField = () =>
  expecting('an api-version').refine((s) => API_VERSION.test(s), {
    error: (iss) =>
      `expected an api-version like 2024-10-21 or 2025-04-01-preview (leave apiVersion out for the v1 surface), got ${describeValue(iss.input)}`,
  });

// Azure serves the Responses API on the v1 surface; a dated api-version would pick the other one.
function checkAzureConfig(dep: Readonly<Record<string, unknown>>): VendorConfigIssue[] {
  if (dep.api !== 'responses' || dep.apiVersion === undefined) return [];
  return [
    {
      key: 'apiVersion',
      at: 'key',
      message:
        'apiVersion picks the dated surface, but api: responses speaks the v1 surface (/openai/v1/responses); leave apiVersion out',
    },
  ];
}

/** Azure OpenAI: `api-key` header, the resource's own URL, `model` names the deployment. */
export const azureOpenai = defineVendor({
  id: 'azure-openai',
  displayName: 'Azure OpenAI',
  genAiProvider: 'azure.ai.openai',
  baseUrlHint: ': https://RESOURCE.openai.azure.com',
  embeddingExample: 'text-embedding-3-small (the name of your embedding deployment)',
  configKeys: { apiVersion: apiVersionField().optional(), api: openAIApiField() },
  checkConfig: checkAzureConfig,
  createProbe: createAzureOpenAIProbe,
  canary: azureCanary(),
});

// Reproducible output (`seed`) came with api-version 2023-12-01-preview
// (MicrosoftDocs/azure-ai-docs articles/ai-services/openai/how-to/reproducible-output.md).
const FIRST_SEED_VERSION = '2023-12-01';

function azureTokenParam(dep: DependencyConfig): 'max_completion_tokens' | 'max_tokens' {
  const { apiVersion } = optionsOf(dep);
  return apiVersion !== undefined && apiVersion < FIRST_MAX_COMPLETION_TOKENS_VERSION
    ? 'max_tokens'
    : 'max_completion_tokens';
}

/**
 * Azure's content filter refuses a prompt with HTTP 400 and `error.code: "content_filter"`
 * (inner code `ResponsibleAIPolicyViolation`): MicrosoftDocs/azure-ai-docs
 * articles/ai-services/openai/concepts/content-filter.md, "Scenario details".
 */
export function azureRefusalInError(status: number, body: string | undefined): string | undefined {
  if (status !== 400 || body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = isRecord(parsed) ? parsed.error : undefined;
  if (!isRecord(error)) return undefined;
  const inner = isRecord(error.innererror) ? error.innererror.code : undefined;
  return error.code === 'content_filter' || inner === 'ResponsibleAIPolicyViolation'
    ? 'content_filter'
    : undefined;
}

/**
 * Azure canaries: OpenAI's stream and signals, Azure's routes and key, its 400 content
 * filter; with `api: responses` over {@link azureResponsesUrl}.
 */
function azureCanary(): CanaryAdapter {
  return createOpenAIApiCanary(
    {
      tokenParam: azureTokenParam,
      seed: (dep) => {
        const { apiVersion } = optionsOf(dep);
        return apiVersion === undefined || apiVersion >= FIRST_SEED_VERSION;
      },
      completionUrl: (dep) => azureUrls(dep).completion,
      authHeaders: azureKeyHeader,
      refusalInError: azureRefusalInError,
    },
    { url: azureResponsesUrl, authHeaders: azureKeyHeader, refusalInError: azureRefusalInError },
  );
}
