/** `perf-hunter skills list|check`, --version, --help and usage errors, through the built CLI. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, repoRoot, requireBuild } from '../server/built-server.js';

const fixtures = path.join(repoRoot, 'test/fixtures/skills');

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(requireBuild);

describe('perf-hunter (program)', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help lists every command', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'skills', 'explain']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('an unknown command is one line on stderr and exit 2', () => {
    const { code, stdout, stderr } = cli(['profil']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')[0]).toMatch(/^perf-hunter: error: unknown command 'profil'/);
  });
});

describe('perf-hunter skills check', () => {
  it('the built-in skill loads clean: exit 0 and a summary line', () => {
    const { code, stdout } = cli(['skills', 'check']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 skill\(s\) from 4 file\(s\) in \d+ ms; \d+ validation\(s\), \d+ runnable; 0 error\(s\), 0 warning\(s\)\n$/);
  });

  it('a good Spawner tree: exit 0, every skill counted', () => {
    const { code, stdout } = cli(['skills', 'check', path.join(fixtures, 'spawner'), '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { skills: number; errors: number };
    expect(report.skills).toBeGreaterThanOrEqual(3);
    expect(report.errors).toBe(0);
  });

  it('broken files: every problem as file:line:column, exit 1, the healthy skills still counted', () => {
    const { code, stdout } = cli(['skills', 'check', path.join(fixtures, 'broken')]);
    expect(code).toBe(1);
    const problems = stdout.split('\n').filter((line) => /: (error|warning): /.test(line));
    expect(problems.length).toBeGreaterThanOrEqual(5);
    for (const line of problems) expect(line).toMatch(/^\/.+\.yaml:\d+:\d+: (error|warning): \S/);
    // The syntax error names the file it is in, at a real position.
    expect(problems.some((line) => /bad-syntax\/skill\.yaml:\d+:\d+: error: /.test(line))).toBe(true);
    expect(stdout).toMatch(/^[1-9]\d* skill\(s\) from \d+ file\(s\)/m);
  });

  it('a folder that does not exist is reported, not a crash', () => {
    const { code, stdout, stderr } = cli(['skills', 'check', path.join(fixtures, 'no-such-folder')]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/no-such-folder.*: error: /);
  });
});

describe('perf-hunter skills list', () => {
  it('--skills-dir and PERF_HUNTER_SKILLS_DIR add skills to the built-in one', () => {
    const viaFlag = JSON.parse(cli(['skills', 'list', '--json', '--skills-dir', path.join(fixtures, 'spawner')]).stdout) as { total: number };
    const viaEnv = JSON.parse(cli(['skills', 'list', '--json'], { PERF_HUNTER_SKILLS_DIR: path.join(fixtures, 'spawner') }).stdout) as { total: number };
    const alone = JSON.parse(cli(['skills', 'list', '--json']).stdout) as { total: number; skills: Array<{ id: string }> };
    expect(alone.total).toBe(1);
    expect(alone.skills[0]?.id).toBe('performance-hunter');
    expect(viaFlag.total).toBeGreaterThan(1);
    expect(viaEnv.total).toBe(viaFlag.total);
  });

  it('pages with --limit and --cursor, stating the total', () => {
    const dir = path.join(fixtures, 'spawner');
    const first = JSON.parse(cli(['skills', 'list', '--json', '--limit', '1', '--skills-dir', dir]).stdout) as { total: number; skills: Array<{ id: string }>; nextCursor?: string };
    expect(first.skills).toHaveLength(1);
    expect(first.nextCursor).toBeTruthy();
    const second = JSON.parse(cli(['skills', 'list', '--json', '--limit', '1', '--cursor', first.nextCursor!, '--skills-dir', dir]).stdout) as { skills: Array<{ id: string }> };
    expect(second.skills[0]?.id).not.toBe(first.skills[0]?.id);
  });

  it('filters by text', () => {
    const { code, stdout } = cli(['skills', 'list', 'latency']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^performance-hunter /m);
    expect(cli(['skills', 'list', 'zzz-no-such-thing']).stdout).toBe('0 of 0 skill(s)\n');
  });

  it('bad flags are one line and exit 2', () => {
    expect(cli(['skills', 'list', '--limit', '0'])).toMatchObject({ code: 2, stderr: 'perf-hunter: --limit: limit must be at least 1\n' });
    const stale = cli(['skills', 'list', '--cursor', 'garbage']);
    expect(stale.code).toBe(2);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    expect(stale.stderr).toMatch(/^perf-hunter: --cursor: /);
  });
});
