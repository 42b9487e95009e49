/**
 * The on-disk lint cache: like ESLint's `--cache`, but keyed by content, so a checkout, a rebase
 * or a `touch` costs nothing and a changed file is never served stale. An entry is one file's
 * result (findings after its suppressions, and how many it suppressed), keyed by a hash of the
 * path as shown and the file's text. The whole file belongs to one rule set: its name is a hash of
 * everything that shapes a result (rules, options, severities, messages, known suppression ids,
 * perf-hunter's version and the linter's own code), so a config edit or an upgrade starts a new,
 * empty file instead of trusting old answers.
 *
 * Safety: the file is written to a temp name and renamed, so a reader sees a whole old file or a
 * whole new one; two linters writing at once both write correct entries (the last rename wins).
 * The payload carries its own hash: a truncated or corrupted file is ignored and rebuilt. A cache
 * that cannot be read or written only costs speed, never correctness.
 *
 * Size: at most `maxEntries` entries per rule set, least recently used evicted first; at most
 * MAX_RULE_SETS files, oldest dropped first.
 *
 * Where: `--cache-location DIR`, else $PERF_HUNTER_CACHE_DIR/lint, else $XDG_CACHE_HOME/perf-hunter/lint,
 * else ~/.cache/perf-hunter/lint. PERF_HUNTER_NO_CACHE=1 (or `--no-cache`) turns it off.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from './schema.js';

/** Bump when the entry layout changes. */
const FORMAT = 1;
export const DEFAULT_MAX_ENTRIES = 50_000;
const MAX_RULE_SETS = 8;
const FILE_PREFIX = 'lint-';

export interface CachedResult {
  /** Kept findings (suppressions applied) plus `unknown-suppression` findings, sorted. */
  findings: Finding[];
  suppressed: number;
}

interface Entry extends CachedResult {
  /** The save counter when last used, for LRU eviction. */
  used: number;
}

interface Payload {
  format: number;
  ruleSet: string;
  /** Incremented by each save; entries remember the last one that used them. */
  generation: number;
  entries: Record<string, Entry>;
}

export interface CacheOptions {
  /** Folder for the cache files; default from the environment (see the file comment). */
  location?: string;
  /** Entries kept per rule set (default 50,000). */
  maxEntries?: number;
  /** perf-hunter's version as part of the key; default package.json's (tests pass another to see it invalidate). */
  version?: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** The cache file this run read and wrote. */
  file: string;
}

export { defaultCacheLocation } from './cache-location.js';

/** A stable hash of anything JSON can carry (key order as given). */
export function hashOf(value: unknown): string {
  return createHash('sha1').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex');
}

export class LintCache {
  private readonly entries: Map<string, Entry>;
  private readonly generation: number;
  private changed = false;
  /** Only use stamps moved: worth a write only once eviction is near (a warm run then writes nothing). */
  private stamped = false;
  readonly stats: CacheStats;

  private constructor(
    private readonly file: string,
    private readonly ruleSet: string,
    private readonly maxEntries: number,
    payload: Payload | undefined,
  ) {
    this.entries = new Map(Object.entries(payload?.entries ?? {}));
    this.generation = (payload?.generation ?? 0) + 1;
    this.stats = { hits: 0, misses: 0, evictions: 0, file };
  }

  /** Opens the cache of one rule set in `location`; an absent, truncated or corrupted file opens empty. */
  static open(location: string, ruleSet: string, options: { maxEntries?: number } = {}): LintCache {
    const file = path.join(location, `${FILE_PREFIX}${ruleSet.slice(0, 20)}.json`);
    return new LintCache(file, ruleSet, options.maxEntries ?? DEFAULT_MAX_ENTRIES, readPayload(file, ruleSet));
  }

  /** The key of one file: the path it is shown by (findings carry it) and its text. */
  static keyOf(display: string, code: string): string {
    return createHash('sha1').update(display).update('\0').update(code).digest('base64url');
  }

