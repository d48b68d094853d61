/**
 * The Dockerfile read as the engine would read it: stages, what the final stage copies (the
 * same plan runtime-stage.test.ts performs), the user, health check, port, signals, labels, and
 * that .dockerignore lets every COPY source through while keeping local state out.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  contextIncludes,
  copies,
  execForm,
  instructionsOf,
  keyValues,
  parseDockerfile,
  parseDockerignore,
  stageVariables,
} from './support/dockerfile.js';
import { runtimePlan } from './support/runtime-plan.js';

const REPO = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

function load() {
  const file = parseDockerfile(read('Dockerfile'));
  const pkg = JSON.parse(read('package.json')) as {
    name: string;
    version: string;
    license: string;
    scripts: Record<string, string>;
  };
  const config = parse(read('config/bellwether.yaml')) as {
    server?: { port?: number };
    storage?: { path?: string };
  };
  const final = file.stages.at(-1);
  if (!final) throw new Error('Dockerfile has no stage');
  return { file, pkg, config, final, plan: runtimePlan(file, pkg.scripts.build ?? '') };
}

function filesUnder(path: string): string[] {
  const full = join(REPO, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(REPO, join(e.parentPath, e.name)).split(sep).join('/'));
}

describe('Dockerfile', () => {
  it('builds on a current Node LTS image in every stage', () => {
    const { file } = load();
    expect(file.stages.map((s) => s.name)).toEqual(['deps', 'build', 'final']);
    for (const stage of file.stages) {
      const match = /^node:(\d+)-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/.exec(stage.from);
      expect(match, `${stage.name}: ${stage.from}`).not.toBeNull();
      const major = Number(match?.[1]);
      // Even majors become LTS; 22 is the oldest line still maintained.
      expect(major % 2, stage.from).toBe(0);
      expect(major, stage.from).toBeGreaterThanOrEqual(22);
    }
    expect(new Set(file.stages.map((s) => s.from)).size, 'one base image for all stages').toBe(1);
  });

  it('final stage holds exactly: production node_modules, compiled dist, package.json, config', () => {
    const { plan } = load();
    expect(plan.steps).toEqual([
      {
        kind: 'production-install',
        stage: 'deps',
        inputs: ['package.json', 'package-lock.json'],
        dest: 'node_modules',
      },
      { kind: 'compile', stage: 'build', script: 'tsc -p tsconfig.build.json', dest: 'dist' },
      { kind: 'copy', source: 'package.json', dest: 'package.json' },
      { kind: 'copy', source: 'config', dest: 'config' },
    ]);
  });

  it('keeps the toolchain and the dev dependencies out of the final stage', () => {
    const { final } = load();
    for (const run of instructionsOf(final, 'RUN')) {
      expect(run.args, `line ${run.line}`).not.toMatch(/apt-get|npm (ci|install|i)\b|g\+\+|make/);
    }
    expect(instructionsOf(final, 'ADD')).toEqual([]);
  });

  it('compiles with everything the build script reads', () => {
    const { file } = load();
    const build = file.stages.find((s) => s.name === 'build');
    if (!build) throw new Error('no build stage');
    const sources = copies(build).flatMap((c) => c.sources);
    const tsconfig = JSON.parse(read('tsconfig.build.json')) as {
      extends?: string;
      include?: string[];
    };
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      ...(tsconfig.extends ? [posix.normalize(tsconfig.extends)] : []),
      ...(tsconfig.include ?? []),
    ];
    expect(sources.sort()).toEqual(needed.sort());
  });

  it('runs as a numeric non-root user', () => {
    const { plan } = load();
    const [user, group] = plan.user.split(':');
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
    if (group !== undefined) expect(Number(group)).toBeGreaterThan(0);
  });

  it('writes only under its data volume, where the default config keeps history', () => {
    const { plan, config } = load();
    expect(plan.volumes).toEqual([posix.join(plan.workdir, 'data')]);
    const db = posix.resolve(plan.workdir, config.storage?.path ?? './data/bellwether.db');
    expect(db.startsWith(`${plan.volumes[0]}/`), db).toBe(true);
    // SQLite's temporary files must land in the volume too.
    expect(plan.env.SQLITE_TMPDIR).toBe(plan.volumes[0]);
  });

  it('exposes the port of config/bellwether.yaml and checks /healthz on it', () => {
    const { plan, config } = load();
    const port = config.server?.port ?? 9477;
    expect(plan.exposedPorts).toEqual([port]);
    expect(plan.healthcheck).toMatch(/\bCMD \[/);
    expect(plan.healthcheck).toContain('/healthz');
    expect(plan.healthcheck).toContain(`process.env.PORT||${port}`);
    for (const flag of ['interval', 'timeout', 'start-period', 'retries']) {
      expect(plan.healthcheck).toMatch(new RegExp(`--${flag}=\\S+`));
    }
  });

  it('makes node PID 1 with SIGTERM, which the run command handles', () => {
    const { final, plan } = load();
    expect(instructionsOf(final, 'STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
    const entrypoint = instructionsOf(final, 'ENTRYPOINT').at(-1)?.args ?? '';
    expect(execForm(entrypoint), 'exec form: no shell between Docker and node').toEqual([
      'node',
      'dist/cli.js',
    ]);
    expect(plan.command).toEqual([
      'node',
      'dist/cli.js',
      'run',
      '--config',
      'config/bellwether.yaml',
    ]);
    const cli = read('src/cli.ts');
    expect(cli).toMatch(/process\.on\('SIGTERM'/);
    expect(cli).toMatch(/process\.on\('SIGINT'/);
  });

  it('carries the OCI labels, version and licence from package.json', () => {
    const { file, final, pkg } = load();
    const vars = stageVariables(file, final);
    const labels: Record<string, string> = {};
    for (const label of instructionsOf(final, 'LABEL')) {
      for (const [k, v] of Object.entries(keyValues(label.args))) {
        labels[k] = v.replace(/\$\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
      }
    }
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': pkg.name,
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.base.name': final.from,
    });
    for (const key of ['description', 'revision', 'created', 'source']) {
      expect(Object.keys(labels)).toContain(`org.opencontainers.image.${key}`);
    }
  });
});

describe('.dockerignore', () => {
  const rules = parseDockerignore(read('.dockerignore'));

  it('lets every file a COPY names reach the builder', () => {
    const { file } = load();
    const sources = file.stages.flatMap((s) =>
      copies(s)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      for (const path of filesUnder(source)) {
        if (/(^|\/)\.env(\.|$)|\.log$|\.DS_Store$/.test(path)) continue;
        expect(contextIncludes(rules, path), path).toBe(true);
      }
    }
  });

  it.each([
    'node_modules/hono/package.json',
    'dist/cli.js',
    'data/bellwether.db',
    '.git/HEAD',
    '.env',
    'config/.env.local',
    'src/.env',
    'tests/e2e/cli.test.ts',
    'bench/run.ts',
    'coverage/index.html',
    'artifacts/x.png',
    'npm-debug.log',
    'docker-compose.yml',
    'deploy/kubernetes/base/kustomization.yaml',
  ])('keeps %s out of the build context', (path) => {
    expect(contextIncludes(rules, path)).toBe(false);
  });
});
