#!/usr/bin/env node
/**
 * Regenerates the Agent Skills export of our own skill, `skills/performance-hunter/SKILL.md` and
 * its `references/`, from the YAML (the source of truth). Run after editing the skill's YAML:
 * `npm run export-skill`; test/plugin/skill-md.test.ts fails while the committed files are stale.
 * Reads the built code (dist/), so `npm run export-skill` builds first.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadSkills } = await import(path.join(root, 'dist/skills/load.js'));
const { renderAgentSkill, writeAgentSkill } = await import(path.join(root, 'dist/skills/export/agent-skill.js'));

const result = await loadSkills({ includeBuiltin: true });
const skill = result.skills.find((s) => s.id === 'performance-hunter');
if (!skill) {
  console.error('export-skill: the built-in performance-hunter skill did not load; run `perf-hunter skills check`');
  process.exit(1);
}
const exported = renderAgentSkill(skill);
const dir = await writeAgentSkill(path.join(root, 'skills'), exported);
console.log(`wrote ${path.relative(root, dir)}/SKILL.md and ${exported.files.size - 1} reference file(s)`);
