import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts', 'ensure-test-tools.sh');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PATH holding only sh and stub commands (`id` answering `uid`, a recording apt-get). */
function machine(uid: number, tools: string[] = []) {
  const bin = mkdtempSync(join(tmpdir(), 'bellwether-tools-'));
  dirs.push(bin);
  const log = join(bin, 'apt-get.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  symlinkSync('/bin/sh', join(bin, 'sh'));
  stub('id', `echo ${uid}`);
  if (uid === 0) stub('apt-get', `echo "$@" >> ${log}`);
  for (const tool of tools) stub(tool, 'exit 0');
  const run = (chromium: string) =>
    spawnSync('/bin/sh', [SCRIPT], {
      env: { PATH: bin, CHROMIUM: chromium },
      encoding: 'utf8',
    });
  return { run, apt: () => readFileSync(log, 'utf8').trim().split('\n') };
}

describe('scripts/ensure-test-tools.sh (npm pretest)', () => {
  it('not root, tools missing: fails naming the command, Chromium included', () => {
    const res = machine(1000).run('/nonexistent/chromium');
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'ensure-test-tools: missing: prometheus prometheus-alertmanager chromium python3 faketime; install with: sudo apt-get install prometheus prometheus-alertmanager chromium python3 faketime\n',
    );
  });

  it('root: installs what is missing with apt-get, Chromium with the others', () => {
    const m = machine(0, ['promtool', 'python3', 'faketime']);
    const res = m.run('/nonexistent/chromium');
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain('installing Debian packages: prometheus-alertmanager chromium');
    expect(m.apt()).toEqual([
      'update -qq',
      'install -y -qq --no-install-recommends prometheus-alertmanager chromium',
    ]);
  });

  it('everything present: does nothing', () => {
    const res = machine(1000, ['promtool', 'amtool', 'python3', 'faketime']).run('/bin/sh');
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
  });
});
