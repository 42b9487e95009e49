/**
 * Patterns V8 may run instead of RE2 (src/lint/regex/linear.ts): the same matches as RE2, and no
 * backtracking blow-up. Both are checked against real engines: re2js and V8 on the same texts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { linearV8Source } from '../../src/lint/regex/linear.js';
import { RE2_FLAGS, translatePattern } from '../../src/lint/regex/translate.js';

const root = path.resolve(import.meta.dirname, '../..');

/** The V8 source linear.ts gives for a skill pattern, or undefined when it stays on RE2. */
function v8For(pattern: string): { v8: RegExp; re2: RE2JS } | undefined {
  const translated = translatePattern(pattern, (source, flags) => RE2JS.compile(source, flags));
  if (!translated.ok || !translated.re2) return undefined;
  const source = linearV8Source(translated.re2.source, translated.re2.flags, RE2_FLAGS);
  return source === undefined ? undefined : { v8: new RegExp(source, 'g'), re2: RE2JS.compile(translated.re2.source, translated.re2.flags) };
}

function ranges(engines: { v8: RegExp; re2: RE2JS }, text: string): [number[], number[]] {
  const fromRe2: number[] = [];
  const matcher = engines.re2.matcher(text);
  while (matcher.find()) fromRe2.push(matcher.start(), matcher.end());
  const fromV8: number[] = [];
  engines.v8.lastIndex = 0;
  for (let m = engines.v8.exec(text); m; m = engines.v8.exec(text)) fromV8.push(m.index, m.index + m[0].length);
  return [fromRe2, fromV8];
}

const ACCEPTED = [
  '\\b(?:SELECT|select)\\s+(?:DISTINCT\\s+|distinct\\s+)?\\*\\s+(?:FROM|from)\\b',
  '(?:COUNT|count)\\(\\s*\\*\\s*\\)',
  'JSON\\.parse\\(\\s*JSON\\.stringify\\(',
  '\\.forEach\\(\\s*async\\b',
  '\\b(?:avg|average|mean)_?(?:latency|response_?time|duration)\\b',
  '\\b(?:I?LIKE|i?like)\\s+\'%',
  '\\blog(?:ger|ging)?\\.debug\\(\\s*f["\']',
  'x[\\s\\d]+y',
  'a{2,5}b',
  '(?P<n>ab)c',
  'time\\.sleep\\(\\d+\\)',
];

const REFUSED: [string, string][] = [
  ['(a+)+b', 'a repeated group'],
  ['(a|aa)+c', 'a repeated group'],
  ['\\s*\\s*x', 'a repeat followed by what it takes'],
  ['a\\s+\\s+b', 'a repeat followed by what it takes'],
  ['a[^x]*y', 'a repeat followed by what it takes'],
  ['a[a ]*b', 'a repeat taking what starts a match'],
  ['\\s+x', 'a repeat taking what starts a match'],
  ['a*', 'may match nothing'],
  ['(?:ab)?', 'may match nothing'],
  ['(?i)select', 'case folding differs'],
  ['a.b', '`.` differs'],
  ['^foo', 'line anchors differ'],
  ['café+x', 'non-ASCII'],
  ['a\\x41', 'escapes that are not plain'],
  ['[[:alpha:]]x', 'POSIX classes'],
  ['a+?b', 'lazy repeats'],
  ['x\\Sy', 'a set with surrogates: RE2 takes a whole emoji, V8 half'],
  ['x[^a]y', 'a set with surrogates: RE2 takes a whole emoji, V8 half'],
  ['time\\.sleep\\(\\S+\\)', 'a repeat followed by what it takes'],
];

describe('patterns V8 runs for RE2', () => {
  it.each(ACCEPTED)('accepts %s', (pattern) => {
    expect(v8For(pattern)).toBeDefined();
  });

  it.each(REFUSED)('refuses %s (%s)', (pattern) => {
    expect(v8For(pattern)).toBeUndefined();
  });

  it("spells RE2's classes out: V8's \\s would also take a no-break space, \\v and U+2028", () => {
    const engines = v8For('x\\s+y')!;
    for (const text of ['x y', 'x\t\n\f\ry', 'x\u00a0y', 'x\u000by', 'x\u2028y', 'x \u3000 y', 'x\u00a0 y x  y']) {
      const [fromRe2, fromV8] = ranges(engines, text);
      expect(fromV8, JSON.stringify(text)).toEqual(fromRe2);
    }
  });

  it('reports the same offsets after characters outside the BMP and around surrogates', () => {
    const engines = v8For('JSON\\.parse\\(\\s*JSON\\.stringify\\(')!;
    const text = '😀 const a = JSON.parse(JSON.stringify(x)); // 𝔘𝔫𝔦 \ud800 JSON.parse( JSON.stringify(y))';
    const [fromRe2, fromV8] = ranges(engines, text);
    expect(fromRe2).toHaveLength(4);
    expect(fromV8).toEqual(fromRe2);
  });

  it('finds the same matches as RE2 on real JS and on crafted text', () => {
    const dir = path.join(root, 'node_modules/eslint/lib/rules');
    const files = readdirSync(dir).filter((f) => f.endsWith('.js')).slice(0, 80).map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const crafted = [
      "SELECT * FROM t; select  distinct  *\nfrom u; SELECT DISTINCT *FROM v; xSELECT * FROM w; count( * ) COUNT(*)",
      "JSON.parse( JSON.stringify(x)) list.forEach( async (x) => 1) avg_latency averageDuration mean_response_time LIKE '% i like '%",
      "logger.debug(f'x') logging.debug(  f\"y\") log.debug(f'z') x 1 2y x\u00a0y aaaaab abc time.sleep(1.5)",
    ];
    let matches = 0;
    for (const pattern of ACCEPTED) {
      const engines = v8For(pattern)!;
      for (const text of [...crafted, ...files]) {
        const [fromRe2, fromV8] = ranges(engines, text);
        expect(fromV8, pattern).toEqual(fromRe2);
        matches += fromRe2.length / 2;
      }
    }
    expect(matches).toBeGreaterThan(15);
  });

  it('stays linear on text built to make backtracking regexes blow up', () => {
    const texts = [`select${' '.repeat(200_000)}`, 'select '.repeat(50_000), `x${' 1'.repeat(100_000)}`, `JSON.parse(${' '.repeat(200_000)}`];
    for (const pattern of ACCEPTED) {
      const { v8 } = v8For(pattern)!;
      const started = performance.now();
      for (const text of texts) {
        v8.lastIndex = 0;
        while (v8.exec(text)) continue;
      }
      expect(performance.now() - started, pattern).toBeLessThan(500);
    }
  });
});
