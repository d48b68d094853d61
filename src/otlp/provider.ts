import { findVendor } from '../vendors/registry.js';

/** The convention's provider name of a vendor (its module says); undefined for plain HTTP checks and unknown ids. */
export function genAiProviderName(vendor: string): string | undefined {
  return findVendor(vendor)?.genAiProvider;
}
