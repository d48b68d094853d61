import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';

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
function runCli(
  args: string[],
  opts: { timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

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

  it('check prints a table and exits 0 when healthy, 1 when a dependency is down', async () => {
    const healthy = await runCli(['check', '--config', config]);
    expect(healthy.stdout, healthy.stderr).toMatch(/DEPENDENCY\s+VENDOR\s+STATE/);
    expect(healthy.stdout).toMatch(/e2e-openai\s+openai\s+healthy/);
    expect(healthy.status).toBe(0);
    vendor.setFault('chat', { status: 500 });
    const down = await runCli(['check', '--config', config]);
    vendor.clearFaults();
    expect(down.stdout).toMatch(/e2e-openai\s+openai\s+down\s+.*server_error/);
    expect(down.status).toBe(1);
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

  it('run refuses to start on a bad config', () => {
    const bad = join(dir, 'bad2.yaml');
    writeFileSync(bad, 'dependencies: []\nbogus: 1\n');
    const res = spawnSync(process.execPath, [CLI, 'run', '--config', bad], {
      env,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Bellwether did not start');
  });
});
