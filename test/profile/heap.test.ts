import { describe, expect, it } from 'vitest';
import { linearFit } from '../../src/profile/heap.js';
import { runProfile } from '../../src/profile/run.js';
import { fixtures, outDir } from './helpers.js';

describe('profile: heap', () => {
  it('names the allocation-heavy function as the top allocation site, with its line and call path', async () => {
    const report = await runProfile({ command: process.execPath, args: ['alloc.js'], cwd: fixtures, kind: 'heap' }, { cwd: fixtures, outDir: outDir() });
    const top = report.heap!.topSites[0]!;
    expect(top).toMatchObject({ function: 'makeRecords', file: 'alloc.js', line: 4, package: null });
    expect(top.percent).toBeGreaterThan(50);
    expect(top.bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(top.paths[0]!.at(-1)).toBe('makeRecords (alloc.js:4)');
    expect(report.output.heapprofiles).toHaveLength(1);
  });

  it('says a steadily growing heap keeps growing, and a churning one does not', async () => {
    const leak = await runProfile({ command: process.execPath, args: ['leak.js', 'leak', '4'], cwd: fixtures, heapTimeline: true }, { cwd: fixtures, outDir: outDir() });
    expect(leak.heap!.timeline!.growing).toBe(true);
    expect(leak.heap!.timeline!.slopeBytesPerSecond).toBeGreaterThan(0);
    expect(leak.heap!.timeline!.sentence).toMatch(/Leak suspected/);
    const churn = await runProfile({ command: process.execPath, args: ['leak.js', 'churn', '4'], cwd: fixtures, heapTimeline: true }, { cwd: fixtures, outDir: outDir() });
    expect(churn.heap!.timeline!.growing).toBe(false);
  });

  it('fits a line', () => {
    expect(linearFit([[0, 1], [1, 3], [2, 5]])).toEqual({ slope: 2, r2: 1 });
    expect(linearFit([[0, 1], [1, 1]]).slope).toBe(0);
  });
});
