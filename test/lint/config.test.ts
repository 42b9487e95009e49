/** `.perf-hunter.yaml`: discovery, rule severities and off, ignore globs, extra call shapes, errors at file:line:col. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
  });
});
