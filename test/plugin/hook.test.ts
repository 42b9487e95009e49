/**
 * The lint-on-edit hook, run the way Claude Code runs it: the built CLI as a child process with
 * the PostToolUse JSON on stdin. Findings come back as `{"decision":"block","reason":...}` on
 * stdout with exit 0 (the hooks reference's way to feed a PostToolUse result to Claude); a clean
 * file, another tool, a file we cannot lint and broken input are all silent with exit 0.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, offlineEnv } from './helpers.js';

let project: string;

const N_PLUS_ONE = `import { PrismaClient } from '@prisma/client';
const db = new PrismaClient();
export async function ordersOf(userIds: number[]) {
  const out = [];
  for (const id of userIds) {
    out.push(await db.order.findMany({ where: { userId: id } }));
  }
  return out;
}
`;

const CLEAN = `import { PrismaClient } from '@prisma/client';
const db = new PrismaClient();
export async function ordersOf(userIds: number[]) {
  return db.order.findMany({ where: { userId: { in: userIds } } });
}
`;

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runHook(stdin: string, cwd = project, env: Record<string, string> = {}): Promise<HookRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // In-process unless a test asks for the warm helper (its own describe below, with its own cache folder).
    const child = spawn(process.execPath, [cliPath, 'hook', 'post-edit'], { cwd, env: offlineEnv(os.homedir(), { PERF_HUNTER_HOOK_WARM: '0', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    child.stdin.end(stdin);
  });
}

const edit = (file: string, tool = 'Edit', cwd = project): string =>
  JSON.stringify({
    session_id: 'test',
    transcript_path: '/dev/null',
    cwd,
    hook_event_name: 'PostToolUse',
    tool_name: tool,
    tool_input: { file_path: file, old_string: 'a', new_string: 'b' },
    tool_response: { filePath: file, success: true },
  });

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-hook-'));
  mkdirSync(path.join(project, 'src'));
  writeFileSync(path.join(project, 'src/orders.ts'), N_PLUS_ONE);
  writeFileSync(path.join(project, 'src/clean.ts'), CLEAN);
  writeFileSync(path.join(project, 'src/fetch.ts'), 'export async function get(url: string) {\n  const res = await fetch(url);\n  return res.json();\n}\n');
  writeFileSync(path.join(project, 'README.md'), 'for (const id of ids) await db.order.findMany()\n');
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('perf-hunter hook post-edit', () => {
  it('gives an N+1 back to Claude: decision block, the rule, the line, the fix and explain, exit 0', async () => {
    const result = await runHook(edit(path.join(project, 'src/orders.ts')));
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { decision: string; reason: string };
    expect(answer.decision).toBe('block');
    expect(answer.reason).toContain('src/orders.ts:6 n-plus-one');
    expect(answer.reason).toMatch(/Fix: \S/);
    expect(answer.reason).toContain('perf-hunter explain n-plus-one');
    console.log(`hook latency on one file (cold process): ${Math.round(result.ms)} ms`);
  });

  it('reads a path relative to the session cwd, as Write sends it', async () => {
    const result = await runHook(edit('src/orders.ts', 'Write'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
  });

  it('is silent with exit 0 on a clean file', async () => {
    expect(await runHook(edit(path.join(project, 'src/clean.ts')))).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('is silent for other tools and for files it cannot lint', async () => {
    expect(await runHook(edit(path.join(project, 'src/orders.ts'), 'Bash'))).toMatchObject({ code: 0, stdout: '' });
    expect(await runHook(edit(path.join(project, 'README.md')))).toMatchObject({ code: 0, stdout: '' });
  });

  it('never blocks on its own failure: broken stdin, a missing file -> exit 0, nothing on stdout', async () => {
    const broken = await runHook('{"tool_name": "Edit", "tool_input": ');
    expect(broken).toMatchObject({ code: 0, stdout: '' });
    expect(broken.stderr).toMatch(/skipped/);
    expect(await runHook('')).toMatchObject({ code: 0, stdout: '' });
    expect(await runHook('[1,2]')).toMatchObject({ code: 0, stdout: '' });
    expect(await runHook(edit(path.join(project, 'src/gone.ts')))).toMatchObject({ code: 0, stdout: '' });
  });

  it('is switched off by PERF_HUNTER_HOOK_SEVERITY=off, and reports at or above the level it names (default warning)', async () => {
    const file = path.join(project, 'src/orders.ts');
    expect(await runHook(edit(file), project, { PERF_HUNTER_HOOK_SEVERITY: 'off' })).toMatchObject({ code: 0, stdout: '' });
    // A warning (fetch without a timeout) is reported at the default level and hidden at `error`.
    const warning = path.join(project, 'src/fetch.ts');
    expect(JSON.parse((await runHook(edit(warning))).stdout).reason).toContain('no-timeout (warning)');
    expect(await runHook(edit(warning), project, { PERF_HUNTER_HOOK_SEVERITY: 'error' })).toMatchObject({ code: 0, stdout: '' });
  });

  it('follows .perf-hunter.yaml hook: { enabled, severity }', async () => {
    const configured = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-hook-config-'));
    try {
      writeFileSync(path.join(configured, 'orders.ts'), N_PLUS_ONE);
      writeFileSync(path.join(configured, '.perf-hunter.yaml'), 'hook:\n  severity: warning\n');
      const on = await runHook(edit(path.join(configured, 'orders.ts'), 'Edit', configured), configured);
      expect(JSON.parse(on.stdout)).toMatchObject({ decision: 'block' });
      writeFileSync(path.join(configured, '.perf-hunter.yaml'), 'hook:\n  enabled: false\n');
      expect(await runHook(edit(path.join(configured, 'orders.ts'), 'Edit', configured), configured)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
  });
});
