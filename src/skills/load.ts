/**
 * Loads skills from disk into the one model (see model.ts). Never throws for bad input: every
 * missing folder, YAML syntax error or schema mismatch becomes a LoadProblem at file:line:column
 * and everything else still loads.
 */
import os from 'node:os';
import path from 'node:path';
import type { LoadResult, Skill } from './model.js';
import { packageRoot } from '../paths.js';
import { discoverSkills, type SkillSource } from './discover.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleSkill, locateInFile, type AssembledSkill } from './assemble.js';
import { assembleAgentSkill } from './import/agent-skill.js';
import { SkillLoadCache } from './load-cache.js';
import { ProblemLog } from './problems.js';
import { recorder } from '../lint/replay/stamps.js';

export interface LoadSkillsOptions {
  /**
   * Directories to read. Each may be a perf-hunter layout root (has `skills/<id>/skill.yaml`,
   * optionally `sharp-edges/<id>.yaml`, `validations/<id>.yaml`), a Spawner tree
   * (`<category>/<skill>/skill.yaml` ...), or a single skill directory.
   */
  dirs?: string[];
  /** Also load the Performance Hunter skill shipped with this package (default true). */
  includeBuiltin?: boolean;
  /** Use the on-disk cache of assembled skills (default true; see load-cache.ts). */
  cache?: boolean;
  /**
   * Also read the Agent Skills folders coding agents install into: `<cwd>/.claude/skills` and
   * `<home>/.claude/skills`, after `dirs`, each only if it exists. Default: on (process.cwd() and
   * the home folder) when the built-in skill is included, off otherwise, so a load of named
   * folders only (`skills check DIR`, tests) reads just those.
   */
  agentSkillDirs?: boolean | { cwd?: string; home?: string };
}

const YIELD_EVERY = 25;
const CACHE_MIN_SKILLS = 50;

export async function loadSkills(options: LoadSkillsOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const log = new ProblemLog();
  // The built-in skill comes first, so a user copy with the same id is the one reported.
  const includeBuiltin = options.includeBuiltin ?? true;
  const named = [...(includeBuiltin ? [packageRoot] : []), ...(options.dirs ?? [])].map((d) => path.resolve(d));
  const dirs = [...new Set([...named, ...agentSkillDirs(options.agentSkillDirs ?? includeBuiltin)])];

  const discovered = await Promise.all(dirs.map(async (dir) => {
    try {
      return await discoverSkills(dir);
    } catch (err) {
      return { ok: false as const, message: `cannot read skills directory ${dir}: ${(err as Error).message}` };
    }
  }));
  const sources: SkillSource[] = [];
  discovered.forEach((found, i) => {
    if (found.ok) sources.push(...found.sources);
    else log.push({ severity: 'error', file: dirs[i]!, line: 1, column: 1, message: found.message });
  });
  // A validate run stamps every file a skill is made of (or its absence) for its replay record.
  if (recorder.active) for (const source of sources) for (const file of Object.values(source.files)) if (file) recorder.file(file);

  // One skill at a time keeps the working set small (texts die young, GC stays cheap); yielding
  // every few skills keeps a running server responsive while a large tree loads. Unchanged
  // skill folders come from the cache with the problems they had.
  // Other small sets load in tens of milliseconds: caching them would only litter the cache folder.
  // The built-in skill alone is cached too, under its own key: parsing it and loading the YAML
  // libraries cost ~0.3 s of every CLI run, against one small JSON file.
  const large = sources.length >= CACHE_MIN_SKILLS;
  const cache = options.cache === false ? undefined : large ? SkillLoadCache.open(dirs, loaderVersion()) : includeBuiltin ? SkillLoadCache.open([packageRoot], loaderVersion()) : undefined;
  const builtin = new Set(includeBuiltin && discovered[0]?.ok ? discovered[0].sources.map((s) => s.dir) : []);
  const inCache = (source: SkillSource): boolean => large || builtin.has(source.dir);
  const assembled: AssembledSkill[] = [];
  for (const [i, source] of sources.entries()) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    // Agent Skills are read fresh: the cache's signature covers the four YAML files, not references/.
    const isYaml = source.format !== 'agent-skill';
    const cacheable = isYaml && inCache(source);
    const hit = cacheable ? cache?.get(source) : undefined;
    if (hit) {
      assembled.push(hit.assembled);
      log.problems.push(...hit.problems);
      continue;
    }
    const own = new ProblemLog();
    const result = isYaml ? assembleSkill(source, own) : assembleAgentSkill(source, own);
    assembled.push(result);
    log.problems.push(...own.problems);
    if (cacheable) cache?.set(source, result, own.problems);
  }
  cache?.save(new Set(sources.filter(inCache).map((s) => s.dir)));

  const skills: Skill[] = [];
  const firstById = new Map<string, Skill>();
  for (const { skill, idAt } of assembled) {
    if (!skill) continue;
    const first = firstById.get(skill.id);
    if (first) {
      const at = idAt ? (idAt.position ? { file: idAt.file, ...idAt.position } : locateInFile(idAt.file, idAt.path)) : undefined;
      log.push({
        severity: isOwnExport(skill, first) ? 'warning' : 'error',
        file: at?.file ?? skill.origin.dir,
        line: at?.line ?? 1,
        column: at?.column ?? 1,
        path: 'id',
        message: isOwnExport(skill, first)
          ? `skill "${skill.id}" is perf-hunter's own Agent Skills export of the skill loaded from ${first.origin.dir}; this copy is skipped`
          : `duplicate skill id "${skill.id}": already loaded from ${first.origin.dir}; this one is skipped`,
        skillId: skill.id,
      });
      continue;
    }
    firstById.set(skill.id, skill);
    skills.push(skill);
  }

  return {
    skills,
    problems: log.problems,
    stats: {
      dirs: dirs.length,
      files: assembled.reduce((n, a) => n + a.filesRead, 0),
      skills: skills.length,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(cache ? { cacheHits: cache.hits, cacheMisses: cache.misses } : {}),
    },
  };
}

