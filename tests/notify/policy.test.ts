import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/notify/alerts.js';
import {
  type AlertTrack,
  DEFAULT_POLICY,
  IDLE,
  inMaintenance,
  type Policy,
  step,
} from '../../src/notify/policy.js';

const STEP_MS = 30_000;
const CONDITION: Record<string, Condition> = { b: 'bad', g: 'good', n: 'neutral' };

/**
 * Runs a sequence of observations 30 s apart. `obs`: b(ad) g(ood) n(eutral), upper case when
 * inside a maintenance window. Result, one character per observation: `.` nothing,
 * T trigger, r reminder, R resolve, S trigger held back, s reminder held back.
 */
function run(obs: string, policy: Policy = DEFAULT_POLICY): string {
  let track: AlertTrack = IDLE;
  let out = '';
  [...obs].forEach((c, i) => {
    const result = step(
      track,
      CONDITION[c.toLowerCase()] as Condition,
      i * STEP_MS,
      c !== c.toLowerCase(),
      policy,
    );
    track = result.track;
    const d = result.decision;
    out +=
      d.type === 'trigger'
        ? d.reminder
          ? 'r'
          : 'T'
        : d.type === 'resolve'
          ? 'R'
          : d.type === 'suppressed'
            ? d.reminder
              ? 's'
              : 'S'
            : '.';
  });
  return out;
}

const remindEvery90s: Policy = { ...DEFAULT_POLICY, remindEveryMs: 90_000 };
const neverRemind: Policy = { ...DEFAULT_POLICY, remindEveryMs: 0 };

describe('alert policy (N = 3 failures to fire, M = 2 successes to resolve)', () => {
  it.each([
    ['one failed probe', 'bg', '..', DEFAULT_POLICY],
    ['N-1 failures', 'bbgg', '....', DEFAULT_POLICY],
    ['N failures fire once', 'bbbbb', '..T..', DEFAULT_POLICY],
    ['flapping never fires', 'bgbgbgbgbgbg', '............', DEFAULT_POLICY],
    ['two bad, one good, two bad: not in a row', 'bbgbb', '.....', DEFAULT_POLICY],
    ['neutral breaks a streak', 'bbnbb', '.....', DEFAULT_POLICY],
    ['M successes resolve', 'bbbgg', '..T.R', DEFAULT_POLICY],
    ['M-1 successes do not', 'bbbgbg', '..T...', DEFAULT_POLICY],
    ['a flap while firing resets the resolve count', 'bbbgbgg', '..T...R', DEFAULT_POLICY],
    ['neutral while firing neither resolves nor re-fires', 'bbbnnngg', '..T....R', DEFAULT_POLICY],
    ['fires again after a resolve', 'bbbggbbb', '..T.R..T', DEFAULT_POLICY],
    ['reminders every remindEvery while firing', 'bbbbbbbbb', '..T..r..r', remindEvery90s],
    ['reminders also while recovering', 'bbbbbgbgg', '..T..r..R', remindEvery90s],
    ['remindEvery 0 never reminds', 'bbbbbbbbbbbb', '..T.........', neverRemind],
    ['maintenance holds back the trigger', 'BBBBgg', '..S...', DEFAULT_POLICY],
    ['still failing after the window: sent then', 'BBBBbbgg', '..S.T..R', DEFAULT_POLICY],
    ['recovering when the window ends: nothing', 'BBBBggbb', '..S.....', DEFAULT_POLICY],
    ['fired before the window: the resolve still goes', 'bbbBBGG', '..T...R', DEFAULT_POLICY],
    ['reminders inside a window are held back', 'bbbBBBbbb', '..T..s..r', remindEvery90s],
    ['N = 1 fires on the first failure', 'bgg', 'T.R', { ...DEFAULT_POLICY, failuresToAlert: 1 }],
    [
      'M = 1 resolves on the first success',
      'bbbg',
      '..TR',
      { ...DEFAULT_POLICY, successesToResolve: 1 },
    ],
  ])('%s: %s → %s', (_name, obs, want, policy) => {
    expect(run(obs, policy)).toBe(want);
  });

  it('remembers when it fired, for the resolve', () => {
    let track = IDLE;
    for (const [i, c] of ['bad', 'bad', 'bad', 'good'].entries()) {
      track = step(track, c as Condition, 1000 + i * STEP_MS, false, DEFAULT_POLICY).track;
    }
    expect(track).toMatchObject({ firing: true, firedAt: 1000 + 2 * STEP_MS, notified: true });
  });
});

describe('maintenance windows', () => {
  const windows = [
    { start: 1000, end: 2000 },
    { start: 5000, end: 6000, dependencies: ['openai-chat'] },
    { start: 8000, end: 9000, consumers: ['soar'] },
  ];
  it.each([
    ['dependency', 'anything', 999, false],
    ['dependency', 'anything', 1000, true],
    ['consumer', 'soar', 1999, true],
    ['dependency', 'anything', 2000, false],
    ['dependency', 'openai-chat', 5500, true],
    ['dependency', 'anthropic-chat', 5500, false],
    ['consumer', 'openai-chat', 5500, false],
    ['consumer', 'soar', 8500, true],
    ['dependency', 'soar', 8500, false],
  ] as const)('%s %s at %d: %s', (type, id, at, want) => {
    expect(inMaintenance(windows, { type, id }, at)).toBe(want);
  });
});
