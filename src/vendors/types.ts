import type { z } from 'zod';
import type { CanaryAnswer, CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import type { Classification } from '../probes/classify.js';
import { LLM_CHECKS } from '../probes/llm-probe.js';
import type { Scrubber } from '../probes/scrub.js';
import type { CheckName, Probe, ProbeContext } from '../probes/types.js';
import type { HttpRequest, HttpResponse } from '../transport/http-client.js';

/** A problem a vendor finds in one dependency's raw config; `key` is relative to the dependency. */
export interface VendorConfigIssue {
  key?: string;
  message: string;
  /** The value at `key`, the key itself, or (without `key`) the dependency mapping. */
  at: 'value' | 'key' | 'parent';
}

/** What the loader hands a vendor to resolve one dependency's own keys. */
export interface VendorResolveInput {
  /** The dependency as validated (durations in ms); the vendor's keys among its fields. */
  raw: Readonly<Record<string, unknown>>;
  /** The API key, when configured and its variable set. */
  apiKey?: string;
  /** Credential key → the environment variable its value comes from (set or not). */
  credentialEnv: ReadonlyMap<string, string>;
}

/** A vendor's share of a resolved dependency. */
export interface VendorResolved {
  /** The base URL when the dependency gives none (already without a trailing slash is fine). */
  baseUrl?: string;
  /** Values of the vendor's own keys, defaults filled in; the vendor's probe reads them. */
  options: Record<string, unknown>;
  /** Overrides which variable is reported as missing (undefined leaves the apiKey one). */
  missingCredentialEnv?: string | null;
}

/**
 * Everything about one vendor: its id and wording, its config keys, its default checks and
 * its probe. The registry (src/vendors/registry.ts) lists these; config schema, loader,
 * env interpolation, scrubbing, page wording and probe creation read only the registry.
 */
export interface VendorModule {
  /** The `vendor:` value operators write. */
  readonly id: string;
  /** How people name it (status page, docs). */
  readonly displayName: string;
  /** LLM vendors have a model and spend tokens; the plain `http` prober has neither. */
  readonly llm: boolean;
  /**
   * `gen_ai.provider.name` of the OpenTelemetry GenAI semantic conventions (their well-known
   * values, docs/gen-ai/gen-ai-metrics.md; a custom one where the convention has none);
   * absent for what is no GenAI provider.
   */
  readonly genAiProvider?: string;
  /** Checks this vendor runs when a dependency lists none. */
  readonly checks: readonly CheckName[];
  /** Checks a dependency of this vendor may list (the defaults and, say, `embeddings`). */
  readonly supportedChecks: readonly CheckName[];
  /**
   * An `embeddingModel` value for this vendor, said when `embeddings` is listed without one;
   * a vendor that gives one offers the `embeddings` check (see {@link defineVendor}).
   */
  readonly embeddingExample?: string;
  /** Base URL when the dependency gives none; absent: `baseUrl` is required (or `resolve` derives it). */
  readonly defaultBaseUrl?: string;
  /** Said after "has no default" when `baseUrl` is required and missing (e.g. an example URL). */
  readonly baseUrlHint?: string;
  /** Keys only this vendor reads, with their field schemas, in documentation order. */
  readonly configKeys?: Readonly<Record<string, z.ZodType>>;
  /**
   * Among `configKeys`, the credentials: secrets (scrubbed everywhere, never echoed), and
   * optional like `apiKey` (an unset variable removes the key and is reported as missing).
   */
  readonly credentialKeys?: readonly string[];
  /** The vendor answers without credentials (local servers): a missing key is no problem. */
  readonly keyless?: boolean;
  /** True when the dependency has what this vendor needs to authenticate (default: an apiKey). */
  hasCredentials?(dep: DependencyConfig): boolean;
  /** Common keys this vendor does not take, and why. */
  readonly rejectsKeys?: Readonly<Record<string, string>>;
  /** Hint added when a dependency of another vendor uses one of this vendor's keys. */
  readonly keyHints?: Readonly<Record<string, string>>;
  /** Cross-field checks of this vendor's keys on the raw YAML data (any shape tolerated). */
  checkConfig?(dep: Readonly<Record<string, unknown>>): VendorConfigIssue[];
  /** Resolves the vendor's own keys; without it they are copied as given. */
  resolve?(input: VendorResolveInput): VendorResolved;
  /** The probe for a dependency of this vendor; `scrub` removes secrets from its messages. */
  createProbe(dep: DependencyConfig, scrub: Scrubber): Probe;
  /** How this vendor asks a security canary; LLM vendors have one. */
  readonly canary?: CanaryAdapter;
}

/**
 * A vendor's way of asking a canary: one streamed request in its own format (tools, system
 * prompt, temperature 0, a seed where offered), and a reader for its own stream that
 * assembles text and tool calls and notes the vendor's refusal signals.
 */
export interface CanaryAdapter {
  request(
    dep: DependencyConfig,
    canary: CanarySpec,
  ): Omit<HttpRequest, 'signal'> | Promise<Omit<HttpRequest, 'signal'>>;
  /** Reads the answer; `dep` is the one `request` was made for (its options may pick the format). */
  read(
    res: HttpResponse,
    ctx: ProbeContext,
    scrub: Scrubber,
    dep: DependencyConfig,
  ): Promise<CanaryAnswer | Classification>;
  /**
   * A non-2xx answer that is the vendor's safety system rather than an error (Azure's 400
   * `content_filter`): the refusal reason, or undefined for an ordinary error.
   */
  refusalInError?(status: number, body: string | undefined): string | undefined;
}

/** A vendor module as written: an LLM vendor with the LLM checks unless it says otherwise. */
export type VendorSpec<Id extends string> = Omit<
  VendorModule,
  'id' | 'llm' | 'checks' | 'supportedChecks'
> & {
  id: Id;
  llm?: boolean;
  checks?: readonly CheckName[];
};

/**
 * A vendor module from its spec: `llm` defaults to true and `checks` to models + completion;
 * `supportedChecks` are the checks plus `embeddings` exactly when it names an embedding example.
 */
export function defineVendor<const Id extends string>(
  spec: VendorSpec<Id>,
): VendorModule & { id: Id } {
  const checks = spec.checks ?? LLM_CHECKS;
  const supportedChecks: readonly CheckName[] =
    spec.embeddingExample === undefined ? checks : [...checks, 'embeddings'];
  return { llm: true, ...spec, checks, supportedChecks };
}
