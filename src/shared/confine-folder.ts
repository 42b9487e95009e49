/**
 * The working folder of a process perf-hunter starts (a profiled program, a load-test target) must
 * be an existing folder inside the allowed roots, compared after resolving symlinks on both sides,
 * so a link inside a root cannot lead a child process out of it.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder's real path, or an Error (of the caller's kind) saying what is wrong and what to pass. */
export async function confineFolder(dir: string, roots: readonly string[], what: string, toError: (message: string) => Error): Promise<string> {
  let real: string;
  try {
    real = await realpath(dir);
    if (!(await stat(real)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw toError(`${what} ${dir} does not exist or is not a folder`);
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => path.resolve(r))));
  const inside = realRoots.some((root) => {
    const rel = path.relative(root, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) throw toError(`${what} ${dir} is outside the allowed roots (${realRoots.join(', ')}): pass a folder inside them`);
  return real;
}
