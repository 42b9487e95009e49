/** `.perf-hunter.yaml`: discovery, rule severities and off, ignore globs, extra call shapes, errors at file:line:col. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { findConfig, loadConfig } from '../../src/lint/config.js';
import { runLint } from '../../src/lint/run-lint.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/lint-config');
const project = path.join(fixtures, 'project');

describe('.perf-hunter.yaml', () => {
  it('is found from a subfolder, and stops at the repository root', async () => {
    expect(await findConfig(path.join(project, 'src'))).toBe(path.join(project, '.perf-hunter.yaml'));
    expect(await findConfig(path.join(fixtures, '..'))).toBeUndefined();
  });

  it('overrides severity, ignores globs and extends call shapes', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: project, all: true });
    expect(report.config).toBe(path.join(project, '.perf-hunter.yaml'));
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`)).toEqual([
      'src/handler.ts:6 n-plus-one error', // repo.fetchOne is a db call only through the config's options
      'src/handler.ts:8 sync-io-in-async warning',
    ]);
    expect(report.files.skippedBy.ignored).toBe(1);
    expect(report.rules).not.toContain('cache-no-ttl'); // off in the config
    const none = await runLint({ paths: ['.'] }, { cwd: project, all: true, config: false });
    expect(none.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).not.toContain('src/handler.ts:6 n-plus-one');
    expect(none.findings.some((f) => f.file.startsWith('generated/'))).toBe(true);
  });

  it('reports a bad value at file:line:col', async () => {
    const file = path.join(fixtures, 'broken', '.perf-hunter.yaml');
    await expect(loadConfig(file)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:3: rules.n-plus-one: `));
    await expect(runLint({ paths: ['.'] }, { cwd: path.join(fixtures, 'broken') })).rejects.toThrow(/:2:3: rules\.n-plus-one/);
  });

  it('reports an unknown key and an unknown rule id at their place', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'ph-config-'));
    writeFileSync(path.join(dir, '.perf-hunter.yaml'), 'rules:\n  not-a-rule: off\n');
    writeFileSync(path.join(dir, 'a.ts'), 'export const a = 1;\n');
    await expect(runLint({ paths: ['.'] }, { cwd: dir })).rejects.toThrow(/\.perf-hunter\.yaml:2:3: unknown rule not-a-rule/);
    writeFileSync(path.join(dir, '.perf-hunter.yaml'), 'rules: {}\nfail_on: error\n');
    await expect(runLint({ paths: ['.'] }, { cwd: dir })).rejects.toThrow(/\.perf-hunter\.yaml:2:1: fail_on/);
    writeFileSync(path.join(dir, '.perf-hunter.yaml'), 'hook:\n  enabled: false\n  severity: error\n');
    expect((await runLint({ paths: ['.'] }, { cwd: dir })).config).toBe(path.join(dir, '.perf-hunter.yaml'));
    writeFileSync(path.join(dir, '.perf-hunter.yaml'), 'hook:\n  severty: error\n');
    await expect(runLint({ paths: ['.'] }, { cwd: dir })).rejects.toThrow(/\.perf-hunter\.yaml:2:3: hook\.severty/);
  });
});

describe('validate with a config (the built CLI)', () => {
  const validate = (...args: string[]) => {
    requireBuild();
    return spawnSync(process.execPath, [cliPath, 'validate', ...args], { cwd: project, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }) });
  };

  it("takes failOn from the config unless --fail-on is given; --no-config and --config FILE", () => {
    // sync-io-in-async is a warning by the config, and the config fails on warnings.
    expect(validate('src', '--rule', 'sync-io-in-async').status).toBe(1);
    expect(validate('src', '--rule', 'sync-io-in-async', '--fail-on', 'error').status).toBe(0);
    const plain = validate('src', '--rule', 'sync-io-in-async', '--no-config', '--format', 'json');
    expect(JSON.parse(plain.stdout).findings[0].severity).toBe('error');
    const broken = validate('src', '--config', '../broken/.perf-hunter.yaml');
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\/\.perf-hunter\.yaml:2:3: rules\.n-plus-one/);
  });
});
