import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (`npm run build` first). */
export const CLI = join(process.cwd(), 'dist', 'cli.js');

/** A `bellwether run` child process and everything it printed. */
export interface CliProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<void>;
}

function collect(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return () => out;
}

/** Runs the CLI to completion (for commands that exit) and returns its status and output. */
export function runCliOnce(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output: output() });
    });
  });
}

/** Starts `bellwether run` and waits for its "bellwether started" line. */
export async function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
  cli = CLI,
): Promise<CliProcess> {
  const child = spawn(process.execPath, [cli, 'run', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /"port":(\d+).*"msg":"bellwether started"/.exec(output());
    if (m) {
      return {
        child,
        base: `http://127.0.0.1:${m[1]}`,
        output,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bellwether did not start:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
