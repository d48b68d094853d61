import type { BellwetherConfig, DependencyConfig } from './config/types.js';
import { vendorModule } from './vendors/registry.js';

/** The unset variable a dependency's credentials should come from, when it is unset. */
const unsetCredential = (d: DependencyConfig): string | undefined => {
  const m = vendorModule(d.vendor);
  const complete = m.hasCredentials ? m.hasCredentials(d) : d.apiKey !== undefined;
  return complete ? undefined : d.apiKeyEnv;
};

/**
 * What a valid config will not do as its author may expect, one line each
 * (`path: message`): unset credential variables and what follows from them, and embedding
 * keys with no embeddings check to read them. Names variables, never values.
 */
export function configWarnings(config: BellwetherConfig): string[] {
  const warnings: string[] = [];
  const keyless = new Set<string>();
  config.dependencies.forEach((d, i) => {
    const variable = unsetCredential(d);
    if (variable === undefined) return;
    const m = vendorModule(d.vendor);
    // A vendor with credentials of its own (Bedrock's SigV4 pair) may miss more than apiKey.
    const path = m.credentialKeys ? `dependencies[${i}]` : `dependencies[${i}].apiKey`;
    if (m.keyless === true) {
      warnings.push(
        `${path}: ${variable} is not set; ${d.id} sends no key (fine for a keyless server, a hosted API answers 401)`,
      );
      return;
    }
    keyless.add(d.id);
    warnings.push(`${path}: ${variable} is not set; ${d.id} will only check reachability`);
  });
  config.dependencies.forEach((d, i) => {
    if (d.checks.includes('embeddings')) return;
    for (const key of ['embeddingModel', 'embeddingDimensions'] as const) {
      if (d[key] === undefined) continue;
      warnings.push(
        `dependencies[${i}].${key}: checks does not list embeddings, so ${d.id} embeds nothing and ${key} is unused`,
      );
    }
  });
  config.consumers.forEach((c, i) => {
    if (c.uses.length === 0 || !c.uses.every((id) => keyless.has(id))) return;
    const which =
      c.uses.length === 1
        ? `its only dependency ${c.uses[0]} has no key`
        : 'none of its dependencies has a key';
    warnings.push(
      `consumers[${i}].uses: ${which}, so ${c.id} will have no usable dependency (route null) once probed`,
    );
  });
  return warnings;
}
