/**
 * The runtime-neutral middle of the profiler: per-function times and a flame tree. Node's
 * .cpuprofile and Python's pstats are both turned into these, and everything after (report,
 * flame graphs) reads only these.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a frame's time counts as in the shares. */
export type FrameCategory = 'code' | 'gc' | 'idle' | 'native' | 'root';

export interface FunctionStat {
  key: string;
  name: string;
  /** Shown path: relative to the run's cwd when inside it, else absolute; `node:...` for Node internals. */
  file: string | null;
  /** 1-based. */
  line: number | null;
  column: number | null;
  package: string | null;
  category: FrameCategory;
  selfMs: number;
  totalMs: number;
  calls?: number;
}

export interface FlameNode {
  name: string;
  file: string | null;
  line: number | null;
  /** Inclusive time in ms. */
  value: number;
  children: FlameNode[];
}

/** `file:///x/y.js` -> `/x/y.js`; `node:fs` stays; '' -> null. */
export function urlToPath(url: string): string | null {
  if (!url) return null;
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

export function displayPath(file: string | null, cwd: string): string | null {
  if (!file || !path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** The npm package a file belongs to (the last node_modules segment wins: nested deps name themselves). */
export function nodePackageOf(file: string | null): string | null {
  if (!file) return 'native';
  if (file.startsWith('node:') || file.startsWith('internal/')) return 'node';
  // V8 names WebAssembly frames wasm://wasm/<hash>: compiled modules a package loaded (PGlite,
  // tree-sitter, ...), never the source we are profiling.
  if (file.startsWith('wasm://')) return 'WebAssembly';
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return null;
  const first = parts[at + 1]!;
  return first.startsWith('@') && parts[at + 2] ? `${first}/${parts[at + 2]}` : first;
}

export function label(stat: { name: string; file: string | null; line: number | null }): string {
  return stat.file ? `${stat.name} (${stat.file}${stat.line ? `:${stat.line}` : ''})` : stat.name;
}
