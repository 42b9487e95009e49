/** `changed` (files changed since a git ref) and `shard` (a stable i/n split) over a real temp git repository. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';

const SYNC_IO = (n: number) => `import { readFileSync } from 'node:fs';\nexport async function f${n}() {\n  return readFileSync('/etc/hosts');\n}\n`;
let dir: string;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
const lint = (extra: { changed?: string | true; shard?: string }) =>
  runLint({ paths: ['.'], ...extra }, { cwd: dir, all: true, config: false });

beforeAll(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'ph-changed-')));
  git('init', '-q', '-b', 'main');
  for (const n of [1, 2, 3, 4, 5, 6]) write(`m${n}.ts`, SYNC_IO(n));
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  write('m2.ts', SYNC_IO(2) + '// touched on the branch\n');
  git('commit', '-q', '-am', 'feature work');
  write('m3.ts', SYNC_IO(3) + '// uncommitted\n');
  write('new.ts', SYNC_IO(7));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('changed', () => {
  it('defaults to the merge base with main: branch commits, uncommitted edits and untracked files', async () => {
    const report = await lint({ changed: true });
    expect([...new Set(report.findings.map((f) => f.file))]).toEqual(['m2.ts', 'm3.ts', 'new.ts']);
    expect(report.files.scanned).toBe(3);
  });

  it('takes an explicit ref', async () => {
    const report = await lint({ changed: 'HEAD' });
    expect([...new Set(report.findings.map((f) => f.file))]).toEqual(['m3.ts', 'new.ts']);
  });

  it('says what is wrong with a bad ref or outside a repository', async () => {
    await expect(lint({ changed: 'no-such-ref' })).rejects.toThrow(/cannot compare with no-such-ref: git diff failed/);
    await expect(lint({ changed: '--output=x' })).rejects.toThrow(/is not a git ref/);
    const bare = realpathSync(mkdtempSync(path.join(tmpdir(), 'ph-nogit-')));
    writeFileSync(path.join(bare, 'a.ts'), SYNC_IO(1));
    try {
      await expect(runLint({ paths: ['.'], changed: true }, { cwd: bare, config: false })).rejects.toThrow(/cannot lint only changed files: git rev-parse failed/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('shard', () => {
  it('splits the files into disjoint shards that cover them all, the same way every time', async () => {
    const all = (await lint({})).findings.map((f) => f.file).sort();
    const shards = await Promise.all(['1/3', '2/3', '3/3'].map(async (shard) => (await lint({ shard })).findings.map((f) => f.file)));
    expect(shards.flat().sort()).toEqual(all);
    expect(new Set(shards.flat()).size).toBe(all.length);
    expect(shards.filter((s) => s.length > 0).length).toBeGreaterThan(1);
    expect((await lint({ shard: '2/3' })).findings.map((f) => f.file)).toEqual(shards[1]);
  });

  it('refuses a shard outside 1..n', async () => {
    await expect(lint({ shard: '0/3' })).rejects.toThrow(/shard must be i\/n with 1 <= i <= n/);
    await expect(lint({ shard: '4/3' })).rejects.toThrow(/shard must be i\/n/);
    await expect(lint({ shard: 'x' })).rejects.toThrow(/shard must be i\/n/);
  });
});
