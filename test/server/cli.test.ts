/** `perf-hunter explain` and `perf-hunter serve` usage, through the built CLI. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExplainResult } from '../../src/skills/explain.js';
import { cleanEnv, cliPath, extraSkillsDir, requireBuild } from './built-server.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(requireBuild);

describe('perf-hunter explain', () => {
  it('prints readable Markdown for a sharp edge, code once under Examples', () => {
    const { code, stdout } = cli('explain', 'n-plus-one-queries');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Sharp edge: /);
    expect(stdout).toContain('## Proved by');
    expect(stdout).toContain('(code: see Examples below)');
    expect(stdout.match(/```python/g)).toHaveLength(1);
  });

  it('--json prints the same result object the MCP tool returns', () => {
    const { code, stdout } = cli('explain', 'db-tuner/covering-index', '--json', '--skills-dir', extraSkillsDir);
    expect(code).toBe(0);
    const result = ExplainResult.parse(JSON.parse(stdout));
    expect(result).toMatchObject({ kind: 'pattern', skillId: 'db-tuner', uri: 'skill://db-tuner/patterns/covering-index' });
  });

  it('an unknown id is one line on stderr with suggestions, exit 2', () => {
    const { code, stdout, stderr } = cli('explain', 'conection-pooling');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^perf-hunter: unknown id "conection-pooling".*Did you mean: connection-pooling/);
  });

  it('a bad --limit is a usage error', () => {
    const { code, stderr } = cli('explain', 'performance-hunter', '--limit', 'lots');
    expect(code).toBe(2);
    expect(stderr).toContain('--limit must be a whole number');
  });
});

describe('perf-hunter serve usage errors', () => {
  it('refuses a bad port', () => {
    const { code, stderr } = cli('serve', '--http', '--port', '99999');
    expect(code).toBe(2);
    expect(stderr).toBe('perf-hunter: --port must be a whole number from 0 to 65535, got "99999"\n');
  });

  it('refuses HTTP flags without --http', () => {
    const { code, stderr } = cli('serve', '--port', '4000');
    expect(code).toBe(2);
    expect(stderr).toContain('only apply with --http');
  });
});
