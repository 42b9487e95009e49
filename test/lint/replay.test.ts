/**
 * The warm path of `perf-hunter validate`: the built CLI on a temp tree whose timestamps are set
 * a minute back (so nothing is "racy"), run twice. The second run replays only while every file,
 * folder, config and skill it read is unchanged; each kind of change below must force a real run.
 * After a change only the changed entries are set back (`settle`): setting a time moves an entry's
 * ctime, so touching everything would invalidate every stamp and prove nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { recordLocation } from '../../src/lint/replay/replay.js';
import { contentHashOf, recorder, stampHolds } from '../../src/lint/replay/stamps.js';
import { defaultCacheLocation } from '../../src/lint/cache.js';
import { CLEAN_TS, HANDLER_TS } from './validate-tree.js';

let base: string;
let dir: string;
let cacheHome: string;

beforeAll(() => requireBuild());
beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-replay-')));
  dir = path.join(base, 'project');
  cacheHome = path.join(base, 'cache');
  write('src/orders.ts', HANDLER_TS);
  write('src/clean.ts', CLEAN_TS);
  write('.gitignore', 'generated/\n');
  // The repository top is the folder above: the config search looks at project/ and then there.
  mkdirSync(path.join(base, '.git'));
  backdate(base);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const past = () => new Date(Date.now() - 60_000);
/** Sets every entry's mtime a minute back, contents before their folder (writing a file moves its folder's mtime). */
function backdate(at: string): void {
  if (statSync(at).isDirectory()) for (const name of readdirSync(at)) backdate(path.join(at, name));
  utimesSync(at, past(), past());
}
/** Sets just these entries back (relative to the project), in the order given. */
function settle(...rels: string[]): void {
  for (const rel of rels) utimesSync(path.resolve(dir, rel), past(), past());
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: { findings: { file: string; line: number; ruleId: string }[]; total: number; stats: { replayed?: boolean; cache?: { hits: number; misses: number } } };
}

