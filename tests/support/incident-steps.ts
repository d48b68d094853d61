import type { AttemptedResult, Round } from '../../src/evaluate/evaluate.js';
import type { DependencyState } from '../../src/evaluate/states.js';
import { createIncidentRecorder } from '../../src/incidents/recorder.js';
import type { DependencySnapshot } from '../../src/monitor.js';
import type { ErrorClass } from '../../src/probes/types.js';
import type { VendorStatus } from '../../src/statuspages/index.js';
import type { IncidentStore } from '../../src/store/incidents.js';
import { testDependency } from './dependency.js';

/** 2026-11-20T12:00:00Z: minute 0 of every scenario. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
export const MIN = 60_000;

/** One observed round: the state the monitor reached and the check outcome behind it. */
export interface Step {
  /** Minutes after T0 the round finished; the state changed then when it differs. */
  at: number;
  state: DependencyState;
  errorClass?: ErrorClass;
  vendorIncident?: { name: string; url: string };
}

function vendorStatus(incident: { name: string; url: string }): VendorStatus {
  return {
    vendor: 'openai',
    url: 'https://status.openai.com',
    ok: true,
    stale: false,
    indicator: 'major',
    fetchedAt: T0,
    lastSuccessAt: T0,
    components: [],
    incidents: [{ ...incident, status: 'investigating', components: [] }],
    maintenance: [],
  } as unknown as VendorStatus;
}

/** Feeds the rounds of `steps` to a recorder on `store`, as the monitor would (T0 + minutes). */
export function play(store: IncidentStore, steps: Step[], dependency = 'dep', t0 = T0): void {
  const recorder = createIncidentRecorder({ store, vantage: () => 'eu', clock: () => T0 });
  let state: DependencyState = 'unknown';
  let since: number | undefined;
  for (const step of steps) {
    const at = t0 + step.at * MIN;
    if (step.state !== state) {
      state = step.state;
      since = at;
    }
    const result: AttemptedResult = step.errorClass
      ? { check: 'models', ok: false, latencyMs: 10, errorClass: step.errorClass, attempts: 1 }
      : { check: 'models', ok: true, latencyMs: 10, attempts: 1 };
    const round: Round = { startedAt: at - 1000, finishedAt: at, results: [result] };
    const snapshot: DependencySnapshot = {
      config: testDependency({ id: dependency }),
      evaluation: { state, reasons: [`${state} at ${step.at}`] },
      breaker: 'closed',
      since,
      overruns: 0,
      canaries: [],
      ...(step.vendorIncident ? { vendorStatus: vendorStatus(step.vendorIncident) } : {}),
    };
    recorder.record(snapshot, round);
  }
}
