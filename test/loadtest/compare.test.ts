/** Before/after: a 2x slowdown is detected, two identical servers are not flagged. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, mannWhitneyU, MIN_RESPONSES } from '../../src/loadtest/compare.js';
import { runLoadTest } from '../../src/loadtest/run.js';
import { startServer, type FakeServer } from './helpers.js';

describe('Mann-Whitney U', () => {
  it('gives the exact two-sided p-value without ties and a large one for interleaved samples', () => {
    // Complete separation of 5 vs 5: 2 of the C(10,5) = 252 arrangements are this extreme.
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toBeCloseTo(2 / 252, 6);
    expect(mannWhitneyU([1, 3, 5, 7, 9], [2, 4, 6, 8, 10])).toBeGreaterThan(0.5);
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5])).toBe(1);
    expect(mannWhitneyU([1], [2, 3])).toBeNull();
  });

  it('needs both significance and a 10% effect to call a difference', () => {
    const samples = (rps: number[]): Array<{ rps: number; p50Ms: number; p99Ms: number }> => rps.map((r) => ({ rps: r, p50Ms: 1, p99Ms: 2 }));
    // Consistently 3% faster: significant by rank, but within noise for a verdict.
    const small = compare({
      against: 'x',
      method: 'alternating-rounds',
      current: { samples: samples([103, 104, 103, 105, 104]), rps: 104, p50: 1, p99: 2 },
      baseline: { samples: samples([100, 101, 100, 102, 101]), rps: 101, p50: 1, p99: 2 },
    });
    expect(small.figures.find((f) => f.figure === 'rps')!.significant).toBe(false);
    const halved = compare({
      against: 'x',
      method: 'alternating-rounds',
      current: { samples: samples([50, 52, 49, 51, 50]), rps: 50, p50: 1, p99: 2 },
      baseline: { samples: samples([100, 101, 100, 102, 101]), rps: 101, p50: 1, p99: 2 },
    });
    expect(halved.figures.find((f) => f.figure === 'rps')).toMatchObject({ significant: true, worse: true });
    expect(halved.regression).toBe(true);
  });
});

describe('percentiles need enough responses per sample', () => {
  const side = (p99: number[], responses: number) => ({
    samples: p99.map((v) => ({ rps: 500, p50Ms: 5, p99Ms: v, responses })),
    rps: 500,
    p50: 5,
    p99: p99.reduce((a, b) => a + b) / p99.length,
  });
  const slowTail = (responses: number) =>
    compare({ against: 'x', method: 'alternating-rounds', current: side([20, 21, 22, 20, 21], responses), baseline: side([10, 11, 10, 12, 11], responses) });

  it('leaves p99 out when a round has too few responses for it, and says so', () => {
    const c = slowTail(MIN_RESPONSES.p99 - 1);
    const p99 = c.figures.find((f) => f.figure === 'p99')!;
    expect(p99).toMatchObject({ pValue: null, significant: false, worse: false });
    expect(p99.note).toMatch(/p99 not compared: the smallest round had 999 responses/);
    expect(c.regression).toBe(false);
    expect(c.summary).toMatch(/\(p99 not compared: too few responses per sample\)$/);
    expect(c.figures.find((f) => f.figure === 'p50')!.note).toBeUndefined();
  });

  it('compares p99 once every round has enough', () => {
    const c = slowTail(MIN_RESPONSES.p99);
    expect(c.figures.find((f) => f.figure === 'p99')).toMatchObject({ significant: true, worse: true });
    expect(c.figures.find((f) => f.figure === 'p99')!.note).toBeUndefined();
    expect(c.regression).toBe(true);
  });

  it('counts a per-second sample of an older saved report (no responses field) by its requests', () => {
    const old = (p99: number[]) => ({ samples: p99.map((v) => ({ rps: 2_000, p50Ms: 5, p99Ms: v })), rps: 2_000, p50: 5, p99: p99[0]! });
    const c = compare({ against: 'saved', method: 'saved-report', current: old([20, 21, 22, 20, 21]), baseline: old([10, 11, 10, 12, 11]) });
    expect(c.figures.find((f) => f.figure === 'p99')).toMatchObject({ significant: true, worse: true });
  });
});

describe('comparisons against real servers', () => {
  let fiveA: FakeServer;
  let fiveB: FakeServer;
  let ten: FakeServer;
  const tmp = mkdtempSync(path.join(tmpdir(), 'perf-hunter-compare-'));

  beforeAll(async () => {
    [fiveA, fiveB, ten] = await Promise.all([startServer('wait', 5), startServer('wait', 5), startServer('wait', 10)]);
  });
  afterAll(async () => {
    await Promise.all([fiveA?.stop(), fiveB?.stop(), ten?.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('detects a 2x slowdown against a baseline URL run in alternation', async () => {
    const report = await runLoadTest({ url: ten.url, baseline: { url: fiveA.url }, durationSeconds: 3, rounds: 5, connections: 4 });
    const c = report.comparison!;
    expect(c.method).toBe('alternating-rounds');
    expect(c.rounds).toBe(5);
    expect(c.regression).toBe(true);
    const p50 = c.figures.find((f) => f.figure === 'p50')!;
    expect(p50).toMatchObject({ significant: true, worse: true });
    expect(p50.ratio).toBeGreaterThan(1.4);
    expect(c.figures.find((f) => f.figure === 'rps')!.worse).toBe(true);
    expect(report.pass).toBe(false);
    expect(report.verdict).toMatch(/^FAIL: regression against/);
  }, 40_000);

  it('does not flag two identical servers', async () => {
    const report = await runLoadTest({ url: fiveB.url, baseline: { url: fiveA.url }, durationSeconds: 3, rounds: 5, connections: 4 });
    const c = report.comparison!;
    expect(c.regression).toBe(false);
    expect(c.summary).toMatch(/no difference beyond run-to-run noise|improvement/);
    const p50 = c.figures.find((f) => f.figure === 'p50')!;
    expect(p50.ratio).toBeGreaterThan(0.8);
    expect(p50.ratio).toBeLessThan(1.25);
    // ~450 responses a round (4 connections, 5 ms each, 0.6 s): too few for a stable p99, so it is left out.
    expect(c.figures.find((f) => f.figure === 'p99')!.note).toMatch(/^p99 not compared/);
    expect(report.pass).toBe(true);
  }, 40_000);

  it('lets each side go first in every other round (A B, B A, ...)', async () => {
    const order: string[] = [];
    await runLoadTest(
      { url: fiveB.url, baseline: { url: fiveA.url }, durationSeconds: 4, rounds: 4, connections: 2 },
      {
        onProgress: ({ message }) => {
          const side = /^(round \d+\/\d+ \((?:current|baseline)\))/.exec(message)?.[1];
          if (side && order.at(-1) !== side) order.push(side);
        },
      },
    );
    expect(order).toEqual([
      'round 1/4 (current)', 'round 1/4 (baseline)',
      'round 2/4 (baseline)', 'round 2/4 (current)',
      'round 3/4 (current)', 'round 3/4 (baseline)',
      'round 4/4 (baseline)', 'round 4/4 (current)',
    ]);
  }, 40_000);

  it('compares with a saved report, per second', async () => {
    // Five per-second samples a side: the fewest with which a rank test can reach p < 0.05/3.
    const before = await runLoadTest({ url: fiveA.url, durationSeconds: 5, connections: 4 });
    const file = path.join(tmp, 'before.json');
    writeFileSync(file, JSON.stringify(before));
    const after = await runLoadTest({ url: ten.url, durationSeconds: 5, connections: 4, baseline: { file } });
    expect(after.comparison).toMatchObject({ method: 'saved-report', regression: true });
    expect(after.comparison!.rounds).toBeGreaterThanOrEqual(5);
  }, 40_000);
});
