import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'cli.js');
const DIR = join(process.cwd(), 'tests', 'fixtures', 'config-invalid');
const ENV = { PATH: process.env.PATH, OPENAI_API_KEY: 'sk-test-0123456789' };

function validate(
  file: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'validate', '--config', file], {
      env: ENV,
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
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const names = readdirSync(DIR)
  .filter((n) => n.endsWith('.yaml'))
  .map((n) => n.slice(0, -5));

describe('bellwether validate on the broken-config corpus', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bellwether-corpus-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.each(names)('%s: exit 1, every expected line on stderr, nothing on stdout', async (name) => {
    const file = relative(process.cwd(), join(DIR, `${name}.yaml`));
    const res = await validate(file);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    const expected = readFileSync(join(DIR, `${name}.expected.txt`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.replace(`${name}.yaml:`, `${file}:`));
    const lines = res.stderr.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected);
    expect(lines.at(-1)).toBe(
      `${expected.length} ${expected.length === 1 ? 'error' : 'errors'} in ${file}; Bellwether did not start.`,
    );
  });

  it.each([
    [
      'a missing file',
      () => join(tmp, 'nope.yaml'),
      /nope\.yaml:1:1: \(root\): .*(no such file|ENOENT)/i,
    ],
    ['a directory', () => tmp, new RegExp(`${tmp}:1:1: \\(root\\): `)],
    [
      'a 2 MiB file',
      () => {
        const f = join(tmp, 'huge.yaml');
        writeFileSync(f, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
        return f;
      },
      /huge\.yaml:1:1: \(root\): .*(too large|MiB|bytes)/i,
    ],
    [
      'binary garbage',
      () => {
        const f = join(tmp, 'garbage.yaml');
        writeFileSync(f, Buffer.from([0, 1, 2, 255, 254, 10, 91, 123, 58]));
        return f;
      },
      /garbage\.yaml:\d+:\d+: /,
    ],
  ])('%s: one clear message and exit 1', async (_name, make, pattern) => {
    const res = await validate(make());
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(pattern);
  });
});
