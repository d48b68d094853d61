import { performance } from 'node:perf_hooks';
import { availabilityReport, dailyBars, parseMonth } from '../src/incidents/availability.js';
import { openIncidentStore } from '../src/store/incidents.js';

/**
 * `npx tsx bench/history-page.ts [dependencies]`: what the status page's 90 daily bars and a
 * monthly availability report cost at scale. Seeds an in-memory incident store with 90 days of
 * daily counts per dependency and one 40-minute outage every 10 days for each tenth dependency,
 * then prints the median of 15 runs of each query.
 */
const DEPENDENCIES = Number(process.argv[2] ?? 1000);
const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 15, 12);
const today = Math.floor(now / DAY) * DAY;
const store = openIncidentStore({ path: ':memory:' });
const ids = Array.from({ length: DEPENDENCIES }, (_, i) => `dep-${i}`);
ids.forEach((id, i) => {
  for (let ago = 89; ago >= 0; ago--) store.countDay(id, today - ago * DAY, 2880, 2879);
  if (i % 10 !== 0) return;
  for (let ago = 85; ago > 0; ago -= 10) {
    const startedAt = today - ago * DAY + 3_600_000;
    const incident = store.openIncident({
      dependency: id,
      vendor: 'openai',
      vantage: 'bench',
      startedAt,
      worst: 'down',
      errorClasses: ['server_error'],
      cause: 'bench',
    }) as number;
    store.switchSpan(incident, id, startedAt, 'down');
    store.switchSpan(incident, id, startedAt + 40 * 60_000);
    store.updateIncident(incident, { endedAt: startedAt + 40 * 60_000 });
  }
});

const median = (fn: () => void): number => {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[7] as number;
};
const month = parseMonth('2026-11', now) as Exclude<ReturnType<typeof parseMonth>, Error>;
const deps = ids.map((id) => ({ id, vendor: 'openai', objective: 0.99 }));
const bars = median(() => dailyBars(store, ids, now));
const report = median(() =>
  availabilityReport({ store, dependencies: deps, month, now, vantage: 'b' }),
);
console.log(
  `${DEPENDENCIES} dependencies: dailyBars (90 days) ${bars.toFixed(1)} ms, ` +
    `availabilityReport (one month) ${report.toFixed(1)} ms (median of 15, node ${process.version})`,
);
store.close();
