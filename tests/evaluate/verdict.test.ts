import { describe, expect, it } from 'vitest';
import {
  countsForUptime,
  isFailure,
  type ResultVerdict,
  ran,
  resultVerdict,
  type VerdictFields,
} from '../../src/evaluate/verdict.js';

// One table for the rule every part of Bellwether asks: runner, evaluator, store, metrics,
// notifier bridge, page and CLI.
describe('resultVerdict', () => {
  it.each<
    [string, VerdictFields, ResultVerdict, { failure: boolean; ran: boolean; uptime: boolean }]
  >([
    ['a passing check', { ok: true }, 'success', { failure: false, ran: true, uptime: true }],
    [
      'a vendor 5xx',
      { ok: false, errorClass: 'server_error' },
      'vendor_failure',
      { failure: true, ran: true, uptime: true },
    ],
    [
      'a failure without a class',
      { ok: false },
      'vendor_failure',
      { failure: true, ran: true, uptime: true },
    ],
    [
      'our key rejected',
      { ok: false, errorClass: 'auth' },
      'own_credentials',
      { failure: true, ran: true, uptime: false },
    ],
    [
      'skipped for want of a key (auth class, skipped)',
      { ok: false, errorClass: 'auth', skipped: true },
      'skipped',
      { failure: false, ran: false, uptime: false },
    ],
    [
      'skipped: token budget spent',
      { ok: true, skipped: true },
      'skipped',
      { failure: false, ran: false, uptime: false },
    ],
    [
      'not probed: breaker open',
      { ok: false, errorClass: 'circuit_open' },
      'circuit_open',
      { failure: false, ran: false, uptime: false },
    ],
  ])('%s', (_name, result, verdict, counts) => {
    expect(resultVerdict(result)).toBe(verdict);
    expect({
      failure: isFailure(result),
      ran: ran(result),
      uptime: countsForUptime(result),
    }).toEqual(counts);
  });
});