/** `.claude/skills` under the project and the home folder, where Claude Code installs Agent Skills. */
export function agentSkillDirs(option: boolean | { cwd?: string; home?: string }): string[] {
  if (option === false) return [];
  const { cwd = process.cwd(), home = os.homedir() } = option === true ? {} : option;
  return [path.join(cwd, '.claude', 'skills'), path.join(home, '.claude', 'skills')]
    .map((d) => path.resolve(d))
    .filter((d) => {
      let isDir = false;
      try {
        isDir = statSync(d).isDirectory();
      } catch {
        // absent
      }
      // Absent: creating it would add skills (present ones are stamped by discovery).
      if (!isDir) recorder.file(d);
      return isDir;
    });
}

/**
 * A SKILL.md our own `skills export` wrote, loaded after the YAML it came from (a user who
 * installed the export into .claude/skills): the same skill, so a note rather than an error.
 */
function isOwnExport(skill: Skill, first: Skill): boolean {
  const metadata = skill['metadata'];
  const by = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>)['generated-by'] : undefined;
  return skill.origin.format === 'agent-skill' && first.origin.format !== 'agent-skill' && typeof by === 'string' && by.startsWith('perf-hunter skills export');
}

export interface ResolveSkillDirsInput {
  /** `--skills-dir DIR` values, in the order given (the flag is repeatable). */
  cliDirs?: readonly string[];
  /** Usually `process.env`; `PERF_HUNTER_SKILLS_DIR` is a path list split on `path.delimiter`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** CLI dirs first, then the environment's; `~` expanded, resolved, duplicates dropped. */
export function resolveSkillDirs({ cliDirs = [], env = {} }: ResolveSkillDirsInput = {}): string[] {
  const fromEnv = (env.PERF_HUNTER_SKILLS_DIR ?? '').split(path.delimiter);
  const all = [...cliDirs, ...fromEnv].map((d) => d.trim()).filter(Boolean).map((d) => path.resolve(expandHome(d)));
  return [...new Set(all)];
}

function expandHome(dir: string): string {
  if (dir === '~') return os.homedir();
  if (dir.startsWith('~/') || dir.startsWith(`~${path.sep}`)) return path.join(os.homedir(), dir.slice(2));
  return dir;
}

let version: string | undefined;
/**
 * What the cache is valid for: perf-hunter's version plus the size and mtime of the loader's own
 * modules, so a new release, or a developer's edit of the normaliser, starts the cache afresh.
 */
function loaderVersion(): string {
  if (version) return version;
  const pkg = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const code = readdirSync(here)
    .filter((f) => /\.(js|ts)$/.test(f))
    .sort()
    .map((f) => {
      const s = statSync(path.join(here, f));
      return `${f}:${s.size}:${s.mtimeMs}`;
    });
  version = `${pkg}+${createHash('sha1').update(code.join('\n')).digest('hex').slice(0, 12)}`;
  return version;
}
