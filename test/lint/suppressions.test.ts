/** In-source suppressions over real files: both comment forms, rule lists, all rules, unknown ids. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/regex');
let skills: Skill[];
beforeAll(async () => {
  skills = (await loadSkills({ dirs: [path.join(fixtures, 'skills')], includeBuiltin: false })).skills;
});

const lint = (file: string) => runLint({ paths: [file], rules: ['sleep-call'] }, { cwd: fixtures, skills, all: true, config: false });

describe('suppressions', () => {
  it('honours disable-next-line (// and /* */) and ignore[...] on the same line; another rule id does not suppress', async () => {
    const report = await lint('src/suppressed.ts');
    expect(report.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['7 sleep-call', '8 sleep-call', '8 unknown-suppression']);
    expect(report.suppressed).toBe(3);
  });

  it('reports an unknown rule id as an info finding at the comment', async () => {
    const report = await lint('src/suppressed.ts');
    const unknown = report.findings.find((f) => f.ruleId === 'unknown-suppression');
    expect(unknown).toMatchObject({ severity: 'info', line: 8, column: 18, message: expect.stringContaining('"no-such-rule"') });
  });

  it('treats # ignore alone on its line as the line below, trailing as its own line', async () => {
    const report = await lint('src/suppressed.py');
    expect(report.findings.map((f) => f.line)).toEqual([4, 6]);
    expect(report.suppressed).toBe(3);
    expect(report.findings.some((f) => f.ruleId === 'unknown-suppression')).toBe(false);
  });

  it('ends the rule list at `-- reason`, and the reason is not read as rule ids', async () => {
    const code = '// perf-hunter-disable-next-line sleep-call -- a CLI, not a server\nThread.sleep(1);\n// perf-hunter-disable-next-line todo-marker -- wrong rule\nThread.sleep(2);\n';
    const report = await runLint({ code, filename: 'x.ts', rules: ['sleep-call'] }, { cwd: fixtures, skills, config: false });
    expect(report.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['4 sleep-call']);
    expect(report.suppressed).toBe(1);
  });

  it('accepts a rule the run did not select (known to the skills) without reporting it', async () => {
    const report = await runLint({ code: '// perf-hunter-disable-next-line n-plus-one\nThread.sleep(1);\n', filename: 'x.ts', rules: ['sleep-call'] }, { cwd: fixtures, skills, config: false });
    expect(report.findings.map((f) => f.ruleId)).toEqual(['sleep-call']);
    expect(report.suppressed).toBe(0);
  });
});
