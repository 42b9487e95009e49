/**
 * The detectors' text pre-filter must never lose a finding: the same findings with and without it,
 * file by file, on every fixture and doc example and on real code (JS shipped in installed npm
 * packages; Debian's Django when installed). It must also really skip files, or it is dead weight.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../src/lint/detectors/index.js';
import { configureDetector, type ConfiguredDetector, configureFromValidation, mayReport, TextIndex } from '../../src/lint/engine/core.js';
import { loadSkills } from '../../src/skills/load.js';
import { lintFile } from '../../src/lint/engine/index.js';
import { calledShapeLiterals, shapeLiterals } from '../../src/lint/engine/names.js';
import { lintSource } from '../../src/lint/run.js';

const root = path.resolve(import.meta.dirname, '../..');
const configured = detectors.map((d) => configureDetector(d));
const DJANGO = '/usr/lib/python3/dist-packages/django';

interface Sample {
  filename: string;
  code: string;
}

/** Files under `dir` with one of `exts`, every `step`-th (a spread-out sample), at most `max`, under 200 KB. */
function sample(dir: string, exts: string[], step: number, max: number): Sample[] {
  if (!existsSync(dir)) return [];
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => exts.some((e) => f.endsWith(e)))
    .sort()
    .filter((_, i) => i % step === 0)
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).size < 200_000)
    .slice(0, max);
  return files.map((f) => ({ filename: path.relative(root, f), code: readFileSync(f, 'utf8') }));
}

async function compare(files: readonly Sample[], rules: ConfiguredDetector[] = configured) {
  let skipped = 0;
  let findings = 0;
  const differences: string[] = [];
  for (const file of files) {
    const filtered = await lintFile(file, rules);
    const full = await lintFile(file, rules, { prefilter: false });
    if (filtered.parsed === false) skipped++;
    findings += full.findings.length;
    if (JSON.stringify(filtered) !== JSON.stringify({ ...full, ...(filtered.parsed === false ? { parsed: false } : {}) })) {
      differences.push(`${file.filename}: ${full.findings.length} finding(s) without the pre-filter, ${filtered.findings.length} with it`);
    }
  }
  return { skipped, findings, differences };
}

