/**
 * The hook's warm helper (src/hook/warm.ts): the first call answers in-process and starts a
 * helper; later calls are answered by it, the same answer, faster; a stale socket file or a
 * helper that answers garbage or hangs up never costs the answer. Each test run has its own
 * cache folder, and the helpers it started are stopped at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, offlineEnv, repoRoot } from './helpers.js';

interface WarmModule {
  socketPathFor(env: NodeJS.ProcessEnv): string;
  askWarmHelper(socket: string, request: { stdin: string; cwd: string }): Promise<{ ok: boolean; answer?: { stdout: string; stderr: string } }>;
  readHelperPid(socket: string): number | undefined;
}

const N_PLUS_ONE = `export async function ordersOf(db: any, userIds: number[]) {
  const out = [];
  for (const id of userIds) {
    out.push(await db.order.findMany({ where: { userId: id } }));
  }
  return out;
}
`;

let project: string;
let cache: string;
let env: Record<string, string>;
let warm: WarmModule;
let socket: string;
const started = new Set<number>();

beforeAll(async () => {
  project = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-warm-project-'));
  cache = mkdtempSync(path.join(os.tmpdir(), 'phw-'));
  writeFileSync(path.join(project, 'orders.ts'), N_PLUS_ONE);
  env = offlineEnv(os.homedir(), { PERF_HUNTER_CACHE_DIR: cache, PERF_HUNTER_HOOK_IDLE_MINUTES: '2' });
  // The built module, as the CLI child uses it: same files, same socket name for the same env.
  warm = (await import(path.join(repoRoot, 'dist/hook/warm.js'))) as WarmModule;
  socket = warm.socketPathFor(env);
});

afterAll(async () => {
  const pid = warm.readHelperPid(socket);
  if (pid) started.add(pid);
  for (const p of started) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  rmSync(project, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

/** The lean entry a hook runner may call instead of the full CLI: same contract, no argument parser. */
const leanEntry = path.join(repoRoot, 'dist/hook/main.js');

function runHook(stdin: string, extra: Record<string, string> = {}, argv = [cliPath, 'hook', 'post-edit']): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: project, env: { ...env, ...extra }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t }));
    child.stdin.end(stdin);
  });
}

const edit = (file: string): string => JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: file }, cwd: project });

async function helperUp(timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const pid = warm.readHelperPid(socket);
    if (pid && (await warm.askWarmHelper(socket, { stdin: '{}', cwd: project })).ok) {
      started.add(pid);
      return pid;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no warm helper on ${socket}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('the warm helper behind perf-hunter hook post-edit', () => {
  const file = () => path.join(project, 'orders.ts');
  let inProcess: { stdout: string; ms: number };

  it('answers the first call in-process and starts a helper in the background', async () => {
    expect(existsSync(socket)).toBe(false);
    inProcess = await runHook(edit(file()));
    expect(JSON.parse(inProcess.stdout)).toMatchObject({ decision: 'block' });
    expect(JSON.parse(inProcess.stdout).reason).toContain('orders.ts:4 n-plus-one');
    const pid = await helperUp();
    expect(pid).not.toBe(process.pid);
  });

  it('later calls get the same answer from the helper, faster than a cold in-process run', async () => {
    const direct = await warm.askWarmHelper(socket, { stdin: edit(file()), cwd: project });
    expect(direct.ok).toBe(true);
    expect(direct.answer!.stdout).toBe(inProcess.stdout);

    const warmRuns: number[] = [];
    const coldRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      // An edited file each time: the linter's content cache cannot answer for either path.
      writeFileSync(file(), `${N_PLUS_ONE}// edit ${i} ${Math.random()}\n`);
      const viaHelper = await runHook(edit(file()));
      expect(viaHelper.code).toBe(0);
      expect(viaHelper.stdout).toBe(inProcess.stdout);
      warmRuns.push(viaHelper.ms);
      writeFileSync(file(), `${N_PLUS_ONE}// cold ${i} ${Math.random()}\n`);
      coldRuns.push((await runHook(edit(file()), { PERF_HUNTER_HOOK_WARM: '0' })).ms);
    }
    console.log(`hook on an edited file: warm helper p50 ${Math.round(median(warmRuns))} ms, in-process p50 ${Math.round(median(coldRuns))} ms`);
    expect(median(warmRuns)).toBeLessThan(median(coldRuns));
  }, 120_000);

  it('dist/hook/main.js post-edit gives the same answer through the same helper, exit 0', async () => {
    writeFileSync(file(), N_PLUS_ONE);
    const lean = await runHook(edit(file()), {}, [leanEntry, 'post-edit']);
    expect(lean).toMatchObject({ code: 0, stdout: inProcess.stdout, stderr: '' });
    const clean = path.join(project, 'clean.ts');
    writeFileSync(clean, 'export const x = 1;\n');
    expect(await runHook(edit(clean), {}, [leanEntry, 'post-edit'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await runHook('not json', {}, [leanEntry, 'post-edit'])).toMatchObject({ code: 0, stdout: '' });
    const usage = await runHook('', {}, [leanEntry]);
    expect(usage.code).toBe(0);
    expect(usage.stderr).toContain('usage:');
  });

  it('a helper that hangs up or answers garbage costs nothing but speed: the answer comes in-process', async () => {
    const fakeEnv = { PERF_HUNTER_HOOK_SEVERITY: 'warning' }; // another setting: another socket name
    const fakeSocket = warm.socketPathFor({ ...env, ...fakeEnv });
    for (const behave of [(c: net.Socket) => c.destroy(), (c: net.Socket) => c.end('not json')]) {
      const fake = net.createServer({ allowHalfOpen: true }, (c) => {
        c.on('error', () => undefined);
        c.resume();
        c.on('end', () => behave(c));
      });
      await new Promise<void>((r) => fake.listen(fakeSocket, r));
      try {
        const result = await runHook(edit(file()), fakeEnv);
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
      } finally {
        await new Promise((r) => fake.close(r));
      }
    }
  });

  it('a stale socket file (its helper died) is replaced by a new helper', async () => {
    const staleEnv = { PERF_HUNTER_HOOK_SEVERITY: 'info' }; // another setting: another socket name
    const staleSocket = warm.socketPathFor({ ...env, ...staleEnv });
    writeFileSync(staleSocket, ''); // a file nobody listens on: connect is refused
    const result = await runHook(edit(file()), staleEnv);
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
    const until = Date.now() + 30_000;
    let answered = false;
    while (!answered && Date.now() < until) {
      answered = (await warm.askWarmHelper(staleSocket, { stdin: '{}', cwd: project })).ok;
      if (!answered) await new Promise((r) => setTimeout(r, 100));
    }
    const pid = warm.readHelperPid(staleSocket);
    if (pid) started.add(pid);
    expect(answered).toBe(true);
  });
});
