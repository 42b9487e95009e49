/**
 * Finds skills on disk. A directory is one of:
 * - a perf-hunter layout root: `skills/<id>/skill.yaml`, with `sharp-edges/<id>.yaml`,
 *   `validations/<id>.yaml` and `skills/<id>/collaboration.yaml` beside it;
 * - a single skill folder: `skill.yaml` (+ `sharp-edges.yaml`, `validations.yaml`, `collaboration.yaml`);
 * - a Spawner tree: skill folders anywhere down to MAX_DEPTH levels (`<category>/<skill>/`);
 * - Agent Skills: folders with a `SKILL.md` (`.claude/skills/<name>/SKILL.md`), alone or in a tree.
 * A folder with both `skill.yaml` and `SKILL.md` is read from the YAML: there the SKILL.md is an
 * export of it (our own `skills/performance-hunter/`), and reading both would load it twice.
 */
import { readdir, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import type { SkillFormat } from './model.js';
import { recorder } from '../lint/replay/stamps.js';

export interface SkillFiles {
  skill: string;
  sharpEdges: string;
  validations: string;
  collaboration: string;
}

export interface SkillSource {
  format: SkillFormat;
  dir: string;
  files: SkillFiles;
}

export type Discovery = { ok: true; sources: SkillSource[] } | { ok: false; message: string };

/** `~/.spawner/skills/<category>/<skill>` is depth 2 below `skills`; leave room for deeper trees. */
const MAX_DEPTH = 4;
const SKIPPED_DIRS = new Set(['node_modules']);

export async function discoverSkills(dir: string): Promise<Discovery> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return { ok: false, message: `skills directory not found: ${dir}` };
  if (info.isDirectory()) recorder.dir(dir, info);
  if (info.isFile() && path.basename(dir) === 'skill.yaml') return { ok: true, sources: [await skillFolder(path.dirname(dir))] };
  if (info.isFile() && path.basename(dir) === AGENT_SKILL_FILE) return { ok: true, sources: [await agentSkillOrYaml(path.dirname(dir))] };
  if (!info.isDirectory()) return { ok: false, message: `not a directory: ${dir}` };

  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === 'skill.yaml')) return { ok: true, sources: [await skillFolder(dir)] };
  const layout = await layoutRootSkills(dir, entries.some((e) => e.isDirectory() && e.name === 'skills'));
  if (layout.length) return { ok: true, sources: layout };
  if (entries.some((e) => e.isFile() && e.name === AGENT_SKILL_FILE)) return { ok: true, sources: [agentSkillFolder(dir)] };
  const sources = await walkTree(dir, entries, 1);
  return { ok: true, sources: sources.sort((a, b) => a.dir.localeCompare(b.dir)) };
}

async function layoutRootSkills(root: string, hasSkillsDir: boolean): Promise<SkillSource[]> {
  if (!hasSkillsDir) return [];
  const skillsDir = path.join(root, 'skills');
  const children = await readdir(skillsDir, { withFileTypes: true });
  recorder.dir(skillsDir);
  const found = await Promise.all(children.filter((c) => c.isDirectory()).map(async (c) => {
    const dir = path.join(skillsDir, c.name);
    return (await isFile(path.join(dir, 'skill.yaml'))) ? layoutSkill(root, dir, c.name) : undefined;
  }));
  return found.filter((s): s is SkillSource => s !== undefined).sort((a, b) => a.dir.localeCompare(b.dir));
}

function layoutSkill(root: string, dir: string, id: string): SkillSource {
  return {
    format: 'perf-hunter',
    dir,
    files: {
      skill: path.join(dir, 'skill.yaml'),
      collaboration: path.join(dir, 'collaboration.yaml'),
      sharpEdges: path.join(root, 'sharp-edges', `${id}.yaml`),
      validations: path.join(root, 'validations', `${id}.yaml`),
    },
  };
}

/** A folder with skill.yaml: Spawner style, unless it is `skills/<id>/` inside a layout root. */
async function skillFolder(dir: string): Promise<SkillSource> {
  const id = path.basename(dir);
  const root = path.dirname(path.dirname(dir));
  const insideLayout = path.basename(path.dirname(dir)) === 'skills'
    && !(await isFile(path.join(dir, 'sharp-edges.yaml')))
    && ((await isFile(path.join(root, 'sharp-edges', `${id}.yaml`))) || (await isFile(path.join(root, 'validations', `${id}.yaml`))));
  if (insideLayout) return layoutSkill(root, dir, id);
  return {
    format: 'spawner',
    dir,
    files: {
      skill: path.join(dir, 'skill.yaml'),
      sharpEdges: path.join(dir, 'sharp-edges.yaml'),
      validations: path.join(dir, 'validations.yaml'),
      collaboration: path.join(dir, 'collaboration.yaml'),
    },
  };
}

export const AGENT_SKILL_FILE = 'SKILL.md';

/**
 * An Agent Skill has one file; the other slots of SkillFiles are empty and never read (the
 * loader assembles this format itself and keeps it out of the on-disk cache).
 */
function agentSkillFolder(dir: string): SkillSource {
  return { format: 'agent-skill', dir, files: { skill: path.join(dir, AGENT_SKILL_FILE), sharpEdges: '', validations: '', collaboration: '' } };
}

async function agentSkillOrYaml(dir: string): Promise<SkillSource> {
  return (await isFile(path.join(dir, 'skill.yaml'))) ? skillFolder(dir) : agentSkillFolder(dir);
}

async function walkTree(dir: string, entries: Dirent[], depth: number): Promise<SkillSource[]> {
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name));
  const nested = await Promise.all(subdirs.map(async (e): Promise<SkillSource[]> => {
    const child = path.join(dir, e.name);
    const childEntries = await readdir(child, { withFileTypes: true }).catch(() => undefined);
    recorder.dir(child);
    if (!childEntries) return [];
    if (childEntries.some((c) => c.isFile() && c.name === 'skill.yaml')) return [await skillFolder(child)];
    if (childEntries.some((c) => c.isFile() && c.name === AGENT_SKILL_FILE)) return [agentSkillFolder(child)];
    return depth < MAX_DEPTH ? walkTree(child, childEntries, depth + 1) : [];
  }));
  return nested.flat();
}

async function isFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  recorder.file(file, info);
  return info?.isFile() ?? false;
}
