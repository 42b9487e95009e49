/** Regex rules whose `applies_to` names non-code files (YAML, Dockerfiles) get those files from the walk. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';

let dir: string;
let skill: Skill;

beforeAll(async () => {
  const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/regex/skills');
  const alpha = (await loadSkills({ dirs: [fixtures], includeBuiltin: false })).skills.find((s) => s.id === 'alpha')!;
  const base = alpha.validations.find((v) => v.kind === 'regex' && v.runnable)!;
  skill = {
    ...alpha,
    validations: [
      { ...base, id: 'floating-tag', patterns: ['image:\\s*\\S+:latest'], negativePatterns: [], appliesTo: ['*.yaml', '*.yml'], message: 'Pin the image.' },
      { ...base, id: 'anywhere', patterns: ['image:'], negativePatterns: [], appliesTo: [], message: 'No globs: code files only.' },
    ],
  };
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-text-')));
  mkdirSync(path.join(dir, 'deploy'));
  writeFileSync(path.join(dir, 'deploy/app.yaml'), 'services:\n  web:\n    image: shop/web:latest\n');
  writeFileSync(path.join(dir, 'deploy/notes.md'), 'image: shop/web:latest\n');
  writeFileSync(path.join(dir, 'deploy/blob.yaml'), Buffer.from([0x69, 0x6d, 0x00, 0x61]));
  writeFileSync(path.join(dir, 'app.ts'), `export const image = 'image: x';\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('text files for regex rules', () => {
  it('reads the files a glob names, never the others, and still skips binaries', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: dir, skills: [skill], all: true, cache: false, config: false });
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['app.ts:1 anywhere', 'deploy/app.yaml:3 floating-tag']);
    expect(report.files.skippedBy.binary).toBe(1);
    expect(report.files.skippedBy.unsupported).toBe(1); // notes.md
    expect(report.errors).toEqual([]);
  });

  it('without such a rule, YAML is not read at all', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: dir, skills: [], all: true, cache: false, config: false });
    expect(report.files.scanned).toBe(1);
    expect(report.files.skippedBy.unsupported).toBe(3);
  });
});
