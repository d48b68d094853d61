import type { DependencyState } from '../evaluate/states.js';
import { maintenanceInProgress, vendorDeclaresProblem } from './series.js';
import type { VendorStatus } from './types.js';

/** Whether our probes and the vendor's status page tell the same story. */
export type Agreement = 'agree' | 'vendor_only' | 'probes_only' | 'unknown';

/**
 * Compares the vendor's word with our probes. Pass the state from probes alone (before a
 * vendor incident raised it to degraded), or every declared incident would "agree".
 *
 * - `agree`: the vendor declares a problem and we see degraded/down, or neither sees one;
 *   also while maintenance runs (it explains a failure and does not promise one).
 * - `vendor_only`: the vendor declares a problem, our probes pass.
 * - `probes_only`: our probes fail, the vendor says all is well.
 * - `unknown`: no fresh vendor data (never fetched, or this poll failed), or our state is unknown.
 */
export function agreement(
  status: VendorStatus | undefined,
  probeState: DependencyState,
): Agreement {
  if (status === undefined || !status.ok || probeState === 'unknown') return 'unknown';
  const failing = probeState === 'degraded' || probeState === 'down';
  if (vendorDeclaresProblem(status)) return failing ? 'agree' : 'vendor_only';
  if (maintenanceInProgress(status)) return 'agree';
  return failing ? 'probes_only' : 'agree';
}

/**
 * One line for a dependency's `reasons` while its vendor declares a problem, e.g.
 * `openai status page: incident "Elevated errors on API" (investigating, impact major)`;
 * undefined when the vendor declares none. Stale data says so.
 */
export function declaredReason(status: VendorStatus): string | undefined {
  if (!vendorDeclaresProblem(status)) return undefined;
  const stale = status.stale ? ' [stale: status page unreadable since last check]' : '';
  const first = status.incidents[0];
  if (first !== undefined) {
    const details = [first.status, first.impact ? `impact ${first.impact}` : undefined]
      .filter((d) => d !== undefined)
      .join(', ');
    const more = status.incidents.length > 1 ? ` and ${status.incidents.length - 1} more` : '';
    return `${status.vendor} status page: incident "${first.name}" (${details})${more}${stale}`;
  }
  const bad = status.components.filter(
    (c) => c.status !== 'operational' && c.status !== 'unknown' && c.status !== 'under_maintenance',
  );
  const list = bad
    .slice(0, 3)
    .map((c) => `${c.name} ${c.status}`)
    .join(', ');
  const more = bad.length > 3 ? ` and ${bad.length - 3} more` : '';
  return `${status.vendor} status page: ${list}${more}${stale}`;
}
