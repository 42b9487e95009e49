/** runLoadTest against real local servers (each in its own process): figures, errors, files. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/loadtest/run.js';
import { LoadTestReport } from '../../src/loadtest/schema.js';
import { startServer, type FakeServer } from './helpers.js';

let fast: FakeServer;
let wait5: FakeServer;
let errors: FakeServer;
const out = mkdtempSync(path.join(tmpdir(), 'perf-hunter-loadtest-'));

beforeAll(async () => {
  [fast, wait5, errors] = await Promise.all([startServer('fast'), startServer('wait', 5), startServer('errors')]);
});
afterAll(async () => {
  await Promise.all([fast?.stop(), wait5?.stop(), errors?.stop()]);
  rmSync(out, { recursive: true, force: true });
});

describe('closed model (autocannon)', () => {
  it('measures a fast server: rates from the measured duration, sub-ms latency, the coordinated-omission warning, SVG and report files', async () => {
    const progress: number[] = [];
    const report = await runLoadTest(
      { url: fast.url, durationSeconds: 2.5, connections: 4, outDir: out },
      { onProgress: (p) => progress.push(p.elapsedSeconds) },
    );
    expect(() => LoadTestReport.parse(report)).not.toThrow();
    expect(report.model).toBe('closed');
    expect(report.requests.total).toBeGreaterThan(200);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(2.4);
    // requests/s is the count over the MEASURED duration, not the requested one.
    expect(Math.abs(report.requests.perSecond.mean / (report.requests.total / report.durationSeconds) - 1)).toBeLessThan(0.001);
    expect(report.requests.perSecond.min).toBeLessThanOrEqual(report.requests.perSecond.mean);
    expect(report.latencyResolution).toBe('microsecond');
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p99);
    expect(report.latencyMs.p99).toBeLessThanOrEqual(report.latencyMs.max);
    // Sub-millisecond precision: not every figure is a whole number of ms.
    expect(Object.values(report.latencyMs).some((v) => !Number.isInteger(v))).toBe(true);
    expect(report.errors + report.timeouts + report.non2xx).toBe(0);
    expect(report.statusCodes).toEqual({ '200': report.requests.total });
    expect(report.bytesPerSecond).toBeGreaterThan(0);
    expect(report.generator.cpuPercent).toBeGreaterThan(0);
    expect(report.warnings.join(' ')).toMatch(/understates the tail \(coordinated omission\)/);
    expect(report.verdict).toMatch(/req\/s, p50 .* p99 .*closed model: tail understated/);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(report.output.svg).toBe(path.join(out, 'latency.svg'));
    const svg = readFileSync(report.output.svg!, 'utf8');
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<path d="M[\d.]+,[\d.]+ L/);
    // Self-contained: nothing to fetch, nothing to run.
    expect(svg).not.toMatch(/<script|href=|src=|@import|url\(/);
    expect(LoadTestReport.parse(JSON.parse(readFileSync(report.output.report!, 'utf8'))).requests.total).toBe(report.requests.total);
  }, 20_000);

  it('shows a fixed 5 ms wait in p50', async () => {
    const report = await runLoadTest({ url: wait5.url, durationSeconds: 2, connections: 4 });
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(5);
    expect(report.latencyMs.p50).toBeLessThan(50);
  }, 20_000);

  it('counts errors by status code and the failed rate', async () => {
    const report = await runLoadTest({ url: errors.url, durationSeconds: 2, connections: 4 });
    const total = report.requests.total;
    expect(Object.keys(report.statusCodes).sort()).toEqual(['200', '404', '500']);
    expect(report.statusCodes['500']! / total).toBeCloseTo(0.1, 1);
    expect(report.statusCodes['404']! / total).toBeCloseTo(0.05, 1);
    expect(report.non2xx).toBe(report.statusCodes['500']! + report.statusCodes['404']!);
    expect(report.errorRate).toBeGreaterThan(0.12);
    expect(report.errorRate).toBeLessThan(0.18);
  }, 20_000);

  it('warms up without counting the warm-up', async () => {
    const before = await fast.requests();
    const report = await runLoadTest({ url: fast.url, warmupSeconds: 1, durationSeconds: 1, connections: 2 });
    expect(report.warmupSeconds).toBe(1);
    // The server saw the warm-up too; the report counts only the measured second.
    expect((await fast.requests()) - before).toBeGreaterThan(report.requests.total);
    expect(report.durationSeconds).toBeLessThan(1.6);
  }, 20_000);

  it('spreads the load over worker threads, saying its latency is then whole milliseconds', async () => {
    const report = await runLoadTest({ url: fast.url, durationSeconds: 1.5, connections: 4, workers: 2 });
    expect(report.workers).toBe(2);
    expect(report.requests.total).toBeGreaterThan(0);
    expect(report.latencyResolution).toBe('millisecond');
    expect(report.warnings.join(' ')).toMatch(/whole milliseconds/);
  }, 20_000);

  it('cycles through a list of requests', async () => {
    const report = await runLoadTest({
      url: fast.url,
      amount: 40,
      connections: 2,
      requests: [{ path: '/a' }, { path: '/b', method: 'POST', body: 'x' }],
    });
    expect(report.requests.total).toBe(40);
  }, 20_000);
});

describe('open model (constant rate)', () => {
  it('sends at the rate asked, reports the service time beside the scheduled-time latency and the shortfall', async () => {
    const report = await runLoadTest({ url: wait5.url, durationSeconds: 2, rate: 100, connections: 10 });
    expect(report.model).toBe('open');
    expect(report.requests.total).toBe(200);
    expect(report.rate!.target).toBe(100);
    expect(report.rate!.achieved).toBeGreaterThan(90);
    expect(report.rate!.shortfallPercent).toBeLessThan(10);
    expect(report.serviceTimeMs!.p50).toBeGreaterThanOrEqual(5);
    // Timed from the scheduled send, latency can only be longer than the service time.
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(report.serviceTimeMs!.p50);
    expect(report.warnings.join(' ')).not.toMatch(/coordinated omission/);
  }, 20_000);

  it('says how far the achieved rate fell short when connections run out', async () => {
    // One connection to a 5 ms server carries at most ~200 req/s: 600 req/s cannot be met.
    const report = await runLoadTest({ url: wait5.url, durationSeconds: 1, rate: 600, connections: 1, timeoutSeconds: 1 });
    expect(report.rate!.achieved).toBeLessThan(400);
    expect(report.rate!.shortfallPercent).toBeGreaterThan(33);
    expect(report.rate!.notSent).toBeGreaterThan(0);
    expect(report.durationSeconds).toBeLessThan(3);
    expect(report.rate!.waitedForConnection).toBeGreaterThan(0);
    expect(report.rate!.late).toBeGreaterThan(0);
    expect(report.warnings.join(' ')).toMatch(/waited for a free connection/);
    // The queueing shows in the latency from the scheduled time, not in the service time.
    expect(report.latencyMs.p99).toBeGreaterThan(5 * report.serviceTimeMs!.p99);
  }, 20_000);
});

it('refuses bad input with a clear error before any load', async () => {
  await expect(runLoadTest({ url: 'not a url' })).rejects.toThrow(/not a URL/);
  await expect(runLoadTest({ url: fast.url, connections: 5000 })).rejects.toThrow(/connections/);
  await expect(runLoadTest({ url: fast.url, durationSeconds: 1000 })).rejects.toThrow(/durationSeconds/);
  await expect(runLoadTest({ url: 'ftp://127.0.0.1/' })).rejects.toThrow(/http/);
  await expect(runLoadTest({ url: fast.url, baseline: { file: path.join(out, 'missing.json') } })).rejects.toThrow(/baseline file not found/);
  await expect(runLoadTest({ url: 'http://127.0.0.1:1/', durationSeconds: 5 })).rejects.toThrow(/cannot connect to 127\.0\.0\.1:1 .*ECONNREFUSED/);
  expect(existsSync(out)).toBe(true);
});
