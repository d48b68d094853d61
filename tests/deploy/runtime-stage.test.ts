/**
 * The Docker image's final stage, performed without Docker: production install from the
 * lockfile, the compiled dist/, package.json and config/ laid out as the Dockerfile lays them
 * out, then the image's own command with the Dockerfile's ENV. A module that src imports but
 * only devDependencies provide, a file dist/ needs at run time but the image does not copy,
 * or a write outside the data volume fails here.
 *
 * The npm registry must be reachable (npm ci cannot run offline from a cold cache). The probes
 * go to a local fake vendor: the default config is used as shipped for `validate`, and with
 * only its vendor URLs (and listen address) moved to 127.0.0.1 for `run`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { parseDockerfile } from './support/dockerfile.js';
import { type RuntimePlan, runtimePlan } from './support/runtime-plan.js';

const REPO = resolve(import.meta.dirname, '../..');
const OPENAI_KEY = 'sk-runtime-stage-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-runtime-stage-0123456789abcdef';
const VANTAGE = 'runtime-stage';
const SETUP_TIMEOUT_MS = 300_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise({ code, stdout, stderr });
      else {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** npm's own settings (registry, proxy, cafile) pass through; the parent script's do not. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_lifecycle_|npm_package_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Every file under `dir` with its size and mtime, relative paths with `/`. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const st = statSync(full);
        out.set(relative(dir, full).split(sep).join('/'), `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** The shipped config with every dependency pointed at the fake vendor. */
function localConfig(text: string, vendorUrl: string): string {
  const doc = parseDocument(text);
  doc.setIn(['server', 'host'], '127.0.0.1');
  const deps = doc.get('dependencies') as YAMLSeq<YAMLMap>;
  for (const dep of deps.items) {
    const vendor = String(dep.get('vendor'));
    if (vendor === 'openai' || vendor === 'openai-compatible')
      dep.set('baseUrl', `${vendorUrl}/v1`);
    else if (vendor === 'anthropic') dep.set('baseUrl', vendorUrl);
    else if (vendor === 'http') dep.set('url', `${vendorUrl}/health`);
    else throw new Error(`teach this test to point vendor ${vendor} at the fake vendor`);
  }
  return doc.toString();
}

