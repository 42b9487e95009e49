/**
 * `npm run demo` end to end (the BUILT CLI): its report names each step's result and its folder
 * holds the flame graph and the latency pictures. The SLO verdicts and the before/after
 * significance depend on how busy the machine is, so they are checked only to be reported; a
 * problem of any other kind (lint, the probe, the profile) fails the test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, requireBuild } from '../server/built-server.js';

const TIMING_PROBLEMS = [/the N\+1 route met the SLO/, /the fixed route did not meet the SLO/, /not faster beyond noise/];

describe('npm run demo', () => {
  it('walks lint -> load test with SLO and probe -> before/after -> profile, and writes its pictures', () => {
    requireBuild();
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ph-demo-')), 'demo');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/demo.mjs'), '--out', out], { cwd: repoRoot, encoding: 'utf8', timeout: 170_000 });
    const report = run.stdout;
    expect(run.status === 0 || run.status === 1, `${run.stderr}\n${report}`).toBe(true);
    expect(report).toContain('1. lint:');
    for (const rule of ['n-plus-one', 'sync-io-in-async', 'no-timeout', 'cache-no-ttl']) expect(report).toMatch(new RegExp(`^\\s+${rule}\\s+routes\\.js:\\d+`, 'm'));
    expect(report).toMatch(/GET \/orders\?limit=50\s+(PASS|FAIL) .*101 queries\/request/);
    expect(report).toMatch(/runtime N\+1 proven \(n-plus-one-queries\): `SELECT id, name FROM customers WHERE id = \?`/);
    expect(report).toMatch(/GET \/orders-fast\?limit=50\s+(PASS|FAIL) .*, 2 queries\/request/);
    expect(report).toMatch(/^3\. before\/after \(same server, 6 alternating rounds each\)/m);
    expect(report).toMatch(/^4\. profile under load: .+/m);
    expect(report).toMatch(/GET \/orders: 101 queries\/request, runtime N\+1/);
    const verdict = report.trim().split('\n').at(-1)!;
    if (run.status === 1) {
      const problems = verdict.replace(/^The demo's story did not fully hold: /, '').replace(/\. \(\d+ s\)$/, '').split('; ');
      for (const problem of problems) expect(TIMING_PROBLEMS.some((re) => re.test(problem)), problem).toBe(true);
    } else expect(verdict).toMatch(/^Verdict: lint flagged the N\+1, the probe proved it at run time \(101 vs 2 queries\/request\)/);
    for (const file of ['profile-orders/flamegraph.html', 'load-orders/latency.svg', 'load-orders-fast/latency.svg', 'report.txt']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(out, 'load-orders/latency.svg'), 'utf8')).toMatch(/<svg [^>]*>[\s\S]*<path /);
  }, 180_000);
});
