/**
 * No child process of perf-hunter outlives its job: after a cancelled or timed-out profile, a
 * cancelled load test, and after the server itself is killed (SIGTERM, and SIGKILL: nothing can
 * run in the server then, so the children must notice on their own). Every target carries an
 * environment marker so the test finds its processes even once they are re-parented to init.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, processesWithEnv, startRawStdio, type RawStdioServer } from './harness.js';

/** A target that never exits and starts a grandchild that never exits either (like npm -> node, or a worker pool). */
const TARGET = `
const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
setInterval(() => {}, 1000);
console.log('started');
`;

let dir: string;
let marker = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ph-procs-'));
  await writeFile(path.join(dir, 'target.cjs'), TARGET);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function newMarker(): string {
  return `PERF_HUNTER_TEST_MARK=${process.pid}-${Date.now()}-${marker++}`;
}

function profileCall(id: number, mark: string, durationSeconds: number): string {
  const [key, value] = mark.split('=') as [string, string];
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'profile', arguments: { command: process.execPath, args: ['target.cjs'], durationSeconds, env: { [key]: value } } },
  });
}

/** Waits until the marked processes number `n` (both target and grandchild running), or fails. */
async function waitForMarked(mark: string, n: number, ms = 15_000): Promise<number[]> {
  const end = Date.now() + ms;
  let found: number[] = [];
  while (Date.now() < end) {
    found = processesWithEnv(mark);
    if (found.length >= n) return found;
    await sleep(50);
  }
  throw new Error(`expected ${n} marked processes, found ${found.length}`);
}

async function waitGone(mark: string, ms = 8000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = processesWithEnv(mark);
  while (left.length > 0 && Date.now() < end) {
    await sleep(50);
    left = processesWithEnv(mark);
  }
  return left;
}

/** The server's own descendants (the profiled group's watchdog included), once they had time to exit. */
async function descendantsAfter(pid: number, ms = 3000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = descendants(pid);
  while (left.length > 0 && Date.now() < end) {
    await sleep(50);
    left = descendants(pid);
  }
  return left;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

describe('child processes of the server', () => {
  let server: RawStdioServer | undefined;
  afterAll(async () => server?.stop());

  it('a cancelled profile leaves no process behind', async () => {
    server = await startRawStdio([], { cwd: dir });
    const mark = newMarker();
    server.send(profileCall(1, mark, 60));
    await waitForMarked(mark, 2);
    server.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'test' } }));
    const left = await waitGone(mark);
    killAll(left);
    expect(left).toEqual([]);
    expect(await descendantsAfter(server.child.pid!)).toEqual([]);
  });

  it('a profile that reaches its time limit stops the whole tree, grandchild included', async () => {
    server ??= await startRawStdio([], { cwd: dir });
    const mark = newMarker();
    server.send(profileCall(2, mark, 1));
    await waitForMarked(mark, 2);
    const answer = (await server.answer(2)) as { result?: { isError?: boolean } };
    expect(answer.result).toBeDefined();
    const left = await waitGone(mark, 3000);
    killAll(left);
    expect(left).toEqual([]);
    expect(await descendantsAfter(server.child.pid!)).toEqual([]);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} to the server while a profile runs leaves no process behind`, async () => {
      const victim = await startRawStdio([], { cwd: dir });
      const mark = newMarker();
      victim.send(profileCall(3, mark, 60));
      await waitForMarked(mark, 2);
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill(signal);
      await exited;
      const left = await waitGone(mark, 8000);
      killAll(left);
      expect(left, `orphans after ${signal}`).toEqual([]);
    });
  }
});

describe('a load test that starts its target', () => {
  it('SIGKILL to the server mid-run leaves no process of the started target behind', async () => {
    await writeFile(path.join(dir, 'serve.cjs'), "const s = require('node:http').createServer((q, r) => r.end('ok')); s.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));\n");
    const port = 20_000 + (process.pid % 20_000);
    const mark = newMarker();
    const [key, value] = mark.split('=') as [string, string];
    const victim = await startRawStdio([], { cwd: dir });
    victim.send(JSON.stringify({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'load_test', arguments: { url: `http://127.0.0.1:${port}/`, durationSeconds: 30, connections: 2, start: { command: process.execPath, args: ['serve.cjs', String(port)], env: { [key]: value }, readyPattern: 'ready' } } },
    }));
    await waitForMarked(mark, 1);
    await sleep(500);
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;
    const left = await waitGone(mark, 8000);
    killAll(left);
    expect(left, 'orphans after SIGKILL').toEqual([]);
  });
});

describe('a cancelled load test', () => {
  it('stops sending: the target sees no new connection after the cancel is answered', async () => {
    // A loopback server in a child process, counting connections, so the test's own event loop stays free.
    const target = spawn(process.execPath, ['-e', `
      const http = require('node:http');
      let conns = 0;
      const s = http.createServer((q, r) => r.end('ok'));
      s.on('connection', () => conns++);
      s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));
      setInterval(() => console.log('conns ' + conns), 100);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    target.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      while (!/port (\d+)/.test(out)) await sleep(20);
      const port = /port (\d+)/.exec(out)![1];
      const server = await startRawStdio();
      try {
        server.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'load_test', arguments: { url: `http://127.0.0.1:${port}/`, durationSeconds: 30, connections: 4 } } }));
        await sleep(1500);
        server.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9, reason: 'test' } }));
        await sleep(1000);
        const conns = (): number => Number([...out.matchAll(/conns (\d+)/g)].pop()?.[1] ?? 0);
        const atCancel = conns();
        expect(atCancel).toBeGreaterThan(0);
        await sleep(1000);
        expect(conns()).toBe(atCancel);
        expect(await descendantsAfter(server.child.pid!)).toEqual([]);
        expect(server.child.exitCode).toBeNull();
      } finally {
        await server.stop();
      }
    } finally {
      target.kill('SIGKILL');
    }
  });
});
