import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { runProcess } from '../support/run-process.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');
const OPENAI_KEY = 'sk-e2e-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-e2e-0123456789abcdef';

function writeConfig(dir: string, vendorUrl: string, extra = ''): string {
  const file = join(dir, 'bellwether.yaml');
  writeFileSync(
    file,
    `vantage: e2e
server: { port: 0, host: 127.0.0.1 }
storage: { path: ${join(dir, 'history.db')} }
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
dependencies:
  - id: e2e-openai
    vendor: openai
    baseUrl: ${vendorUrl}/v1
    apiKey: \${E2E_OPENAI_KEY}
    model: gpt-4o-mini
  - id: e2e-anthropic
    vendor: anthropic
    baseUrl: ${vendorUrl}
    apiKey: \${E2E_ANTHROPIC_KEY}
    model: claude-3-5-haiku-latest
consumers:
  - { id: phishing-triage, team: secops, uses: [e2e-openai, e2e-anthropic] }
${extra}`,
  );
  return file;
}

/** Runs the CLI without blocking this process: the fake vendor lives in it and must keep answering. */
const runCli = (args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
  runProcess(process.execPath, [CLI, ...args], {
    env: { ...env, ...opts.env },
    timeoutMs: opts.timeoutMs,
  });

const env = { ...process.env, E2E_OPENAI_KEY: OPENAI_KEY, E2E_ANTHROPIC_KEY: ANTHROPIC_KEY };

interface Status {
  status: string;
  dependencies: {
    id: string;
    state: string;
    breaker: string;
    lastProbe: { ttftMs: number | null } | null;
  }[];
  consumers: { id: string; state: string; route: string | null }[];
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the built CLI against the fake vendor', () => {
  let vendor: FakeVendor;
  let dir: string;
  let config: string;
  let child: ChildProcess;
  let base = '';
  let stdout = '';

  beforeAll(async () => {
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-e2e-'));
    config = writeConfig(dir, vendor.url);
    child = spawn(process.execPath, [CLI, 'run', '--config', config], {
      env: { ...env, LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const port = await until(
      'the started log line',
      async () => {
        const m = /"port":(\d+).*"msg":"bellwether started"/.exec(stdout);
        return m ? Number(m[1]) : undefined;
      },
      10_000,
    );
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await vendor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (): Promise<Status> =>
    (await fetch(`${base}/api/v1/status`)).json() as Promise<Status>;

  it('reports healthy dependencies with time to first token', async () => {
    const s = await until(
      'healthy dependencies',
      async () => {
        const s = await status();
        return s.dependencies.every((d) => d.state === 'healthy') ? s : undefined;
      },
      10_000,
    );
    expect(s.status).toBe('ok');
    expect(s.consumers[0]).toMatchObject({ state: 'ok', route: 'e2e-openai' });
    for (const d of s.dependencies) expect(d.lastProbe?.ttftMs).toBeGreaterThan(0);
  });

  it('serves /metrics that promtool accepts, with no secret in it', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('bellwether_probe_success{');
    expect(text).toContain('vantage="e2e"');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool must be installed (apt-get install prometheus)').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain(ANTHROPIC_KEY);
  });

  it('flips to down with the breaker open when the vendor stops, and recovers', async () => {
    await vendor.stop();
    const stoppedAt = Date.now();
    const down = await until(
      'down with breaker open',
      async () => {
        const s = await status();
        return s.dependencies.every((d) => d.state === 'down' && d.breaker === 'open')
          ? s
          : undefined;
      },
      10_000,
    );
    const detectMs = Date.now() - stoppedAt;
    expect(down.status).toBe('down');
    expect(down.consumers[0]).toMatchObject({ state: 'down', route: null });
    await vendor.start();
    const restartedAt = Date.now();
    await until(
      'recovery',
      async () => {
        const s = await status();
        return s.dependencies.every((d) => d.state === 'healthy' && d.breaker === 'closed')
          ? s
          : undefined;
      },
      25_000,
    );
    // Figures for the closing note; the assertions above are what must hold.
    process.stdout.write(
      `e2e: fault→down+open ${detectMs} ms, restart→healthy ${Date.now() - restartedAt} ms (interval 1 s)\n`,
    );
  });

  it('never writes an API key to its logs', () => {
    expect(stdout.length).toBeGreaterThan(0);
    expect(stdout).not.toContain(OPENAI_KEY);
    expect(stdout).not.toContain(ANTHROPIC_KEY);
  });

  it('shuts down cleanly on SIGTERM with exit 0', async () => {
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('"msg":"stopped"');
  });

  it('check prints dependencies and consumers with routes; exit 0 healthy, 1 down', async () => {
    const healthy = await runCli(['check', '--config', config]);
    expect(healthy.stdout, healthy.stderr).toMatch(/DEPENDENCY\s+VENDOR\s+STATE/);
    expect(healthy.stdout).toMatch(/e2e-openai\s+openai\s+healthy/);
    expect(healthy.stdout).toMatch(/CONSUMER\s+STATE\s+ROUTE\s+REASON/);
    expect(healthy.stdout).toMatch(
      /phishing-triage\s+ok\s+e2e-openai\s+primary e2e-openai is healthy/,
    );
    expect(healthy.status).toBe(0);
    vendor.setFault('chat', { status: 500 });
    const down = await runCli(['check', '--config', config]);
    vendor.clearFaults();
    expect(down.stdout).toMatch(/e2e-openai\s+openai\s+down\s+.*server_error/);
    expect(down.stdout).toMatch(/phishing-triage\s+degraded\s+e2e-anthropic \(fallback\)/);
    expect(down.stdout).toContain('the probe round failed; last: completion check: server_error');
    expect(down.status).toBe(1);
  });

  it('check --json: the exit code, dependencies and consumers for pipelines', async () => {
    vendor.setFault('*', { status: 503 });
    const res = await runCli(['check', '--config', config, '--json']);
    vendor.clearFaults();
    const body = JSON.parse(res.stdout) as {
      exitCode: number;
      dependencies: { id: string; state: string; errorClass: string | null }[];
      consumers: { id: string; state: string; route: string | null; reason: string }[];
    };
    expect(res.status).toBe(1);
    expect(body.exitCode).toBe(1);
    expect(body.dependencies.map((d) => d.state)).toEqual(['down', 'down']);
    expect(body.consumers).toEqual([
      expect.objectContaining({ id: 'phishing-triage', state: 'down', route: null }),
    ]);
  });

  it.each<[string, Record<string, string>]>([
    [
      'rejected',
      { E2E_OPENAI_KEY: 'sk-wrong-0123456789abcdef', E2E_ANTHROPIC_KEY: 'sk-ant-wrong-0123456789' },
    ],
    ['missing', { E2E_OPENAI_KEY: '', E2E_ANTHROPIC_KEY: '' }],
  ])('check exits 4 when our credentials are %s', async (_name, keys) => {
    const res = await runCli(['check', '--config', config, '--json'], { env: keys });
    const body = JSON.parse(res.stdout) as {
      dependencies: { credentialProblem: string | null }[];
    };
    expect(res.status, res.stderr).toBe(4);
    expect(body.dependencies.map((d) => d.credentialProblem)).toEqual([_name, _name]);
    expect(res.stdout + res.stderr).not.toContain('sk-wrong-0123456789abcdef');
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['check', '--bogus'], /Unknown option '--bogus'/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['an option of another command', ['validate', '--json'], /--json is not an option of validate/],
    ['a bad port', ['run', '--port', 'http'], /--port must be an integer/],
    ['help for nothing', ['help', 'nothing'], /no help for "nothing"/],
    [
      'a log level pino lacks',
      ['validate', '--log-level', 'loud'],
      /--log-level \(or LOG_LEVEL\) must be one of/,
    ],
  ])('a usage error (%s) exits 2 and says what is wrong', async (_name, args, message) => {
    const res = await runCli(args);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toContain('Run "bellwether help" for usage.');
  });

  it.each([
    ['run', 'Usage: bellwether run [--config FILE] [--port N]'],
    ['check', '  2  usage error\n  3  configuration error\n  4  our own credentials'],
    ['validate', 'then\nwarnings (unset key variables and what follows from them)'],
  ])("bellwether help %s prints that command's help, the same as --help", async (command, text) => {
    const help = await runCli(['help', command]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(text);
    expect((await runCli([command, '--help'])).stdout).toBe(help.stdout);
  });

  it('validate lists unset key variables and what follows, exits 0, prints no secret', async () => {
    const res = await runCli(['validate', '--config', config], {
      env: { E2E_OPENAI_KEY: '', E2E_ANTHROPIC_KEY: ANTHROPIC_KEY },
    });
    expect(res.status).toBe(0);
    expect(res.stderr).toBe(
      `${config}: warning: dependencies[0].apiKey: E2E_OPENAI_KEY is not set; e2e-openai will only check reachability\n`,
    );
    expect(res.stdout).toBe(`${config}: ok (2 dependencies, 1 consumer, 1 warning)\n`);
    expect(res.stdout + res.stderr).not.toContain(ANTHROPIC_KEY);
  });

  it('LOG_FORMAT=pretty prints readable lines: time, level name, message', async () => {
    vendor.setFault('chat', { status: 500 });
    const res = await runCli(['check', '--config', config], { env: { LOG_FORMAT: 'pretty' } });
    vendor.clearFaults();
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] ERROR: dependency state changed$/m,
    );
    expect(res.stderr).toMatch(/^ {4}dependency: "e2e-openai"$/m);
    expect(res.stderr).not.toContain('{"level"');
    expect(res.stderr).not.toContain(OPENAI_KEY);
  });

  it('LOG_FORMAT other than json or pretty is a usage error', async () => {
    const res = await runCli(['validate', '--config', config], { env: { LOG_FORMAT: 'yaml' } });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('LOG_FORMAT must be json or pretty, got "yaml"');
  });

  it('npx bellwether runs the built CLI from the clone', () => {
    const res = spawnSync('npx', ['--offline', 'bellwether', '--version'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.status).toBe(0);
  });

  it('validate exits 1 with file:line:col for a bad config, 0 for a good one', () => {
    const good = spawnSync(process.execPath, [CLI, 'validate', '--config', config], {
      env,
      encoding: 'utf8',
    });
    expect(good.status).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'dependencies:\n  - id: x\n    vendor: openai\n    model: m\n    interval: 30 seconds\n',
    );
    const res = spawnSync(process.execPath, [CLI, 'validate', '--config', bad], {
      env,
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`${bad}:5:15: dependencies[0].interval:`);
  });

  it('run refuses to start on a bad config with exit 3', () => {
    const bad = join(dir, 'bad2.yaml');
    writeFileSync(bad, 'dependencies: []\nbogus: 1\n');
    const res = spawnSync(process.execPath, [CLI, 'run', '--config', bad], {
      env,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('Bellwether did not start');
  });
});
