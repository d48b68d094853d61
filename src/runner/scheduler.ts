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

/**
 * Where in each interval a dependency's rounds fall, in ms after an epoch-aligned interval
 * start: stable per id (the same slot across restarts) and spread evenly over the interval,
 * so many dependencies sharing an interval do not all fire at :00.
 */
export function intervalPhaseMs(intervalMs: number, id: string): number {
  return stableOffset(id, Math.max(1, Math.floor(intervalMs)));
}

/**
 * Scheduler with start-up jitter: each job first runs once soon after start (at a stable
 * offset within `firstRunSpreadMs`, so 500 jobs don't fire in the same millisecond), then on
 * its schedule. Intervals run on one timer per round at their stable phase (node-cron's
 * per-fire date arithmetic cost half a millisecond of CPU per probe); cron `schedule`s run
 * on node-cron, with a stable sub-second offset so jobs sharing a second spread out.
 */
export function createScheduler(
  jobs: readonly ScheduledJob[],
  opts: { logger: Logger; firstRunSpreadMs?: number; runAtStart?: boolean },
): Scheduler {
  const spread = opts.firstRunSpreadMs ?? 5000;
  const tasks: ScheduledTask[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = false;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const cronLogger = {
    info: (m: string) => opts.logger.debug({ component: 'cron' }, m),
    warn: (m: string) => opts.logger.warn({ component: 'cron' }, m),
    error: (m: string | Error) => opts.logger.error({ component: 'cron' }, String(m)),
    debug: (m: string | Error) => opts.logger.debug({ component: 'cron' }, String(m)),
  };

  /** Starts the job's schedule; returns ms until its first scheduled run. */
  const startJob = (job: ScheduledJob): number => {
    if (job.schedule !== undefined) {
      const subSecond = stableOffset(`${job.id}:ms`, 1000);
      const task = createTask(
        job.schedule,
        () => {
          if (running) later(subSecond, job.run);
        },
        { name: `probe:${job.id}`, logger: cronLogger, suppressMissedWarning: true },
      );
      task.start();
      tasks.push(task);
      return (task.msToNext() ?? Number.POSITIVE_INFINITY) + subSecond;
    }
    // Round k fires at start + first + k·every on the monotonic clock: no drift, one wake-up per round.
    const every = job.intervalMs ?? 30_000;
    const first = (intervalPhaseMs(every, job.id) - (Date.now() % every) + every) % every;
    const origin = performance.now() + first;
    let round = 0;
    const tick = () => {
      if (!running) return;
      job.run();
      // The next slot still ahead: a stalled event loop skips missed slots, never bursts.
      round = Math.max(round + 1, Math.floor((performance.now() - origin) / every) + 1);
      later(origin + round * every - performance.now(), tick);
    };
    later(first, tick);
    return first;
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
      opts.logger.info({ jobs: jobs.length }, 'scheduler started');
    },
    stop() {
      running = false;
      for (const task of tasks.splice(0)) {
        task.stop();
        void task.destroy();
      }
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
