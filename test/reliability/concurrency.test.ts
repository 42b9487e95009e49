/**
 * Concurrency on the BUILT server over stdio: 100 mixed tool calls in flight at once each get
 * their own right answer; a profile and a load test running at the same time each report their
 * own target and nothing of the other's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { cleanEnv, cliPath, extraSkillsDir, requireBuild } from '../server/built-server.js';

let client: Client;
let dir: string;

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ph-concurrency-'));
  // A CPU-bound target with a function name no other job could produce.
  await writeFile(path.join(dir, 'busy.cjs'), 'function spinForConcurrencyTest() { let x = 0; for (let i = 0; i < 2e5; i++) x += Math.sqrt(i); return x; }\nsetInterval(spinForConcurrencyTest, 5);\n');
  await writeFile(path.join(dir, 'other.cjs'), 'function otherSpinner() { let x = 0; for (let i = 0; i < 2e5; i++) x += Math.cbrt(i); return x; }\nsetInterval(otherSpinner, 5);\n');
  client = new Client({ name: 'concurrency', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve', '--skills-dir', extraSkillsDir], env: cleanEnv(), cwd: dir, stderr: 'ignore' }));
});

afterAll(async () => {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
});

type Expectation = { name: string; args: Record<string, unknown>; check: (r: CallToolResult) => void };

/** Call i: its input carries i, and its check proves the answer is for that input. */
function mixedCall(i: number): Expectation {
  switch (i % 4) {
    case 0:
      return {
        name: 'lint',
        // The finding's line is i-dependent: blank lines push the loop down.
        args: { code: `${'\n'.repeat(i)}async function f(users, db) { for (const u of users) { await db.query(u); } }`, filename: `call-${i}.ts` },
        check: (r) => {
          const findings = (r.structuredContent as { findings: Array<{ ruleId: string; line: number }> }).findings;
          expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['n-plus-one', i + 1]]);
        },
      };
    case 1: {
      const id = ['n-plus-one-queries', 'db-tuner', 'performance-hunter', 'covering-index'][(i >> 2) % 4]!;
      return { name: 'explain', args: { id }, check: (r) => expect((r.structuredContent as { id: string }).id).toBe(id) };
    }
    case 2:
      return {
        name: 'handoff',
        args: { text: i % 8 === 2 ? 'our vector search got really slow' : 'the checkout endpoint is slow' },
        check: (r) => {
          const skills = (r.structuredContent as { handoffs: Array<{ skill: string }> }).handoffs.map((h) => h.skill);
          if (i % 8 === 2) expect(skills).toContain('vector-specialist');
          else expect(skills).not.toContain('vector-specialist');
        },
      };
    default:
      return { name: 'list_skills', args: { query: 'db tuner' }, check: (r) => expect((r.structuredContent as { skills: Array<{ id: string }> }).skills.map((s) => s.id)).toEqual(['db-tuner']) };
  }
}

describe('100 tool calls in flight at once', () => {
  it('each answers correctly', async () => {
    const calls = Array.from({ length: 100 }, (_, i) => mixedCall(i));
    const results = await Promise.all(calls.map((c) => client.callTool({ name: c.name, arguments: c.args }) as Promise<CallToolResult>));
    results.forEach((result, i) => {
      expect(result.isError, `call ${i} (${calls[i]!.name}): ${JSON.stringify(result.content)}`).toBeFalsy();
      calls[i]!.check(result);
    });
  });
});

describe('two long jobs at once', () => {
  let target: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    target = spawn(process.execPath, ['-e', "const s = require('node:http').createServer((q, r) => r.end('concurrency-target')); s.listen(0, '127.0.0.1', () => console.log(s.address().port));"], { stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve) => target.stdout!.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));
  });
  afterAll(() => {
    target?.kill('SIGKILL');
  });

  it('a profile and a load test do not mix their output', async () => {
    const [profile, load] = (await Promise.all([
      client.callTool({ name: 'profile', arguments: { command: process.execPath, args: ['busy.cjs'], durationSeconds: 2 } }),
      client.callTool({ name: 'load_test', arguments: { url: `http://127.0.0.1:${port}/`, durationSeconds: 2, connections: 2 } }),
    ])) as CallToolResult[];
    expect(profile!.isError, JSON.stringify(profile!.content)).toBeFalsy();
    expect(load!.isError, JSON.stringify(load!.content)).toBeFalsy();
    const p = profile!.structuredContent as { topSelf: Array<{ function: string }> };
    const l = load!.structuredContent as { requests: { total: number }; errors: number };
    expect(p.topSelf.map((h) => h.function)).toContain('spinForConcurrencyTest');
    expect(JSON.stringify(p)).not.toContain(`127.0.0.1:${port}`);
    expect(l.requests.total).toBeGreaterThan(0);
    expect(l.errors).toBe(0);
    expect(JSON.stringify(l)).not.toContain('spinForConcurrencyTest');
  });

  it('two profiles at once each report their own target', async () => {
    const [a, b] = (await Promise.all([
      client.callTool({ name: 'profile', arguments: { command: process.execPath, args: ['busy.cjs'], durationSeconds: 2 } }),
      // Started 50 ms later: two runs started in the same millisecond share the default timestamped
      // output folder and one fails (a known gap in src/profile, listed in RELIABILITY.md).
      sleep(50).then(() => client.callTool({ name: 'profile', arguments: { command: process.execPath, args: ['other.cjs'], durationSeconds: 2 } })),
    ])) as CallToolResult[];
    expect(a!.isError, JSON.stringify(a!.content)).toBeFalsy();
    expect(b!.isError, JSON.stringify(b!.content)).toBeFalsy();
    const names = (r: CallToolResult): string[] => (r.structuredContent as { topSelf: Array<{ function: string }> }).topSelf.map((h) => h.function);
    expect(names(a!)).toContain('spinForConcurrencyTest');
    expect(names(a!)).not.toContain('otherSpinner');
    expect(names(b!)).toContain('otherSpinner');
    expect(names(b!)).not.toContain('spinForConcurrencyTest');
  });
});
