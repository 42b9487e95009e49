/** `perf-hunter load-test` through the BUILT CLI (`npm run build` first): exit codes, --json, k6 export, Ctrl-C. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestReport } from '../../src/loadtest/schema.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { startServer, type FakeServer } from './helpers.js';

const run = promisify(execFile);
let wait5: FakeServer;
const tmp = mkdtempSync(path.join(tmpdir(), 'perf-hunter-loadtest-cli-'));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, 'load-test', ...args], { env: cleanEnv(), timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  requireBuild();
  wait5 = await startServer('wait', 5);
});
afterAll(async () => {
  await wait5?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('perf-hunter load-test', () => {
  it('exits 0 when the SLO is met and 1 with each violation spelled out when it is not', async () => {
    const pass = await cli([wait5.url, '-d', '1.5', '-c', '2', '--slo', 'p50=2s,errors=1%,rps>=10']);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/^PASS: /);
    expect(pass.stdout).toMatch(/SLO met: p50 <= 2000ms, errors <= 1%, rps >= 10/);

    const fail = await cli([wait5.url, '-d', '1.5', '-c', '2', '--slo', 'p50=1ms,rps>=100000']);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/^FAIL: p50 latency [\d.]+ms exceeds 1ms; throughput [\d.]+ req\/s is below 100000/);
    expect(fail.stdout).toMatch(/SLO FAILED/);
  }, 30_000);

  it('prints the report as JSON (usable as a baseline), writes a k6 script that parses and carries the thresholds', async () => {
    const k6 = path.join(tmp, 'scenario.js');
    const result = await cli([wait5.url, '-d', '1', '-R', '50', '-c', '4', '-H', 'X-Test: 1', '-H', 'x-other=2', '--json', '--slo', 'p99=200ms,errors=0.1%', '--export-k6', k6]);
    expect(result.code).toBe(0);
    const report = LoadTestReport.parse(JSON.parse(result.stdout));
    expect(report.model).toBe('open');
    expect(report.slo?.pass).toBe(true);
    const script = readFileSync(k6, 'utf8');
    // Syntax only: `node --check` parses the module without resolving k6's imports.
    const mjs = path.join(tmp, 'scenario.mjs');
    await run('cp', [k6, mjs]);
    await expect(run(process.execPath, ['--check', mjs])).resolves.toBeDefined();
    expect(script).toContain('"executor": "constant-arrival-rate"');
    expect(script).toContain('"rate": 50');
    expect(script).toContain('"p(99)<200"');
    expect(script).toContain('"rate<0.001"');
    expect(script).toContain('"X-Test": "1"');
  }, 30_000);

  it('refuses a non-loopback target and bad flags with one line and exit 2', async () => {
    const refused = await cli(['http://10.1.2.3:8080/', '-d', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/refused target "10\.1\.2\.3".*--allow-host/);
    const bad = await cli([wait5.url, '-c', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--connections must be a number/);
    const tooLong = await cli([wait5.url, '-d', '3600']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/durationSeconds/);
    const badSlo = await cli([wait5.url, '--slo', 'p99=fast']);
    expect(badSlo.code).toBe(2);
    expect(badSlo.stderr).toMatch(/not a duration/);
  }, 30_000);

  it('Ctrl-C stops the load and still reports what was measured', async () => {
    const child = spawn(process.execPath, [cliPath, 'load-test', wait5.url, '-d', '20', '-c', '2', '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(code).toBe(0);
    const report = LoadTestReport.parse(JSON.parse(stdout));
    expect(report.durationSeconds).toBeLessThan(5);
    expect(report.requests.total).toBeGreaterThan(0);
  }, 30_000);
});