function modelsOf(text: string): string[] {
  const doc = parseDocument(text).toJS() as { dependencies?: { model?: string }[] };
  return (doc.dependencies ?? []).flatMap((d) => (d.model ? [d.model] : []));
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The HEALTHCHECK's exec-form command, flags stripped. */
function healthcheckCommand(args: string | undefined): string[] {
  const match = /\bCMD\s+(\[.*\])\s*$/.exec(args ?? '');
  if (!match) throw new Error(`expected HEALTHCHECK ... CMD ["node", ...], got ${args}`);
  return JSON.parse(match[1] ?? '[]') as string[];
}

describe('the Docker runtime stage, performed without Docker', () => {
  let root: string;
  let defaultConfig: string;
  let plan: RuntimePlan;
  let app: string;
  let vendor: FakeVendor;
  let child: ChildProcess | undefined;
  let before: Map<string, string>;
  const processEnv = (): NodeJS.ProcessEnv => {
    // The image's ENV with its /app paths moved into the temp copy, and nothing from this process.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      TMPDIR: join(root, 'tmp'),
    };
    for (const [k, v] of Object.entries(plan.env)) {
      env[k] =
        v === plan.workdir || v.startsWith(`${plan.workdir}/`)
          ? app + v.slice(plan.workdir.length)
          : v;
    }
    return env;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bellwether-runtime-'));
    const stages = join(root, 'stages');
    defaultConfig = readFileSync(join(REPO, 'config/bellwether.yaml'), 'utf8');
    const dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    plan = runtimePlan(dockerfile, String(pkg.scripts?.build ?? ''));
    app = join(root, 'app');
    for (const dir of [app, stages, join(root, 'home'), join(root, 'tmp')]) {
      mkdirSync(dir, { recursive: true });
    }
    await Promise.all(
      plan.steps.map(async (step) => {
        if (step.kind === 'copy') {
          const target = join(app, step.dest);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(REPO, step.source), target, { recursive: true });
        } else if (step.kind === 'production-install') {
          const dir = join(stages, step.stage);
          mkdirSync(dir, { recursive: true });
          for (const input of step.inputs) cpSync(join(REPO, input), join(dir, input));
          await run(
            'npm',
            [
              'ci',
              '--omit=dev',
              '--ignore-scripts=false',
              '--no-audit',
              '--no-fund',
              '--prefer-offline',
            ],
            { cwd: dir, env: npmEnv(), timeoutMs: SETUP_TIMEOUT_MS - 10_000 },
          );
          renameSync(join(dir, 'node_modules'), join(app, step.dest));
        } else {
          const tsc = /^tsc -p (\S+)$/.exec(step.script);
          if (!tsc) throw new Error(`teach this test the build script "${step.script}"`);
          const out = join(stages, step.stage, 'dist');
          await run(
            process.execPath,
            [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', tsc[1] ?? '', '--outDir', out],
            { cwd: REPO, env: npmEnv(), timeoutMs: 120_000 },
          );
          renameSync(out, join(app, step.dest));
        }
      }),
    );
    for (const volume of plan.volumes) {
      mkdirSync(join(app, relative(plan.workdir, volume)), { recursive: true });
    }
    vendor = await startFakeVendor({
      models: modelsOf(defaultConfig),
      openaiKey: OPENAI_KEY,
      anthropicKey: ANTHROPIC_KEY,
    });
    before = snapshot(app);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await vendor?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('resolves nothing from outside the copied app (no node_modules above it)', () => {
    const above: string[] = [];
    for (let dir = dirname(app); dir !== dirname(dir); dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules'))) above.push(dir);
    }
    if (existsSync('/node_modules')) above.push('/');
    expect(above, 'a node_modules above the temp dir would hide a missing dependency').toEqual([]);
  });

  it('has no dev dependency in the production install', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const installed = new Set(
      readdirSync(join(app, 'node_modules')).flatMap((name) =>
        name.startsWith('@')
          ? readdirSync(join(app, 'node_modules', name)).map((n) => `${name}/${n}`)
          : [name],
      ),
    );
    for (const dep of Object.keys(pkg.dependencies ?? {})) expect(installed, dep).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies ?? {})) {
      expect(installed.has(dev), `${dev} is a devDependency`).toBe(false);
    }
  });

  it('validates the shipped default config with the production install', async () => {
    const [node, cli] = plan.command;
    const result = await run(
      node === 'node' ? process.execPath : (node ?? ''),
      [cli ?? '', 'validate', '--config', 'config/bellwether.yaml'],
      { cwd: app, env: processEnv(), timeoutMs: 30_000 },
    );
    expect(result.stdout).toMatch(/config\/bellwether\.yaml: ok/);
  });

  it('runs the image command: health, readiness, metrics, real probes, clean SIGTERM exit', async () => {
    const configFile = join(root, 'probe-local.yaml');
    writeFileSync(configFile, localConfig(defaultConfig, vendor.url));
    const [node, ...args] = plan.command;
    const at = args.indexOf('--config');
    expect(at, 'the image command names its config file').toBeGreaterThan(0);
    args[at + 1] = configFile;
    const env = {
      ...processEnv(),
      BELLWETHER_VANTAGE: VANTAGE,
      OPENAI_API_KEY: OPENAI_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    };
    const proc = spawn(
      node === 'node' ? process.execPath : (node ?? ''),
      [...args, '--port', '0'],
      {
        cwd: app,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const childExit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

    const port = await until(
      `the "bellwether started" log line (stderr: ${stderr})`,
      async () => {
        const line = stdout.split('\n').find((l) => l.includes('bellwether started'));
        return line ? Number(JSON.parse(line).port) : undefined;
      },
      20_000,
    );
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Ready once every dependency has finished its first probe round.
    await until(
      '/readyz 200',
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      20_000,
    );

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
    expect(metrics).toMatch(
      new RegExp(`^bellwether_build_info\\{[^}]*version="${version}"[^}]*\\} 1$`, 'm'),
    );
    expect(metrics).toContain(`vantage="${VANTAGE}"`);

    // Every shipped dependency completes a real probe round through the production install
    // (HTTP client, SSE parser, SQLite history) against the fake vendor.
    const ids = (
      parseDocument(defaultConfig).toJS() as { dependencies: { id: string }[] }
    ).dependencies.map((d) => d.id);
    await until(
      'every dependency healthy',
      async () => {
        const status = (await (await fetch(`${base}/api/v1/status`)).json()) as {
          dependencies: { id: string; state: string }[];
        };
        const healthy = status.dependencies.filter((d) => d.state === 'healthy').map((d) => d.id);
        return ids.every((id) => healthy.includes(id)) ? true : undefined;
      },
      30_000,
    );
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    // The image's HEALTHCHECK command, run as Docker would (it reads PORT).
    const [hcNode, ...hcArgs] = healthcheckCommand(plan.healthcheck);
    const healthEnv = { ...processEnv(), PORT: String(port) };
    const hcBinary = hcNode === 'node' ? process.execPath : (hcNode ?? '');
    await run(hcBinary, hcArgs, { cwd: app, env: healthEnv, timeoutMs: 10_000 });

    proc.kill('SIGTERM');
    const code = await Promise.race([
      childExit,
      new Promise<string>((r) => setTimeout(() => r('still running 30 s after SIGTERM'), 30_000)),
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/"msg":"stopped"/);
    await expect(
      run(hcBinary, hcArgs, { cwd: app, env: healthEnv, timeoutMs: 10_000 }),
      'the health check fails once the server is gone',
    ).rejects.toThrow(/exited 1/);
  }, 90_000);

  it('wrote nothing outside the data volume (the image runs with a read-only root)', () => {
    const after = snapshot(app);
    const dataDirs = plan.volumes.map((v) => `${relative(plan.workdir, v)}/`);
    const changed = [...after.keys()].filter(
      (path) => before.get(path) !== after.get(path) && !dataDirs.some((d) => path.startsWith(d)),
    );
    const removed = [...before.keys()].filter((path) => !after.has(path));
    expect({ changed, removed }).toEqual({ changed: [], removed: [] });
    expect(
      [...after.keys()].some((p) => dataDirs.some((d) => p.startsWith(d))),
      'the history database lives in the data volume',
    ).toBe(true);
    expect(readdirSync(join(root, 'tmp')), 'TMPDIR').toEqual([]);
    expect(readdirSync(join(root, 'home')), 'HOME').toEqual([]);
  });
});
