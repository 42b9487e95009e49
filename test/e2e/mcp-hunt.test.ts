/**
 * The hunt through MCP, as an agent drives it: the BUILT server (`npm run build` first) over
 * stdio with the SDK Client, against a copy of examples/orders-api (a real server over PGlite):
 * lint -> explain the N+1 finding's sharp edge -> load_test (the server started by the tool,
 * the runtime probe proving the N+1) -> profile with load -> handoff. Each answer's
 * structuredContent is checked against its schema and its content.
 */
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffResult } from '../../src/handoff/schema.js';
import { LintReport } from '../../src/lint/schema.js';
import { LoadTestReport } from '../../src/loadtest/schema.js';
import { ProfileReport } from '../../src/profile/schema.js';
import { ExplainResult } from '../../src/skills/explain.js';
import { cleanEnv, cliPath, repoRoot, requireBuild } from '../server/built-server.js';
import { freePort } from '../support/net.js';

let client: Client;
let app: string;

beforeAll(async () => {
  requireBuild();
  // A copy, so the profile's output folder lands in a temp folder; node_modules is linked for PGlite.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ph-e2e-'));
  app = path.join(tmp, 'orders-api');
  cpSync(path.join(repoRoot, 'examples/orders-api'), app, { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  client = new Client({ name: 'e2e-hunt', version: '1.0.0' }, { capabilities: { roots: {} } });
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(app).href, name: 'orders-api' }] }));
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve'], env: cleanEnv(), stderr: 'pipe' }));
});

afterAll(async () => {
  await client?.close();
});

type Answer = { isError?: boolean; structuredContent?: unknown; content: Array<{ type: string; text?: string }> };
const call = async (name: string, args: Record<string, unknown>): Promise<Answer> =>
  (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as Answer;

describe('the hunt through MCP on examples/orders-api', () => {
  let lint: LintReport;
  let profile: ProfileReport;

  it('lint finds the planted problems, the N+1 among them', async () => {
    const answer = await call('lint', { paths: ['.'] });
    expect(answer.isError).toBeFalsy();
    lint = LintReport.parse(answer.structuredContent);
    const rules = new Set(lint.findings.map((f) => f.ruleId));
    for (const rule of ['n-plus-one', 'sync-io-in-async', 'no-timeout', 'cache-no-ttl']) expect(rules, rule).toContain(rule);
    const n1 = lint.findings.filter((f) => f.ruleId === 'n-plus-one');
    expect(n1.map((f) => `${path.basename(f.file)}:${f.line}`)).toEqual(['routes.js:24', 'routes.js:25']);
  });

  it('explain gives the N+1 finding\'s sharp edge with its detectors', async () => {
    const edge = lint.findings.find((f) => f.ruleId === 'n-plus-one')!.sharpEdge;
    expect(edge).toBe('n-plus-one-queries');
    const answer = await call('explain', { id: edge });
    expect(answer.isError).toBeFalsy();
    const result = ExplainResult.parse(answer.structuredContent);
    expect(result.kind).toBe('sharp-edge');
    expect(result.id).toBe('n-plus-one-queries');
    expect(JSON.stringify(result.validations ?? [])).toContain('n-plus-one');
  });

  it('load_test starts the server, and the probe proves the N+1 at run time', async () => {
    const port = await freePort();
    const answer = await call('load_test', {
      url: `http://127.0.0.1:${port}/orders?limit=20`,
      durationSeconds: 2,
      connections: 2,
      slo: 'p50=50ms',
      start: { command: process.execPath, args: ['server.js', '--port', String(port)], readyPattern: 'listening on' },
    });
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    const report = LoadTestReport.parse(answer.structuredContent);
    expect(report.requests.total).toBeGreaterThan(0);
    expect(report.slo).not.toBeNull();
    const route = report.queries!.routes.find((r) => r.route === 'GET /orders')!;
    expect(route.queriesPerRequest).toMatchObject({ min: 41, max: 41 });
    expect(report.queries!.nPlusOne).toEqual([
      expect.objectContaining({ sharpEdge: 'n-plus-one-queries', route: 'GET /orders', perRequestMax: 20 }),
    ]);
    expect(answer.content.map((c) => c.text).join('\n')).toMatch(/RUNTIME N\+1/);
  });

  it('profile with load names a hotspot and carries the queries per request', async () => {
    const port = await freePort();
    const answer = await call('profile', {
      command: process.execPath,
      args: ['server.js', '--port', String(port)],
      load: { url: `http://127.0.0.1:${port}/orders?limit=20`, durationSeconds: 2, connections: 2 },
    });
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    profile = ProfileReport.parse(answer.structuredContent);
    expect(profile.stoppedBy).toBe('load-done');
    expect(profile.topSelf.length).toBeGreaterThan(0);
    expect(profile.load!.requests).toBeGreaterThan(0);
    expect(profile.queries!.libraries).toEqual(['pglite']);
    expect(profile.queries!.nPlusOne[0]).toMatchObject({ route: 'GET /orders', shape: 'SELECT id, name FROM customers WHERE id = ?' });
    expect(profile.output.dir.startsWith(app)).toBe(true);
  });

  it('handoff reads the findings and the profile and hands the batched query to postgres-wizard', async () => {
    const answer = await call('handoff', {
      text: 'the orders endpoint makes one query per order and the batched query is still slow',
      findings: lint.findings,
      profile,
    });
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    const result = HandoffResult.parse(answer.structuredContent);
    // The N+1 findings carry the hint: the batched query's own speed is the Postgres specialist's.
    expect(result.decision).toBe('handoff');
    expect(result.handoffs[0]!.skill).toBe('postgres-wizard');
    expect(result.summary).toMatch(/postgres-wizard/);
  });
});
