import { worstComponentStatus } from './normalise.js';
import { COMPONENT_STATUSES, type ComponentStatus, type VendorStatus } from './types.js';

/** One `bellwether_vendor_status{vendor,component,status}` sample. */
export interface VendorStatusSample {
  component: string;
  status: ComponentStatus;
  value: 0 | 1;
}

const OUTAGE: ReadonlySet<ComponentStatus> = new Set([
  'degraded_performance',
  'partial_outage',
  'major_outage',
]);

/**
 * The vendor declares a problem: an active incident, or a component it reports degraded or
 * in an outage (Statuspage automation can set those without an incident). Maintenance is not
 * a problem. Stale data counts as last seen.
 */
export function vendorDeclaresProblem(status: VendorStatus): boolean {
  return status.incidents.length > 0 || status.components.some((c) => OUTAGE.has(c.status));
}

/** Maintenance is running on the (filtered) components. */
export function maintenanceInProgress(status: VendorStatus): boolean {
  return (
    status.maintenance.some((m) => m.inProgress) ||
    status.components.some((c) => c.status === 'under_maintenance')
  );
}

/**
 * Samples for `bellwether_vendor_status`: one-hot over {@link COMPONENT_STATUSES} per
 * component (a configured component the page does not list is `unknown`). Components that
 * share a name (in different groups) are merged to the worse status, so labels stay unique.
 */
export function vendorStatusSeries(status: VendorStatus): VendorStatusSample[] {
  const merged = new Map<string, ComponentStatus>();
  for (const c of status.components) {
    const seen = merged.get(c.name);
    merged.set(c.name, seen === undefined ? c.status : worstComponentStatus(seen, c.status));
  }
  const out: VendorStatusSample[] = [];
  for (const [component, current] of merged) {
    for (const s of COMPONENT_STATUSES) {
      out.push({ component, status: s, value: s === current ? 1 : 0 });
    }
  }
  return out;
}

/** `bellwether_vendor_incident_active{vendor}`: 1 while {@link vendorDeclaresProblem}. */
export function incidentActive(status: VendorStatus): 0 | 1 {
  return vendorDeclaresProblem(status) ? 1 : 0;
}
