import { afterEach, describe, expect, it } from 'vitest';
import {
  availabilityReport,
  dailyBars,
  parseMonth,
  reportCsv,
  reportedDependency,
  reportMarkdown,
} from '../../src/incidents/availability.js';
import { type IncidentStore, openIncidentStore } from '../../src/store/incidents.js';
import { play } from '../support/incident-steps.js';

// 2026-11-30T23:30Z: an outage that crosses into December.
const NOV_30_2330 = Date.UTC(2026, 10, 30, 23, 30);
const DEC_15 = Date.UTC(2026, 11, 15);

describe('parseMonth', () => {
  it.each([
    ['2026-11', { label: '2026-11', start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) }],
    ['2026-12', { label: '2026-12', start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) }],
  ])('%s', (text, month) => {
    expect(parseMonth(text, DEC_15)).toEqual(month);
  });
  it.each([
    [undefined, 'month is required, as YYYY-MM'],
    ['2026-13', 'month must be YYYY-MM, like 2026-11, got "2026-13"'],
    ['2026-1', 'month must be YYYY-MM, like 2026-11, got "2026-1"'],
    ['2026-11-01', 'month must be YYYY-MM, like 2026-11, got "2026-11-01"'],
    ['2027-01', 'month 2027-01 has not begun yet'],
  ])('%s is refused', (text, message) => {
    expect((parseMonth(text, DEC_15) as Error).message).toBe(message);
  });
});

describe('reportedDependency', () => {
  it.each([
    [{ id: 'openai-chat', vendor: 'openai' as const, objective: 0.99 }, 'openai'],
    // An openai-compatible endpoint run by Mistral is Mistral's availability.
    [
      {
        id: 'mistral-eu',
        vendor: 'openai-compatible' as const,
        statusPage: 'mistral',
        objective: 0.995,
      },
      'mistral',
    ],
  ])('%o reports under %s', (dep, vendor) => {
    expect(reportedDependency(dep)).toEqual({ id: dep.id, vendor, objective: dep.objective });
  });
});

