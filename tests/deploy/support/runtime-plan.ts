import { posix } from 'node:path';
import {
  copies,
  type Dockerfile,
  execForm,
  instructionsOf,
  type Stage,
  stageVariables,
} from './dockerfile.js';

/** How the final image gets one of its paths, in terms a test can perform without Docker. */
export type RuntimeStep =
  /** `npm ci --omit=dev` on these files from the repository, then take node_modules. */
  | { kind: 'production-install'; stage: string; inputs: string[]; dest: string }
  /** The build stage's `npm run build`: the repository's build script, output taken from it. */
  | { kind: 'compile'; stage: string; script: string; dest: string }
  /** A file or folder copied from the build context. */
  | { kind: 'copy'; source: string; dest: string };

/** The final stage as a recipe: what lands where, how the process starts, as whom. */
export interface RuntimePlan {
  workdir: string;
  steps: RuntimeStep[];
  /** The final stage's ENV (and ARG) values. */
  env: Record<string, string>;
  /** ENTRYPOINT followed by CMD. */
  command: string[];
  user: string;
  volumes: string[];
  exposedPorts: number[];
  healthcheck?: string;
}

function stageNamed(file: Dockerfile, name: string): Stage {
  const stage = file.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`COPY --from=${name}: no stage of that name`);
  return stage;
}

function workdirOf(stage: Stage): string {
  const workdir = instructionsOf(stage, 'WORKDIR').at(-1)?.args;
  if (!workdir) throw new Error(`stage ${stage.name ?? stage.from} sets no WORKDIR`);
  return workdir;
}

function runs(stage: Stage): string[] {
  return instructionsOf(stage, 'RUN').map((i) => i.args);
}

function relativeDest(workdir: string, dest: string, source: string): string {
  const absolute = posix.resolve(workdir, dest);
  const target = dest.endsWith('/') ? posix.join(absolute, posix.basename(source)) : absolute;
  return posix.relative(workdir, target);
}

/**
 * Reads the final stage into steps. Throws on anything it cannot map to a local action, so a
 * new COPY in the Dockerfile fails the runtime test until the test learns to perform it.
 */
export function runtimePlan(file: Dockerfile, buildScript: string): RuntimePlan {
  const final = file.stages.at(-1);
  if (!final) throw new Error('no stages');
  const workdir = workdirOf(final);
  const steps: RuntimeStep[] = copies(final).map((copy): RuntimeStep => {
    if (copy.sources.length !== 1) {
      throw new Error(`line ${copy.line}: one source per COPY keeps the runtime test mappable`);
    }
    const source = copy.sources[0] ?? '';
    const dest = relativeDest(workdir, copy.dest, source);
    if (copy.from === undefined) return { kind: 'copy', source, dest };
    const from = stageNamed(file, copy.from);
    const fromWorkdir = workdirOf(from);
    const fromPath = posix.relative(fromWorkdir, posix.resolve(fromWorkdir, source));
    const commands = runs(from).join(' && ');
    if (fromPath === 'node_modules') {
      if (!/\bnpm ci\b/.test(commands) || !/--omit=dev\b/.test(commands)) {
        throw new Error(`stage ${copy.from}: node_modules must come from npm ci --omit=dev`);
      }
      const inputs = copies(from).flatMap((c) => c.sources);
      return { kind: 'production-install', stage: copy.from, inputs, dest };
    }
    if (fromPath === 'dist') {
      if (!/\bnpm run build\b/.test(commands)) {
        throw new Error(`stage ${copy.from}: dist must come from npm run build`);
      }
      return { kind: 'compile', stage: copy.from, script: buildScript, dest };
    }
    throw new Error(`line ${copy.line}: the runtime test cannot produce ${source} of ${copy.from}`);
  });
  const entrypoint = instructionsOf(final, 'ENTRYPOINT').at(-1)?.args;
  const cmd = instructionsOf(final, 'CMD').at(-1)?.args;
  const command = [
    ...(entrypoint === undefined ? [] : (execForm(entrypoint) ?? ['/bin/sh', '-c', entrypoint])),
    ...(cmd === undefined ? [] : (execForm(cmd) ?? ['/bin/sh', '-c', cmd])),
  ];
  const volumes = instructionsOf(final, 'VOLUME').flatMap((v) => execForm(v.args) ?? [v.args]);
  const exposedPorts = instructionsOf(final, 'EXPOSE').flatMap((e) =>
    e.args.split(/\s+/).map((p) => Number.parseInt(p, 10)),
  );
  const healthcheck = instructionsOf(final, 'HEALTHCHECK').at(-1)?.args;
  return {
    workdir,
    steps,
    env: stageVariables(file, final),
    command,
    user: instructionsOf(final, 'USER').at(-1)?.args ?? 'root',
    volumes,
    exposedPorts,
    ...(healthcheck === undefined ? {} : { healthcheck }),
  };
}