function validate(...args: string[]): Run {
  const run = spawnSync(process.execPath, [cliPath, 'validate', '--format', 'json', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnv({ NO_COLOR: '1', PERF_HUNTER_CACHE_DIR: cacheHome }),
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, report: JSON.parse(run.stdout || '{}') as Run['report'] };
}

/** What a run reports, without its timing and cache counters. */
const seen = (run: Run) => ({ code: run.code, findings: run.report.findings, total: run.report.total });
const records = () => {
  const folder = path.join(cacheHome, 'lint', 'runs');
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')) : [];
};

describe('validate replays an unchanged tree', () => {
  it('the second identical run replays: same report and exit code, every file a hit, nothing read', () => {
    const first = validate();
    expect(first.report.stats.replayed).toBeUndefined();
    expect(first.code).toBe(1);
    expect(records()).toHaveLength(1);
    const second = validate();
    expect(second.report.stats.replayed).toBe(true);
    expect(second.report.stats.cache).toMatchObject({ hits: 2, misses: 0 });
    expect(seen(second)).toEqual(seen(first));
    expect(second.stderr).toBe('');
    // Other arguments are another record; the text format replays too, with its exit code.
    const text = spawnSync(process.execPath, [cliPath, 'validate'], { cwd: dir, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1', PERF_HUNTER_CACHE_DIR: cacheHome }) });
    const textAgain = spawnSync(process.execPath, [cliPath, 'validate'], { cwd: dir, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1', PERF_HUNTER_CACHE_DIR: cacheHome }) });
    expect(records()).toHaveLength(2);
    expect(textAgain.status).toBe(1);
    expect(textAgain.stdout.replace(/, [\d.]+ ms$/m, '')).toBe(text.stdout.replace(/ \(cache: \d+ hit\(s\), \d+ miss\(es\)\)/, ' (cache: 2 hit(s), 0 miss(es))').replace(/, [\d.]+ ms$/m, ''));
  }, 60_000);

  it('an edited file is linted again: new findings, one miss', () => {
    const first = validate();
    write('src/clean.ts', HANDLER_TS);
    settle('src/clean.ts');
    const second = validate();
    expect(second.report.stats.replayed).toBeUndefined();
    expect(second.report.stats.cache).toMatchObject({ hits: 1, misses: 1 });
    expect(second.report.total).toBeGreaterThan(first.report.total);
    expect(second.report.findings.some((f) => f.file === 'src/clean.ts')).toBe(true);
  }, 60_000);

  it('a racy file (modified moments ago) is stamped with its content hash, and a changed content fails the stamp', () => {
    // Integration cannot show this on a file system with fine ctimes (any write moves the ctime,
    // which the signature already holds), so the stamp itself is checked on real files.
    const file = path.join(dir, 'src/fresh.ts');
    writeFileSync(file, CLEAN_TS);
    recorder.start();
    recorder.file(file);
    recorder.file(path.join(dir, 'src/clean.ts')); // a minute old: no hash needed
    const [fresh, old] = recorder.finish();
    expect(fresh).toHaveLength(3);
    expect(old).toHaveLength(2);
    expect(stampHolds(fresh!)).toBe(true);
    expect(stampHolds(old!)).toBe(true);
    expect(stampHolds([fresh![0], fresh![1], contentHashOf(HANDLER_TS)])).toBe(false);
    // A folder that recent cannot be checked at all.
    recorder.start();
    recorder.dir(path.join(dir, 'src'));
    expect(stampHolds(recorder.finish()[0]!)).toBe(false);
  });

  it('a new file, a new config or an edited .gitignore each force a real run', () => {
    validate();
    write('src/more/new.ts', HANDLER_TS);
    settle('src/more/new.ts', 'src/more', 'src');
    const added = validate();
    expect(added.report.stats.replayed).toBeUndefined();
    expect(added.report.findings.some((f) => f.file === 'src/more/new.ts')).toBe(true);
    expect(validate().report.stats.replayed).toBe(true);

    // In the folder above, which the walk never lists: only the stamp of its absence sees it.
    writeFileSync(path.join(base, '.perf-hunter.yaml'), 'rules:\n  n-plus-one: off\n');
    settle('../.perf-hunter.yaml', '..');
    const configured = validate();
    expect(configured.report.stats.replayed).toBeUndefined();
    expect(configured.report.findings.some((f) => f.ruleId === 'n-plus-one')).toBe(false);

    write('.gitignore', 'generated/\nsrc/more/\n');
    settle('.gitignore');
    const ignored = validate();
    expect(ignored.report.stats.replayed).toBeUndefined();
    expect(ignored.report.findings.some((f) => f.file === 'src/more/new.ts')).toBe(false);
  }, 90_000);

  it('an edited skill forces a real run', () => {
    const skill = path.join(base, 'skills', 'team');
    mkdirSync(skill, { recursive: true });
    writeFileSync(path.join(skill, 'skill.yaml'), 'skill_id: team\nname: Team rules\ndescription: house rules\n');
    writeFileSync(path.join(skill, 'validations.yaml'), 'validations:\n  - id: no-todo\n    name: No TODO\n    type: regex\n    pattern: TODO\n    severity: warning\n    message: a TODO\n    applies_to: ["**/*.ts"]\n');
    backdate(base);
    const first = validate('--skills-dir', skill);
    expect(first.report.findings.some((f) => f.ruleId === 'no-todo')).toBe(false);
    write('src/todo.ts', '// TODO: later\nexport const x = 1;\n');
    settle('src/todo.ts', 'src');
    expect(validate('--skills-dir', skill).report.findings.some((f) => f.ruleId === 'no-todo')).toBe(true);
    expect(validate('--skills-dir', skill).report.stats.replayed).toBe(true);
    writeFileSync(path.join(skill, 'validations.yaml'), 'validations:\n  - id: no-todo\n    name: No TODO\n    type: regex\n    pattern: NEVER_MATCHES_ANYTHING\n    severity: warning\n    message: a TODO\n    applies_to: ["**/*.ts"]\n');
    settle(path.join(skill, 'validations.yaml'));
    const edited = validate('--skills-dir', skill);
    expect(edited.report.stats.replayed).toBeUndefined();
    expect(edited.report.findings.some((f) => f.ruleId === 'no-todo')).toBe(false);
  }, 90_000);

  it('--no-cache, --changed and --output never record; a damaged record is ignored', () => {
    validate('--no-cache');
    validate('--output', path.join(base, 'out.json'));
    expect(records()).toEqual([]);
    const first = validate();
    writeFileSync(path.join(cacheHome, 'lint', 'runs', records()[0]!), '{"format":1,"key":');
    const second = validate();
    expect(second.report.stats.replayed).toBeUndefined();
    expect(seen(second)).toEqual(seen(first));
    expect(validate().report.stats.replayed).toBe(true);
  }, 60_000);

  it('records live beside the lint cache, in the same folder cache.ts picks', () => {
    const env = { PERF_HUNTER_CACHE_DIR: '/x/cache' };
    expect(recordLocation([], env, '/w')).toBe(path.join(defaultCacheLocation(env)!, 'runs'));
    expect(recordLocation(['--cache-location', 'c'], {}, '/w')).toBe('/w/c/runs');
    expect(recordLocation(['--cache-location=c'], {}, '/w')).toBe('/w/c/runs');
    expect(recordLocation(['--no-cache'], env, '/w')).toBeUndefined();
    expect(recordLocation(['--changed'], env, '/w')).toBeUndefined();
    expect(recordLocation(['-o', 'x'], env, '/w')).toBeUndefined();
    expect(recordLocation([], { PERF_HUNTER_NO_CACHE: '1' }, '/w')).toBeUndefined();
  });
});