describe('availability report', () => {
  let store: IncidentStore;
  afterEach(() => store.close());

  const fill = () => {
    store = openIncidentStore({ path: ':memory:' });
    // openai-chat: healthy, down 23:30–00:30 across the month boundary, then healthy. Each round
    // starts a second before the minute it finishes in: the 00:00 round counts for November.
    play(
      store,
      [
        { at: -30, state: 'healthy' },
        { at: 0, state: 'down', errorClass: 'server_error' },
        { at: 20, state: 'down', errorClass: 'server_error' },
        { at: 40, state: 'down', errorClass: 'server_error' },
        { at: 59, state: 'down', errorClass: 'server_error' },
        { at: 60, state: 'healthy' },
        { at: 90, state: 'healthy' },
      ],
      'openai-chat',
      NOV_30_2330,
    );
    // openai-embed: degraded 00:10–00:20 and down 00:20–00:40 on Dec 1, inside openai-chat's outage.
    play(
      store,
      [
        { at: 31, state: 'healthy' },
        { at: 40, state: 'degraded', errorClass: 'timeout' },
        { at: 50, state: 'down', errorClass: 'timeout' },
        { at: 70, state: 'healthy' },
      ],
      'openai-embed',
      NOV_30_2330,
    );
  };
  const dependencies = [
    { id: 'openai-chat', vendor: 'openai', objective: 0.99 },
    { id: 'openai-embed', vendor: 'openai', objective: 0.995 },
  ];

  it('splits minutes at the month boundary and counts a vendor outage once', () => {
    fill();
    const nov = availabilityReport({
      store,
      dependencies,
      month: parseMonth('2026-11', DEC_15) as never,
      now: DEC_15,
      vantage: 'eu',
    });
    expect(nov.dependencies[0]).toEqual({
      id: 'openai-chat',
      vendor: 'openai',
      checks: 3,
      passed: 1,
      uptime: 1 / 3,
      incidents: 1,
      minutesDown: 30,
      minutesDegraded: 0,
      worst: 'down',
      objective: 0.99,
      meetsObjective: false,
    });
    const dec = availabilityReport({
      store,
      dependencies,
      month: parseMonth('2026-12', DEC_15) as never,
      now: DEC_15,
      vantage: 'eu',
    });
    expect(dec.complete).toBe(false);
    expect(dec.to).toBe('2026-12-15T00:00:00.000Z');
    expect(
      dec.dependencies.map((l) => [l.id, l.minutesDown, l.minutesDegraded, l.incidents, l.worst]),
    ).toEqual([
      ['openai-chat', 30, 0, 1, 'down'],
      ['openai-embed', 20, 10, 1, 'down'],
    ]);
    // The vendor was down 00:00–00:30 (chat) ∪ 00:20–00:40 (embed) = 40 minutes, not 50.
    expect(dec.vendors).toEqual([
      {
        id: 'openai',
        vendor: 'openai',
        checks: 8,
        passed: 4,
        uptime: 0.5,
        incidents: 2,
        minutesDown: 40,
        minutesDegraded: 10,
        worst: 'down',
        objective: 0.995,
        meetsObjective: false,
      },
    ]);
  });

  it('renders Markdown and CSV', () => {
    fill();
    const report = availabilityReport({
      store,
      dependencies,
      month: parseMonth('2026-11', DEC_15) as never,
      now: DEC_15,
      vantage: 'eu',
    });
    expect(reportMarkdown(report)).toBe(`# Availability 2026-11

Vantage eu · 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z · uptime is the share of counted probe results that passed; minutes come from incidents.

## Dependencies

| Dependency | Vendor | Uptime | Objective | Met | Incidents | Minutes down | Minutes degraded | Worst | Checks |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| openai-chat | openai | 33.333 % | 99.000 % | MISSED | 1 | 30 | 0 | down | 3 |
| openai-embed | openai | no data | 99.500 % | no data | 0 | 0 | 0 | - | 0 |

## Vendors

| Vendor | Uptime | Objective | Met | Incidents | Minutes down | Minutes degraded | Worst | Checks |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| openai | 33.333 % | 99.500 % | MISSED | 1 | 30 | 0 | down | 3 |
`);
    expect(reportCsv(report)).toBe(
      [
        'month,kind,id,vendor,uptime,objective,meets_objective,incidents,minutes_down,minutes_degraded,worst,checks,passed',
        `2026-11,dependency,openai-chat,openai,${1 / 3},0.99,false,1,30,0,down,3,1`,
        '2026-11,dependency,openai-embed,openai,,0.995,,0,0,0,,0,0',
        `2026-11,vendor,openai,openai,${1 / 3},0.995,false,1,30,0,down,3,1`,
        '',
      ].join('\r\n'),
    );
  });

  it('gives 90 daily bars per dependency, oldest first, with the worst state of each day', () => {
    fill();
    const now = Date.UTC(2026, 11, 1, 12);
    const bars = dailyBars(store, ['openai-chat', 'openai-embed', 'never-probed'], now);
    const chat = bars.get('openai-chat') ?? [];
    expect(chat).toHaveLength(90);
    expect(chat[0]?.date).toBe('2026-09-03');
    expect(chat.slice(-2)).toEqual([
      {
        date: '2026-11-30',
        checks: 3,
        passed: 1,
        uptime: 1 / 3,
        worst: 'down',
        downMinutes: 30,
        degradedMinutes: 0,
      },
      {
        date: '2026-12-01',
        checks: 4,
        passed: 2,
        uptime: 0.5,
        worst: 'down',
        downMinutes: 30,
        degradedMinutes: 0,
      },
    ]);
    expect(chat[0]).toEqual({
      date: '2026-09-03',
      checks: 0,
      passed: 0,
      uptime: null,
      worst: null,
      downMinutes: 0,
      degradedMinutes: 0,
    });
    expect(bars.get('never-probed')?.every((b) => b.uptime === null && b.worst === null)).toBe(
      true,
    );
  });
});
