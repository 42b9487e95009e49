/** `perf-hunter validate` as users run it: the built CLI on a temp tree, every format and exit code. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { makeTree, type Tree } from './validate-tree.js';

let tree: Tree;
beforeAll(() => {
  requireBuild();
  tree = makeTree();
});
afterAll(() => tree.cleanup());

function validate(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, 'validate', ...args], { cwd: tree.dir, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('perf-hunter validate', () => {
  it('prints findings grouped by file with the fix and a summary (snapshot), exit 1 on errors', async () => {
    const run = validate();
    expect(run.code).toBe(1);
    // Timing and the cache's hits (this tree is linted by earlier runs too) vary between runs.
    const stable = run.stdout.replace(/, \d+ ms$/m, ', <ms> ms').replace(/ \(cache: \d+ hit\(s\), \d+ miss\(es\)\)/, '');
    await expect(stable).toMatchFileSnapshot('./__snapshots__/validate-text.txt');
    expect(run.stdout).not.toContain('node_modules');
    expect(run.stdout).not.toContain('generated/');
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('exit codes follow --fail-on', () => {
    expect(validate('--fail-on', 'never').code).toBe(0);
    expect(validate('--fail-on', 'warning').code).toBe(1);
    expect(validate('src/clean.ts').code).toBe(0);
    expect(validate('src/clean.ts', '--fail-on', 'info').code).toBe(0);
  });

  it('--rule runs only that rule; --max-findings caps the text but not the count', () => {
    const run = validate('--rule', 'n-plus-one', '--format', 'json');
    const report = JSON.parse(run.stdout);
    expect(report.rules).toEqual(['n-plus-one']);
    expect(report.findings).toHaveLength(1);
    const capped = validate('--max-findings', '1');
    expect(capped.stdout.match(/ error {3}/g)).toHaveLength(1);
    expect(capped.stdout).toContain('2 more finding(s) not shown');
    expect(capped.stdout).toContain('3 finding(s)');
  });

  it('--format json carries every finding, totals and skip counts', () => {
    const report = JSON.parse(validate('--format', 'json').stdout);
    expect(report.total).toBe(3);
    expect(report.findings).toHaveLength(3);
    expect(report.files.skippedBy.nodeModules).toBe(1);
    expect(report.files.skippedBy.ignored).toBe(2);
    expect(report.findings[0]).toMatchObject({ file: 'src/orders.ts', line: 5, ruleId: 'n-plus-one', sharpEdge: 'n-plus-one-queries' });
  });

  it('--format sarif --output writes the file atomically and prints the summary on stderr', () => {
    const run = validate('--format', 'sarif', '--output', 'out/report.sarif', 'src');
    expect(run.code).toBe(2); // the folder does not exist yet: a clear one-line error
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^perf-hunter: cannot write .*report\.sarif/);
    const ok = validate('--format', 'sarif', '--output', 'report.sarif', 'src');
    expect(ok.code).toBe(1);
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toMatch(/2 finding\(s\).*report written to report\.sarif/);
    const sarif = JSON.parse(readFileSync(path.join(tree.dir, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['n-plus-one', 'sync-io-in-async']);
    expect(readdirSync(tree.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(path.join(tree.dir, 'out'))).toBe(false);
  });

  it('--cache-location keeps the content-hash cache there; --no-cache neither reads nor writes it', () => {
    const location = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-cli-cache-'));
    try {
      const first = JSON.parse(validate('--format', 'json', '--cache-location', location).stdout);
      expect(first.stats.cache).toMatchObject({ hits: 0, misses: 3, location });
      const second = validate('--cache-location', location);
      expect(second.stdout).toMatch(/3 file\(s\) scanned \(cache: 3 hit\(s\), 0 miss\(es\)\)/);
      expect(readdirSync(location).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const none = JSON.parse(validate('--format', 'json', '--no-cache').stdout);
      expect(none.stats.cache).toBeUndefined();
      expect(none.findings).toEqual(first.findings);
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with one line: missing path, bad flag values, unknown rule', () => {
    for (const args of [['nope'], ['--format', 'xml'], ['--fail-on', 'fatal'], ['--rule', 'n-plus-two'], ['--max-findings', '-1']]) {
      const run = validate(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^perf-hunter: /);
    }
    expect(validate('nope').stderr).toContain('path nope does not exist');
    // A path named on the command line is itself a root (the user asked for it), even through a symlink.
    expect(validate('escape/secret.ts').code).toBe(1);
  });
});
