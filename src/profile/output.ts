/**
 * The run's folder: everything is written into a hidden staging folder beside the target and
 * renamed into place at the end, so a reader never sees half a run and a cancelled run leaves
 * nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProfileError } from './schema.js';

/** A time-stamped folder; the random suffix keeps two runs started in the same millisecond apart. */
export function defaultOutDir(cwd: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(cwd, '.perf-hunter', 'profiles', `${stamp}-${randomBytes(3).toString('hex')}`);
}

/** Refuses a folder that already holds files, before the target is even started. */
export async function checkOutDir(dir: string): Promise<void> {
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) throw new ProfileError(`output folder ${dir} is not empty: pass a new or empty folder`);
  } catch (error) {
    if (error instanceof ProfileError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ProfileError(`output path ${dir} is a file: pass a folder`);
    // ENOENT: it will be created.
  }
}

export async function writeRunFolder(dir: string, files: Map<string, string | Buffer>): Promise<void> {
  const parent = path.dirname(dir);
  const staging = path.join(parent, `.${path.basename(dir)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, content] of files) await writeFile(path.join(staging, name), content);
    await rmdir(dir).catch(() => undefined); // an empty folder given by --out (rmdir never removes files)
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new ProfileError(`cannot write the profile to ${dir}: ${(error as Error).message}`);
  }
}
