/**
 * Hostile skills: catastrophic regexes, a YAML alias bomb, a 20 MB YAML file and the same ids in
 * two skills. Loading and scanning stay within a time bound and report what they skipped.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSkills } from '../../src/skills/load.js';
import { formatProblem, type LoadResult } from '../../src/skills/model.js';
import { runLint } from '../../src/lint/run-lint.js';

let root: string;

function skillYaml(id: string, extra = ''): string {
  return `id: ${id}\nname: ${id}\nversion: 1.0.0\ndescription: A hostile test skill.\nidentity:\n  role: Tester.\n${extra}`;
}

/** Nine levels of nine aliases: 9^9 (387 million) leaves if anything expands it. */
function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  // In fields the loader keeps as they are (examples, unknown keys): whatever serialises the skill would expand them.
  return `${lines.join('\n')}\nsharp_edges:\n  - id: bomb\n    summary: boom\n    severity: high\n    examples: *a9\n    x_extra: *a9\n`;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ph-hostile-'));
  const folder = async (name: string, files: Record<string, string>): Promise<void> => {
    await mkdir(path.join(root, 'tree', 'hostile', name), { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(root, 'tree', 'hostile', name, file), text);
  };
  await folder('redos', {
    'skill.yaml': skillYaml('redos'),
    'validations.yaml': [
      'validations:',
      '  - id: nested-quantifier',
      '    name: Nested quantifier',
      '    severity: warning',
      '    type: regex',
      "    pattern: ['(a+)+$', '(a|aa)+b', '(x+x+)+y']",
      '    message: catastrophic',
      '    applies_to: ["**/*.ts"]',
      '  - id: backref-redos',
      '    name: Backreference',
      '    severity: warning',
      '    type: regex',
      "    pattern: ['(a+)+\\1$', '(x+x+)+\\1y']",
      '    message: catastrophic with a backreference (not RE2)',
      '    applies_to: ["**/*.ts"]',
      '  - id: fine',
      '    name: Fine',
      '    severity: info',
      '    type: regex',
      "    pattern: 'TODO'",
      '    message: a todo',
      '    applies_to: ["**/*.ts"]',
      '',
    ].join('\n'),
  });
  await folder('bomb', { 'skill.yaml': skillYaml('bomb'), 'sharp-edges.yaml': aliasBomb() });
  // 20 MB: one skill with very many patterns.
  const item = (i: number): string => `  - id: p${i}\n    name: Pattern ${i}\n    description: ${'lorem ipsum '.repeat(8)}\n`;
  const count = Math.ceil((20 * 1024 * 1024) / item(100000).length);
  await folder('huge', { 'skill.yaml': skillYaml('huge', `patterns:\n${Array.from({ length: count }, (_, i) => item(i)).join('')}`) });
  // The same skill id twice, and the same sharp-edge id in two skills.
  await folder('dup-a', { 'skill.yaml': skillYaml('twin'), 'sharp-edges.yaml': 'sharp_edges:\n  - id: shared-edge\n    summary: A\n    severity: high\n' });
  await folder('dup-b', { 'skill.yaml': skillYaml('twin'), 'sharp-edges.yaml': 'sharp_edges:\n  - id: shared-edge\n    summary: B\n    severity: high\n' });
  await folder('other', { 'skill.yaml': skillYaml('other'), 'sharp-edges.yaml': 'sharp_edges:\n  - id: shared-edge\n    summary: C\n    severity: high\n' });

  await mkdir(path.join(root, 'code'));
  // Lines on which the nested quantifiers backtrack exponentially (2^40 ways to split the a's).
  await writeFile(path.join(root, 'code/victim.ts'), `${'a'.repeat(40)}!\n// TODO x\n${'x'.repeat(3000)}\n`);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('hostile skills', () => {
  let result: LoadResult;
  let loadMs: number;

  beforeAll(async () => {
    const started = performance.now();
    result = await loadSkills({ dirs: [path.join(root, 'tree')], includeBuiltin: false, cache: false, agentSkillDirs: false });
    loadMs = performance.now() - started;
  }, 60_000);

  it('loads within a bound', () => {
    expect(loadMs).toBeLessThan(20_000);
  });

  it('reports the alias bomb instead of expanding it, and still loads the rest', () => {
    const ids = result.skills.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['redos', 'huge', 'twin', 'other']));
    const bomb = result.problems.filter((p) => p.file.includes(`${path.sep}bomb${path.sep}`));
    expect(bomb.length, result.problems.map(formatProblem).join('\n')).toBeGreaterThan(0);
    expect(bomb.map((p) => p.message).join('\n')).toMatch(/alias/i);
    // Nothing expanded made it into the skills: they serialise (the cache, explain and resources all do this).
    expect(JSON.stringify(result.skills).length).toBeLessThan(100 * 1024 * 1024);
  });

  it('loads the 20 MB skill whole', () => {
    const huge = result.skills.find((s) => s.id === 'huge');
    expect(huge?.patterns.length).toBeGreaterThan(100_000);
  });

  it('reports the duplicate skill id and keeps one', () => {
    expect(result.skills.filter((s) => s.id === 'twin')).toHaveLength(1);
    expect(result.problems.map((p) => p.message).join('\n')).toMatch(/twin/);
  });

  it('scans with catastrophic patterns within a bound and says which rules it skipped', async () => {
    const started = performance.now();
    const report = await runLint(
      { paths: ['code'] },
      { cwd: root, skills: result.skills.filter((s) => s.id === 'redos'), cache: false, all: true, config: false, regexBudgetMs: 200 },
    );
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(15_000);
    // The harmless rule still found its TODO.
    expect(report.findings.map((f) => f.ruleId)).toContain('fine');
    expect(report.findings.map((f) => f.ruleId)).not.toContain('nested-quantifier');
    // The backreference rule cannot run on RE2; on the JS engine it blows its budget and the report says so.
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(/rule backref-redos skipped on file code\/victim\.ts .*budget/);
  });
});
