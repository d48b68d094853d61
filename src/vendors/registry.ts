import { createJudge } from '../canary/judge.js';
import { runCanary } from '../canary/run.js';
import type { CanaryRun, CanarySpec } from '../canary/types.js';
import type { DependencyConfig } from '../config/types.js';
import type { Scrubber } from '../probes/scrub.js';
import type { Probe, ProbeContext } from '../probes/types.js';
import { anthropic } from './anthropic.js';
import { azureOpenai } from './azure-openai.js';
import { bedrock } from './bedrock.js';
import { cohere } from './cohere.js';
import { gemini } from './gemini.js';
import { http } from './http.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import { openaiCompatible } from './openai-compatible.js';
import type { VendorModule } from './types.js';

/**
 * Every vendor this build can probe, one module each, in the order docs and messages list
 * them. Adding a vendor: write `src/vendors/<id>.ts` exporting a {@link VendorModule} and add
 * it here; config, env interpolation, scrubbing, the page and probe creation follow.
 */
const MODULES = [
  openai,
  anthropic,
  azureOpenai,
  gemini,
  bedrock,
  cohere,
  ollama,
  openaiCompatible,
  http,
] as const satisfies readonly VendorModule[];

/** Every vendor module (see above), typed as the interface the rest of the code reads. */
export const VENDOR_MODULES: readonly VendorModule[] = MODULES;

/** The `vendor:` values operators may write. */
export type Vendor = (typeof MODULES)[number]['id'];

/** Vendor ids in registry order. */
export const VENDORS = VENDOR_MODULES.map((m) => m.id) as [Vendor, ...Vendor[]];

const BY_ID: ReadonlyMap<string, VendorModule> = new Map(VENDOR_MODULES.map((m) => [m.id, m]));

/** The module of a vendor id, or undefined for an id this build does not know. */
export function findVendor(id: string): VendorModule | undefined {
  return BY_ID.get(id);
}

/** The module of a configured (so already validated) vendor id. */
export function vendorModule(id: string): VendorModule {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`no vendor module for ${JSON.stringify(id)}`);
  return found;
}

/** The probe for a dependency's vendor. `scrub` removes secrets from every message it produces. */
export function createProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  return vendorModule(dep.vendor).createProbe(dep, scrub);
}

/**
 * Runs a dependency's security canaries through its vendor's adapter; undefined for vendors
 * without one. One judge per dependency, so compiled schemas are not shared across configs.
 */
export function createCanaryRunner(
  dep: DependencyConfig,
  scrub: Scrubber,
  clock: () => number,
): ((canary: CanarySpec, ctx: ProbeContext) => Promise<CanaryRun>) | undefined {
  const adapter = vendorModule(dep.vendor).canary;
  if (!adapter) return undefined;
  const judge = createJudge();
  return (canary, ctx) => runCanary({ adapter, dep, canary, ctx, scrub, judge, clock });
}

/** How people name a vendor; unknown ids are shown as written. */
export function vendorDisplayName(id: string): string {
  return BY_ID.get(id)?.displayName ?? id;
}
