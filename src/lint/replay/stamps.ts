/**
 * What a `validate` run read, as stamps: each file, folder and looked-for-but-absent path with
 * its size, mtime, ctime and inode (git's index and ESLint's "metadata" cache trust the same
 * facts). A later run whose every stamp still matches would read the same bytes, so it may replay
 * the recorded report instead of loading skills, reading and hashing every file (see replay.ts).
 *
 * Racy stamps, as git calls them: a file modified within RACY_MS of being stamped could change
 * again without its mtime moving on a coarse file system, so its content hash is kept and checked
 * too; a folder that recent cannot be checked that way, so it makes the record unusable.
 *
 * Recording is off unless the CLI turns it on: the MCP server and library callers pay one boolean
 * test per read. This module imports only node built-ins; the replay path loads it before anything else.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';

/** A modification this recent (ms) may hide another one in the same timestamp tick. */
export const RACY_MS = 2_000;

/**
 * `[path, signature]`, or `[path, signature, sha1 of the content]` for a racy file. Signatures:
 * `f:size:mtime:ctime:ino` a file, `d:mtime:ctime:ino` a folder, `e` exists (kind and times do not
 * matter: `.git`), `-` absent, `racy-dir`: a folder changed too recently to be trusted.
 */
export type Stamp = [path: string, signature: string, contentHash?: string];

export function signatureOf(stats: Stats | undefined): string {
  if (!stats) return '-';
  if (stats.isDirectory()) return `d:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
  return `f:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
}

export function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined; // not a folder on the way, no permission: unusable either way
  }
}

/** node:crypto costs ~15 ms to load, which a replay without racy files never needs. */
export function contentHashOf(bytes: string | Uint8Array): string {
  return process.getBuiltinModule('node:crypto').createHash('sha1').update(bytes).digest('base64url');
}

class Recorder {
  active = false;
  private readonly stamps = new Map<string, Stamp>();

  start(): void {
    this.active = true;
    this.stamps.clear();
  }

  /** A file the run read (or looked for: absent is a fact too). `bytes`: its content when already in hand. */
  file(file: string, stats?: Stats, bytes?: string | Uint8Array): void {
    if (!this.active) return;
    const current = stats ?? statOrUndefined(file);
    const signature = signatureOf(current);
    if (current && Date.now() - current.mtimeMs < RACY_MS) {
      let content: string | Uint8Array | undefined = bytes;
      try {
        content ??= readFileSync(file);
      } catch {
        content = undefined;
      }
      // Unreadable and racy: nothing to check it by later, so no replay.
      this.stamps.set(file, content === undefined ? [file, 'racy-dir'] : [file, signature, contentHashOf(content)]);
      return;
    }
    this.stamps.set(file, [file, signature]);
  }

  /** A folder whose entries the run listed: adding or removing one moves its mtime. */
  dir(dir: string, stats?: Stats): void {
    if (!this.active) return;
    const current = stats ?? statOrUndefined(dir);
    const racy = current !== undefined && Date.now() - current.mtimeMs < RACY_MS;
    this.stamps.set(dir, [dir, racy ? 'racy-dir' : signatureOf(current)]);
  }

  /** Only whether the path exists matters (a `.git` marker, whose folder changes on every commit). */
  exists(entry: string, exists: boolean): void {
    if (!this.active) return;
    this.stamps.set(entry, [entry, exists ? 'e' : '-']);
  }

  /** Stops recording and hands over what was recorded. */
  finish(): Stamp[] {
    this.active = false;
    const stamps = [...this.stamps.values()];
    this.stamps.clear();
    return stamps;
  }
}

/** The one recorder of this process (a CLI run lints once). */
export const recorder = new Recorder();

/** Whether a stamp still holds; a racy file is also checked by content. */
export function stampHolds([file, signature, contentHash]: Stamp): boolean {
  if (signature === 'racy-dir') return false;
  const stats = statOrUndefined(file);
  if (signature === 'e') return stats !== undefined;
  if (signatureOf(stats) !== signature) return false;
  if (contentHash === undefined) return true;
  try {
    return contentHashOf(readFileSync(file)) === contentHash;
  } catch {
    return false;
  }
}
