/**
 * The warm path of `perf-hunter validate`: a run over an unchanged tree replays the report the
 * last identical run recorded, without loading the CLI framework, the skills or the linter, and
 * without reading a linted file. "Identical" is the same arguments, folder, terminal and
 * environment (the record's key); "unchanged" is every stamp of stamps.ts still holding: each
 * linted file, each walked folder, each `.gitignore`, config and skill file (or its absence), and
 * perf-hunter's own code. Anything else, or any doubt, and the normal run goes on, which then
 * answers unchanged files from the content-hash cache and records anew.
 *
 * Only runs that print their report and used the cache are recorded: `--changed` depends on git
 * state, `--output` writes a file, `--no-cache` asks for no caching; a run with lint errors or
 * skill load errors is not recorded either, so those are reported again every time.
 *
 * Imports node built-ins only: the replay must cost little more than Node's own start-up.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheLocation } from '../cache-location.js';
import { stampHolds, statOrUndefined, signatureOf, type Stamp } from './stamps.js';

/** Bump when the record layout or what a stamp means changes. */
const FORMAT = 1;
/** Records kept per cache folder (one per distinct command line and folder); oldest dropped first. */
const MAX_RECORDS = 32;

/** How to print the report again: what the run's flags decided. */
export interface RenderOptions {
  format: 'text' | 'json' | 'sarif';
  color: boolean;
  maxFindings?: number;
  cwd: string;
}

export interface RunRecord<Report> {
  format: number;
  key: string;
  stamps: Stamp[];
  report: Report;
  render: RenderOptions;
  exitCode: number;
}

/** Where the records of runs whose arguments allow a replay live; undefined when they do not. */
export function recordLocation(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  let location: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined; // paths that look like flags: leave them to the real parser
    if (arg === '-h' || arg === '--help' || arg === '--no-cache') return undefined;
    if (arg === '--changed' || arg.startsWith('--changed=')) return undefined;
    if (arg === '--output' || arg.startsWith('--output=') || arg.startsWith('-o')) return undefined;
    if (arg === '--cache-location') location = args[++i];
    else if (arg.startsWith('--cache-location=')) location = arg.slice('--cache-location='.length);
  }
  if (location !== undefined) return path.join(path.resolve(cwd, location), 'runs');
  const lintCache = defaultCacheLocation(env);
  return lintCache === undefined ? undefined : path.join(lintCache, 'runs');
}

/**
 * Everything outside the files that shapes the output: arguments, folder, terminal, environment,
 * Node. The whole text is the key (records compare it in full); its file name is a short hash.
 */
export function recordKey(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, stdoutIsTty: boolean): string {
  const relevantEnv = Object.entries(env)
    .filter(([name]) => name.startsWith('PERF_HUNTER_') || ['NO_COLOR', 'FORCE_COLOR', 'HOME', 'XDG_CACHE_HOME'].includes(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify({ format: FORMAT, args, cwd, stdoutIsTty, env: relevantEnv, node: process.version });
}

/** FNV-1a, twice with different seeds: a file name, not a security boundary (the key is compared in full). */
function fileNameOf(key: string): string {
  let a = 0x811c9dc5;
  let b = 0x2f6b1d3d;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}.json`;
}

/** The record for a key, if one exists and all its stamps hold. */
export function findValidRecord<Report>(location: string, key: string): RunRecord<Report> | undefined {
  let record: RunRecord<Report>;
  try {
    record = JSON.parse(readFileSync(path.join(location, fileNameOf(key)), 'utf8')) as RunRecord<Report>;
  } catch {
    return undefined;
  }
  if (record.format !== FORMAT || record.key !== key || !Array.isArray(record.stamps)) return undefined;
  for (const stamp of record.stamps) if (!stampHolds(stamp)) return undefined;
  return record;
}

/** Writes a record atomically (a reader sees the old one or the new one) and drops the oldest beyond MAX_RECORDS. */
export function writeRecord<Report>(location: string, record: Omit<RunRecord<Report>, 'format'>): void {
  const file = path.join(location, fileNameOf(record.key));
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(location, { recursive: true });
    writeFileSync(temp, JSON.stringify({ format: FORMAT, ...record }));
    renameSync(temp, file);
    const records = readdirSync(location)
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name, mtime: statOrUndefined(path.join(location, name))?.mtimeMs ?? 0 }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of records.slice(MAX_RECORDS)) rmSync(path.join(location, old.name), { force: true });
  } catch {
    // A read-only cache folder only costs the next run its replay.
    rmSync(temp, { force: true });
  }
}

/**
 * perf-hunter's own code and dependencies as stamps: a rebuild, an upgrade or an `npm install`
 * moves one of them. The compiled modules a lint run executes (file by file), the package
 * manifest, and npm's hidden lockfile.
 */
export function codeStamps(): Stamp[] {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const stamps: Stamp[] = [];
  const stampFile = (file: string): void => {
    stamps.push([file, signatureOf(statOrUndefined(file))]);
  };
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    stamps.push([dir, signatureOf(statOrUndefined(dir))]);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js') || entry.name.endsWith('.json')) stampFile(full);
    }
  };
  for (const part of ['lint', 'skills', 'cli', 'shared', 'schema']) walk(path.join(root, 'dist', part));
  stampFile(path.join(root, 'dist', 'paths.js'));
  stampFile(path.join(root, 'package.json'));
  // npm rewrites it on every install that changes node_modules; up the tree when we are a dependency.
  for (let dir = root; ; dir = path.dirname(dir)) {
    const lock = path.join(dir, 'node_modules', '.package-lock.json');
    if (statOrUndefined(lock)) {
      stampFile(lock);
      break;
    }
    if (dir === path.dirname(dir)) break;
  }
  return stamps;
}
