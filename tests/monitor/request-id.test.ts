import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/probes/types.js';
import { createTestApp } from '../support/app-harness.js';

// A vendor's request id from a failed probe goes with it: result, history, API, logs.
const failure = (check: CheckResult['check']): CheckResult => ({
  check,
  ok: false,
  latencyMs: 40,
  httpStatus: 529,
  errorClass: 'overloaded',
  message: 'HTTP 529 overloaded_error: Overloaded',
  requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
});
const success = (check: CheckResult['check']): CheckResult => ({
  check,
  ok: true,
  latencyMs: 40,
  requestId: 'req_ok_not_kept',
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('the vendor request id of a failed probe', () => {
  it('is in the API’s last probe and the stored history; a success keeps none', async () => {
    const t = createTestApp();
    close = t.close;
    t.script.primary = (check) => (check === 'models' ? success(check) : failure(check));
    await t.monitor.probeNow('primary');

    const dep = (await (await t.app.request('/api/v1/dependencies/primary')).json()) as {
      lastProbe: { checks: unknown };
    };
    const checks = dep.lastProbe.checks as Array<{ check: string; requestId: string | null }>;
    expect(checks.find((c) => c.check === 'completion')?.requestId).toBe(
      'req_011CSHoEeqs5C35K2UUqR7Fy',
    );
    expect(checks.find((c) => c.check === 'models')?.requestId).toBeNull();

    const history = (await (
      await t.app.request('/api/v1/dependencies/primary/history?since=1h')
    ).json()) as { results: unknown };
    const stored = history.results as Array<{ check: string; requestId: string | null }>;
    expect(stored.find((r) => r.check === 'completion')?.requestId).toBe(
      'req_011CSHoEeqs5C35K2UUqR7Fy',
    );
    expect(stored.find((r) => r.check === 'models')?.requestId).toBeNull();
    expect(
      t.store.recent('primary', 5).find((r) => r.check === 'models')?.requestId,
    ).toBeUndefined();
  });

  it('is in the log line of the state change it caused', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const t = createTestApp({}, undefined, pino({ level: 'info' }, sink));
    close = t.close;
    t.script.primary = failure;
    await t.monitor.probeNow('primary');
    await new Promise((resolve) => setImmediate(resolve));
    const changed = lines.find(
      (l) => l.msg === 'dependency state changed' && l.dependency === 'primary',
    );
    expect(changed).toMatchObject({ requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy' });
  });
});
