/**
 * Claude Code's own CLI (devDependency) adds the built server and health-checks it, offline:
 * a throwaway HOME holds its config, no ANTHROPIC_* variable is passed, and non-essential traffic
 * (telemetry, update checks) is switched off. `claude mcp list` starts each server and runs the
 * MCP handshake, which is what "✔ Connected" reports.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, requireBuild, startHttpServer, type HttpServerProcess } from './built-server.js';

const run = promisify(execFile);
// 2.x ships a native executable behind this bin link (no `node` in front).
const claudeBin = path.join(repoRoot, 'node_modules/.bin/claude');
let home: string;

function claudeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(ANTHROPIC_|CLAUDE_|PERF_HUNTER_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1' };
}

async function claude(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(claudeBin, args, { cwd: home, env: claudeEnv(), timeout: 90_000 });
  return `${stdout}${stderr}`;
}

describe("Claude Code's CLI connects to the built server", () => {
  let server: HttpServerProcess;
  const token = 'claude-code-test-token';

  beforeAll(async () => {
    requireBuild();
    home = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-claude-'));
    server = await startHttpServer([], { PERF_HUNTER_TOKEN: token });
  });

  afterAll(async () => {
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('claude mcp add (stdio and HTTP with a bearer token) then claude mcp list shows them connected', async () => {
    expect(await claude('mcp', 'add', 'perf-hunter', '--', process.execPath, cliPath, 'serve')).toContain('Added stdio MCP server perf-hunter');
    await claude('mcp', 'add', '--transport', 'http', 'perf-hunter-http', server.url, '--header', `Authorization: Bearer ${token}`);
    await claude('mcp', 'add', '--transport', 'http', 'perf-hunter-bad-token', server.url, '--header', 'Authorization: Bearer wrong');

    const list = await claude('mcp', 'list');
    const line = (name: string) => list.split('\n').find((l) => l.startsWith(`${name}:`)) ?? `(no line for ${name} in: ${list})`;
    expect(line('perf-hunter')).toMatch(/✔ Connected|\bConnected\b/);
    expect(line('perf-hunter-http')).toMatch(/✔ Connected|\bConnected\b/);
    // The refused token proves the check above was real, not a listing that always says Connected.
    expect(line('perf-hunter-bad-token')).not.toMatch(/✔ Connected/);
  });
});
