import { describe, expect, it } from 'vitest';
import {
  type AttemptedResult,
  evaluateConsumer,
  evaluateDependency,
  type Round,
} from '../../src/evaluate/evaluate.js';
import type { DependencyState } from '../../src/evaluate/states.js';
import { roundVerdict } from '../../src/evaluate/verdict.js';

const ok = (latencyMs = 100, extra: Partial<AttemptedResult> = {}): AttemptedResult => ({
  check: 'models',
  ok: true,
  latencyMs,
  attempts: 1,
  ...extra,
});
const fail = (errorClass: AttemptedResult['errorClass'], extra: Partial<AttemptedResult> = {}) =>
  ({
    check: 'completion',
    ok: false,
    latencyMs: 50,
    attempts: 1,
    errorClass,
    message: `${errorClass} happened`,
    ...extra,
  }) as AttemptedResult;
const round = (...results: AttemptedResult[]): Round => ({
  startedAt: 0,
  finishedAt: 1,
  results,
});
const dep = { degradedLatencyMs: 4000, degradedTtftMs: 1500, degradedHeadroom: 0.1 };

describe('roundVerdict', () => {
  it.each([
    ['all ok', round(ok(), ok()), 'ok'],
    ['one failure', round(ok(), fail('server_error')), 'failure'],
    ['only auth failures', round(fail('auth'), fail('auth')), 'auth'],
    ['auth plus a vendor failure', round(fail('auth'), fail('timeout')), 'failure'],
    ['breaker open', round(fail('circuit_open')), 'circuit_open'],
    [
      'no key: models 401 and completion skipped',
      round(
        fail('auth', { check: 'models', credentialsMissing: true }),
        fail('auth', { skipped: true, credentialsMissing: true }),
      ),
      'auth',
    ],
  ])('%s', (_name, r, verdict) => {
    expect(roundVerdict(r.results)).toBe(verdict);
  });
});

describe('evaluateDependency', () => {
  it.each<[string, Round[], 'closed' | 'open' | 'half_open', DependencyState]>([
    ['never probed', [], 'closed', 'unknown'],
    ['healthy', [round(ok())], 'closed', 'healthy'],
    ['breaker open', [round(fail('circuit_open')), round(fail('timeout'))], 'open', 'down'],
    ['breaker half-open', [round(fail('timeout'))], 'half_open', 'down'],
    [
      'two failed rounds in a row',
      [round(fail('network')), round(fail('network'))],
      'closed',
      'down',
    ],
    ['one failed round is not down', [round(fail('network')), round(ok())], 'closed', 'degraded'],
    [
      'auth only is unknown, never down',
      [round(fail('auth')), round(fail('auth'))],
      'closed',
      'unknown',
    ],
    ['slow answer', [round(ok(5000))], 'closed', 'degraded'],
    ['slow first token', [round(ok(900, { ttftMs: 2000 }))], 'closed', 'degraded'],
    [
      '2 of 5 recent rounds failed',
      [round(ok()), round(fail('timeout')), round(ok()), round(fail('timeout')), round(ok())],
      'closed',
      'degraded',
    ],
    [
      'rate-limit headroom under 10%',
      [round(ok(100, { rateLimits: [{ resource: 'tokens', limit: 30_000, remaining: 1_000 }] }))],
      'closed',
      'degraded',
    ],
    [
      'plenty of headroom',
      [round(ok(100, { rateLimits: [{ resource: 'tokens', limit: 30_000, remaining: 29_000 }] }))],
      'closed',
      'healthy',
    ],
    [
      'an old failure in 10 rounds is healthy',
      [...Array.from({ length: 9 }, () => round(ok())), round(fail('timeout'))],
      'closed',
      'healthy',
    ],
  ])('%s', (_name, rounds, breaker, state) => {
    const e = evaluateDependency(dep, rounds, breaker);
    expect(e.state).toBe(state);
    if (state !== 'healthy') expect(e.reasons.length).toBeGreaterThan(0);
  });

  it('flags a missing key as a credential problem with the variable named', () => {
    const e = evaluateDependency(
      dep,
      [
        round(
          fail('auth', {
            check: 'models',
            credentialsMissing: true,
            message:
              'no API key configured (OPENAI_API_KEY is not set); vendor reachable: HTTP 401',
          }),
        ),
      ],
      'closed',
    );
    expect(e).toMatchObject({ state: 'unknown', credentialProblem: 'missing' });
    expect(e.reasons[0]).toContain('OPENAI_API_KEY');
  });

  it('explains low headroom with the numbers', () => {
    const e = evaluateDependency(
      dep,
      [round(ok(100, { rateLimits: [{ resource: 'requests', limit: 500, remaining: 3 }] }))],
      'closed',
    );
    expect(e.reasons).toEqual([
      'rate-limit headroom low: 3 of 500 requests left (0.6%, threshold 10%)',
    ]);
  });

  it('calls a billing 429 what it is', () => {
    const e = evaluateDependency(
      dep,
      [round(fail('rate_limited', { reason: 'billing', httpStatus: 429, message: 'quota' }))],
      'closed',
    );
    expect(e.reasons[0]).toContain('billing: quota or spend cap exhausted');
  });

  it('says a rejected key is ours, not an outage', () => {
    const e = evaluateDependency(dep, [round(fail('auth', { httpStatus: 401 }))], 'closed');
    expect(e).toMatchObject({ state: 'unknown', credentialProblem: 'rejected' });
    expect(e.reasons[0]).toMatch(/API key rejected \(HTTP 401\)/);
  });
});

