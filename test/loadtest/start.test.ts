/**
 * load_test with `start`: the server is started without a shell, load waits until it is ready,
 * and the whole tree (the server and a child it spawned) is gone at the end, on a ready timeout,
 * when it dies first and on cancel. The probe's counts come back as `queries`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/loadtest/run.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { freePort } from '../support/net.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ph-start-test-'));
// A server that spawns a long-lived child and writes both pids, so the test can check both are gone.
writeFileSync(
  path.join(dir, 'server.cjs'),
  `const http = require('node:http');
   const { spawn } = require('node:child_process');
   const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
   require('node:fs').writeFileSync(process.argv[3], JSON.stringify([process.pid, child.pid]));
   const server = http.createServer((req, res) => setTimeout(() => res.end('ok'), 2));
   setTimeout(() => server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready to serve')), 300);`,
);
writeFileSync(path.join(dir, 'never.cjs'), `require('node:fs').writeFileSync(process.argv[2], JSON.stringify([process.pid])); setInterval(() => {}, 1000); console.log('starting forever');`);
writeFileSync(path.join(dir, 'dies.cjs'), `console.error('cannot open the database'); process.exit(4);`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 40 && pids.some(alive); i++) await sleep(50);
  return !pids.some(alive);
}

describe('load_test: start the target', () => {
  it('waits for the ready line, measures, reports the probe and stops the server with its child', async () => {
    const port = await freePort();
    const pids = path.join(dir, `pids-${port}.json`);
    const report = await runLoadTest(
      { url: `http://127.0.0.1:${port}/items/42`, durationSeconds: 1, connections: 2, start: { command: process.execPath, args: ['server.cjs', String(port), pids], readyPattern: '^ready to serve$' } },
      { cwd: dir },
    );
    expect(report.requests.total).toBeGreaterThan(10);
    expect(report.errors).toBe(0);
    expect(report.queries).toMatchObject({ libraries: [], routes: [expect.objectContaining({ route: 'GET /items/:id', queriesPerRequest: { mean: 0, min: 0, max: 0 } })], nPlusOne: [] });
    expect(await gone(JSON.parse(readFileSync(pids, 'utf8')) as number[])).toBe(true);
  });

  it('says when the server is not ready in time, or dies first, with its output, and leaves nothing running', async () => {
    const port = await freePort();
    const pids = path.join(dir, `never-${port}.json`);
    await expect(
      runLoadTest({ url: `http://127.0.0.1:${port}/`, durationSeconds: 1, start: { command: process.execPath, args: ['never.cjs', pids], readyTimeoutSeconds: 1 } }, { cwd: dir }),
    ).rejects.toThrow(/was not ready within 1 s \(waited for 127\.0\.0\.1:\d+ to accept connections\); its last output: starting forever/);
    expect(await gone(JSON.parse(readFileSync(pids, 'utf8')) as number[])).toBe(true);
    await expect(
      runLoadTest({ url: `http://127.0.0.1:${port}/`, durationSeconds: 1, start: { command: process.execPath, args: ['dies.cjs'] } }, { cwd: dir }),
    ).rejects.toThrow(/exited \(4\) before it was ready.*cannot open the database/);
    await expect(
      runLoadTest({ url: `http://127.0.0.1:${port}/`, start: { command: 'no-such-program-ph' } }, { cwd: dir }),
    ).rejects.toThrow(/cannot start the target: command not found: no-such-program-ph/);
    await expect(
      runLoadTest({ url: `http://127.0.0.1:${port}/`, start: { command: process.execPath, readyPattern: '(' } }, { cwd: dir }),
    ).rejects.toThrow(/readyPattern is not a valid regular expression/);
    await expect(
      runLoadTest({ url: `http://127.0.0.1:${port}/`, start: { command: process.execPath, cwd: '/' } }, { cwd: dir }),
    ).rejects.toThrow(/outside the allowed roots/);
  });

  it('cancel stops the load and kills the server and its child', async () => {
    const port = await freePort();
    const pids = path.join(dir, `pids-${port}.json`);
    const cancel = new AbortController();
    const run = runLoadTest(
      { url: `http://127.0.0.1:${port}/`, durationSeconds: 20, start: { command: process.execPath, args: ['server.cjs', String(port), pids] } },
      { cwd: dir, signal: cancel.signal },
    );
    for (let i = 0; i < 200; i++) {
      if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) break;
      await sleep(50);
    }
    cancel.abort();
    await expect(run).rejects.toThrow(/cancelled/);
    expect(await gone(JSON.parse(readFileSync(pids, 'utf8')) as number[])).toBe(true);
  });

  it('CLI: --start runs the server given after --, prints the probe section, and refuses half a command line', async () => {
    requireBuild();
    const port = await freePort();
    const cli = (args: string[]) => spawnSync(process.execPath, [cliPath, 'load-test', ...args], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    const ok = cli([`http://127.0.0.1:${port}/a/1`, '-d', '1', '-c', '2', '--ready-pattern', 'ready', '--start', '--', process.execPath, 'server.cjs', String(port), path.join(dir, 'cli-pids.json')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Queries per request \(runtime probe; libraries: none loaded\):\n  GET \/a\/:id: \d+ requests, queries\/request mean 0 max 0/);
    expect(await gone(JSON.parse(readFileSync(path.join(dir, 'cli-pids.json'), 'utf8')) as number[])).toBe(true);
    const noCommand = cli([`http://127.0.0.1:${port}/`, '--start']);
    expect(noCommand.status).toBe(2);
    expect(noCommand.stderr).toMatch(/--start needs the server command after --/);
    const noStart = cli([`http://127.0.0.1:${port}/`, '--', 'node', 'x.js']);
    expect(noStart.status).toBe(2);
    expect(noStart.stderr).toMatch(/to start a server first, add --start/);
  });
});
