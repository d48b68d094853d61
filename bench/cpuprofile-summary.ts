import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the share of busy samples per file or package
 * (self time) and per function, after skipping the first `--skip` seconds (start-up).
 * `npx tsx bench/cpuprofile-summary.ts [--skip 6] [--top 30] <file.cpuprofile>`
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const where = (url: string): string =>
  url
    .replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, 'npm:$1')
    .replace(/^file:\/\/.*?\/(src|dist|bench|tests)\//, '$1/');

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { skip: { type: 'string', default: '0' }, top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: cpuprofile-summary.ts [--skip s] <file>');
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const skipUs = Number(values.skip) * 1e6;
  const top = Number(values.top);
  const perNode = new Map<number, number>();
  let elapsed = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (elapsed >= skipUs) perNode.set(id, (perNode.get(id) ?? 0) + dt);
  });
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of perNode) {
    const cf = (byId.get(id) as ProfileNode).callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += us;
    const file = where(cf.url) || cf.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    const fn = `${cf.functionName || '(anonymous)'} ${where(cf.url)}:${cf.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const list = (m: Map<string, number>): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((us / busy) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  process.stdout.write(
    `busy ${(busy / 1000).toFixed(0)} ms of ${((elapsed - skipUs) / 1000).toFixed(0)} ms sampled\n\n` +
      `by file (self time)\n${list(byFile)}\n\nby function (self time)\n${list(byFunction)}\n`,
  );
}

main();
