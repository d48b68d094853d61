import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALERTS,
  consumerConditions,
  dependencyConditions,
  INITIAL_MEMORY,
} from '../../src/notify/alerts.js';
import type { DependencyObservation } from '../../src/notify/types.js';

const obs = (
  state: DependencyObservation['state'],
  credentialProblem?: 'missing' | 'rejected',
): DependencyObservation => ({
  dependency: { id: 'openai-chat', vendor: 'openai' },
  state,
  reasons: [],
  credentialProblem,
  at: 0,
});

describe('alert conditions', () => {
  // Columns: dependency_down, dependency_degraded, credential_failure, credential_missing.
  it.each([
    ['healthy', undefined, 'good good good good'],
    ['degraded', undefined, 'good bad good good'],
    ['down', undefined, 'bad neutral good good'],
    ['unknown', undefined, 'neutral neutral neutral neutral'],
    ['unknown', 'rejected', 'neutral neutral bad good'],
    ['unknown', 'missing', 'neutral neutral good bad'],
    ['healthy', 'missing', 'good good good bad'],
  ] as const)('%s with credentials %s: %s', (state, problem, want) => {
    const { conditions } = dependencyConditions(obs(state, problem), INITIAL_MEMORY);
    expect(
      [
        conditions.dependency_down,
        conditions.dependency_degraded,
        conditions.credential_failure,
        conditions.credential_missing,
      ].join(' '),
    ).toBe(want);
  });

  it.each([
    [['down', 'degraded'], 'neutral'],
    [['down', 'healthy', 'degraded'], 'bad'],
    [['degraded', 'degraded'], 'bad'],
    [['down', 'unknown', 'degraded'], 'neutral'],
  ] as const)('degraded after %j counts as %s', (states, want) => {
    let memory = INITIAL_MEMORY;
    let last: string | undefined;
    for (const s of states) {
      const r = dependencyConditions(obs(s), memory);
      memory = r.memory;
      last = r.conditions.dependency_degraded;
    }
    expect(last).toBe(want);
  });

  it.each([
    ['ok', 'good', 'good'],
    ['degraded', 'good', 'bad'],
    ['down', 'bad', 'neutral'],
  ] as const)('consumer %s: down %s, fallback %s', (state, down, fallback) => {
    expect(consumerConditions({ id: 'c', state, route: null, reason: '', at: 0 })).toEqual({
      consumer_down: down,
      consumer_fallback: fallback,
    });
  });

  it.each(Object.values(ALERTS))('$name has a runbook section', ({ name }) => {
    const runbook = readFileSync(join(process.cwd(), 'docs', 'runbook.md'), 'utf8');
    expect(runbook).toMatch(new RegExp(`^## ${name}$`, 'm'));
  });
});
