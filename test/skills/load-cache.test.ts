/** The on-disk skill cache: a warm load equals a cold one, and a changed file is re-read. */
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSkills } from '../../src/skills/load.js';

let tree: string;
let cacheDir: string;
const previous = process.env.PERF_HUNTER_CACHE_DIR;

function writeSkill(i: number, extra = ''): void {
  const dir = path.join(tree, 'cat', `skill-${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'skill.yaml'), `id: skill-${i}\nname: Skill ${i}\ndescription: number ${i}\n${extra}`);
  writeFileSync(
    path.join(dir, 'validations.yaml'),
    `validations:\n  - id: check-${i}\n    name: Check ${i}\n    pattern: 'select \\\\* from'\n    severity: warning\n    message: m\n`,
  );
}

beforeEach(() => {
  tree = mkdtempSync(path.join(os.tmpdir(), 'ph-cache-tree-'));
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'ph-cache-dir-'));
  process.env.PERF_HUNTER_CACHE_DIR = cacheDir;
  for (let i = 0; i < 60; i++) writeSkill(i);
});

afterEach(() => {
  if (previous === undefined) delete process.env.PERF_HUNTER_CACHE_DIR;
  else process.env.PERF_HUNTER_CACHE_DIR = previous;
});

describe('skill load cache', () => {
  it('a second load of an unchanged tree comes from the cache and is identical', async () => {
    const cold = await loadSkills({ dirs: [tree], includeBuiltin: false });
    expect(cold.stats).toMatchObject({ skills: 60, cacheHits: 0, cacheMisses: 60 });
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const warm = await loadSkills({ dirs: [tree], includeBuiltin: false });
    expect(warm.stats).toMatchObject({ skills: 60, cacheHits: 60, cacheMisses: 0 });
    expect(warm.skills).toEqual(cold.skills);
    expect(warm.problems).toEqual(cold.problems);
    expect(cold.problems.length).toBeGreaterThan(0); // the double-escaped pattern warns, and the warning is cached too
  });

  it('a changed file is re-read, the rest still hit', async () => {
    await loadSkills({ dirs: [tree], includeBuiltin: false });
    writeSkill(7, 'tags: [changed]\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(tree, 'cat', 'skill-7', 'skill.yaml'), later, later);
    const again = await loadSkills({ dirs: [tree], includeBuiltin: false });
    expect(again.stats).toMatchObject({ cacheHits: 59, cacheMisses: 1 });
    expect(again.skills.find((s) => s.id === 'skill-7')?.tags).toEqual(['changed']);
  });

  it('is off with cache: false, and small sets are not cached, except the built-in skill under its own key', async () => {
    const off = await loadSkills({ dirs: [tree], includeBuiltin: false, cache: false });
    expect(off.stats.cacheHits).toBeUndefined();
    expect(readdirSync(cacheDir)).toEqual([]);
    const fixture = path.join(tree, 'cat', 'skill-1');
    const small = await loadSkills({ dirs: [fixture], includeBuiltin: false, agentSkillDirs: false });
    expect(small.stats.cacheHits).toBeUndefined();
    expect(readdirSync(cacheDir)).toEqual([]);
    // Every CLI run loads the built-in skill: it comes from one small file instead of YAML parsing.
    const builtin = await loadSkills({ dirs: [fixture], agentSkillDirs: false });
    expect(builtin.stats).toMatchObject({ cacheHits: 0, cacheMisses: 1 });
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const again = await loadSkills({ dirs: [fixture], agentSkillDirs: false });
    expect(again.stats).toMatchObject({ cacheHits: 1, cacheMisses: 0 });
    expect(again.skills.map((s) => s.id).sort()).toEqual(builtin.skills.map((s) => s.id).sort());
    expect(again.problems).toEqual(builtin.problems);
  });
});
