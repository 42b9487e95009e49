/**
 * Which files a lint run reads. Paths are confined to the allowed roots (real paths, so a symlink
 * cannot lead out of them); folders are walked the way git sees them: `.gitignore` files (the
 * ones above the walked folder inside its root, and nested ones) apply, and dependencies, VCS data
 * and build output are pruned without being read.
 *
 * A hand-written `readdir` walk instead of a glob library: pruning a folder must also count it,
 * and nested `.gitignore` files apply only below their own folder; globbing gives neither.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { languageOf } from './engine/core.js';
import type { SkipReason } from './schema.js';
import { recorder } from './replay/stamps.js';

const NODE_MODULES = new Set(['node_modules', 'bower_components', '.venv', 'venv', '__pycache__', 'site-packages']);
const BUILD_OUTPUT = new Set(['dist', 'build', 'out', '.next', '.nuxt', '.svelte-kit', 'coverage', '.turbo', '.cache']);
const VCS = new Set(['.git', '.hg', '.svn']);
const MINIFIED = /\.min\.[cm]?js$/i;

/** Bad input to a lint run (a missing path, one outside the roots, an unknown rule); the message says what to do. */
export class LintInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintInputError';
  }
}

export interface WalkedFile {
  /** Absolute real path. */
  absolute: string;
  /** Relative to the working directory with `/`, or absolute when outside it: what findings show. */
  display: string;
}

export interface WalkResult {
  files: WalkedFile[];
  skippedBy: Record<SkipReason, number>;
}

export function emptySkips(): Record<SkipReason, number> {
  return { ignored: 0, nodeModules: 0, buildOutput: 0, minified: 0, tooLarge: 0, binary: 0, unsupported: 0, symlink: 0 };
}

