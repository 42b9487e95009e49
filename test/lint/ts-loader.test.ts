/**
 * The TypeScript compiler loaded through a V8 code cache: real child processes (each is a fresh
 * V8, as a CLI run is), a real cache folder. The first load compiles and writes the cache, the
 * second uses it, a damaged cache is rejected by V8 and rewritten, and caching off writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const loader = fileURLToPath(new URL('../../dist/lint/engine/ts-loader.js', import.meta.url));
// Loads the compiler and parses a loop, so a broken load cannot pass as "code-cache".
const script = `
const { loadTypeScript } = await import(${JSON.stringify(loader)});
const { ts, via } = await loadTypeScript();
const sf = ts.createSourceFile('a.ts', 'for (const x of xs) { await f(x); }', ts.ScriptTarget.Latest, true);
console.log(JSON.stringify({ via, kind: ts.SyntaxKind[sf.statements[0].kind], version: ts.version }));
`;

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-ts-loader-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function load(env: Record<string, string> = {}): { via: string; kind: string; version: string } {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, PERF_HUNTER_NO_CACHE: '', PERF_HUNTER_CACHE_DIR: home, ...env },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { via: string; kind: string; version: string };
}

const cacheFiles = () => {
  try {
    return readdirSync(path.join(home, 'v8'));
  } catch {
    return [];
  }
};

describe('loadTypeScript', () => {
  it('compiles and writes the code cache once, then loads from it', () => {
    const first = load();
    expect(first).toMatchObject({ via: 'compiled', kind: 'ForOfStatement' });
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).toMatch(/^typescript-[0-9a-f]{16}\.bin$/);
    const second = load();
    expect(second).toEqual({ ...first, via: 'code-cache' });
  }, 60_000);

  it('a damaged cache is rejected by V8, the compiler still loads, and the cache is rewritten', () => {
    load();
    const file = path.join(home, 'v8', cacheFiles()[0]!);
    writeFileSync(file, Buffer.from('not V8 code cache data at all'));
    expect(load().via).toBe('compiled');
    expect(load().via).toBe('code-cache');
  }, 60_000);

  it('PERF_HUNTER_NO_CACHE: compiles every time and writes nothing', () => {
    expect(load({ PERF_HUNTER_NO_CACHE: '1' }).via).toBe('compiled');
    expect(cacheFiles()).toEqual([]);
  }, 60_000);
});
