import { createHash } from 'node:crypto';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';

/** A job the scheduler fires: every `intervalMs`, or on a cron `schedule`. */
export interface ScheduledJob {
  id: string;
  intervalMs?: number;
  schedule?: string;
  run: () => void;
}

/** How long after start every job has had its first run, unless told otherwise. */
export const DEFAULT_FIRST_RUN_SPREAD_MS = 5000;

/** Starts and stops the probe rounds. */
export interface Scheduler {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

/** A stable number in [0, modulo) derived from an id: the same dependency keeps its slot across restarts. */
export function stableOffset(id: string, modulo: number): number {
  if (modulo <= 1) return 0;
  const digest = createHash('sha1').update(id).digest();
  return digest.readUInt32BE(0) % modulo;
}

/** How often the scheduler compares the wall clock with the monotonic one. */
const CLOCK_WATCH_MS = 1000;
/**
 * A wall-clock jump larger than this (against the monotonic clock) counts as a step. The
 * offset between the two clocks does not move when the event loop is late, only when the
 * wall clock is set (NTP slews at most 0.5 ms/s), so this can be small.
 */
const CLOCK_STEP_TOLERANCE_MS = 1000;
/** Cron fires at most once a second: two fires closer than this are one slot seen twice. */
const CRON_MIN_GAP_MS = 500;

/** Options for {@link createScheduler}. */
export interface SchedulerOptions {
  logger: Logger;
  firstRunSpreadMs?: number;
  runAtStart?: boolean;
  /** Monotonic milliseconds (default performance.now): what intervals are measured on. */
  now?: () => number;
  /** Wall-clock epoch milliseconds (default Date.now): only to place each job's slot at start. */
  wallClock?: () => number;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * The scheduler. Interval jobs run on the monotonic clock: each has a stable slot within its
 * interval (placed once at start from the wall clock, so a dependency keeps its slot across
 * restarts and many dependencies spread over the interval), then fires every `intervalMs` of
 * monotonic time; a wall-clock step (NTP, an operator, a VM resume) neither stalls nor bunches
 * them, and slots missed while the event loop was blocked are skipped, not replayed. Cron
 * `schedule`s are wall-clock by nature and run on node-cron; when the wall clock steps, their
 * tasks are rebuilt from the new time, so a step back does not stall them until the clock
 * catches up. Each job also runs once soon after start (at a stable offset within
 * `firstRunSpreadMs`, so 500 jobs don't fire in the same millisecond).
 */
export function createScheduler(jobs: readonly ScheduledJob[], opts: SchedulerOptions): Scheduler {
  const spread = opts.firstRunSpreadMs ?? DEFAULT_FIRST_RUN_SPREAD_MS;
  const now = opts.now ?? (() => performance.now());
  const wallClock = opts.wallClock ?? (() => Date.now());
  const cronJobs = new Map<ScheduledJob, ScheduledTask>();
  const lastCronFire = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let running = false;
  let watch: { timer: NodeJS.Timeout; offset: number } | undefined;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    timers.add(t);
  };

  const cronLogger = {
    info: (m: string) => opts.logger.debug({ component: 'cron' }, m),
    warn: (m: string) => opts.logger.warn({ component: 'cron' }, m),
    error: (m: string | Error) => opts.logger.error({ component: 'cron' }, String(m)),
    debug: (m: string | Error) => opts.logger.debug({ component: 'cron' }, String(m)),
  };

  /** Starts a cron job's task; returns ms until its first scheduled run. */
  const startCron = (job: ScheduledJob, expression: string): number => {
    const subSecond = stableOffset(`${job.id}:ms`, 1000);
    const task = createTask(
      expression,
      () => {
        // Around a re-plan, the old task's slot and the new one's can both come due.
        const at = now();
        if (
          !running ||
          at - (lastCronFire.get(job.id) ?? Number.NEGATIVE_INFINITY) < CRON_MIN_GAP_MS
        ) {
          return;
        }
        lastCronFire.set(job.id, at);
        later(subSecond, job.run);
      },
      { name: `probe:${job.id}`, logger: cronLogger, suppressMissedWarning: true },
    );
    task.start();
    cronJobs.set(job, task);
    return (task.msToNext() ?? Number.POSITIVE_INFINITY) + subSecond;
  };

  const stopCron = (task: ScheduledTask): void => {
    task.stop();
    void task.destroy();
  };

  /** Starts an interval job on the monotonic clock; returns ms until its first slot. */
  const startInterval = (job: ScheduledJob, every: number): number => {
    let next = now() + mod(stableOffset(job.id, every) - wallClock(), every);
    const tick = () => {
      if (!running) return;
      const at = now();
      // Timers may fire a hair early; wait for the slot itself.
      if (at < next - 1) return later(next - at, tick);
      job.run();
      next += every;
      // Late by a whole interval or more (the loop was blocked, the machine slept): skip the
      // missed slots instead of running them back to back.
      if (next <= at) next = at + every - mod(at - next, every);
      later(next - now(), tick);
    };
    const first = next - now();
    later(first, tick);
    return first;
  };

  const startJob = (job: ScheduledJob): number => {
    if (job.schedule !== undefined) return startCron(job, job.schedule);
    return startInterval(job, job.intervalMs ?? 30_000);
  };

  /** Rebuilds cron tasks when the wall clock stepped, so node-cron plans from the new time. */
  const watchClock = (): void => {
    const offset = wallClock() - now();
    const step = offset - (watch?.offset ?? offset);
    if (watch) watch.offset = offset;
    if (Math.abs(step) <= CLOCK_STEP_TOLERANCE_MS) return;
    opts.logger.warn(
      { stepMs: Math.round(step), cronJobs: cronJobs.size },
      'wall clock stepped; interval probes keep their pace, cron schedules are re-planned',
    );
    for (const [job, task] of [...cronJobs]) {
      stopCron(task);
      if (job.schedule !== undefined) startCron(job, job.schedule);
    }
  };

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      for (const job of jobs) {
        const untilScheduled = startJob(job);
        const first = stableOffset(`${job.id}:first`, Math.max(1, spread));
        // A first run soon after start, unless the schedule itself comes about as soon:
        // two rounds back to back would only look like an overrun.
        if (opts.runAtStart !== false && first + 1000 < untilScheduled) {
          later(first, () => {
            if (running) job.run();
          });
        }
      }
      const timer = setInterval(watchClock, CLOCK_WATCH_MS);
      timer.unref();
      watch = { timer, offset: wallClock() - now() };
      opts.logger.info({ jobs: jobs.length }, 'scheduler started');
    },
    stop() {
      running = false;
      if (watch) clearInterval(watch.timer);
      watch = undefined;
      for (const task of cronJobs.values()) stopCron(task);
      cronJobs.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
