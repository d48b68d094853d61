import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncidentStore } from '../../src/store/incidents.js';
import { play } from '../support/incident-steps.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');

describe('bellwether report (built CLI)', () => {
  let dir: string;
  let config: string;

  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'report', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bellwether-report-'));
    const db = join(dir, 'data', 'bellwether.db');
    config = join(dir, 'bellwether.yaml');
    writeFileSync(
      config,
      `vantage: eu-west-1
storage: { path: "${db}" }
dependencies:
  - { id: anthropic-chat, vendor: anthropic, model: claude-3-5-haiku-latest, objective: 0.999 }
  - { id: openai-chat, vendor: openai, model: gpt-4o-mini }
`,
    );
    // What a running Bellwether recorded: anthropic-chat down for 45 minutes on 2026-11-20.
    const store = openIncidentStore({ path: db });
    play(
      store,
      [
        { at: 0, state: 'healthy' },
        { at: 15, state: 'down', errorClass: 'overloaded' },
        { at: 30, state: 'down', errorClass: 'overloaded' },
        { at: 60, state: 'healthy' },
        { at: 90, state: 'healthy' },
      ],
      'anthropic-chat',
    );
    store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the month as Markdown by default', () => {
    const r = run('--month', '2026-11', '--config', config);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Availability 2026-11\n');
    expect(r.stdout).toContain(
      '| anthropic-chat | anthropic | 60.000 % | 99.900 % | MISSED | 1 | 45 | 0 | down | 5 |',
    );
    expect(r.stdout).toContain(
      '| openai-chat | openai | no data | 99.000 % | no data | 0 | 0 | 0 | - | 0 |',
    );
  });

  it('prints CSV with --format csv', () => {
    const r = run('--month', '2026-11', '--format', 'csv', '--config', config);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n').slice(0, 3)).toEqual([
      'month,kind,id,vendor,uptime,objective,meets_objective,incidents,minutes_down,minutes_degraded,worst,checks,passed',
      '2026-11,dependency,anthropic-chat,anthropic,0.6,0.999,false,1,45,0,down,5,3',
      '2026-11,dependency,openai-chat,openai,,0.99,,0,0,0,,0,0',
    ]);
  });

  it.each([
    [['--config', 'CONFIG'], 2, '--month is required, as YYYY-MM'],
    [['--month', 'november', '--config', 'CONFIG'], 2, '--month must be YYYY-MM'],
    [
      ['--month', '2026-11', '--format', 'pdf', '--config', 'CONFIG'],
      2,
      '--format must be markdown or csv, got "pdf"',
    ],
    [['--month', '2026-11', '--bogus'], 2, "Unknown option '--bogus'"],
  ])('%j exits %i', (args, code, message) => {
    const r = run(...args.map((a) => (a === 'CONFIG' ? config : a)));
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('has its help under bellwether help report too', () => {
    const r = spawnSync(process.execPath, [CLI, 'help', 'report'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: bellwether report --month YYYY-MM/);
    expect(r.stdout).toContain('Exit status: 0 printed, 1 no history at storage.path yet');
  });

  it('says so when the configured storage has no history yet', () => {
    const empty = join(dir, 'empty.yaml');
    writeFileSync(
      empty,
      `storage: { path: "${join(dir, 'nothing', 'here.db')}" }
dependencies:
  - { id: openai-chat, vendor: openai, model: gpt-4o-mini }
`,
    );
    const r = run('--month', '2026-11', '--config', empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `No history at ${join(dir, 'nothing', 'here.db')}: Bellwether has not run with this storage.path yet\n`,
    );
  });
});
