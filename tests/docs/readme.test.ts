import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type Bellwether, startBellwether } from '../../src/bellwether.js';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus.js';
import { runProcess } from '../support/run-process.js';

/** The documents a user reads: README and docs/, the deployment guides. */
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'deploy/README.md',
  'deploy/kubernetes/kube-prometheus-stack/README.md',
];

interface Block {
  where: string;
  lang: string;
  text: string;
}

/** Fenced code blocks, also those indented under a list item. */
function blocks(file: string): Block[] {
  const out: Block[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ''); j++) {
      body.push((lines[j] ?? '').slice(indent));
    }
    out.push({ where: `${file}:${i + 1}`, lang: open[2] ?? '', text: `${body.join('\n')}\n` });
    i = j;
  }
  return out;
}

const ALL = DOCS.flatMap(blocks);
const YAML_BLOCKS = ALL.filter((b) => b.lang === 'yaml');

type Kind = 'bellwether' | 'prometheus' | 'kustomize';
const BELLWETHER_KEYS = ['dependencies', 'consumers', 'notify', 'maintenance', 'vantage', 'otlp'];
const PROMETHEUS_KEYS = ['scrape_configs', 'remote_write', 'rule_files', 'alerting'];
/** Kustomization fields the deploy guide's fragments may use. */
const KUSTOMIZE_KEYS = ['labels', 'patches', 'configMapGenerator', 'resources', 'images'];

function kindOf(value: Record<string, unknown>): Kind | undefined {
  const keys = Object.keys(value);
  if (keys.some((k) => BELLWETHER_KEYS.includes(k))) return 'bellwether';
  if (keys.some((k) => PROMETHEUS_KEYS.includes(k))) return 'prometheus';
  if (keys.every((k) => KUSTOMIZE_KEYS.includes(k))) return 'kustomize';
  return undefined;
}

/** A value for every ${VAR} a block names: URLs where a URL is expected. */
function envFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Z0-9_]+)/g)) {
    const name = m[1] as string;
    env[name] = name.endsWith('_URL')
      ? 'https://hooks.example.test/services/T000/B000/x'
      : `docs-${name.toLowerCase()}-0123456789abcdef`;
  }
  return env;
}