/** Real paths of the roots (a root that does not exist is dropped: nothing can be inside it). */
export async function realRoots(roots: readonly string[], cwd: string): Promise<string[]> {
  const real = await Promise.all(roots.map((root) => fs.realpath(path.resolve(cwd, root)).catch(() => undefined)));
  return [...new Set(real.filter((r): r is string => r !== undefined))];
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function displayPath(absolute: string, cwd: string): string {
  const rel = path.relative(cwd, absolute);
  return rel.startsWith('..') || path.isAbsolute(rel) ? absolute.split(path.sep).join('/') : rel.split(path.sep).join('/') || '.';
}

/** Resolves one user path to its real path inside a root, or throws a `LintInputError` with the fix. */
export async function confinePath(given: string, cwd: string, roots: readonly string[]): Promise<string> {
  const resolved = path.resolve(cwd, given);
  let real: string;
  try {
    real = await fs.realpath(resolved);
  } catch {
    throw new LintInputError(`path ${given} does not exist (resolved to ${resolved}); pass an existing file or folder`);
  }
  if (!roots.some((root) => isInside(real, root))) {
    const via = real === resolved ? '' : ` (it resolves to ${real})`;
    throw new LintInputError(
      `path ${given} is outside the allowed roots${via}: ${roots.join(', ') || '(none)'}; pass a path inside them`,
    );
  }
  return real;
}

interface IgnoreScope {
  dir: string;
  rules: Ignore;
}

/** Walks every path (already confined) and returns the lintable files, sorted and without duplicates. */
export async function walkPaths(
  realPaths: readonly string[],
  cwd: string,
  roots: readonly string[],
  signal?: AbortSignal,
  /** Takes a file of no lintable language too (by the path as shown): a regex rule's `applies_to` wants it. */
  alsoText?: (display: string) => boolean,
): Promise<WalkResult> {
  const skippedBy = emptySkips();
  const found = new Map<string, WalkedFile>();
  const add = (absolute: string): void => {
    if (!found.has(absolute)) found.set(absolute, { absolute, display: displayPath(absolute, cwd) });
  };
  const wanted = (absolute: string): boolean => alsoText !== undefined && alsoText(displayPath(absolute, cwd));

  for (const start of realPaths) {
    const stat = await fs.stat(start);
    if (!stat.isDirectory()) {
      // A file named explicitly is linted even if ignored (as ESLint and git add -f do), unless unlintable.
      const reason = fileSkipReason(path.basename(start));
      if (reason === 'unsupported' && wanted(start)) add(start);
      else if (reason) skippedBy[reason]++;
      else add(start);
      continue;
    }
    // The outermost root: a project's .gitignore applies when one of its folders is walked.
    const root = roots.filter((r) => isInside(start, r)).sort((a, b) => a.length - b.length)[0] ?? start;
    const scopes = await ancestorIgnores(start, root);
    await walkDir(start, scopes, { add, wanted, skippedBy, ...(signal ? { signal } : {}) });
  }
  const files = [...found.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { files, skippedBy };
}

/** Skip reasons known from the name alone (a minified bundle, a file no detector reads). */
function fileSkipReason(name: string): SkipReason | undefined {
  if (MINIFIED.test(name)) return 'minified';
  if (!languageOf(name)) return 'unsupported';
  return undefined;
}

/** `.gitignore` files from the root down to (not including) the walked folder, which the walk reads itself. */
async function ancestorIgnores(start: string, root: string): Promise<IgnoreScope[]> {
  const dirs: string[] = [];
  for (let dir = path.dirname(start); isInside(dir, root) && dir !== start; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (dir === root || dir === path.dirname(dir)) break;
  }
  const scopes: IgnoreScope[] = [];
  for (const dir of dirs) {
    const scope = await readIgnore(dir);
    if (scope) scopes.push(scope);
  }
  return scopes;
}

async function readIgnore(dir: string): Promise<IgnoreScope | undefined> {
  const file = path.join(dir, '.gitignore');
  try {
    const text = await fs.readFile(file, 'utf8');
    recorder.file(file, undefined, text);
    return { dir, rules: ignore().add(text) };
  } catch {
    recorder.file(file); // absent: creating one would change what is walked
    return undefined;
  }
}

function ignoredBy(scopes: readonly IgnoreScope[], absolute: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const rel = path.relative(scope.dir, absolute).split(path.sep).join('/');
    if (rel && !rel.startsWith('..') && scope.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

interface WalkSink {
  add(absolute: string): void;
  wanted(absolute: string): boolean;
  skippedBy: Record<SkipReason, number>;
  signal?: AbortSignal;
}

async function walkDir(dir: string, inherited: IgnoreScope[], sink: WalkSink): Promise<void> {
  sink.signal?.throwIfAborted();
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    recorder.dir(dir);
    return; // an unreadable folder below a readable one: nothing to lint there
  }
  recorder.dir(dir);
  const own = entries.some((e) => e.name === '.gitignore' && e.isFile()) ? await readIgnore(dir) : undefined;
  const scopes = own ? [...inherited, own] : inherited;
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const absolute = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      // Never followed: a link can point out of the roots or back up the tree.
      sink.skippedBy.symlink++;
      continue;
    }
    if (entry.isDirectory()) {
      if (VCS.has(entry.name)) continue;
      if (NODE_MODULES.has(entry.name)) sink.skippedBy.nodeModules++;
      else if (BUILD_OUTPUT.has(entry.name)) sink.skippedBy.buildOutput++;
      else if (ignoredBy(scopes, absolute, true)) sink.skippedBy.ignored++;
      else await walkDir(absolute, scopes, sink);
      continue;
    }
    if (!entry.isFile()) continue;
    const reason = fileSkipReason(entry.name);
    if (reason === 'unsupported' && !sink.wanted(absolute)) {
      sink.skippedBy.unsupported++;
      continue;
    }
    if (ignoredBy(scopes, absolute, false)) sink.skippedBy.ignored++;
    else if (reason && reason !== 'unsupported') sink.skippedBy[reason]++;
    else sink.add(absolute);
  }
}

/**
 * `--changed [REF]`: the files changed since a git ref, as absolute real paths: what `git diff`
 * lists against REF (committed and uncommitted changes to tracked files, deletions left out)
 * plus untracked files that are not ignored. Without REF the base is the merge base of HEAD with
 * the default branch (`origin/HEAD`, else `main`, else `master`), as a PR run wants.
 * git runs without a shell; a missing git or repository is a `LintInputError` saying so.
 */
export async function changedFiles(cwd: string, ref: string | undefined): Promise<Set<string>> {
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'], 'lint only changed files')).trim();
  let base = ref;
  if (base === undefined) {
    for (const candidate of ['origin/HEAD', 'main', 'master']) {
      const found = await git(top, ['merge-base', 'HEAD', candidate]).catch(() => undefined);
      if (found) {
        base = found.trim();
        break;
      }
    }
    if (base === undefined) {
      throw new LintInputError('changed: found no default branch (origin/HEAD, main or master) to compare with; pass a ref, e.g. changed: "HEAD~1"');
    }
  } else if (base.startsWith('-')) {
    throw new LintInputError(`changed: "${base}" is not a git ref`);
  }
  const diff = await git(top, ['diff', '--name-only', '-z', '--diff-filter=ACMRT', base, '--'], `compare with ${base}`);
  const untracked = await git(top, ['ls-files', '--others', '--exclude-standard', '-z']);
  const files = new Set<string>();
  for (const rel of [...diff.split('\0'), ...untracked.split('\0')]) {
    if (!rel) continue;
    const absolute = path.join(top, rel);
    files.add(await fs.realpath(absolute).catch(() => absolute));
  }
  return files;
}

async function git(cwd: string, args: string[], purpose?: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = (stderr || error.message).trim().split('\n')[0];
      reject(purpose ? new LintInputError(`cannot ${purpose}: git ${args[0]} failed (${why})`) : error);
    });
  });
}

/**
 * `--shard i/n`: a stable share of the files for CI job i of n, by a hash of the path as shown
 * (relative to the working folder), so every job computes the same split without talking.
 */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new LintInputError(`shard must be i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

export function inShard(display: string, shard: { index: number; count: number }): boolean {
  let hash = 0x811c9dc5; // FNV-1a: fast, stable across Node versions and platforms
  for (let i = 0; i < display.length; i++) {
    hash ^= display.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shard.count === shard.index - 1;
}
