/**
 * Bad tool input through a real SDK Client and the real server core: wrong types, missing fields,
 * paths outside the roots (.. and a symlink out), missing, binary, invalid-UTF-8 and 50 MB files,
 * and target commands that do not exist, exit at once, never exit or flood stdout. Each answer is
 * an isError with a message that says what was wrong, or a bounded result, within a time bound.
 */
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { performanceHunter } from '../server/make-skills.js';

let dir: string;
let client: Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ph-bad-input-'));
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src/ok.ts'), 'export const x = 1;\n');
  await symlink('/etc', path.join(dir, 'src/etc-link'));
  await symlink('/etc/passwd', path.join(dir, 'src/passwd-link.ts'));
  const random = Buffer.alloc(64 * 1024);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
  await writeFile(path.join(dir, 'src/binary.ts'), random);
  await writeFile(path.join(dir, 'src/bad-utf8.ts'), Buffer.concat([Buffer.from('const a = "'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xa0, 0xa1]), Buffer.from('";\nfor (const u of users) { await db.query(u); }\n')]));
  // 50 MB of minified JavaScript on one line.
  const chunk = 'var a=function(b){return b.map(function(c){return c*2}).filter(Boolean)};';
  await writeFile(path.join(dir, 'src/huge.min.js'), chunk.repeat(Math.ceil((50 * 1024 * 1024) / chunk.length)));
  await writeFile(path.join(dir, 'exit-now.cjs'), 'process.exit(3);\n');
  await writeFile(path.join(dir, 'forever.cjs'), 'setInterval(() => {}, 1000);\n');
  await writeFile(path.join(dir, 'flood.cjs'), "const s = 'x'.repeat(65536) + '\\n'; const w = () => { while (process.stdout.write(s)); process.stdout.once('drain', w); }; w();\n");

  const server = createServer({ catalog: async () => new SkillCatalog([performanceHunter()], []), log: () => {}, cwd: dir, extraRoots: async () => [] });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'bad-input', version: '1' });
  await client.connect(clientSide);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(name: string, args: unknown, maxMs = 15_000): Promise<CallToolResult & { text: string; ms: number }> {
  const started = Date.now();
  const result = (await client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, { timeout: maxMs + 5000 })) as CallToolResult;
  const ms = Date.now() - started;
  expect(ms, `${name} took ${ms} ms`).toBeLessThan(maxMs);
  const text = result.content.map((c) => ('text' in c ? c.text : '')).join('\n');
  return { ...result, text, ms };
}

describe('wrong types and missing fields', () => {
  it.each([
    ['lint', { paths: 5 }, /paths/],
    ['lint', { paths: [] }, /paths is empty/],
    ['lint', {}, /paths|code/],
    ['explain', { id: 12 }, /id/],
    ['explain', {}, /id/],
    ['profile', { command: 7 }, /command/],
    ['profile', {}, /command/],
    ['profile', { command: 'node', durationSeconds: 'long' }, /durationSeconds/],
    ['load_test', { url: [] }, /url/],
    ['load_test', {}, /url/],
    ['load_test', { url: 'not a url' }, /not a URL/],
    ['load_test', { url: 'file:///etc/passwd' }, /http/],
    ['handoff', { text: 5 }, /text/],
    ['handoff', { findings: 'all' }, /findings/],
  ])('%s %j is an error naming the field', async (tool, args, message) => {
    const result = await call(tool, args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(message);
  });
});

describe('paths', () => {
  it.each([['../../etc/passwd'], ['/etc/passwd'], ['src/etc-link/passwd'], ['src/passwd-link.ts'], ['src/etc-link']])('lint %s is refused as outside the roots', async (p) => {
    const result = await call('lint', { paths: [p] });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/outside the allowed roots/);
  });

  it('profile with a cwd outside the roots is refused', async () => {
    const result = await call('profile', { command: process.execPath, args: ['-e', '1'], cwd: '/etc' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/outside the allowed roots/);
  });

  it('a file that does not exist is a clear error', async () => {
    const result = await call('lint', { paths: ['src/missing.ts'] });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/missing\.ts/);
    expect(result.text).toMatch(/not found|does not exist|no such|ENOENT/i);
  });
});

describe('hostile files', () => {
  it('a binary file, invalid UTF-8 and a 50 MB minified file give bounded answers, and the good file is still linted', async () => {
    const result = await call('lint', { paths: ['src/binary.ts', 'src/bad-utf8.ts', 'src/huge.min.js', 'src/ok.ts'] }, 30_000);
    expect(result.isError, result.text).toBeFalsy();
    const report = result.structuredContent as { files: { scanned: number; skipped: number; skippedBy: Record<string, number> }; findings: Array<{ file: string }> };
    // The 50 MB file and the binary one are skipped and say why; the invalid UTF-8 file and ok.ts are read.
    expect(report.files.skipped).toBeGreaterThanOrEqual(2);
    expect(Object.keys(report.files.skippedBy).join(' ')).toMatch(/tooLarge|minified/);
    expect(Object.keys(report.files.skippedBy).join(' ')).toMatch(/binary/);
    expect(report.files.scanned).toBeGreaterThanOrEqual(2);
    // Bounded: the answer is a summary, not the file.
    expect(JSON.stringify(result).length).toBeLessThan(200_000);
  });
});

describe('target commands', () => {
  it('a command that does not exist', async () => {
    const result = await call('profile', { command: 'no-such-program-perf-hunter', durationSeconds: 1 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/command not found: no-such-program-perf-hunter/);
  });

  it('a command that exits at once', async () => {
    const result = await call('profile', { command: process.execPath, args: ['exit-now.cjs'], durationSeconds: 5 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/code 3/);
  });

  it('a command that never exits is stopped at its time limit', async () => {
    const result = await call('profile', { command: process.execPath, args: ['forever.cjs'], durationSeconds: 1 }, 15_000);
    expect(result.isError, result.text).toBeFalsy();
  });

  it('a command that floods stdout is stopped at its time limit with a bounded answer', async () => {
    const result = await call('profile', { command: process.execPath, args: ['flood.cjs'], durationSeconds: 1 }, 20_000);
    expect(JSON.stringify(result).length).toBeLessThan(500_000);
    expect(result.text).not.toMatch(/x{1000}/);
  });

  it('a load test at a port where nothing listens is one clear error', async () => {
    const result = await call('load_test', { url: 'http://127.0.0.1:9/', durationSeconds: 1, timeoutSeconds: 1 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/cannot connect/);
  });
});
