import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSkillDirs } from '../../src/skills/load.js';
import { checkRegex } from '../../src/skills/regex-check.js';
import { parseYaml } from '../../src/skills/yaml-file.js';

describe('resolveSkillDirs', () => {
  it('puts --skills-dir values first, then PERF_HUNTER_SKILLS_DIR split on the path delimiter', () => {
    const env = { PERF_HUNTER_SKILLS_DIR: ['/env/one', '', '/env/two'].join(path.delimiter) };
    expect(resolveSkillDirs({ cliDirs: ['/cli/a', '/cli/b'], env })).toEqual(['/cli/a', '/cli/b', '/env/one', '/env/two']);
  });

  it('expands ~, resolves relative paths and drops repeats', () => {
    const env = { PERF_HUNTER_SKILLS_DIR: `~/.spawner/skills${path.delimiter}rel` };
    expect(resolveSkillDirs({ cliDirs: ['~', 'rel'], env })).toEqual([
      os.homedir(),
      path.resolve('rel'),
      path.join(os.homedir(), '.spawner/skills'),
    ]);
  });

  it('returns nothing when neither is set', () => {
    expect(resolveSkillDirs({ cliDirs: [], env: {} })).toEqual([]);
    expect(resolveSkillDirs()).toEqual([]);
  });
});

describe('checkRegex', () => {
  it('keeps a valid regex as written', () => {
    expect(checkRegex('a\\.b')).toEqual({ ok: true, pattern: 'a\\.b' });
  });

  it('undoes YAML single-quote double escaping, whether or not the doubled form compiles', () => {
    expect(checkRegex('redis\\\\.keys\\\\(')).toEqual({ ok: true, pattern: 'redis\\.keys\\(', repairedFrom: 'redis\\\\.keys\\\\(' });
    expect(checkRegex('time\\\\.sleep')).toEqual({ ok: true, pattern: 'time\\.sleep', repairedFrom: 'time\\\\.sleep' });
  });

  it('leaves a regex alone that mixes single and doubled backslashes (a literal backslash is meant)', () => {
    expect(checkRegex('C:\\\\Users\\s')).toEqual({ ok: true, pattern: 'C:\\\\Users\\s' });
  });

  it('accepts Python syntax the linter translates, rejects what it cannot run', () => {
    expect(checkRegex('(?P<name>x)')).toEqual({ ok: true, pattern: '(?P<name>x)' });
    expect(checkRegex('(?i)select \\* from')).toMatchObject({ ok: true });
    expect(checkRegex('a++b')).toMatchObject({ ok: false, error: expect.stringMatching(/possessive/) });
    expect(checkRegex('(unclosed')).toMatchObject({ ok: false });
  });
});

describe('parseYaml', () => {
  it('gives collections their position without building a Document, scalars through locate', () => {
    const parsed = parseYaml('f.yaml', '# lead\nlist:\n  # note\n  - id: a\n    n: 1\n');
    if (!parsed.ok) throw new Error('expected ok');
    const data = parsed.value.data as { list: Array<{ id: string }> };
    expect(parsed.value.positionOf(data.list[0])).toEqual({ line: 4, column: 5 });
    expect(parsed.value.locate(['list', 0, 'n'])).toEqual({ line: 5, column: 8 });
    expect(parsed.value.locate(['list', 0, 'missing'])).toEqual({ line: 4, column: 5 });
  });

  it('turns a syntax error into a 1-based position and a message', () => {
    expect(parseYaml('f.yaml', 'a: 1\na: 2\n')).toEqual({
      ok: false,
      error: { file: 'f.yaml', line: 2, column: 1, message: 'YAML syntax error: duplicated mapping key' },
    });
  });
});
