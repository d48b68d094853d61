import { expect } from 'vitest';
import type { DependencyConfig } from '../../src/config/types.js';
import { EMPTY_COMPLETION_MESSAGE } from '../../src/probes/classify.js';
import { createScrubber } from '../../src/probes/scrub.js';
import type { CheckName, CheckResult, ErrorClass } from '../../src/probes/types.js';
import type { HttpClient } from '../../src/transport/http-client.js';
import { createProbe } from '../../src/vendors/registry.js';
import type { VendorFault } from './fake-http.js';

/** One row of a vendor × fault table. */
export interface FaultCase {
  name: string;
  check: CheckName;
  fault: VendorFault;
  expected: ErrorClass;
  /** Probe timeout for this row (ms); short for hangs. */
  timeoutMs?: number;
  message?: RegExp;
  /** Expected HTTP status on the result, when the fault sends one. */
  httpStatus?: number;
}

const BOTH: readonly CheckName[] = ['models', 'completion'];

/** Wire-level faults every vendor meets the same way, for both checks and for streams. */
export const WIRE_FAULTS: readonly FaultCase[] = [
  ...BOTH.flatMap((check): FaultCase[] => [
    {
      name: 'hang before headers',
      check,
      fault: { hang: 'before-headers' },
      expected: 'timeout',
      timeoutMs: 300,
      message: /response headers/,
    },
    {
      name: 'hang after headers',
      check,
      fault: { hang: 'after-headers' },
      expected: 'timeout',
      timeoutMs: 300,
    },
    {
      name: 'reset before headers',
      check,
      fault: { reset: 'before-headers' },
      expected: 'network',
    },
    { name: 'reset mid-body', check, fault: { reset: 'mid-body' }, expected: 'network' },
    { name: 'malformed body', check, fault: { malformed: true }, expected: 'bad_response' },
  ]),
  {
    name: 'slow first token',
    check: 'completion',
    fault: { firstTokenDelayMs: 2000 },
    expected: 'timeout',
    timeoutMs: 300,
    message: /first token/,
  },
  {
    name: 'empty completion (reasoning model spent the budget)',
    check: 'completion',
    fault: { emptyCompletion: true },
    expected: 'bad_response',
    message: new RegExp(`^${EMPTY_COMPLETION_MESSAGE.replace(/[()]/g, '\\$&')}$`),
  },
];

/** Runs one check of the dependency's probe through the real transport, with a fresh timeout. */
export function runCheck(
  http: HttpClient,
  dep: DependencyConfig,
  check: CheckName,
  secrets: string[],
  timeoutMs = 3000,
): Promise<CheckResult> {
  const probe = createProbe(dep, createScrubber(secrets));
  return probe.run(check, {
    http,
    signal: AbortSignal.timeout(timeoutMs),
    now: () => performance.now(),
  });
}

/** Asserts no secret (nor its last four characters) appears anywhere in the result. */
export function expectNoSecrets(result: CheckResult, secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(-6));
  }
}

/** The assertions every failed row of a fault table makes. */
export function expectFailure(r: CheckResult, c: FaultCase, secrets: string[]): void {
  expect(r.check).toBe(c.check);
  expect({ ok: r.ok, errorClass: r.errorClass, message: r.message }).toMatchObject({
    ok: false,
    errorClass: c.expected,
  });
  expect(r.message?.length).toBeGreaterThan(0);
  if (c.message) expect(r.message).toMatch(c.message);
  if (c.httpStatus !== undefined) expect(r.httpStatus).toBe(c.httpStatus);
  expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  expectNoSecrets(r, secrets);
}

/** The assertions every healthy completion makes: TTFT within latency, tokens counted. */
export function expectHealthyCompletion(
  r: CheckResult,
  tokens: { input: number; output: number },
): void {
  expect(r.errorClass, r.message).toBeUndefined();
  expect(r).toMatchObject({ check: 'completion', ok: true, httpStatus: 200, tokens });
  expect(r.ttftMs).toBeGreaterThan(0);
  expect(r.ttftMs).toBeLessThanOrEqual(r.latencyMs);
}
