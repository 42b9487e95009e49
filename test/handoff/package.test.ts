/**
 * The handoff package for skills runners, end to end: real reports from the built CLI (a lint
 * report of a file with an N+1, a load test with an SLO it fails, a CPU profile) go in as
 * `--evidence`; the package validates against the schema `--package-schema` prints (checked with
 * ajv), carries file:line findings, load-test figures and SLO verdicts, hotspots, files and what
 * to return; the brief says the same in Markdown; the MCP tool returns it in structuredContent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { HandoffPackage, HandoffResult, PACKAGE_FORMAT } from '../../src/handoff/schema.js';
import { runHandoff } from '../../src/handoff/run.js';
import { cleanEnv, cliPath, repoRoot, requireBuild } from '../server/built-server.js';

const fixtures = path.join(repoRoot, 'test/fixtures/handoff');
let tmp: string;
let server: http.Server;
const reports: { lint: string; load: string; profile: string } = { lint: '', load: '', profile: '' };

function cli(args: string[], cwd = tmp) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { cwd, env: cleanEnv({ PERF_HUNTER_HOOK_WARM: '0' }), encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

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

const BUSY = `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const end = Date.now() + 600;
while (Date.now() < end) fib(22);
`;

beforeAll(async () => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-package-'));
  writeFileSync(path.join(tmp, 'orders.ts'), N_PLUS_ONE);
  writeFileSync(path.join(tmp, 'busy.js'), BUSY);
  // A server slow enough that "p99<1ms" fails.
  server = http.createServer((_req, res) => setTimeout(() => res.end('ok'), 3));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  const lint = cli(['validate', 'orders.ts', '--format', 'json']);
  expect(lint.code, lint.stderr).toBe(1);
  reports.lint = path.join(tmp, 'lint.json');
  writeFileSync(reports.lint, lint.stdout);

  const load = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // Async: the server lives in this process and must keep answering while the CLI runs.
    const child = spawn(process.execPath, [cliPath, 'load-test', `http://127.0.0.1:${port}/`, '-d', '1', '-c', '4', '--slo', 'p99=1ms', '--json'], { cwd: tmp, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(load.code, load.stderr).toBe(1); // the SLO failed
  reports.load = path.join(tmp, 'load.json');
  writeFileSync(reports.load, load.stdout);

  const profile = cli(['profile', '--json', '--out', path.join(tmp, 'prof'), 'node', 'busy.js']);
  expect(profile.code, profile.stderr).toBe(0);
  reports.profile = path.join(tmp, 'profile.json');
  writeFileSync(reports.profile, profile.stdout);
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe('perf-hunter handoff --package / --brief', () => {
  let pkg: HandoffPackage;
  let brief: string;

  beforeAll(() => {
    const out = cli([
      'handoff', 'the orders endpoint is slow under load',
      '--evidence', reports.lint, '--evidence', reports.load, '--evidence', reports.profile,
      '--package', 'package.json', '--brief', 'brief.md',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^(Stay|Hand off)/); // the usual answer still prints
    pkg = JSON.parse(readFileSync(path.join(tmp, 'package.json'), 'utf8')) as HandoffPackage;
    brief = readFileSync(path.join(tmp, 'brief.md'), 'utf8');
  });

  it('validates against the JSON Schema --package-schema prints (ajv), which rejects a broken package', () => {
    const schema = JSON.parse(cli(['handoff', '--package-schema']).stdout) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(pkg), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...pkg, format: 'other/1' })).toBe(false);
    expect(validate({ ...pkg, findings: [{ message: 'no rule id' }] })).toBe(false);
    const { metrics: _m, ...noMetrics } = pkg;
    expect(validate(noMetrics)).toBe(false);
  });

  it('carries the task, the decision with its target and why, and what to return', () => {
    expect(pkg).toMatchObject({ format: PACKAGE_FORMAT, task: 'the orders endpoint is slow under load', from: { skill: 'performance-hunter' } });
    expect(['stay', 'handoff']).toContain(pkg.decision);
    expect(pkg.to?.skill).toBeTruthy();
    expect(pkg.to?.why.length).toBeGreaterThan(10);
    expect(pkg.return.length).toBeGreaterThan(10);
    expect(pkg.evidence).toEqual([
      { kind: 'lint', source: reports.lint },
      { kind: 'load-test', source: reports.load },
      { kind: 'profile', source: reports.profile },
    ]);
  });

  it('lists findings with file:line, rule, message and fix, and the files involved', () => {
    const finding = pkg.findings.find((f) => f.ruleId === 'n-plus-one');
    expect(finding).toMatchObject({ line: 6, evidence: 0 });
    expect(finding!.file).toMatch(/orders\.ts$/);
    expect(finding!.fix).toBeTruthy();
    expect(pkg.files.some((f) => f.endsWith('orders.ts'))).toBe(true);
  });

  it('has the load test figures and its failed SLO, and the profile\'s bottleneck and hotspots', () => {
    const [test] = pkg.metrics.loadTests;
    expect(test).toMatchObject({ method: 'GET', evidence: 1, slo: { pass: false } });
    expect(test!.p99Ms).toBeGreaterThan(1);
    expect(test!.p50Ms).toBeLessThanOrEqual(test!.p99Ms);
    expect(test!.rps).toBeGreaterThan(0);
    expect(test!.slo!.violations[0]!.figure).toBe('p99');
    expect(pkg.metrics.bottleneck).toBeTruthy();
    expect(pkg.metrics.hotspots.map((h) => h.function)).toContain('fib');
    expect(pkg.files.some((f) => f.endsWith('busy.js'))).toBe(true);
  });

  it('says the same in a short Markdown brief', () => {
    expect(brief).toMatch(/^# Handoff brief: performance-hunter/);
    expect(brief).toContain('**Task:** the orders endpoint is slow under load');
    expect(brief).toMatch(/orders\.ts:6` n-plus-one \(error\)/);
    expect(brief).toMatch(/p99 [\d.]+ ms, [\d.]+ req\/s.* — SLO FAILED: /);
    expect(brief).toContain('Hotspot: fib');
    expect(brief).toContain('## Return');
    expect(brief.split('\n').length).toBeLessThan(80);
  });

  it('--package - prints the package instead of the answer', () => {
    const out = cli(['handoff', 'kafka consumer lag keeps growing', '--skills-dir', fixtures, '--package', '-']);
    expect(out.code, out.stderr).toBe(0);
    const printed = HandoffPackage.parse(JSON.parse(out.stdout));
    expect(printed).toMatchObject({ decision: 'handoff', to: { skill: 'event-architect', loaded: true }, findings: [], evidence: [] });
    expect(printed.return).not.toBe('');
  });

  it('a runner\'s stdin JSON with package: true gets the package in the --json answer', () => {
    const input = JSON.stringify({ text: 'orders are slow', evidence: [{ report: JSON.parse(readFileSync(reports.load, 'utf8')), source: 'load.json' }], package: true });
    const run = spawnSync(process.execPath, [cliPath, 'handoff', '-', '--json'], { cwd: tmp, env: cleanEnv(), encoding: 'utf8', input, timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const answer = HandoffResult.parse(JSON.parse(run.stdout));
    expect(answer.package?.metrics.loadTests[0]).toMatchObject({ evidence: 0, slo: { pass: false } });
    expect(answer.brief).toContain('SLO FAILED');
  });

  it('refuses a file that is no report, naming it (exit 2)', () => {
    writeFileSync(path.join(tmp, 'other.json'), '{"hello": "world"}');
    const out = cli(['handoff', 'slow', '--evidence', 'other.json', '--package', 'p.json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('other.json is not a lint, profile or load-test report');
  });
});

describe('the MCP handoff tool with package: true', () => {
  it('returns the package and the brief in structuredContent', async () => {
    const catalog = await SkillCatalog.load({ dirs: [fixtures] });
    const mcp = createServer({ catalog: async () => catalog, log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.connect(serverSide);
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const lint = JSON.parse(readFileSync(reports.lint, 'utf8')) as unknown;
      const result = await client.callTool({ name: 'handoff', arguments: { text: 'orders page is slow', evidence: [{ report: lint, source: 'lint.json' }], package: true } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const structured = HandoffResult.parse(result.structuredContent);
      expect(structured.package?.findings.map((f) => f.ruleId)).toContain('n-plus-one');
      expect(structured.package?.evidence).toEqual([{ kind: 'lint', source: 'lint.json' }]);
      expect(structured.brief).toMatch(/^# Handoff brief/);
      const plain = await client.callTool({ name: 'handoff', arguments: { text: 'orders page is slow' } });
      expect(HandoffResult.parse(plain.structuredContent).package).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('a defer or none decision still makes a valid package', async () => {
    const catalog = await SkillCatalog.load({});
    const none = runHandoff(catalog, { text: 'hello there', package: true });
    expect(none.decision).toBe('none');
    expect(HandoffPackage.parse(none.package)).toMatchObject({ decision: 'none', to: null });
    const defer = runHandoff(catalog, { text: 'design a cypher data model for our social graph', package: true });
    expect(defer.decision).toBe('defer');
    expect(HandoffPackage.parse(defer.package).to).toMatchObject({ pattern: 'sequential' });
  });
});
