/**
 * A long-lived process answers unchanged files from the cache by their stamp, without reading
 * them (src/lint/known-files.ts), and reads every file whose stamp moved or is too recent to trust.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reusedSoFar } from '../../src/lint/known-files.js';
import { runLint } from '../../src/lint/run-lint.js';
import type { LintReport } from '../../src/lint/schema.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { CLEAN_TS, HANDLER_TS, WORKER_PY } from './validate-tree.js';

let skills: Skill[];
let dir: string;
let location: string;

beforeAll(async () => {
  skills = (await loadSkills()).skills;
});
beforeEach(() => {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-known-')));
  dir = path.join(base, 'project');
  location = path.join(base, 'cache');
  for (const [rel, text] of [
    ['src/orders.ts', HANDLER_TS],
    ['src/clean.ts', CLEAN_TS],
    ['workers/poll.py', WORKER_PY],
  ] as const) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  backdate(dir);
  return () => rmSync(base, { recursive: true, force: true });
});

const minuteAgo = () => new Date(Date.now() - 60_000);
/** Moves every entry's mtime a minute back: older than the racy window, so stamps are trusted. */
function backdate(at: string): void {
  if (statSync(at).isDirectory()) for (const name of readdirSync(at)) backdate(path.join(at, name));
  utimesSync(at, minuteAgo(), minuteAgo());
}

const lint = (rules?: string[]) => runLint({ paths: ['.'], ...(rules ? { rules } : {}) }, { cwd: dir, skills, all: true, cache: { location } });
const seen = (r: LintReport) => ({ findings: r.findings, total: r.total, totals: r.totals, files: r.files, errors: r.errors });
const fresh = (rules?: string[]) => runLint({ paths: ['.'], ...(rules ? { rules } : {}) }, { cwd: dir, skills, all: true, cache: false });

/** Files answered without reading during `run`. */
async function recalledDuring(run: () => Promise<LintReport>): Promise<{ report: LintReport; recalled: number }> {
  const before = reusedSoFar();
  const report = await run();
  return { report, recalled: reusedSoFar() - before };
}

describe('files known by their stamp', () => {
  it('answers an unchanged tree without reading it, with the same report as a fresh run', async () => {
    const first = await recalledDuring(() => lint());
    expect(first.recalled).toBe(0);
    expect(first.report.stats.cache).toMatchObject({ hits: 0, misses: 3 });
    const second = await recalledDuring(() => lint());
    expect(second.recalled).toBe(3);
    expect(second.report.stats.cache).toMatchObject({ hits: 3, misses: 0 });
    expect(seen(second.report)).toEqual(seen(await fresh()));
    expect(second.report.total).toBeGreaterThan(0);
  });

  it('reads a file whose content changed although its size and mtime were put back', async () => {
    await lint();
    const file = path.join(dir, 'src/clean.ts');
    const before = statSync(file);
    // Same length, different text: only the ctime (and the content) tells.
    writeFileSync(file, readFileSync(file, 'utf8').replace('any($1)', 'ANY($1)'));
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).size).toBe(before.size);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    const after = await recalledDuring(() => lint());
    expect(after.recalled).toBe(2);
    expect(after.report.stats.cache).toMatchObject({ hits: 2, misses: 1 });
    expect(seen(after.report)).toEqual(seen(await fresh()));
  });

  it('finds what an edit introduced', async () => {
    await lint();
    const file = path.join(dir, 'src/clean.ts');
    writeFileSync(file, HANDLER_TS);
    backdate(file);
    const after = await recalledDuring(() => lint());
    expect(after.recalled).toBe(2);
    expect(after.report.findings.filter((f) => f.file === 'src/clean.ts').map((f) => f.ruleId)).toEqual(['n-plus-one', 'sync-io-in-async']);
  });

  it('never trusts the stamp of a file modified within the racy window', async () => {
    const file = path.join(dir, 'workers/poll.py');
    writeFileSync(file, WORKER_PY); // mtime: now
    await lint();
    const second = await recalledDuring(() => lint());
    expect(second.recalled).toBe(2);
    expect(second.report.stats.cache).toMatchObject({ hits: 3, misses: 0 });
  });

  it('still lints with the rules asked for: another rule set misses and reads every file', async () => {
    await lint();
    const only = await recalledDuring(() => lint(['sync-io-in-async']));
    expect(only.recalled).toBe(0);
    expect(only.report.stats.cache).toMatchObject({ hits: 0, misses: 3 });
    expect(seen(only.report)).toEqual(seen(await fresh(['sync-io-in-async'])));
    expect(new Set(only.report.findings.map((f) => f.ruleId))).toEqual(new Set(['sync-io-in-async']));
  });
});
