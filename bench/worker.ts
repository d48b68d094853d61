import { pairTask, timerSlopTask } from './accuracy.js';
import { cpuProbeTask } from './cpu.js';
import { RESULT_MARK } from './lib/proc.js';
import { metricsRenderTask } from './metrics-render.js';

/**
 * One bench task in a fresh process (started by runWorker in bench/lib/proc.ts):
 * `node --import tsx bench/worker.ts <task> '<json args>'`; answers with one RESULT_MARK line.
 */
// biome-ignore lint/suspicious/noExplicitAny: run.ts builds each task's arguments; JSON carries no types.
const TASKS: Record<string, (args: any) => Promise<unknown>> = {
  'accuracy-pair': pairTask,
  'timer-slop': timerSlopTask,
  'cpu-probe': cpuProbeTask,
  'metrics-render': metricsRenderTask,
};

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const task = name === undefined ? undefined : TASKS[name];
  if (task === undefined) throw new Error(`unknown bench task ${name ?? '(none)'}`);
  const result = await task(JSON.parse(json ?? '{}'));
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench worker: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
