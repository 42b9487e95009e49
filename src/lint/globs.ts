/**
 * Glob arguments, as ESLint and Semgrep take them: `perf-hunter validate 'src/**\/*.ts'`. The
 * static part of the glob is walked like any folder (.gitignore, node_modules and the other
 * skips still apply), and only the files the whole glob matches are kept. A path that exists as
 * written is a path, even if it has glob characters in its name.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export interface PathGlob {
  /** The argument as the user wrote it, for messages. */
  given: string;
  /** The folder to walk: the glob's static prefix, resolved against cwd. */
  base: string;
  /** The rest of the glob, matched below `base`. */
  rest: string;
}

/** The glob in a path argument, or undefined for a plain path. */
export function globOf(given: string, cwd: string): PathGlob | undefined {
  if (existsSync(path.resolve(cwd, given))) return undefined;
  const scan = picomatch.scan(given);
  if (!scan.isGlob) return undefined;
  return { given, base: path.resolve(cwd, scan.base || '.'), rest: scan.glob };
}

/** A test for absolute file paths, given the real path of the glob's base folder. */
export function globMatcher(glob: PathGlob, realBase: string): (absolute: string) => boolean {
  const posix = (p: string): string => p.split(path.sep).join('/');
  const isMatch = picomatch(`${posix(realBase).replace(/\/$/, '')}/${glob.rest}`);
  return (absolute) => isMatch(posix(absolute));
}
