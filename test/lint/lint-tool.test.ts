/** The MCP `lint` tool through the BUILT server over stdio, driven by the SDK Client. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LintReport } from '../../src/lint/schema.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { HANDLER_TS, makeTree, type Tree } from './validate-tree.js';

let tree: Tree;
let plain: Client;
let withRoots: Client;

async function connect(client: Client, cwd: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve'], cwd, env: cleanEnv(), stderr: 'ignore' });
  await client.connect(transport);
  return client;
}

beforeAll(async () => {
  requireBuild();
  tree = makeTree();
  // No roots capability: the server's working directory is the root.
  plain = await connect(new Client({ name: 'lint-test', version: '1.0.0' }), tree.dir);
  // Declares roots: only the project's workers/ folder, although the server runs elsewhere.
  withRoots = new Client({ name: 'lint-roots-test', version: '1.0.0' }, { capabilities: { roots: {} } });
  withRoots.setRequestHandler(ListRootsRequestSchema, async () => ({
    roots: [{ uri: pathToFileURL(path.join(tree.dir, 'workers')).href, name: 'workers' }],
  }));
  await connect(withRoots, tree.outside);
});

afterAll(async () => {
  await Promise.all([plain?.close(), withRoots?.close()]);
  tree?.cleanup();
});

const call = async (client: Client, args: Record<string, unknown>) =>
  (await client.callTool({ name: 'lint', arguments: args })) as CallToolResult;
const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('MCP lint tool', () => {
  it('is listed read-only with an output schema', async () => {
    const { tools } = await plain.listTools();
    const lint = tools.find((t) => t.name === 'lint');
    expect(lint?.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(lint?.outputSchema?.properties).toHaveProperty('nextCursor');
    expect(lint?.inputSchema.properties).toHaveProperty('code');
  });

  it('lints inline code: structuredContent matches the schema, the text sums up per rule', async () => {
    const result = await call(plain, { code: HANDLER_TS, filename: 'handler.ts' });
    expect(result.isError).toBeFalsy();
    const report = LintReport.parse(result.structuredContent);
    expect(report.findings.map((f) => [f.ruleId, f.line])).toEqual([['n-plus-one', 5], ['sync-io-in-async', 7]]);
    expect(report.findings[0]?.sharpEdge).toBe('n-plus-one-queries');
    expect(report).not.toHaveProperty('ruleInfo');
    expect(textOf(result)).toMatch(/^2 finding\(s\) in 1 of 1 file\(s\) \((n-plus-one 1, sync-io-in-async 1|sync-io-in-async 1, n-plus-one 1)\)/);
    expect(textOf(result)).toContain('handler.ts:5:21 error n-plus-one');
  });

  it('lints paths relative to the working directory and pages with a cursor', async () => {
    const first = await call(plain, { paths: ['.'], limit: 2 });
    const page1 = LintReport.parse(first.structuredContent);
    expect(page1.returned).toBe(2);
    expect(page1.total).toBe(3);
    expect(page1.totals.byRule).toEqual({ 'n-plus-one': 1, 'sync-io-in-async': 2 });
    expect(page1.files.skippedBy.nodeModules).toBe(1);
    expect(textOf(first)).toContain(`pass cursor "${page1.nextCursor}"`);
    const second = await call(plain, { paths: ['.'], limit: 2, cursor: page1.nextCursor });
    const page2 = LintReport.parse(second.structuredContent);
    expect(page2.findings.map((f) => f.file)).toEqual(['workers/poll.py']);
    expect(page2.nextCursor).toBeUndefined();
  });

  it('refuses a path outside the roots with isError and the fix', async () => {
    const result = await call(plain, { paths: [tree.outside] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^lint: path .* is outside the allowed roots: .*; pass a path inside them$/);
    const viaLink = await call(plain, { paths: ['src/link.ts'] });
    expect(viaLink.isError).toBe(true);
    expect(textOf(viaLink)).toContain('it resolves to');
  });

  it('confines paths to the roots the client lists and resolves relative paths against them', async () => {
    const inside = await call(withRoots, { paths: ['.'] });
    const report = LintReport.parse(inside.structuredContent);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['sync-io-in-async']);
    expect(report.findings[0]?.file).toBe('poll.py');
    const outside = await call(withRoots, { paths: [path.join(tree.dir, 'src')] });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toContain('workers');
  });

  it('turns bad input into isError with what to pass', async () => {
    const neither = await call(plain, { rules: ['n-plus-one'] });
    expect(neither.isError).toBe(true);
    expect(textOf(neither)).toMatch(/pass either paths .* or code/);
    const unknown = await call(plain, { code: 'x', rules: ['nope'] });
    expect(textOf(unknown)).toMatch(/unknown rule nope; known rules: /);
  });

  it('sends progress notifications when asked', async () => {
    // Files no earlier run has seen (the content-hash cache would answer a seen tree within one
    // tick, and a client drops notifications read in the same chunk as the answer).
    const fresh = `${Date.now()}-${Math.random()}`;
    const count = 120;
    for (let i = 0; i < count; i++) {
      mkdirSync(path.join(tree.dir, 'many'), { recursive: true });
      writeFileSync(path.join(tree.dir, 'many', `f${i}.ts`), `// ${fresh}\n${HANDLER_TS}`);
    }
    const progress: Array<{ progress: number; total?: number }> = [];
    const result = (await plain.callTool({ name: 'lint', arguments: { paths: ['many'] } }, undefined, {
      onprogress: (p) => progress.push(p),
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThan(0);
    // The SDK client runs notification handlers a microtask late, so a last notification read in
    // the same chunk as the answer can be dropped by the client: check what arrived, not that all did.
    expect(progress.every((p) => p.total === count && p.progress >= 1 && p.progress <= count)).toBe(true);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
  });

});
