/**
 * Loads the TypeScript compiler (the copy ts-morph bundles) with a V8 code cache, which is what
 * Node 22's module compile cache does and Node 20 lacks. Compiling the 9 MB `typescript.js` took
 * ~0.27 s of every cold lint run; from the cache it takes ~0.08 s. Loading the file directly also
 * skips ts-morph's own 3 MB wrapper, which the engine never uses (it walks raw compiler nodes).
 *
 * The cache is one file per compiler file, Node/V8 version and architecture, written atomically
 * beside the lint cache. V8 checks the data itself (source hash, flags, version) and rejects what
 * does not fit; a rejected or unreadable cache only costs the compile, and any failure here falls
 * back to importing ts-morph as before.
 */
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { ts as TsApi } from 'ts-morph';
import { defaultCacheLocation } from '../cache.js';

type Ts = typeof TsApi;

export interface TsLoad {
  ts: Ts;
  /** How the compiler was compiled: from the code cache, freshly (then the cache was written), or via ts-morph. */
  via: 'code-cache' | 'compiled' | 'ts-morph';
}

let loaded: TsLoad | undefined;

export async function loadTypeScript(env: NodeJS.ProcessEnv = process.env): Promise<TsLoad> {
  if (loaded) return loaded;
  try {
    loaded = loadWithCodeCache(env);
  } catch {
    loaded = { ts: (await import('ts-morph')).ts, via: 'ts-morph' };
  }
  return loaded;
}

function compilerFile(): string {
  const require = createRequire(import.meta.url);
  // ts-morph's own dependency; resolved from ts-morph so a strict (pnpm) layout finds it too.
  const fromTsMorph = createRequire(require.resolve('ts-morph'));
  return path.join(path.dirname(fromTsMorph.resolve('@ts-morph/common')), 'typescript.js');
}

function loadWithCodeCache(env: NodeJS.ProcessEnv): TsLoad {
  const file = compilerFile();
  const bytes = readFileSync(file);
  // The compiler ships as pure ASCII; decoding it as latin1 then gives the same string faster.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cacheFile = codeCacheFile(file, bytes.length, env);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // No cache yet: compile and write it below.
    }
  }
  // The CommonJS wrapper Node itself uses, so the compiler sees `require`, `module` and `exports`.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as Ts };
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
  const ts = module.exports;
  if (typeof ts.createSourceFile !== 'function') throw new Error(`${file} did not export the TypeScript API`);
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (cacheFile && !fromCache) writeAtomically(cacheFile, script.createCachedData());
  return { ts, via: fromCache ? 'code-cache' : 'compiled' };
}

/** Undefined when caching is off (PERF_HUNTER_NO_CACHE). */
function codeCacheFile(file: string, size: number, env: NodeJS.ProcessEnv): string | undefined {
  const lintCache = defaultCacheLocation(env);
  if (!lintCache) return undefined;
  const { mtimeMs } = statSync(file);
  const key = createHash('sha1').update(`${file}\0${size}\0${mtimeMs}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  return path.join(path.dirname(lintCache), 'v8', `typescript-${key}.bin`);
}

function writeAtomically(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch {
    // A read-only home only costs the next run the compile.
    rmSync(temp, { force: true });
  }
}
