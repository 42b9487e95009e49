/**
 * Agent Skills export: every exported skill passes the reference validator (`skills-ref
 * validate`, devDependency) and the spec's rules we check ourselves (name, description, body
 * length, references present and linked); the committed export of our own skill is current;
 * and the loader still reads only the YAML next to it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SKILL_LIMITS, agentSkillDescription, agentSkillName, renderAgentSkill, writeAgentSkill } from '../../src/skills/export/agent-skill.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { cliPath, offlineEnv, repoRoot, runAny, skillsRefBin, spawnerFixture } from './helpers.js';

let out: string;
let skills: Skill[];

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-export-'));
  const loaded = await loadSkills({ dirs: [spawnerFixture] });
  expect(loaded.problems).toEqual([]);
  skills = loaded.skills;
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The front matter as key -> raw value (our export writes simple `key: value` lines). */
function frontMatter(text: string): { fields: Record<string, string>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('no front matter');
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split('\n')) {
    const kv = /^([a-z-]+):\s*(.*)$/.exec(line);
    if (kv) fields[kv[1]!] = kv[2]!.startsWith('"') ? (JSON.parse(kv[2]!) as string) : kv[2]!;
  }
  return { fields, body: match[2]! };
}

describe('perf-hunter skills export --format agent-skill', () => {
  it('writes one valid Agent Skill per loaded skill (ours and a Spawner one), checked by skills-ref', async () => {
    const result = await runAny(process.execPath, [cliPath, 'skills', 'export', '--format', 'agent-skill', '--out', out, '--skills-dir', spawnerFixture], {
      cwd: repoRoot,
      env: offlineEnv(os.homedir()),
    });
    expect(result.code, result.out).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['cache-whisperer', 'performance-hunter']);
    for (const name of ['performance-hunter', 'cache-whisperer']) {
      const check = await runAny(skillsRefBin, ['validate', path.join(out, name)], { cwd: repoRoot, env: offlineEnv(os.homedir()) });
      expect(check.out).toContain('Valid skill');
      expect(check.code).toBe(0);
    }
  });

  it('follows the spec rules: name, description, body under 500 lines, every reference linked and present', () => {
    for (const name of ['performance-hunter', 'cache-whisperer']) {
      const dir = path.join(out, name);
      const { fields, body } = frontMatter(readFileSync(path.join(dir, 'SKILL.md'), 'utf8'));
      expect(fields.name).toBe(name);
      expect(fields.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(fields.name!.length).toBeLessThanOrEqual(AGENT_SKILL_LIMITS.name);
      expect(fields.description!.length).toBeGreaterThan(20);
      expect(fields.description!.length).toBeLessThanOrEqual(AGENT_SKILL_LIMITS.description);
      expect(fields.description).toMatch(/Use when /);
      expect(body.split('\n').length).toBeLessThan(AGENT_SKILL_LIMITS.bodyLines);
      const links = [...body.matchAll(/\]\((references\/[^)]+)\)/g)].map((m) => m[1]!);
      const files = readdirSync(path.join(dir, 'references')).map((f) => `references/${f}`);
      expect(links.sort()).toEqual(files.sort());
    }
    const whisperer = skills.find((s) => s.id === 'Cache_Whisperer')!;
    expect(readdirSync(path.join(out, 'cache-whisperer/references')).sort()).toEqual([
      'anti-pattern-cache-forever.md',
      'pattern-read-through.md',
      'sharp-edge-stampede.md',
    ]);
    expect(whisperer.sharpEdges).toHaveLength(1);
  });

  it('says how to call perf-hunter for the steps it has a tool for', () => {
    const ours = readFileSync(path.join(out, 'performance-hunter/SKILL.md'), 'utf8');
    for (const tool of ['`profile`', '`lint`', '`load_test`', '`handoff`', '`explain`']) expect(ours).toContain(tool);
    expect(ours).toContain('perf-hunter validate');
    expect(ours).toContain('perf-hunter load-test');
    // An upstream skill gets no profile/load_test steps, and its CLI lines name --skills-dir.
    const theirs = readFileSync(path.join(out, 'cache-whisperer/SKILL.md'), 'utf8');
    expect(theirs).not.toContain('`load_test`');
    expect(theirs).toContain('--skills-dir');
  });

  it('an unknown skill id is a usage error naming the loaded ones', async () => {
    const result = await runAny(process.execPath, [cliPath, 'skills', 'export', 'nope', '--out', out], { cwd: repoRoot, env: offlineEnv(os.homedir()) });
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/unknown skill nope; loaded: performance-hunter/);
  });

  it('names and descriptions fit the limits whatever the input', () => {
    expect(agentSkillName('Cache_Whisperer')).toBe('cache-whisperer');
    expect(agentSkillName('--A  b__c--')).toBe('a-b-c');
    expect(agentSkillName('x'.repeat(100))).toHaveLength(64);
    expect(agentSkillName('!!!')).toBe('skill');
    const long = { ...skills[0]!, description: 'word '.repeat(400), triggers: [] };
    expect(agentSkillDescription(long).length).toBeLessThanOrEqual(AGENT_SKILL_LIMITS.description);
  });

  it('a huge upstream skill keeps SKILL.md under 500 lines and moves the whole body to references/full.md', () => {
    const whisperer = skills.find((s) => s.id === 'Cache_Whisperer')!;
    const edges = Array.from({ length: 600 }, (_, i) => ({ ...whisperer.sharpEdges[0]!, id: `edge-${i}`, summary: `Edge ${i}` }));
    const exported = renderAgentSkill({ ...whisperer, sharpEdges: edges });
    const { body } = frontMatter(exported.files.get('SKILL.md')!);
    expect(body.split('\n').length).toBeLessThan(AGENT_SKILL_LIMITS.bodyLines);
    expect(body).toContain('](references/full.md)');
    expect(exported.files.get('references/full.md')).toContain('references/sharp-edge-edge-599.md');
    expect(exported.files.has('references/sharp-edge-edge-599.md')).toBe(true);
  });

  it('a second export removes reference files that no longer exist and keeps other files', async () => {
    const skill = skills.find((s) => s.id === 'Cache_Whisperer')!;
    const dir = await writeAgentSkill(out, renderAgentSkill(skill));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await writeAgentSkill(out, renderAgentSkill({ ...skill, patterns: [] }));
    expect(readdirSync(path.join(dir, 'references'))).not.toContain('pattern-read-through.md');
    expect(readdirSync(path.join(dir, 'references'))).toContain('sharp-edge-stampede.md');
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the committed export of our own skill', () => {
  it('is current: skills/performance-hunter/SKILL.md and references/ match the YAML (run `npm run export-skill`)', async () => {
    const loaded = await loadSkills({ includeBuiltin: true });
    const ours = loaded.skills.find((s) => s.id === 'performance-hunter')!;
    const exported = renderAgentSkill(ours);
    const dir = path.join(repoRoot, 'skills/performance-hunter');
    for (const [file, text] of exported.files) {
      expect(readFileSync(path.join(dir, file), 'utf8'), `${file} is stale: run npm run export-skill`).toBe(text);
    }
    const committed = readdirSync(path.join(dir, 'references')).map((f) => `references/${f}`);
    expect(committed.sort()).toEqual([...exported.files.keys()].filter((f) => f.startsWith('references/')).sort());
  });

  it('sits next to the YAML without being loaded as a skill: skills check still finds one skill and no problems', async () => {
    const loaded = await loadSkills({ includeBuiltin: true });
    expect(loaded.problems).toEqual([]);
    expect(loaded.skills.map((s) => s.id)).toEqual(['performance-hunter']);
    expect(loaded.skills[0]!.origin.files.every((f) => f.endsWith('.yaml'))).toBe(true);
  });
});
