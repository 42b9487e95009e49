import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { ProfileReport } from '../../src/profile/schema.js';
import { find, fixtures, outDir } from './helpers.js';

/** The three functions' self-time shares, normalised over just those three (startup is not in the split). */
function split(report: ProfileReport): Record<string, number> {
  const ms = ['sixty', 'thirty', 'ten'].map((fn) => find(report.topSelf, fn)?.selfMs ?? 0);
  const sum = ms.reduce((a, b) => a + b, 0);
  return { sixty: (ms[0]! / sum) * 100, thirty: (ms[1]! / sum) * 100, ten: (ms[2]! / sum) * 100 };
}

describe('profile: Node CPU', () => {
  it('finds the 60/30/10 split within 5 points and names the 60% function', async () => {
    const out = outDir();
    const report = await runProfile({ command: process.execPath, args: ['split.js', '2'], cwd: fixtures }, { cwd: fixtures, outDir: out });
    expect(ProfileReport.parse(report)).toEqual(report);
    const shares = split(report);
    expect(Math.abs(shares.sixty! - 60)).toBeLessThanOrEqual(5);
    expect(Math.abs(shares.thirty! - 30)).toBeLessThanOrEqual(5);
    expect(Math.abs(shares.ten! - 10)).toBeLessThanOrEqual(5);
    // Against all sampled time too: the split program is nearly all busy loop.
    expect(find(report.topSelf, 'sixty')!.selfPercent).toBeGreaterThan(50);
    expect(report.topSelf[0]!.function).toBe('sixty');
    expect(report.topSelf[0]!.file).toBe('split.js');
    expect(report.topSelf[0]!.line).toBe(7);
    expect(report.topSelf[0]!.package).toBeNull();
    expect(report.bottleneck.kind).toBe('our-code');
    expect(report.bottleneck.sentence).toContain('sixty');
    const bound = report.topSelf[0]!.amdahl;
    expect(bound.maxSpeedup).toBeCloseTo(1 / (1 - bound.share), 1);
    expect(report.shares.programPercent).toBeGreaterThan(80);
    expect(report.stoppedBy).toBe('exit');
    expect(report.processes).toHaveLength(1);
    // Inclusive time: the top-level script holds all three.
    expect(report.topTotal[0]!.totalPercent).toBeGreaterThan(80);
    expect(find(report.topTotal, 'sixty')!.totalMs).toBeGreaterThanOrEqual(find(report.topTotal, 'sixty')!.selfMs);
    expect(report.files[0]!.name).toBe('split.js');
    expect(report.packages[0]!.name).toBe('(our code)');
    for (const file of [report.output.report, report.output.speedscope!, report.output.flamegraph!, ...report.output.cpuprofiles]) {
      expect(existsSync(file)).toBe(true);
    }
    expect(JSON.parse(readFileSync(report.output.report, 'utf8'))).toEqual(report);
    const speedscope = JSON.parse(readFileSync(report.output.speedscope!, 'utf8'));
    expect(speedscope.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    expect(speedscope.shared.frames.some((f: { name: string }) => f.name === 'sixty')).toBe(true);
    const cpu = JSON.parse(readFileSync(report.output.cpuprofiles[0]!, 'utf8'));
    expect(cpu.nodes.length).toBeGreaterThan(3);
  });

  it('shows the event-loop delay of a program that blocks its loop', async () => {
    const report = await runProfile({ command: process.execPath, args: ['block.js'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() });
    expect(report.eventLoopDelay).not.toBeNull();
    expect(report.eventLoopDelay!.maxMs).toBeGreaterThanOrEqual(100);
    expect(report.eventLoopDelay!.p99Ms).toBeGreaterThanOrEqual(100);
    expect(report.topSelf[0]!.function).toBe('blockFor');
  });

  it('profiles Node children through a launcher and leaves the launcher\'s waiting out', async () => {
    const report = await runProfile({ command: process.execPath, args: ['launcher.js', '1.5'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() });
    expect(report.processes).toHaveLength(2);
    expect(report.bottleneck.kind).toBe('our-code');
    expect(report.topSelf[0]!.function).toBe('sixty');
    expect(report.shares.idlePercent).toBeLessThan(20);
  });

  it('stops a long-running target at the time limit and still reports', async () => {
    const started = Date.now();
    const report = await runProfile({ command: process.execPath, args: ['split.js', '60'], cwd: fixtures, durationSeconds: 1.5 }, { cwd: fixtures, outDir: outDir() });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.stoppedBy).toBe('time-limit');
    expect(report.topSelf[0]!.function).toBe('sixty');
  });

  it('fails clearly when the command does not exist, crashes, or the cwd is outside the roots', async () => {
    await expect(runProfile({ command: 'no-such-program-xyz', cwd: fixtures }, { cwd: fixtures, outDir: outDir() })).rejects.toThrow(/command not found: no-such-program-xyz/);
    await expect(runProfile({ command: process.execPath, args: ['crash.js'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() })).rejects.toThrow(
      /exited with code 3.*cannot read config\.json/,
    );
    await expect(runProfile({ command: process.execPath, args: ['split.js'], cwd: '/' }, { cwd: fixtures, roots: [fixtures], outDir: outDir() })).rejects.toThrow(
      /outside the allowed roots/,
    );
    await expect(runProfile({ command: process.execPath, durationSeconds: -1 }, { cwd: fixtures, outDir: outDir() })).rejects.toThrow(/durationSeconds/);
  });

  it('refuses a non-empty output folder before starting anything', async () => {
    await expect(runProfile({ command: process.execPath, args: ['split.js'] }, { cwd: fixtures, outDir: path.join(fixtures) })).rejects.toThrow(/not empty/);
  });
});
