import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Status {
  dependencies: { id: string; state: string }[];
  consumers: { id: string; route: string | null }[];
}

/** `npm run demo` as a newcomer runs it, commands typed on stdin. */
describe('the demo', { timeout: 60_000 }, () => {
  let child: ChildProcessWithoutNullStreams;
  let out = '';
  let base = '';

  const waitFor = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
    for (const deadline = Date.now() + 40_000; Date.now() < deadline; ) {
      const value = await fn().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; demo said:\n${out}`);
  };
  const type = async (line: string, answer: string | RegExp) => {
    const from = out.length;
    child.stdin.write(`${line}\n`);
    return waitFor(`"${answer}" after "${line}"`, async () => {
      const said = out.slice(from);
      return (typeof answer === 'string' ? said.includes(answer) : answer.test(said))
        ? said
        : undefined;
    });
  };
  const status = async () => (await (await fetch(`${base}/api/v1/status`)).json()) as Status;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      env: { ...process.env, PORT: '0', DEMO_VENDOR_PORT: '0', LOG_LEVEL: 'silent' },
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    base = await waitFor(
      'the status API address',
      async () => /Status API: {2}(http:\/\/localhost:\d+)/.exec(out)?.[1],
    );
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });

  it('prints how to fault one vendor or one route, with every route', () => {
    expect(out).toContain(
      'fault <status> [route]   answer with an error status, e.g. fault 529 anthropic',
    );
    expect(out).toContain(
      'Routes (default *): *, openai, anthropic, models, openai:models, anthropic:models, chat, messages, embeddings, health, responses',
    );
    expect(out).toMatch(/curl -XPOST http:\/\/127\.0\.0\.1:\d+\/__fault -d '\{"route":"openai"/);
  });

  it('an unknown route is refused with the list of valid ones', async () => {
    const said = await type('fault 503 nope', 'unknown fault route');
    expect(said).toContain(
      'unknown fault route "nope"; valid routes: *, openai, anthropic, models, openai:models, anthropic:models, chat, messages, embeddings, health, responses',
    );
  });

  it('fault 529 anthropic takes Anthropic down alone; clear brings it back', async () => {
    await waitFor('all healthy', async () =>
      (await status()).dependencies.every((d) => d.state === 'healthy') ? true : undefined,
    );
    await type('fault 529 anthropic', 'anthropic now answers 529');
    const down = await waitFor('demo-anthropic down', async () => {
      const s = await status();
      return s.dependencies.find((d) => d.id === 'demo-anthropic')?.state === 'down'
        ? s
        : undefined;
    });
    expect(down.dependencies.filter((d) => d.id !== 'demo-anthropic').map((d) => d.state)).toEqual([
      'healthy',
      'healthy',
      'healthy',
    ]);
    expect(down.consumers.find((c) => c.id === 'phishing-triage')?.route).toBe('demo-openai');
    await type('clear anthropic', 'fault on anthropic cleared');
  });

  it('serve <model> chat is a silent model change: shown, counted, still healthy', async () => {
    await waitFor('a first served model', async () => {
      const d = (await (await fetch(`${base}/api/v1/dependencies/demo-openai`)).json()) as {
        servedModel: string | null;
      };
      return d.servedModel === 'gpt-4o-mini' ? true : undefined;
    });
    await type(
      'serve gpt-4o-mini-2025-01-31 chat',
      'chat now says gpt-4o-mini-2025-01-31 served it',
    );
    const d = await waitFor('the change', async () => {
      const body = (await (await fetch(`${base}/api/v1/dependencies/demo-openai`)).json()) as {
        state: string;
        servedModel: string | null;
        modelChanges: { kind: string; from: string; to: string }[];
      };
      return body.modelChanges.length > 0 ? body : undefined;
    });
    expect(d.state).toBe('healthy');
    expect(d.modelChanges[0]).toMatchObject({
      kind: 'served_model',
      from: 'gpt-4o-mini',
      to: 'gpt-4o-mini-2025-01-31',
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /bellwether_model_changes_total\{[^}]*dependency="demo-openai"[^}]*kind="served_model"[^}]*\} 1/,
    );
    const refused = await type('serve bad<model> chat', 'serve needs a model name');
    expect(refused).toContain(
      'serve needs a model name (letters, digits, . _ : / -), got "bad<model>"',
    );
    await type('clear chat', 'fault on chat cleared');
  });
});
