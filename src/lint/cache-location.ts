/** Where the lint cache lives; node built-ins only, so the replay path can ask without loading the cache. */
import os from 'node:os';
import path from 'node:path';

/** The default folder, or undefined when PERF_HUNTER_NO_CACHE turns caching off. */
export function defaultCacheLocation(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PERF_HUNTER_NO_CACHE && env.PERF_HUNTER_NO_CACHE !== '0') return undefined;
  // The same home as the skills loader's cache (src/skills/load-cache.ts), in its own subfolder.
  const home = env.PERF_HUNTER_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'perf-hunter');
  return path.join(home, 'lint');
}
