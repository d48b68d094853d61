/**
 * The memory settings of the Kubernetes Deployment and of Compose follow from the committed
 * bench report: the request covers the measured steady state at 1,000 dependencies plus what the
 * window cannot show (a full in-memory history, SQLite's bounded page cache), the limit the
 * start-up burst plus the same with 25 % headroom; Compose says the same as Kubernetes.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const REPO = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

/** SQLite's page cache bound (PRAGMA cache_size in src/store/sqlite-store.ts), MiB. */
const SQLITE_CACHE_MIB = 16;
/** Heap a full 20-round history adds at 1,000 dependencies (bench/results/profile-notes.md), MiB. */
const FULL_HISTORY_MIB = 17.3;

const mebibytes = (q: string): number => {
  const m = /^(\d+)(Mi|Gi|m|g)$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  const n = Number(m[1]);
  return m[2] === 'Gi' || m[2] === 'g' ? n * 1024 : n;
};

interface MemoryRun {
  dependencies: number;
  nodeOptions: string;
  rssMiBSteady: number;
  rssMiBMax: number;
}

const report = JSON.parse(read('bench/results/latest.json')) as { memory: { runs: MemoryRun[] } };
const measured = report.memory.runs.find((r) => r.dependencies === 1000 && r.nodeOptions === '');
const deployment = parseAllDocuments(read('deploy/kubernetes/base/deployment.yaml'))
  .map((d) => d.toJS())
  .find((d) => d?.kind === 'Deployment');
const container = deployment.spec.template.spec.containers.find(
  (c: { name: string }) => c.name === 'bellwether',
);
const compose = parse(read('docker-compose.yml')).services.bellwether;

describe('memory settings derived from the bench', () => {
  it('the report measured 1,000 dependencies without NODE_OPTIONS', () => {
    expect(measured).toBeDefined();
  });

  it('the Kubernetes request covers the steady state with a full history and the page cache', () => {
    const need = (measured as MemoryRun).rssMiBSteady + FULL_HISTORY_MIB + SQLITE_CACHE_MIB;
    expect(mebibytes(container.resources.requests.memory)).toBeGreaterThanOrEqual(need);
  });

  it('the Kubernetes limit covers the start-up burst with both, and 25 % headroom', () => {
    const need = ((measured as MemoryRun).rssMiBMax + FULL_HISTORY_MIB + SQLITE_CACHE_MIB) * 1.25;
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(need);
  });

  it('Compose reserves and limits what Kubernetes requests and limits', () => {
    expect(mebibytes(compose.mem_reservation)).toBe(mebibytes(container.resources.requests.memory));
    expect(mebibytes(compose.mem_limit)).toBe(mebibytes(container.resources.limits.memory));
  });
});
