import type { Condition } from './alerts.js';
import type { MaintenanceWindow } from './types.js';

/** When an alert fires, resolves and is repeated, per notifier. */
export interface Policy {
  /** Observations in a row in the alerting condition before it fires. */
  failuresToAlert: number;
  /** Good observations in a row before a firing alert resolves. */
  successesToResolve: number;
  /** Re-send a firing alert this often; 0 never. */
  remindEveryMs: number;
}

export const DEFAULT_POLICY: Policy = {
  failuresToAlert: 3,
  successesToResolve: 2,
  remindEveryMs: 4 * 3_600_000,
};

/** One alert's state for one notifier. */
export interface AlertTrack {
  firing: boolean;
  /** Bad / good observations in a row (a neutral one resets both). */
  bad: number;
  good: number;
  /** When it started firing. */
  firedAt?: number;
  /** A trigger was sent for this firing, so its resolve must be sent too. */
  notified: boolean;
  /** Last trigger or reminder sent (or held back by maintenance). */
  lastSentAt?: number;
  /** What the alert was about when it started firing (kept by the dispatcher, not here). */
  identity?: { vendor?: string; model?: string; team?: string };
}

export const IDLE: AlertTrack = { firing: false, bad: 0, good: 0, notified: false };

/** What to do after an observation. */
export type Decision =
  | { type: 'none' }
  | { type: 'trigger'; reminder: boolean }
  | { type: 'resolve' }
  /** A trigger or reminder was due but a maintenance window holds it back. */
  | { type: 'suppressed'; reminder: boolean };

const NONE: Decision = { type: 'none' };

/**
 * Advances one alert by one observation. Pure: the caller keeps the returned track.
 *
 * Fires after `failuresToAlert` bad observations in a row (flapping never gets there) and
 * resolves after `successesToResolve` good ones. During maintenance a trigger is held back
 * and sent at the first observation after the window if the alert still fires; a resolve is
 * always sent when its trigger was, so no incident is left open.
 */
export function step(
  track: AlertTrack,
  condition: Condition,
  at: number,
  inMaintenance: boolean,
  policy: Policy,
): { track: AlertTrack; decision: Decision } {
  const t: AlertTrack = { ...track };
  if (condition === 'bad') {
    t.bad++;
    t.good = 0;
  } else if (condition === 'good') {
    t.good++;
    t.bad = 0;
  } else {
    t.bad = 0;
    t.good = 0;
  }

  if (!t.firing) {
    if (condition !== 'bad' || t.bad < policy.failuresToAlert) return { track: t, decision: NONE };
    t.firing = true;
    t.firedAt = at;
    t.lastSentAt = at;
    t.notified = !inMaintenance;
    return {
      track: t,
      decision: inMaintenance
        ? { type: 'suppressed', reminder: false }
        : { type: 'trigger', reminder: false },
    };
  }

  if (condition === 'good' && t.good >= policy.successesToResolve) {
    return { track: { ...IDLE }, decision: track.notified ? { type: 'resolve' } : NONE };
  }
  if (!t.notified) {
    // After the window: announce it only if it is still failing, not while it recovers.
    if (inMaintenance || condition !== 'bad') return { track: t, decision: NONE };
    t.notified = true;
    t.lastSentAt = at;
    return { track: t, decision: { type: 'trigger', reminder: false } };
  }
  const due = policy.remindEveryMs > 0 && at - (t.lastSentAt ?? at) >= policy.remindEveryMs;
  if (!due) return { track: t, decision: NONE };
  // Held-back reminders move the clock too, or every observation in the window would count one.
  t.lastSentAt = at;
  return {
    track: t,
    decision: inMaintenance
      ? { type: 'suppressed', reminder: true }
      : { type: 'trigger', reminder: true },
  };
}

/** Whether a window covers `subject` at `at`; a window without lists covers everything. */
export function inMaintenance(
  windows: readonly MaintenanceWindow[],
  subject: { type: 'dependency' | 'consumer'; id: string },
  at: number,
): boolean {
  return windows.some((w) => {
    if (at < w.start || at >= w.end) return false;
    if (w.dependencies === undefined && w.consumers === undefined) return true;
    const list = subject.type === 'dependency' ? w.dependencies : w.consumers;
    return list?.includes(subject.id) ?? false;
  });
}
