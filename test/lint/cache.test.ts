/** The content-hash lint cache over a real temp tree: hits, re-lints, invalidation, damage and concurrency. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';
import type { LintReport } from '../../src/lint/schema.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { HANDLER_TS, makeTree, type Tree } from './validate-tree.js';

let tree: Tree;
let skills: Skill[];
let location: string;

beforeAll(async () => {
  tree = makeTree();
  skills = (await loadSkills()).skills;
});
afterAll(() => tree.cleanup());
beforeEach(() => {
  location = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-lint-cache-'));
  return () => rmSync(location, { recursive: true, force: true });
});

const lint = (cache: { location: string; maxEntries?: number; version?: string } | false = { location }, config: string | false = false) =>
  runLint({ paths: ['.'] }, { cwd: tree.dir, skills, all: true, cache, config });

/** What a user sees of a report, without timings and cache counters. */
const seen = (r: LintReport) => ({ findings: r.findings, total: r.total, totals: r.totals, files: r.files, errors: r.errors, suppressed: r.suppressed });

const cacheFiles = () => readdirSync(location).filter((f) => f.endsWith('.json'));

describe('lint cache', () => {
  it('answers an unchanged tree from the cache with the same report as a fresh run', async () => {
    const fresh = await lint(false);
    expect(fresh.stats.cache).toBeUndefined();
    const cold = await lint();
    expect(cold.stats.cache).toMatchObject({ hits: 0, misses: 3, evictions: 0 });
    const warm = await lint();
    expect(warm.stats.cache).toMatchObject({ hits: 3, misses: 0, evictions: 0 });
    expect(seen(warm)).toEqual(seen(fresh));
    expect(seen(cold)).toEqual(seen(fresh));
    expect(warm.findings.length).toBeGreaterThan(0);
  });

  it('re-lints only the file that changed', async () => {
    await lint();
    const file = path.join(tree.dir, 'src/clean.ts');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, HANDLER_TS);
    try {
      const after = await lint();
      expect(after.stats.cache).toMatchObject({ hits: 2, misses: 1 });
      expect(after.findings.filter((f) => f.file === 'src/clean.ts').map((f) => f.ruleId)).toEqual(['n-plus-one', 'sync-io-in-async']);
      expect(seen(after)).toEqual(seen(await lint(false)));
    } finally {
      writeFileSync(file, before);
    }
  });

  it('keeps suppressions identical: a suppressed finding stays suppressed and counted when answered from the cache', async () => {
    const file = path.join(tree.dir, 'src/suppressed.ts');
    writeFileSync(file, HANDLER_TS.replace('  const template', '  // perf-hunter-disable-next-line sync-io-in-async\n  const template').replace('for (const id', '// perf-hunter-disable-next-line no-such-rule\n  for (const id'));
    try {
      const fresh = await lint(false);
      await lint();
      const warm = await lint();
      expect(warm.stats.cache).toMatchObject({ hits: 4, misses: 0 });
      expect(warm.suppressed).toBe(1);
      expect(warm.findings.some((f) => f.ruleId === 'unknown-suppression' && f.file === 'src/suppressed.ts')).toBe(true);
      expect(seen(warm)).toEqual(seen(fresh));
    } finally {
      rmSync(file);
    }
  });

  it('a changed rule set (a config severity) or version starts over', async () => {
    await lint();
    expect((await lint()).stats.cache?.hits).toBe(3);
    const config = path.join(tree.dir, 'severity.yaml');
    writeFileSync(config, 'rules:\n  sync-io-in-async: warning\n');
    try {
      const reconfigured = await lint({ location }, config);
      expect(reconfigured.stats.cache).toMatchObject({ hits: 0, misses: 3 });
      expect(reconfigured.findings.filter((f) => f.ruleId === 'sync-io-in-async').every((f) => f.severity === 'warning')).toBe(true);
      expect((await lint({ location }, config)).stats.cache?.hits).toBe(3);
    } finally {
      rmSync(config);
    }
    expect((await lint({ location, version: '99.0.0' })).stats.cache).toMatchObject({ hits: 0, misses: 3 });
    // The first rule set's file is still there and still answers.
    expect((await lint()).stats.cache?.hits).toBe(3);
  });

  it('ignores a truncated or corrupted cache file and rebuilds it', async () => {
    const fresh = seen(await lint(false));
    await lint();
    const [name] = cacheFiles();
    const file = path.join(location, name!);
    const whole = readFileSync(file, 'utf8');

    writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
    const truncated = await lint();
    expect(truncated.stats.cache).toMatchObject({ hits: 0, misses: 3 });
    expect(seen(truncated)).toEqual(fresh);

    // Valid JSON with a wrong answer in it, but no longer matching its hash line.
    writeFileSync(file, whole.replace(/"line":5/g, '"line":6'));
    const tampered = await lint();
    expect(tampered.stats.cache?.hits).toBe(0);
    expect(seen(tampered)).toEqual(fresh);

    writeFileSync(file, 'not json at all');
    expect(seen(await lint())).toEqual(fresh);
    expect((await lint()).stats.cache?.hits).toBe(3);
  });

  it('two runs writing the cache at once both answer correctly, and so does the next', async () => {
    const fresh = seen(await lint(false));
    const [a, b] = await Promise.all([lint(), lint()]);
    expect(seen(a)).toEqual(fresh);
    expect(seen(b)).toEqual(fresh);
    const next = await lint();
    expect(next.stats.cache?.hits).toBe(3);
    expect(seen(next)).toEqual(fresh);
    expect(readdirSync(location).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stays within its bound, evicting the least recently used entries', async () => {
    const bounded = await lint({ location, maxEntries: 2 });
    expect(bounded.stats.cache).toMatchObject({ misses: 3, evictions: 1 });
    const again = await lint({ location, maxEntries: 2 });
    expect(again.stats.cache?.hits).toBe(2);
    expect(again.stats.cache?.misses).toBe(1);
  });

  it('PERF_HUNTER_NO_CACHE turns the default cache off', async () => {
    const previous = process.env.PERF_HUNTER_NO_CACHE;
    process.env.PERF_HUNTER_NO_CACHE = '1';
    try {
      const report = await runLint({ paths: ['.'] }, { cwd: tree.dir, skills, all: true, config: false });
      expect(report.stats.cache).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.PERF_HUNTER_NO_CACHE;
      else process.env.PERF_HUNTER_NO_CACHE = previous;
    }
  });
});