describe('evaluateConsumer', () => {
  const consumer = { id: 'phishing-triage', uses: ['a', 'b', 'c'] };
  it.each<[string, Record<string, DependencyState>, string, string | null]>([
    ['primary healthy', { a: 'healthy', b: 'down', c: 'down' }, 'ok', 'a'],
    ['primary degraded is still usable', { a: 'degraded', b: 'healthy', c: 'healthy' }, 'ok', 'a'],
    ['primary down: first fallback', { a: 'down', b: 'healthy', c: 'healthy' }, 'degraded', 'b'],
    ['primary unknown: fallback', { a: 'unknown', b: 'down', c: 'degraded' }, 'degraded', 'c'],
    ['nothing usable', { a: 'down', b: 'unknown', c: 'down' }, 'down', null],
  ])('%s', (_name, states, state, route) => {
    const e = evaluateConsumer(consumer, (id) => states[id] ?? 'unknown');
    expect(e.state).toBe(state);
    expect(e.route).toBe(route);
    expect(e.chain.map((l) => l.dependency)).toEqual(['a', 'b', 'c']);
  });
});

describe('evaluateConsumer before first rounds', () => {
  const consumer = { id: 'phishing-triage', uses: ['a', 'b'] };
  it.each<[string, Record<string, DependencyState>, string[], string, string | null, string]>([
    [
      'nothing probed yet: the primary',
      { a: 'unknown', b: 'unknown' },
      ['a', 'b'],
      'ok',
      'a',
      'not probed yet: routing to the primary a until its first round',
    ],
    [
      'primary down, fallback never probed: the fallback',
      { a: 'down', b: 'unknown' },
      ['b'],
      'degraded',
      'b',
      'not probed yet: routing to fallback b until its first round because a is down',
    ],
    [
      'primary never probed, fallback healthy: the healthy fallback',
      { a: 'unknown', b: 'healthy' },
      ['a'],
      'degraded',
      'b',
      'running on fallback b (healthy) because a is unknown',
    ],
    [
      'all probed, nothing usable: no route',
      { a: 'down', b: 'unknown' },
      [],
      'down',
      null,
      'no usable dependency: a is down, b is unknown',
    ],
  ])('%s', (_name, states, neverProbed, state, route, reason) => {
    const e = evaluateConsumer(
      consumer,
      (id) => states[id] ?? 'unknown',
      (id) => !neverProbed.includes(id),
    );
    expect(e).toMatchObject({ state, route, reason });
  });
});
