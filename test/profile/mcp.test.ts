/** The `profile` tool through the BUILT server (`npm run build` first) with the SDK Client over stdio. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileReport } from '../../src/profile/schema.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { fixtures, outDir } from './helpers.js';

let client: Client;

beforeAll(async () => {
  requireBuild();
  // The client declares roots: the fixtures folder is the only one.
  client = new Client({ name: 'profile-test', version: '1.0.0' }, { capabilities: { roots: {} } });
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(fixtures).href, name: 'fixtures' }] }));
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve'], env: cleanEnv(), stderr: 'pipe' }));
});

afterAll(async () => {
  await client?.close();
});

function liveProcesses(fragment: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(fragment) && !/^\s*\d+\s+Z/.test(l));
}

describe('MCP profile tool (built server)', () => {
  it('declares its annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'profile')?.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
  });

  it('profiles a program in the client\'s root, with progress notifications and a report matching the schema', async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'profile', arguments: { command: process.execPath, args: ['split.js', '2.5'] } },
      undefined,
      { onprogress: (p) => progress.push(p.progress), timeout: 60_000 },
    );
    expect(result.isError).toBeFalsy();
    const report = ProfileReport.parse(result.structuredContent);
    expect(report.cwd).toBe(fixtures);
    expect(report.topSelf[0]!.function).toBe('sixty');
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/^CPU in our code: sixty \(split\.js:7\)/);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(report.output.dir.startsWith(path.join(fixtures, '.perf-hunter', 'profiles'))).toBe(true);
    expect(existsSync(report.output.flamegraph!)).toBe(true);
    execFileSync('rm', ['-rf', path.join(fixtures, '.perf-hunter')]);
  });

  it('refuses a cwd outside the roots and a missing command with isError', async () => {
    const outside = await client.callTool({ name: 'profile', arguments: { command: process.execPath, args: ['-e', '1'], cwd: '/' } });
    expect(outside.isError).toBe(true);
    expect((outside.content as Array<{ text: string }>)[0]!.text).toMatch(/outside the allowed roots/);
    const missing = await client.callTool({ name: 'profile', arguments: { command: 'no-such-program-xyz' } });
    expect(missing.isError).toBe(true);
    expect((missing.content as Array<{ text: string }>)[0]!.text).toMatch(/command not found/);
  });

  it('cancellation kills the whole target tree', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'profile', arguments: { command: process.execPath, args: ['forever.js', 'mcp-cancel'], durationSeconds: 120 } }, undefined, {
      signal: controller.signal,
      timeout: 60_000,
    });
    for (let i = 0; i < 100 && liveProcesses('forever.js mcp-cancel').length < 2; i++) await sleep(100);
    expect(liveProcesses('forever.js mcp-cancel').length).toBeGreaterThanOrEqual(2);
    controller.abort();
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 50 && liveProcesses('forever.js mcp-cancel').length > 0; i++) await sleep(100);
    expect(liveProcesses('forever.js mcp-cancel')).toEqual([]);
    // The server is still up.
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
  });
});

describe('CLI profile (built)', () => {
  function cli(args: string[], cwd = fixtures): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: cleanEnv() });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('--json prints the same report shape the tool returns', async () => {
    const run = await cli(['profile', '--json', '--out', outDir(), '--', process.execPath, 'split.js', '1']);
    expect(run.code).toBe(0);
    const report = ProfileReport.parse(JSON.parse(run.stdout));
    expect(report.topSelf[0]!.function).toBe('sixty');
  });

  it('prints a readable report, and one-line errors with exit 2', async () => {
    const ok = await cli(['profile', '--out', outDir(), '--', process.execPath, 'split.js', '1']);
    expect(ok.stdout).toMatch(/Bottleneck \(our-code\): CPU in our code: sixty/);
    expect(ok.stdout).toMatch(/flame graph +\/.*flamegraph\.html/);
    const missing = await cli(['profile', '--', 'no-such-program-xyz']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n').at(-1)).toBe('perf-hunter: command not found: no-such-program-xyz (is it installed and on PATH?)');
    const bad = await cli(['profile', '--duration', 'soon', '--', process.execPath, 'split.js']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--duration must be a number/);
  });

  it('Ctrl-C stops the target, reports what was profiled and leaves no process behind', async () => {
    const child = spawn(process.execPath, [cliPath, 'profile', '--json', '--out', outDir(), '--', process.execPath, 'split.js', '59'], { cwd: fixtures, env: cleanEnv() });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    // Wait for the target itself (not the CLI, whose own command line also names split.js 59).
    const targets = () => liveProcesses('split.js 59').filter((line) => !line.includes(cliPath));
    for (let i = 0; i < 100 && targets().length < 1; i++) await sleep(100);
    await sleep(1500);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const report = ProfileReport.parse(JSON.parse(stdout));
    expect(report.stoppedBy).toBe('stop');
    expect(report.topSelf[0]!.function).toBe('sixty');
    expect(liveProcesses('split.js 59')).toEqual([]);
  });
});