describe('every YAML block in the README and docs/', () => {
  it('there are blocks of each kind to check', () => {
    expect(YAML_BLOCKS.length).toBeGreaterThanOrEqual(8);
  });

  const base = YAML_BLOCKS.map((b) => parse(b.text) as Record<string, unknown>).find(
    (v) => v && kindOf(v) === 'bellwether' && 'dependencies' in v,
  );

  it.each(YAML_BLOCKS.map((b) => [b.where, b] as const))('%s parses and validates', (_w, b) => {
    const docs = parseAllDocuments(b.text);
    for (const d of docs) expect(d.errors.map((e) => e.message)).toEqual([]);
    const value = docs[0]?.toJS() as Record<string, unknown>;
    const kind = kindOf(value);
    expect(
      kind,
      `${b.where}: a block of a known kind (${Object.keys(value).join(', ')})`,
    ).toBeDefined();
    if (kind === 'bellwether') {
      // A fragment (notify:, maintenance:) is checked inside the README's main example.
      const whole = 'dependencies' in value ? b.text : stringify({ ...base, ...value });
      const result = parseConfigText(whole, b.where, envFor(whole));
      expect(result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    } else if (kind === 'prometheus') {
      const dir = mkdtempSync(join(tmpdir(), 'bellwether-docs-'));
      try {
        const file = join(dir, 'prometheus.yml');
        // The rule file the docs install at /etc/prometheus is the shipped one.
        writeFileSync(
          file,
          b.text.replaceAll(
            '/etc/prometheus/bellwether.rules.yml',
            resolve('config/prometheus/bellwether.rules.yml'),
          ),
        );
        const res = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
        expect(res.error, 'promtool must be installed').toBeUndefined();
        expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      expect(Object.keys(value).every((k) => KUSTOMIZE_KEYS.includes(k))).toBe(true);
    }
  });
});

/** Every `curl` the docs show: in shell blocks, and inline in the text. */
function curlExamples(): { where: string; command: string }[] {
  const out: { where: string; command: string }[] = [];
  for (const b of ALL.filter((x) => x.lang === 'sh' || x.lang === '')) {
    for (const line of b.text.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command.startsWith('curl ')) out.push({ where: b.where, command });
    }
  }
  for (const file of DOCS) {
    // Inline spans may wrap onto the next line.
    for (const m of readFileSync(file, 'utf8').matchAll(/`(curl [^`]+)`/g)) {
      out.push({ where: `${file} (inline)`, command: (m[1] as string).replace(/\s*\n\s*/g, ' ') });
    }
  }
  // A bare mention ("curl -sv") names the tool, not a request to make.
  return out.filter((e) => /localhost:|\$BW|<vendor host>/.test(e.command));
}

describe('every curl example against a test instance', { timeout: 60_000 }, () => {
  const RELOAD_TOKEN = 'docs-reload-token-0123456789abcdef';
  let vendor: FakeVendor;
  let bw: Bellwether;
  let dir: string;
  // The deployment guide reloads Prometheus too (localhost:9090).
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    vendor = await startFakeVendor({ anonymous: true });
    prometheus = await startPrometheus({ targets: [], args: ['--web.enable-lifecycle'] });
    dir = mkdtempSync(join(tmpdir(), 'bellwether-curl-'));
    const file = join(dir, 'bellwether.yaml');
    writeFileSync(
      file,
      `vantage: docs
server: { port: 0, host: 127.0.0.1 }
storage: { path: ":memory:" }
defaults: { interval: 1s, timeout: 800ms, retries: 0 }
dependencies:
  - { id: openai-chat, vendor: openai, baseUrl: "${vendor.url}/v1", model: gpt-4o-mini }
  - { id: anthropic-chat, vendor: anthropic, baseUrl: "${vendor.url}", model: claude-haiku-4-5 }
consumers:
  - { id: phishing-triage, team: secops, uses: [openai-chat, anthropic-chat] }
`,
    );
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    bw = await startBellwether({
      config: loaded.config,
      logLevel: 'silent',
      firstRunSpreadMs: 50,
      reloadToken: RELOAD_TOKEN,
    });
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      if (bw.monitor.dependencies().every((d) => d.lastRound)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await bw?.stop();
    await vendor?.stop();
    await prometheus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const examples = curlExamples();
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(14);
  });

  it.each(examples.map((e) => [e.where, e.command] as const))('%s: %s', async (_w, command) => {
    const local = command
      .replaceAll('localhost:9477', `127.0.0.1:${bw.port}`)
      .replaceAll('localhost:9478', new URL(vendor.url).host)
      .replaceAll('localhost:9090', new URL(prometheus.url).host)
      .replaceAll('https://<vendor host>', vendor.url)
      .replaceAll('<dep>', 'openai-chat')
      .replaceAll('$BW', `http://127.0.0.1:${bw.port}`)
      .replaceAll('<dependency>', 'openai-chat')
      .replaceAll('<consumer>', 'phishing-triage');
    const res = await runProcess('bash', ['-o', 'pipefail', '-c', local], {
      env: { PATH: process.env.PATH ?? '', BELLWETHER_RELOAD_TOKEN: RELOAD_TOKEN },
    });
    expect(res.status, res.stderr).toBe(0);
    const out = res.stdout.trim();
    expect(out, 'no null answer').not.toMatch(/^null$/m);
    expect(out, 'no error answer').not.toMatch(/"error"|not found|unauthorized|not enabled/i);
    if (!/-o \/dev\/null|-X ?POST localhost:9090/.test(command)) {
      expect(out.length, 'prints an answer').toBeGreaterThan(0);
    }
    vendor.clearFaults();
  });
});
