import type { CheckResult } from '../probes/types.js';

/**
 * What one check result counts as. `success` and `vendor_failure` say something about the
 * vendor; `own_credentials` is our key failing (auth), `skipped` a check left out on purpose
 * (no key, token budget spent) and `circuit_open` a check not run because the breaker is open.
 */
export type ResultVerdict =
  | 'success'
  | 'vendor_failure'
  | 'own_credentials'
  | 'skipped'
  | 'circuit_open';

/** The fields a verdict reads: live results and stored history rows alike carry them. */
export type VerdictFields = Pick<CheckResult, 'ok' | 'skipped' | 'errorClass'>;

/** The one rule deciding what a check result counts as; every part of Bellwether asks it. */
export function resultVerdict(r: VerdictFields): ResultVerdict {
  if (r.errorClass === 'circuit_open') return 'circuit_open';
  if (r.skipped) return 'skipped';
  if (r.ok) return 'success';
  return r.errorClass === 'auth' ? 'own_credentials' : 'vendor_failure';
}

/** True for results that ran and failed (the vendor or our credentials). */
export const isFailure = (r: VerdictFields): boolean => {
  const v = resultVerdict(r);
  return v === 'vendor_failure' || v === 'own_credentials';
};

/** True for results that ran: neither skipped nor stopped by an open breaker. */
export const ran = (r: VerdictFields): boolean => {
  const v = resultVerdict(r);
  return v !== 'skipped' && v !== 'circuit_open';
};

/** True for results that count toward the vendor's availability (uptime, SLO). */
export const countsForUptime = (r: VerdictFields): boolean => {
  const v = resultVerdict(r);
  return v === 'success' || v === 'vendor_failure';
};

/** How a round counts for the dependency's state. */
export type RoundVerdict = 'ok' | 'failure' | 'auth' | 'circuit_open';

/**
 * A round's verdict: not probed (breaker open), ok, a vendor failure, or only our own
 * credentials failing — including a round in which nothing ran for want of a key, since we
 * then learned nothing about the vendor.
 */
export function roundVerdict(
  results: readonly (VerdictFields & Pick<CheckResult, 'credentialsMissing'>)[],
): RoundVerdict {
  const verdicts = results.map(resultVerdict);
  if (verdicts.includes('circuit_open')) return 'circuit_open';
  if (verdicts.includes('vendor_failure')) return 'failure';
  if (verdicts.includes('own_credentials')) return 'auth';
  const nothingPassed = !verdicts.includes('success');
  return nothingPassed && results.some((r) => r.credentialsMissing) ? 'auth' : 'ok';
}

/** Which credential is missing, in words: the variable named in the config, or none written. */
export function missingKeyNote(apiKeyEnv: string | undefined): string {
  return apiKeyEnv ? `${apiKeyEnv} is not set` : 'no apiKey in the config';
}
