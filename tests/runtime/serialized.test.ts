import { describe, expect, it } from 'vitest';
import { type ReloadOutcome, serialized } from '../../src/runtime.js';

const ok = (dependencies: number): ReloadOutcome => ({ ok: true, dependencies, restartNeeded: [] });

describe('serialized reloads', () => {
  it('runs one at a time and reads the file again after a reload that was running', async () => {
    let file = 1;
    const reads: number[] = [];
    let release: () => void = () => undefined;
    let running = 0;
    let most = 0;
    const reload = serialized(async () => {
      const seen = file; // what a reload reads when it starts
      reads.push(seen);
      running++;
      most = Math.max(most, running);
      if (reads.length === 1) await new Promise<void>((r) => (release = r)); // a hung drain
      running--;
      return ok(seen);
    });
    const first = reload();
    file = 2;
    const second = reload();
    file = 3;
    const third = reload();
    release();
    expect(await first).toEqual(ok(1));
    // Both later requests share one follow-up, which read the newest file.
    expect(await second).toEqual(ok(3));
    expect(await third).toEqual(ok(3));
    expect(reads).toEqual([1, 3]);
    expect(most).toBe(1);
  });

  it('50 concurrent requests end on the last file', async () => {
    let file = 0;
    let applied = 0;
    const reload = serialized(async () => {
      const seen = file;
      await new Promise((r) => setTimeout(r, 5));
      applied = seen;
      return ok(seen);
    });
    const pending: Promise<ReloadOutcome>[] = [];
    for (let i = 1; i <= 50; i++) {
      file = i;
      pending.push(reload());
    }
    const outcomes = await Promise.all(pending);
    expect(applied).toBe(50);
    expect(outcomes.at(-1)).toEqual(ok(50));
  });

  it('a failed reload does not block the next one', async () => {
    let calls = 0;
    const reload = serialized(async () => {
      calls++;
      if (calls === 1) throw new Error('disk gone');
      return ok(calls);
    });
    const first = reload();
    const second = reload();
    await expect(first).rejects.toThrow('disk gone');
    expect(await second).toEqual(ok(2));
    expect(await reload()).toEqual(ok(3));
  });
});
