/** Regex validations from skills in the Spawner format, run through runLint on real fixture files. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';
import { mayMatch, prefilterOf } from '../../src/lint/regex/prefilter.js';
import { translatePattern } from '../../src/lint/regex/translate.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/regex');
let skills: Skill[];

beforeAll(async () => {
  const loaded = await loadSkills({ dirs: [path.join(fixtures, 'skills')], includeBuiltin: false });
  skills = loaded.skills;
  expect(skills.map((s) => s.id).sort()).toEqual(['alpha', 'beta']);
});

const lint = (paths: string[], extra: { rules?: string[] } = {}) =>
  runLint({ paths, ...extra }, { cwd: fixtures, skills, all: true, config: false, regexBudgetMs: 300 });

describe('regex validations', () => {
  it('reports every match of every pattern, honours negative_pattern on the line, and both glob keys', async () => {
    const report = await lint(['src/jobs.py', 'src/app.ts', 'src/other.js'], { rules: ['regex'] });
    const at = report.findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId}`);
    expect(at).toEqual([
      'src/app.ts:1:4-1:13 todo-marker',
      'src/app.ts:1:24-1:33 todo-marker', // UTF-16 columns: é is one unit, 😀 two
      'src/app.ts:2:1-2:14 sleep-call',
      'src/jobs.py:4:5-4:16 sleep-call',
      'src/jobs.py:4:20-4:31 sleep-call',
      'src/jobs.py:6:17-6:31 eager-all',
      'src/jobs.py:8:5-8:16 alpha/shared-id',
      'src/jobs.py:8:5-8:16 beta/shared-id',
    ]);
    const sleep = report.findings.find((f) => f.ruleId === 'sleep-call')!;
    expect(sleep).toMatchObject({ severity: 'error', message: 'Sleeping blocks the worker.', fix: 'Use an async timer.', sourceLine: 'Thread.sleep(5);' });
    expect(report.errors).toEqual([]);
  });

  it('stops a catastrophic pattern within its budget, says so, and still reports the other rules on that file', async () => {
    const started = performance.now();
    const report = await lint(['src/slow.py'], { rules: ['regex'] });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.message).toMatch(/^rule catastrophic skipped on file src\/slow\.py after \d+ ms/);
    // sleep-nine runs after catastrophic in the same worker batch: it gets a fresh worker.
    expect(report.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['2 sleep-call', '2 sleep-nine']);
  });

  it('selects a regex rule by its unqualified id and runs next to the detector rules', async () => {
    const report = await lint(['src/jobs.py'], { rules: ['shared-id'] });
    expect(report.rules.sort()).toEqual(['alpha/shared-id', 'beta/shared-id']);
    const all = await lint(['src/jobs.py']);
    expect(all.rules).toContain('n-plus-one');
    expect(all.rules).toContain('sleep-call');
  });
});

describe('translatePattern', () => {
  const re2 = (source: string) => {
    if (/\(\?[=!<]|\\k/.test(source)) throw new Error('unsupported');
  };
  it('turns Python/PCRE-only syntax into JavaScript', () => {
    const t = (p: string) => {
      const r = translatePattern(p);
      if (!r.ok) throw new Error(r.reason);
      return new RegExp(r.js.source, r.js.flags);
    };
    expect(t('(?i)select \\*').test('SELECT *')).toBe(true);
    expect(t('(?P<q>["\'])x(?P=q)').test('"x"')).toBe(true);
    expect(t('(?P<q>["\'])x(?P=q)').test('"x\'')).toBe(false);
    expect(t('end\\Z').test('the end\n')).toBe(true);
    expect(t('end\\Z').test('the end\nmore')).toBe(false);
    expect(t('\\Astart').test('x\nstart')).toBe(false);
    expect(t('^start').test('x\nstart')).toBe(true); // ^ anchors lines, as grep does
    expect(t('(?s)a.b').test('a\nb')).toBe(true);
    expect(t('[\\Z]').test('Z')).toBe(true); // inside a class nothing is translated
  });

  it('refuses possessive quantifiers and atomic groups with a reason, but not an escaped plus', () => {
    expect(translatePattern('a++b')).toMatchObject({ ok: false, reason: expect.stringMatching(/possessive/) });
    expect(translatePattern('(?>a|ab)c')).toMatchObject({ ok: false, reason: expect.stringMatching(/atomic/) });
    expect(translatePattern('a{2}+')).toMatchObject({ ok: false });
    expect(translatePattern('\\++')).toMatchObject({ ok: true });
    expect(translatePattern('[a++]')).toMatchObject({ ok: true });
  });

  it('offers RE2 only what RE2 compiles', () => {
    const plain = translatePattern('foo\\s+bar', (s) => re2(s));
    expect(plain.ok && plain.re2).toBeTruthy();
    const look = translatePattern('foo(?!bar)', (s) => re2(s));
    expect(look.ok && look.re2).toBeFalsy();
    const backref = translatePattern('(?P<a>x)(?P=a)', (s) => re2(s));
    expect(backref.ok && backref.re2).toBeFalsy();
  });
});

describe('prefilterOf', () => {
  const required = (source: string, flags = 'm') => prefilterOf(source, flags)?.alternatives;
  it('requires every plain run and every unskippable group of literals of each top-level alternative', () => {
    expect(required('time\\.sleep\\(')).toEqual([[['time.sleep(']]]);
    expect(required('Thread\\.sleep|time\\.sleep')).toEqual([[['Thread.sleep']], [['time.sleep']]]);
    expect(required('\\bselect\\s+\\*\\s+from', 'im')).toEqual([[['select'], ['from']]]);
    expect(required('colou?r_name')).toEqual([[['r_name'], ['colo']]]); // u is optional, so "colou" is not required
    expect(required('abcd{0,2}xy')).toEqual([[['abc'], ['xy']]]);
    expect(required('(?:send|emit|publish)\\s*\\(')).toEqual([[['send', 'emit', 'publish']]]); // a group of literals, any of them
    expect(required('\\b(?:SELECT|select)\\s+\\*\\s+(?:FROM|from)\\b', 'm')).toEqual([[['SELECT', 'select'], ['FROM', 'from']]]);
    expect(required('(?:abc|def)?ghij')).toEqual([[['ghij']]]); // an optional group is never required
    expect(required('\\b(?:I?LIKE|i?like)\\s+\'%')).toEqual([[['LIKE', 'like'], ["'%"]]]);
    expect(required('\\b(?:avg|mean)_?(?:latency|response_?time)\\b')).toEqual([[['latency', 'response'], ['avg', 'mean']]]);
    expect(required('JSON\\.parse\\(\\s*JSON\\.stringify\\(')).toEqual([[['JSON.stringify('], ['JSON.parse(']]]);
    expect(required('x(?:ab(?:cd|ef)+)*yz')).toBeUndefined(); // nothing of three characters is required
    expect(required('(?:ab|cd)+\\.forEach\\(')).toEqual([[['.forEach('], ['ab', 'cd']]]);
  });

  it('gives up when an alternative has no literal of three characters', () => {
    expect(required('(?:id|uuid)\\s*\\(')).toBeUndefined();
    expect(required('(?=abcd)x')).toBeUndefined();
    expect(required('foo|\\d+')).toBeUndefined();
    expect(required('[abc]+x')).toBeUndefined();
  });

  it('lets a file through exactly when it holds a required literal (case-folded under i)', () => {
    const filter = prefilterOf('SELECT', 'im');
    expect(mayMatch(filter, 'x = "select 1"', () => 'x = "select 1"')).toBe(true);
    expect(mayMatch(prefilterOf('SELECT', 'm'), 'select 1', () => 'select 1')).toBe(false);
    expect(mayMatch(undefined, 'anything', () => 'anything')).toBe(true);
  });

  it('never hides a match the regex would find, on the fixture patterns', () => {
    for (const [source, text] of [['(?:ab|cd)?x{0}yz(?:q|rst)*uvw', 'yzuvw'], ['(?:ab|cd){0,3}xyz', 'xyz'], ['a(?:bcd|efg)+?hij', 'aefgbcdhij'], ['(?<!abc)def(?=ghi)', 'defghi'], ['time\\.sleep\\(', 'time.sleep(1)'], ['a+b', 'aab'], ['x(?:yz)?w{1,}end', 'xwwend'], ['(?<q>"|\')ab\\k<q>', '"ab"'], ['\\x41bcd', 'Abcd'], ['\\u0041bcd', 'Abcd'], ['(a)b\\1cde', 'abacde'], ['\\cJabc', '\nabc']] as const) {
      expect(new RegExp(source).test(text)).toBe(true);
      expect(mayMatch(prefilterOf(source, ''), text, () => text.toLowerCase()), source).toBe(true);
    }
  });
});