  /** Whether `get` would hit, without counting it either way. */
  has(key: string): boolean {
    return this.validEntry(key) !== undefined;
  }

  private validEntry(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && isEntry(entry) ? entry : undefined;
  }

  get(key: string): CachedResult | undefined {
    const entry = this.validEntry(key);
    if (!entry) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    if (entry.used !== this.generation) {
      entry.used = this.generation;
      this.stamped = true;
    }
    // A copy: the run adds handoff hints to its findings afterwards.
    return { findings: entry.findings.map(cloneFinding), suppressed: entry.suppressed };
  }

  set(key: string, result: CachedResult): void {
    this.entries.set(key, { findings: result.findings.map(cloneFinding), suppressed: result.suppressed, used: this.generation });
    this.changed = true;
  }

  /** Evicts beyond the bound, then writes atomically when anything changed; returns the stats. */
  save(): CacheStats {
    if (this.entries.size > this.maxEntries) {
      const oldestFirst = [...this.entries].sort((a, b) => a[1].used - b[1].used);
      for (const [key] of oldestFirst.slice(0, this.entries.size - this.maxEntries)) {
        this.entries.delete(key);
        this.stats.evictions++;
      }
      this.changed = true;
    }
    if (this.stamped && this.entries.size >= this.maxEntries * 0.75) this.changed = true;
    if (!this.changed) return this.stats;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const payload: Payload = { format: FORMAT, ruleSet: this.ruleSet, generation: this.generation, entries: Object.fromEntries(this.entries) };
      const body = JSON.stringify(payload);
      // First line: the hash of the rest, so a torn or edited file is detected, not trusted.
      writeFileSync(temp, `${hashOf(body)}\n${body}`);
      renameSync(temp, this.file);
      this.changed = false;
      pruneRuleSets(path.dirname(this.file), this.file);
    } catch {
      rmSync(temp, { force: true });
      // A read-only home or a full disk only costs the next run its speed.
    }
    return this.stats;
  }
}

function readPayload(file: string, ruleSet: string): Payload | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const body = text.slice(newline + 1);
  if (text.slice(0, newline) !== hashOf(body)) return undefined;
  try {
    const payload = JSON.parse(body) as Payload;
    if (payload.format !== FORMAT || payload.ruleSet !== ruleSet || typeof payload.generation !== 'number') return undefined;
    if (!payload.entries || typeof payload.entries !== 'object') return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/** Cheap shape check on use: entries are written by this code, but a hand-edited file must not crash a run. */
function isEntry(entry: unknown): entry is Entry {
  const e = entry as Partial<Entry> | null;
  return !!e && Array.isArray(e.findings) && typeof e.suppressed === 'number' && typeof e.used === 'number';
}

function cloneFinding(f: Finding): Finding {
  return { ...f, ...(f.handoff ? { handoff: { ...f.handoff } } : {}) };
}

/** Keeps the most recently written MAX_RULE_SETS cache files (old configs and versions age out). */
function pruneRuleSets(dir: string, current: string): void {
  try {
    const files = readdirSync(dir)
      .filter((name) => name.startsWith(FILE_PREFIX) && name.endsWith('.json'))
      .map((name) => path.join(dir, name))
      .filter((file) => file !== current)
      .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { file } of files.slice(MAX_RULE_SETS - 1)) rmSync(file, { force: true });
  } catch {
    // Another run pruning at the same time, or a folder we cannot list: harmless.
  }
}

let fingerprint: string | undefined;

/**
 * The linter's own code, by the content of every module of this folder tree (about a hundred small
 * files, hashed once per process): a rebuilt detector must not be answered by results of the old
 * one, even before the version is bumped. Content, not mtimes: a rebuild rewrites every file.
 */
export function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha1');
  try {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(js|ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts'))
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
    for (const file of files) hash.update(path.relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  } catch {
    hash.update('unreadable');
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}
