import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { find, fixtures, outDir } from './helpers.js';

describe('profile: Python (cProfile)', () => {
  it('finds the 60/30/10 split within 5 points, names the 60% function, and says cProfile is deterministic', async () => {
    const report = await runProfile({ command: 'python3', args: ['split.py', '2'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() });
    expect(report.runtime).toBe('python');
    expect(report.sampling).toBe(false);
    const ms = ['sixty', 'thirty', 'ten'].map((fn) => find(report.topSelf, fn)!.selfMs);
    const sum = ms.reduce((a, b) => a + b, 0);
    expect(Math.abs((ms[0]! / sum) * 100 - 60)).toBeLessThanOrEqual(5);
    expect(Math.abs((ms[1]! / sum) * 100 - 30)).toBeLessThanOrEqual(5);
    expect(Math.abs((ms[2]! / sum) * 100 - 10)).toBeLessThanOrEqual(5);
    expect(report.topSelf[0]).toMatchObject({ function: 'sixty', file: 'split.py', line: 7, package: null });
    expect(report.topSelf[0]!.calls).toBeGreaterThan(5);
    expect(report.bottleneck.kind).toBe('our-code');
    expect(report.bottleneck.sentence).toContain('sixty');
    expect(find(report.topTotal, 'main')!.totalPercent).toBeGreaterThan(90);
    expect(report.notes.join(' ')).toMatch(/deterministic/);
    expect(existsSync(report.output.pstats!)).toBe(true);
    expect(existsSync(report.output.flamegraph!)).toBe(true);
  });

  it('reports a Python error with its last stderr lines', async () => {
    await expect(
      runProfile({ command: 'python3', args: ['crash.py'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() }),
    ).rejects.toThrow(/exited with code 1.*config missing/);
  });
});
