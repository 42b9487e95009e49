/** Glob arguments to validate / lint: walked like folders (skips and .gitignore kept), filtered by the glob. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LintInputError, runLint } from '../../src/lint/run-lint.js';
import { makeTree, type Tree } from './validate-tree.js';

let tree: Tree;
beforeAll(() => {
  tree = makeTree();
});
afterAll(() => tree.cleanup());

const files = (report: { findings: Array<{ file: string }> }): string[] => [...new Set(report.findings.map((f) => f.file))].sort();

describe('glob arguments', () => {
  it('keeps only the files the glob matches, with the walk\'s skips (.gitignore, node_modules, dist) still applied', async () => {
    const ts = await runLint({ paths: ['**/*.ts'] }, { cwd: tree.dir, all: true });
    expect(files(ts)).toEqual(['src/orders.ts']);
    expect(ts.files.scanned).toBe(2); // src/orders.ts and src/clean.ts; generated/ and *.gen.ts are ignored
    expect(ts.files.skippedBy.ignored).toBeGreaterThanOrEqual(1);
    expect(ts.files.skippedBy.nodeModules).toBe(1);

    const py = await runLint({ paths: ['./workers/*.py'] }, { cwd: tree.dir, all: true });
    expect(files(py)).toEqual(['workers/poll.py']);
  });

  it('takes braces and mixes globs with plain paths, each file once', async () => {
    const report = await runLint({ paths: ['{src,workers}/*.{ts,py}', 'src/orders.ts'] }, { cwd: tree.dir, all: true });
    expect(files(report)).toEqual(['src/orders.ts', 'workers/poll.py']);
    expect(report.files.scanned).toBe(3);
  });

  it('treats an existing path with glob characters in its name as a path', async () => {
    writeFileSync(path.join(tree.dir, 'src', '[id].ts'), 'export const x = 1;\n');
    const report = await runLint({ paths: ['src/[id].ts'] }, { cwd: tree.dir, all: true });
    expect(report.files.scanned).toBe(1);
  });

  it('says so when a glob matches nothing or its folder does not exist, and keeps the roots', async () => {
    await expect(runLint({ paths: ['src/**/*.rb'] }, { cwd: tree.dir })).rejects.toThrow(/no lintable file matches src\/\*\*\/\*\.rb/);
    await expect(runLint({ paths: ['nope/**/*.ts'] }, { cwd: tree.dir })).rejects.toThrow(/no file matches nope\/\*\*\/\*\.ts: its folder .* does not exist/);
    await expect(runLint({ paths: [`${tree.outside}/*.ts`] }, { cwd: tree.dir })).rejects.toBeInstanceOf(LintInputError);
    await expect(runLint({ paths: [`${tree.outside}/*.ts`] }, { cwd: tree.dir })).rejects.toThrow(/outside the allowed roots/);
  });
});
