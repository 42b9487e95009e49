/**
 * The tail must be true. Two servers whose truth is known from their schedule:
 * - `pause` holds every answer during 200 ms of every 2 s. Sent at a constant rate, 10% of the
 *   requests land in a pause and wait uniformly 0..200 ms, so the true p99 is 200 * (1 - 0.01/0.1) = 180 ms.
 * - `stall` holds every 75th request (1.33%) for 200 ms. At exactly 1% the p99 would sit on the edge
 *   between fast and stalled answers (either could be "the truth"); at 1.33% it lies among the
 *   stalled: ~200 ms. 600 requests hold exactly 8 stalled ones whatever the server's count before.
 * The open model must be within 15% of the truth; the closed model must say its tail is understated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/loadtest/run.js';
import { startServer, type FakeServer } from './helpers.js';

let pause: FakeServer;
let stall: FakeServer;

beforeAll(async () => {
  [pause, stall] = await Promise.all([startServer('pause'), startServer('stall', 75)]);
});
afterAll(async () => {
  await Promise.all([pause?.stop(), stall?.stop()]);
});

const within = (actual: number, truth: number, tolerance = 0.15): void => {
  expect(actual).toBeGreaterThanOrEqual(truth * (1 - tolerance));
  expect(actual).toBeLessThanOrEqual(truth * (1 + tolerance));
};

describe('a server that pauses 200 ms every 2 s', () => {
  // Two whole periods: any 4 s window holds exactly 400 ms of pause, whatever the phase.
  it('open model: p99 within 15% of the 180 ms truth', async () => {
    const report = await runLoadTest({ url: pause.url, rate: 200, durationSeconds: 4, connections: 64 });
    within(report.latencyMs.p99, 180);
    expect(report.latencyMs.p50).toBeLessThan(50);
    expect(report.rate!.shortfallPercent).toBeLessThan(5);
  }, 30_000);

  it('closed model: the tail is understated, and the report says so', async () => {
    const report = await runLoadTest({ url: pause.url, durationSeconds: 4, connections: 4 });
    expect(report.warnings.join(' ')).toMatch(/understates the tail \(coordinated omission\)/);
    expect(report.verdict).toMatch(/tail understated/);
    // A connection caught in a pause sends nothing else meanwhile: the pause hardly shows.
    expect(report.latencyMs.p99).toBeLessThan(0.5 * 180);
  }, 30_000);
});

describe('a server that stalls ~1% of requests by 200 ms', () => {
  it('open model: p99 within 15% of the 200 ms truth, median unaffected', async () => {
    const report = await runLoadTest({ url: stall.url, rate: 200, durationSeconds: 3, connections: 16 });
    within(report.latencyMs.p99, 200);
    expect(report.latencyMs.p50).toBeLessThan(50);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(200);
  }, 30_000);

  it('closed model: warns that its tail is understated', async () => {
    const report = await runLoadTest({ url: stall.url, durationSeconds: 2, connections: 4 });
    expect(report.model).toBe('closed');
    expect(report.warnings.join(' ')).toMatch(/coordinated omission/);
  }, 30_000);
});
