/** SARIF output validated against the official 2.1.0 schema, plus what code scanning relies on. */
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSarif, FINGERPRINT_KEY } from '../../src/lint/format/sarif.js';
import { runLint } from '../../src/lint/run-lint.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { HANDLER_TS, makeTree, type Tree } from './validate-tree.js';

// The schema as published with SARIF 2.1.0 (rtm.5), shipped by @microsoft/jest-sarif. It declares
// draft-04, whose keywords this schema uses the same way as ajv's default draft, so the
// meta-schema reference is dropped rather than pulling in a draft-04 build of ajv. Its `language`
// pattern is not valid with the u flag, hence unicodeRegExp: false.
const require = createRequire(import.meta.url);
const { $schema: _draft, id: _id, ...schema } = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }));
const validate = ajv.compile(schema);

let tree: Tree;
let skills: Skill[];
beforeAll(async () => {
  tree = makeTree();
  skills = (await loadSkills()).skills;
});
afterAll(() => tree.cleanup());

type Json = Record<string, any>;

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: tree.dir, skills, all: true });
    const sarif = toSarif(report, { cwd: tree.dir, toolVersion: '1.2.3' });
    const ok = validate(sarif);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail: a result without a message is rejected', async () => {
    const report = await runLint({ code: HANDLER_TS, filename: 'a.ts' }, { cwd: tree.dir, skills });
    const sarif = toSarif(report, { cwd: tree.dir, toolVersion: '1.2.3' }) as Json;
    delete sarif.runs[0].results[0].message;
    expect(validate(sarif)).toBe(false);
  });

  it('has relative %SRCROOT% uris, regions, levels, rule indexes and rules with help from the sharp edge', async () => {
    const report = await runLint({ paths: ['.'] }, { cwd: tree.dir, skills, all: true });
    const run = (toSarif(report, { cwd: tree.dir, toolVersion: '1.2.3' }) as Json).runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'perf-hunter', version: '1.2.3' });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/^file:\/\/.*\/project\/$/);
    const [first] = run.results;
    expect(first).toMatchObject({
      ruleId: 'n-plus-one',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/orders.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 5, startColumn: 21 } } }],
    });
    expect(run.results.map((r: Json) => r.locations[0].physicalLocation.artifactLocation.uri)).toContain('workers/poll.py');
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    const rule = run.tool.driver.rules.find((r: Json) => r.id === 'n-plus-one');
    expect(rule.help.markdown).toContain('**Solution**');
    expect(rule.help.text).toContain('perf-hunter explain n-plus-one-queries');
    expect(rule.defaultConfiguration.level).toBe('error');
    expect(rule.properties.tags).toContain('n-plus-one-queries');
  });

  it('keeps fingerprints when code moves down, and tells repeated lines apart', async () => {
    const twice = HANDLER_TS.replace('  const template', '  for (const id of ids) {\n    rows.push(await db.query(\'select * from orders where id = $1\', [id]));\n  }\n  const template');
    const fingerprints = async (code: string) => {
      const report = await runLint({ code, filename: 'a.ts', rules: ['n-plus-one'] }, { cwd: tree.dir, skills });
      return ((toSarif(report, { cwd: tree.dir, toolVersion: '0' }) as Json).runs[0].results as Json[]).map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    };
    const before = await fingerprints(twice);
    const after = await fingerprints(`// a new header comment\n\n${twice}`);
    expect(before).toHaveLength(2);
    expect(new Set(before).size).toBe(2);
    expect(after).toEqual(before);
  });
});
