import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { runProcess } from '../support/run-process.js';

const TOKEN = 'bw-example-token-0123456789abcdef';
const OPENAI_KEY = 'sk-examples-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-examples-0123456789abcdef';

const pythonFound = spawnSync('python3', ['--version']).status === 0;
if (!pythonFound && process.env.CI) {
  throw new Error(
    'python3 is missing: CI must run the Python client example (apt-get install python3)',
  );
}

/** Each shipped client, run as its own script: CONSUMER PRIMARY → one JSON line. */
const CLIENTS = [
  { name: 'Python', command: 'python3', script: 'examples/python/bellwether_route.py' },
  {
    name: 'JavaScript',
    command: process.execPath,
    script: 'examples/javascript/bellwether-route.mjs',
  },
].filter((c) => c.command !== 'python3' || pythonFound);
if (!pythonFound) {
  process.stdout.write(
    'examples: python3 not found, the Python client is skipped (CI installs it)\n',
  );
}

interface Ran {
  status: number | null;
  choice: { dependency: string | null; fallback?: boolean; source?: string; reason: string };
  stderr: string;
}

async function runClient(
  client: (typeof CLIENTS)[number],
  args: [consumer: string, primary: string],
  env: Record<string, string>,
): Promise<Ran> {
  const ran = await runProcess(client.command, [client.script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  try {
    return { status: ran.status, choice: JSON.parse(ran.stdout), stderr: ran.stderr };
  } catch {
    throw new Error(
      `${client.name} printed no JSON (exit ${ran.status}): ${ran.stdout}${ran.stderr}`,
    );
  }
}

/** Fail-safe clients in README and examples/, run against a live Bellwether. */
describe.each(CLIENTS)('the $name route client', { timeout: 60_000 }, (client) => {
  let vendor: FakeVendor;
  let bw: Bellwether;
  let base = '';
  let hanging: http.Server;
  let hangingUrl = '';
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    vendor = await startFakeVendor({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
    const parsed = parseConfigText(
      `vantage: examples
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1s, timeout: 500ms, retries: 0 }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "${vendor.url}/v1", apiKey: "${OPENAI_KEY}", model: gpt-4o-mini }
  - { id: anthropic-chat, vendor: anthropic, baseUrl: "${vendor.url}", apiKey: "${ANTHROPIC_KEY}", model: claude-3-5-haiku-latest }
  - { id: soar-http, vendor: http, url: "${vendor.url}/health" }
consumers:
  - { id: phishing-triage, uses: [openai-chat, anthropic-chat] }
  - { id: soar-playbook, uses: [soar-http] }
`,
      'examples.yaml',
      {},
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    bw = await startBellwether({
      config: parsed.config,
      logLevel: 'silent',
      firstRunSpreadMs: 50,
      access: { tokens: [TOKEN] },
    });
    base = `http://127.0.0.1:${bw.port}`;
    // A Bellwether that accepts connections and never answers.
    hanging = http.createServer(() => undefined);
    hanging.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    await until(async () => {
      const res = await fetch(`${base}/api/v1/status`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const s = (await res.json()) as { dependencies: { state: string }[] };
      return s.dependencies.every((d) => d.state === 'healthy');
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(r));
    await bw.stop();
    await vendor.stop();
  });

  const until = async (ok: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      if (await ok().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not met within 20 s');
  };
  const asked = (over: Record<string, string> = {}) => ({
    BELLWETHER_URL: base,
    BELLWETHER_TOKEN: TOKEN,
    ...over,
  });

  it.each<[string, () => Record<string, string>, string, Ran['choice']]>([
    [
      'healthy: the route Bellwether gives',
      () => asked(),
      'phishing-triage',
      {
        dependency: 'openai-chat',
        fallback: false,
        source: 'bellwether',
        reason: 'primary openai-chat is healthy',
      },
    ],
    [
      'a mistyped consumer (404): the primary',
      () => asked(),
      'phishing-traige',
      {
        dependency: 'openai-chat',
        fallback: false,
        source: 'default',
        reason: 'Bellwether answered HTTP 404; using the primary',
      },
    ],
    [
      'no token (401): the primary',
      () => asked({ BELLWETHER_TOKEN: '' }),
      'phishing-triage',
      {
        dependency: 'openai-chat',
        fallback: false,
        source: 'default',
        reason: 'Bellwether answered HTTP 401; using the primary',
      },
    ],
    [
      'Bellwether unreachable (connection refused): the primary',
      () => asked({ BELLWETHER_URL: 'http://127.0.0.1:1' }),
      'phishing-triage',
      expect.objectContaining({
        dependency: 'openai-chat',
        source: 'default',
        reason: expect.stringMatching(/^Bellwether unreachable: \w+; using the primary$/),
      }),
    ],
    [
      'Bellwether hanging (timeout): the primary',
      () => asked({ BELLWETHER_URL: hangingUrl }),
      'phishing-triage',
      expect.objectContaining({
        dependency: 'openai-chat',
        source: 'default',
        reason: expect.stringMatching(/^Bellwether unreachable: \w+; using the primary$/),
      }),
    ],
  ])('%s', async (_name, env, consumer, choice) => {
    const ran = await runClient(client, [consumer, 'openai-chat'], env());
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.choice).toEqual(choice);
  });

  it('primary down: the fallback; nothing usable: exit 3 with the reason', async () => {
    vendor.setFault('openai', { status: 500 });
    vendor.setFault('health', { status: 503 });
    try {
      await until(async () => {
        const res = await fetch(`${base}/api/v1/consumers/soar-playbook/route`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const route = (await res.json()) as { route: unknown; chain: { state: string }[] };
        const primary = bw.monitor.dependency('openai-chat')?.evaluation.state;
        return route.route === null && primary === 'down';
      });
      const fallback = await runClient(client, ['phishing-triage', 'openai-chat'], asked());
      expect(fallback.choice).toMatchObject({
        dependency: 'anthropic-chat',
        fallback: true,
        source: 'bellwether',
      });
      const none = await runClient(client, ['soar-playbook', 'soar-http'], asked());
      expect(none.status).toBe(3);
      expect(none.choice).toEqual({
        dependency: null,
        reason: 'no usable dependency: soar-http is down',
      });
    } finally {
      vendor.clearFaults();
    }
  });
});
