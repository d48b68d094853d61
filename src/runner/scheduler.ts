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

const range = (start: number, step: number, end: number): string => {
  const values: number[] = [];
  for (let v = start; v < end; v += step) values.push(v);
  return values.join(',');
};

/**
 * Translates an interval into a 6-field cron expression whose slots are offset by the
 * dependency's stable jitter, so that many dependencies with the same interval spread over
 * the interval instead of all firing at :00. Returns null when the interval does not
 * divide a minute, an hour or a day (45 s, 7 m): those run on a plain timer instead.
 */
export function intervalToCron(intervalMs: number, id: string): string | null {
  if (intervalMs < 1000 || intervalMs % 1000 !== 0) return null;
  const s = intervalMs / 1000;
  if (s < 60 && 60 % s === 0) return `${range(stableOffset(id, s), s, 60)} * * * * *`;
  const sec = stableOffset(id, 60);
  if (s % 60 === 0 && s < 3600 && 60 % (s / 60) === 0) {
    const m = s / 60;
    return `${sec} ${range(stableOffset(`${id}:m`, m), m, 60)} * * * *`;
  }
  if (s % 3600 === 0 && s < 86400 && 24 % (s / 3600) === 0) {
    const h = s / 3600;
    return `${sec} ${stableOffset(`${id}:m`, 60)} ${range(stableOffset(`${id}:h`, h), h, 24)} * * *`;
  }
  if (s === 86400)
    return `${sec} ${stableOffset(`${id}:m`, 60)} ${stableOffset(`${id}:h`, 24)} * * *`;
  return null;
}

/**
 * node-cron scheduler with start-up jitter: each job first runs once soon after start (at a
 * stable offset within `firstRunSpreadMs`, so 500 jobs don't fire in the same millisecond),
 * then on its schedule, with a stable sub-second offset so jobs sharing a second spread out.
 */
export function createScheduler(
  jobs: readonly ScheduledJob[],
  opts: { logger: Logger; firstRunSpreadMs?: number; runAtStart?: boolean },
): Scheduler {
  const spread = opts.firstRunSpreadMs ?? DEFAULT_FIRST_RUN_SPREAD_MS;
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
    const subSecond = stableOffset(`${job.id}:ms`, 1000);
    const fire = () => {
      if (running) later(subSecond, job.run);
    };
    const expression = job.schedule ?? intervalToCron(job.intervalMs ?? 30_000, job.id);
    if (expression) {
      const task = createTask(expression, fire, {
        name: `probe:${job.id}`,
        logger: cronLogger,
        suppressMissedWarning: true,
      });
      task.start();
      tasks.push(task);
      return (task.msToNext() ?? Number.POSITIVE_INFINITY) + subSecond;
    }
    // Intervals cron cannot express: a self-rearming timer, still one wake-up per round.
    const every = job.intervalMs ?? 30_000;
    const tick = () => {
      if (!running) return;
      job.run();
      later(every, tick);
    };
    const first = stableOffset(job.id, every);
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