describe('text pre-filter', () => {
  it('reads the literal parts of call shapes, marking the edges that are word boundaries, and gives up on a shape without any', () => {
    expect(shapeLiterals(['axios.get', 'fs.*Sync', '**.*redis*.get', 'knex().**', 'pathlib.Path().read_*', '*Repository.save'])).toEqual([
      ['\\baxios\\b(?!:)', '\\bget\\b'],
      ['\\bfs\\b(?!:)', 'Sync\\b'],
      ['redis', '\\bget\\b'],
      ['\\bknex\\b(?!:)'],
      ['\\bpathlib\\b(?!:)', '\\bPath\\b', '\\bread_'],
      ['Repository\\b', '\\bsave\\b'],
    ]);
    expect(shapeLiterals(['*.query', '*'])).toBeUndefined();
    expect(shapeLiterals(['**'])).toBeUndefined();
  });

  it('matches whole words, word starts and word ends only where marked', () => {
    const text = new TextIndex('const userRepository = x.findIndex(y); $get(); import fs from "fs-extra";', 'typescript');
    expect(text.has('\\bfind\\b')).toBe(false);
    expect(text.has('\\bfindIndex\\b')).toBe(true);
    expect(text.has('find')).toBe(true);
    expect(text.has('Repository\\b')).toBe(true);
    expect(text.has('\\bRepository')).toBe(false);
    expect(text.has('\\buser')).toBe(true);
    expect(text.has('\\bget\\b')).toBe(false);
    expect(text.has('\\b$get\\b')).toBe(true);
    expect(text.has('\\bfs-extra\\b')).toBe(true);
    expect(text.has('\\bfs-ext\\b')).toBe(false);
    // The words inside a module name are checked first; the name itself still has to occur.
    expect(new TextIndex('import fs from "fs"; const extra = 1;', 'typescript').has('\\bfs-extra\\b(?!:)')).toBe(false);
    expect(new TextIndex('require("@redis/client")', 'typescript').has('\\b@redis/client\\b(?!:)')).toBe(true);
    expect(new TextIndex('require("@redis/clients")', 'typescript').has('\\b@redis/client\\b(?!:)')).toBe(false);
    // A non-ASCII neighbour is a boundary: the pre-filter may let a file through, never keep it out.
    expect(new TextIndex('café_find', 'typescript').has('\\bfind\\b')).toBe(false);
    expect(new TextIndex('éfind', 'typescript').has('\\bfind\\b')).toBe(true);
    // One-character words and ends.
    expect(new TextIndex('const x = 1;', 'typescript').has('\\bx\\b')).toBe(true);
    expect(new TextIndex('const xy = 1;', 'typescript').has('\\bx\\b')).toBe(false);
    expect(new TextIndex('const xy = 1;', 'typescript').has('y\\b')).toBe(true);
    expect(new TextIndex('const yx = 1;', 'typescript').has('y\\b')).toBe(false);
    // `$` is a word character in JS, not in Python.
    expect(new TextIndex('$get', 'python').has('\\bget\\b')).toBe(true);
    expect(new TextIndex('$get', 'typescript').has('\\bget\\b')).toBe(false);
    // A root word not directly followed by a colon: not a URL's scheme.
    expect(new TextIndex('// see https://example.com', 'typescript').has('\\bhttps\\b(?!:)')).toBe(false);
    expect(new TextIndex('// see https://example.com\nimport h from "node:https";', 'typescript').has('\\bhttps\\b(?!:)')).toBe(true);
    expect(new TextIndex('https : 1', 'typescript').has('\\bhttps\\b(?!:)')).toBe(true);
  });

  it('needs a shape `*.W` of a called name where a callee can get W, not where W is a variable or a key', () => {
    const [alternative] = calledShapeLiterals(['*.count'], 'typescript')!;
    const may = (code: string) => alternative!.every((literal) => new TextIndex(code, 'typescript').has(literal));
    for (const code of [
      'db.count()', 'db.count (x)', 'db.count /* c */\n(x)', 'db.count?.()', 'db.count<T>()', 'db.count!()', '(db.count)()', '((db.count!))()',
      '(db.count as F)()', "db['count']()", 'db[`count`]()', "import c from 'count'", "import { count as c } from 'm'",
      "const { count: c } = require('m')", "const { a, count: c = 1 } = require('m')", "const c = require('m').count", "const c = await import('m')\n  .count",
    ]) {
      expect(may(code), code).toBe(true);
    }
    for (const code of ['let count = 0;', 'return node.count;', 'f({ count: 1 })', 'x.count += 1', 'accounts()', 'count.x()', '// count (it)'.replace('(', '')]) {
      expect(may(code), code).toBe(false);
    }
    // Other shapes keep their words; Python keeps every literal as it was.
    expect(calledShapeLiterals(['axios.get'], 'typescript')).toEqual(shapeLiterals(['axios.get']));
    expect(calledShapeLiterals(['*.count'], 'python')).toEqual(shapeLiterals(['*.count']));
  });

  it('counts pattern requirements: sequential-await needs two awaited assignments, whatever stands between', async () => {
    const sequential = configured.filter((c) => c.detector.id === 'sequential-await');
    const may = (code: string) => mayReport(sequential[0]!, 'typescript', code, new TextIndex(code, 'typescript'));
    expect(may('const a = await f();\nfoo(await g());')).toBe(false);
    expect(may('const a = await f();\nconst b = /* c */ (\n  await g()) as B;')).toBe(true);
    expect(may('let a; a =// x\n await f(); const b =\u200bawait g();')).toBe(true);
    const code = `export async function f(db) {\n  const a = await db.getUser();\n  const b = await db.getOrders();\n  return [a, b];\n}\n`;
    const { differences, findings } = await compare([{ filename: 'two.ts', code }], sequential);
    expect(findings).toBe(1);
    expect(differences).toEqual([]);
  });

  it('loses nothing on the fixtures and the doc examples', async () => {
    const dir = path.join(root, 'test/fixtures/lint');
    const fixtures = readdirSync(dir).map((f) => ({ filename: f, code: readFileSync(path.join(dir, f), 'utf8') }));
    const examples = detectors.flatMap((d) =>
      Object.entries({ ...d.docs.example }).map(([lang, code]) => ({ filename: `${d.id}-example.${lang === 'python' ? 'py' : 'ts'}`, code: code! })),
    );
    const { differences, findings } = await compare([...fixtures, ...examples]);
    expect(findings).toBeGreaterThan(20);
    expect(differences).toEqual([]);
  });

  it('loses nothing on real JS from npm packages, and skips a good share of it unparsed', async () => {
    const files = [
      ...sample(path.join(root, 'node_modules/eslint/lib'), ['.js'], 3, 80),
      ...sample(path.join(root, 'node_modules/undici/lib'), ['.js'], 2, 40),
      ...sample(path.join(root, 'node_modules/@modelcontextprotocol/sdk/dist/esm'), ['.js'], 2, 40),
    ];
    expect(files.length).toBeGreaterThan(100);
    const { differences, skipped } = await compare(files);
    expect(differences).toEqual([]);
    expect(skipped).toBeGreaterThan(files.length / 5);
  });

  it("loses nothing with the built-in skill's options (its extra call shapes), on real JS", async () => {
    const { skills } = await loadSkills({ includeBuiltin: true, agentSkillDirs: false, cache: false });
    const builtin = skills.find((skill) => skill.id === 'performance-hunter')!;
    const rules = builtin.validations
      .filter((v) => v.kind === 'ast' && v.detector)
      .map((v) => configureFromValidation(v, detectors.find((d) => d.id === v.detector)!));
    expect(rules.length).toBeGreaterThanOrEqual(detectors.length);
    const files = [
      ...sample(path.join(root, 'node_modules/eslint/lib'), ['.js'], 4, 60),
      ...sample(path.join(root, 'node_modules/undici/lib'), ['.js'], 3, 30),
      ...sample(path.join(root, 'node_modules/hono/dist'), ['.js'], 7, 30),
      ...sample(path.join(root, 'node_modules/rxjs/dist/esm'), ['.js'], 9, 30),
    ];
    const { differences, skipped, findings } = await compare(files, rules);
    expect(differences).toEqual([]);
    expect(findings).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(files.length / 3);
  });

  it.skipIf(!existsSync(DJANGO))('loses nothing on Django\'s Python sources', async () => {
    const files = sample(DJANGO, ['.py'], 5, 150);
    const { differences, skipped, findings } = await compare(files);
    expect(differences).toEqual([]);
    expect(skipped).toBeGreaterThan(0);
    expect(findings).toBeGreaterThan(0);
  });

  it('follows call shapes added by options: an extra DB call is not filtered away', async () => {
    // No literal of the built-in shapes (nor `await`) occurs: only the added shape can let it through.
    const code = `export function load(ids: string[], store: { pullRecord(id: string): unknown }) {\n  for (const id of ids) store.pullRecord(id);\n}\n`;
    const plain = await lintSource({ code, filename: 'load.ts', detectors: ['n-plus-one'] });
    expect(plain).toEqual([]);
    const extended = await lintSource({ code, filename: 'load.ts', detectors: ['n-plus-one'], options: { 'n-plus-one': { db_calls: ['*.pullRecord'] } } });
    expect(extended.map((f) => f.ruleId)).toEqual(['n-plus-one']);
  });
});
