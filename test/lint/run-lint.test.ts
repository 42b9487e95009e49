/** runLint over a real temp tree: what is walked and skipped, roots, paging, rules and YAML configuration. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLint, LintInputError } from '../../src/lint/run-lint.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { HANDLER_TS, makeTree, type Tree } from './validate-tree.js';

let tree: Tree;
let skills: Skill[];

beforeAll(async () => {
  tree = makeTree();
  skills = (await loadSkills()).skills;
});
afterAll(() => tree.cleanup());

describe('runLint over paths', () => {
  it('lints what git would track and counts every skip by reason', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: tree.dir, skills });
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      'src/orders.ts:5 n-plus-one',
      'src/orders.ts:7 sync-io-in-async',
      'workers/poll.py:5 sync-io-in-async',
    ]);
    expect(report.files.scanned).toBe(3);
    expect(report.files.skippedBy).toMatchObject({
      ignored: 2, // generated/ and *.gen.ts
      nodeModules: 1,
      buildOutput: 1,
      minified: 1,
      binary: 1,
      tooLarge: 1,
      symlink: 2,
    });
    expect(report.files.skippedBy.unsupported).toBeGreaterThanOrEqual(2); // README.md, .gitignore
    expect(report.total).toBe(3);
    expect(report.totals).toEqual({ byRule: { 'n-plus-one': 1, 'sync-io-in-async': 2 }, bySeverity: { error: 3, warning: 0, info: 0 } });
    expect(report.files.withFindings).toBe(2);
    expect(report.errors).toEqual([]);
  });

  it('applies a .gitignore above the walked folder', async () => {
    const report = await runLint({ paths: ['src'] }, { cwd: tree.dir });
    expect(report.files.skippedBy.ignored).toBe(1);
    expect(report.findings.every((f) => f.file === 'src/orders.ts')).toBe(true);
  });

  it('lints an ignored file when it is named explicitly', async () => {
    const report = await runLint({ paths: ['src/orders.gen.ts'] }, { cwd: tree.dir });
    expect(report.total).toBe(2);
  });

  it('refuses a path outside the roots, also through a symlink, with the fix', async () => {
    await expect(runLint({ paths: [tree.outside] }, { cwd: tree.dir })).rejects.toThrow(/outside the allowed roots.*pass a path inside them/);
    await expect(runLint({ paths: ['escape/secret.ts'] }, { cwd: tree.dir })).rejects.toThrow(/outside the allowed roots \(it resolves to/);
    await expect(runLint({ paths: ['src/link.ts'] }, { cwd: tree.dir })).rejects.toBeInstanceOf(LintInputError);
    const allowed = await runLint({ paths: [tree.outside] }, { cwd: tree.dir, roots: [tree.dir, tree.outside] });
    expect(allowed.findings[0]?.file).toBe(path.join(tree.outside, 'secret.ts'));
  });

  it('says a missing path does not exist', async () => {
    await expect(runLint({ paths: ['nope'] }, { cwd: tree.dir })).rejects.toThrow(/path nope does not exist/);
  });

  it('pages with limit and cursor, totals on every page, and refuses a cursor from another input', async () => {
    const first = await runLint({ paths: ['.'], limit: 2 }, { cwd: tree.dir });
    expect(first.returned).toBe(2);
    expect(first.total).toBe(3);
    expect(first.nextCursor).toBeTypeOf('string');
    const second = await runLint({ paths: ['.'], limit: 2, cursor: first.nextCursor! }, { cwd: tree.dir });
    expect(second.findings.map((f) => f.file)).toEqual(['workers/poll.py']);
    expect(second.nextCursor).toBeUndefined();
    expect(second.totals).toEqual(first.totals);
    await expect(runLint({ paths: ['src'], cursor: first.nextCursor! }, { cwd: tree.dir })).rejects.toThrow(/cursor is not from/);
    await expect(runLint({ paths: ['.'], cursor: 'garbage' }, { cwd: tree.dir })).rejects.toThrow(/cursor is not from/);
  });

  it('runs only the rules asked for and names the known ones for an unknown id', async () => {
    const report = await runLint({ paths: ['.'], rules: ['n-plus-one'] }, { cwd: tree.dir });
    expect(report.rules).toEqual(['n-plus-one']);
    expect(Object.keys(report.totals.byRule)).toEqual(['n-plus-one']);
    await expect(runLint({ paths: ['.'], rules: ['n-plus-two'] }, { cwd: tree.dir })).rejects.toThrow(/unknown rule n-plus-two; known rules: .*n-plus-one/);
  });

  it('applies the severity floor to findings and totals', async () => {
    const report = await runLint({ code: HANDLER_TS, filename: 'a.ts', severity: 'error' }, { cwd: tree.dir });
    expect(report.total).toBe(2);
    const none = await runLint({ code: 'export const x = 1;\n', filename: 'a.ts', severity: 'error' }, { cwd: tree.dir });
    expect(none.total).toBe(0);
  });

  it('reports progress per file and stops when aborted', async () => {
    const seen: number[] = [];
    await runLint({ paths: ['.'] }, { cwd: tree.dir, onProgress: (p) => seen.push(p.done) });
    // Five candidates walked: three linted, the binary and the huge file skipped once read.
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(runLint({ paths: ['.'] }, { cwd: tree.dir, signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('runLint over inline code', () => {
  it('lints code by filename without touching the disk', async () => {
    const report = await runLint({ code: HANDLER_TS, filename: 'handler.ts' }, { cwd: tree.dir });
    expect(report.findings.map((f) => [f.file, f.line])).toEqual([['handler.ts', 5], ['handler.ts', 7]]);
    expect(report.files.scanned).toBe(1);
  });

  it('refuses both or neither of paths and code, and an unlintable filename', async () => {
    await expect(runLint({}, { cwd: tree.dir })).rejects.toThrow(/either paths .* or code/);
    await expect(runLint({ paths: ['.'], code: 'x' }, { cwd: tree.dir })).rejects.toThrow(/not both/);
    await expect(runLint({ code: 'x', filename: 'a.rb' }, { cwd: tree.dir })).rejects.toThrow(/a.rb has no lintable extension/);
    await expect(runLint({ code: 'x', limit: 0 }, { cwd: tree.dir })).rejects.toThrow(/limit: limit must be at least 1/);
  });
});

describe('rules from YAML', () => {
  it('takes message-independent fields (severity, fix, sharp edge, handoff) from the skill', async () => {
    const report = await runLint({ code: HANDLER_TS, filename: 'a.ts', rules: ['n-plus-one'] }, { cwd: tree.dir, skills });
    const finding = report.findings[0]!;
    expect(finding.sharpEdge).toBe('n-plus-one-queries');
    expect(finding.handoff?.skill).toBe('postgres-wizard');
    const info = report.ruleInfo?.find((r) => r.id === 'n-plus-one');
    expect(info?.sharpEdgeSummary).toBeTruthy();
    expect(info?.skill).toBe('performance-hunter');
  });

  it('overrides severity and renames the rule when a skill says so, and reports broken options without failing', async () => {
    const base = skills[0]!;
    const validation = base.validations.find((v) => v.id === 'n-plus-one')!;
    const custom: Skill = {
      ...base,
      id: 'custom',
      validations: [
        { ...validation, id: 'my-n-plus-one', severity: 'info', fix: 'batch it' },
        { ...validation, id: 'broken', detector: 'sync-io-in-async', options: { blocking_calls: 42 } },
      ],
    };
    const report = await runLint({ code: HANDLER_TS, filename: 'a.ts' }, { cwd: tree.dir, skills: [custom] });
    const mine = report.findings.find((f) => f.ruleId === 'my-n-plus-one');
    expect(mine).toMatchObject({ severity: 'info', fix: 'batch it', line: 5 });
    expect(report.rules).not.toContain('broken');
    expect(report.errors[0]?.message).toMatch(/rule broken not run: invalid options for detector sync-io-in-async/);
    // The detector the broken rule would have configured still runs with its defaults.
    expect(report.rules).toContain('sync-io-in-async');
  });
});
