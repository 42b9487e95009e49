/**
 * For a long-lived process (the MCP server, the lint-on-edit hook's warm server): each file's
 * content-cache key, remembered with the stamp (size, mtime, ctime, inode) it had when it was read.
 * While the stamp still holds, a later run asks the content-hash cache with the remembered key and
 * never opens the file: reading and hashing 1,500 unchanged files was about half of a warm `lint`
 * call over MCP. It is the replay's rule (stamps.ts) applied per file, in memory: an edit moves the
 * mtime or, when the mtime is put back, the ctime; a file modified within RACY_MS of being read is
 * not remembered (its mtime may not move on the next write), so it is always read again.
 *
 * The key is the cache's own (display path and content), so a rule-set change still misses and
 * re-lints: only the reading is skipped, never the rules. A CLI run starts with nothing remembered.
 */
import type { Stats } from 'node:fs';
import { RACY_MS, signatureOf } from './replay/stamps.js';

/** Entries beyond this are dropped all at once: a server linting several huge trees in turn re-reads once. */
const MAX_ENTRIES = 200_000;

interface Known {
  signature: string;
  key: string;
}

const known = new Map<string, Known>();
let reused = 0;

const entryOf = (absolute: string, display: string): string => `${absolute}\0${display}`;

/**
 * The cache key remembered for this file if its stamp still holds, else undefined (read it).
 * `statsOf` is only called for a file remembered: a CLI run, which remembers nothing, stats nothing extra.
 */
export function knownKey(absolute: string, display: string, statsOf: () => Stats | undefined): { key: string; stats: Stats } | undefined {
  const entry = known.get(entryOf(absolute, display));
  if (!entry) return undefined;
  const stats = statsOf();
  if (!stats || entry.signature !== signatureOf(stats)) return undefined;
  return { key: entry.key, stats };
}

/** Remembers the key of a file just read with these stats, unless it was modified too recently to trust its stamp. */
export function rememberKey(absolute: string, display: string, stats: Stats, key: string): void {
  if (Date.now() - stats.mtimeMs < RACY_MS) return;
  if (known.size >= MAX_ENTRIES) known.clear();
  known.set(entryOf(absolute, display), { signature: signatureOf(stats), key });
}

/** Counts a cache answer given without reading the file (tests and diagnostics). */
export function countReused(): void {
  reused++;
}

/** Files answered by their stamp so far in this process. */
export function reusedSoFar(): number {
  return reused;
}
