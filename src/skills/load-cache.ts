/**
 * An on-disk cache of assembled skills, so a second load of an unchanged tree skips YAML parsing
 * and normalisation (most of the cost: measured ~0.8-1.5 s cold for 500 real Spawner skills on
 * 2 cores, against a stat of each file and one JSON.parse warm). An entry is keyed by the skill
 * folder and valid while each of its four files has the same size and mtime (or is still absent);
 * the whole file is dropped when perf-hunter's version or the cache format changes. Best effort:
 * a cache that cannot be read or written only costs speed, never correctness.
 *
 * Where: $PERF_HUNTER_CACHE_DIR, else $XDG_CACHE_HOME/perf-hunter, else ~/.cache/perf-hunter.
 * PERF_HUNTER_NO_CACHE=1 turns it off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AssembledSkill } from './assemble.js';
import type { SkillSource } from './discover.js';
import type { LoadProblem } from './model.js';

const FORMAT = 1;

export interface CachedSkill {
  signature: string;
  assembled: AssembledSkill;
  problems: LoadProblem[];
}

interface CacheFile {
  format: number;
  version: string;
  entries: Record<string, CachedSkill>;
}

export class SkillLoadCache {
  private readonly entries: Map<string, CachedSkill>;
  private changed = false;
  hits = 0;
  misses = 0;

  private constructor(private readonly file: string | undefined, private readonly version: string, entries: Record<string, CachedSkill>) {
    this.entries = new Map(Object.entries(entries));
  }

  /** Opens the cache for this set of skill roots; a disabled or unreadable cache is an empty one that never writes. */
  static open(roots: readonly string[], version: string, env: NodeJS.ProcessEnv = process.env): SkillLoadCache {
    const dir = cacheDir(env);
    if (!dir) return new SkillLoadCache(undefined, version, {});
    const key = createHash('sha1').update(roots.join('\n')).digest('hex').slice(0, 16);
    const file = path.join(dir, `skills-${key}.json`);
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (data.format === FORMAT && data.version === version) return new SkillLoadCache(file, version, data.entries);
    } catch {
      // Absent or unreadable: start empty.
    }
    return new SkillLoadCache(file, version, {});
  }

  /** The cached result for a skill folder, if none of its files changed since. */
  get(source: SkillSource): CachedSkill | undefined {
    const entry = this.entries.get(source.dir);
    if (entry && entry.signature === signatureOf(source)) {
      this.hits++;
      return entry;
    }
    this.misses++;
    return undefined;
  }

  set(source: SkillSource, assembled: AssembledSkill, problems: LoadProblem[]): void {
    if (!this.file) return;
    this.entries.set(source.dir, { signature: signatureOf(source), assembled, problems });
    this.changed = true;
  }

  /** Keeps only the folders seen in this load, and writes atomically when anything changed. */
  save(seen: ReadonlySet<string>): void {
    if (!this.file) return;
    for (const dir of this.entries.keys()) {
      if (!seen.has(dir)) {
        this.entries.delete(dir);
        this.changed = true;
      }
    }
    if (!this.changed) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      const data: CacheFile = { format: FORMAT, version: this.version, entries: Object.fromEntries(this.entries) };
      writeFileSync(temp, JSON.stringify(data));
      renameSync(temp, this.file);
    } catch {
      // A read-only home or a full disk only costs the next load its speed.
    }
  }
}

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PERF_HUNTER_NO_CACHE && env.PERF_HUNTER_NO_CACHE !== '0') return undefined;
  if (env.PERF_HUNTER_CACHE_DIR) return env.PERF_HUNTER_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'perf-hunter');
}

/** Size and mtime of each of the four files, `-` for an absent one. */
function signatureOf(source: SkillSource): string {
  return [source.files.skill, source.files.sharpEdges, source.files.validations, source.files.collaboration]
    .map((file) => {
      try {
        const s = statSync(file);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
