/** The handoff tool and skill://collaboration-graph through a real SDK Client: in memory, and the built server over stdio. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { HandoffResult } from '../../src/handoff/schema.js';
import { CollaborationGraph } from '../../src/handoff/graph.js';
import { cleanEnv, cliPath, repoRoot, requireBuild } from '../server/built-server.js';

const fixtures = path.join(repoRoot, 'test/fixtures/handoff');

function text(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');
}

async function readGraph(client: Client): Promise<CollaborationGraph> {
  const { contents } = await client.readResource({ uri: 'skill://collaboration-graph' });
  expect(contents[0]?.mimeType).toBe('application/json');
  return CollaborationGraph.parse(JSON.parse((contents[0] as { text: string }).text));
}

describe('in memory', () => {
  let client: Client;

  beforeAll(async () => {
    const catalog = await SkillCatalog.load({ dirs: [fixtures] });
    const server = createServer({ catalog: async () => catalog, log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'handoff-test', version: '1.0.0' });
    await client.connect(clientSide);
  });

  afterAll(async () => {
    await client?.close();
  });

  it('declares handoff as read-only, idempotent and closed-world, with an output schema', async () => {
    const tool = (await client.listTools()).tools.find((t) => t.name === 'handoff');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(tool?.outputSchema?.properties).toHaveProperty('decision');
    expect(tool?.inputSchema.properties).toHaveProperty('text');
  });

  it('returns structuredContent (a HandoffResult) and a readable summary', async () => {
    const result = await client.callTool({ name: 'handoff', arguments: { text: 'our Cypher queries time out on large graphs' } });
    expect(result.isError).toBeFalsy();
    const structured = HandoffResult.parse(result.structuredContent);
    expect(structured.handoffs[0]).toMatchObject({ skill: 'graph-engineer', loaded: true, pattern: 'parallel' });
    expect(text(result)).toMatch(/^Hand off to graph-engineer/);
  });

  it('takes findings and a profile as arguments', async () => {
    const result = await client.callTool({
      name: 'handoff',
      arguments: { text: '', profile: { bottleneck: 'Most time is in @temporalio/worker activity polling', hotspots: [{ name: 'pollActivityTask', package: '@temporalio/worker' }] } },
    });
    expect(HandoffResult.parse(result.structuredContent).handoffs[0]?.skill).toBe('temporal-craftsman');
  });

  it('bad input is an isError answer with a fix hint, and the next call works', async () => {
    const empty = await client.callTool({ name: 'handoff', arguments: { text: '' } });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/nothing to judge: give text/);
    const unknown = await client.callTool({ name: 'handoff', arguments: { text: 'slow', from: 'nobody' } });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/skill "nobody" is not loaded.*pass from with a loaded skill id/);
    const ok = await client.callTool({ name: 'handoff', arguments: { text: 'the app feels laggy' } });
    expect(HandoffResult.parse(ok.structuredContent).decision).toBe('stay');
  });

  it('serves the collaboration graph of every loaded skill', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('skill://collaboration-graph');
    const graph = await readGraph(client);
    expect(graph.nodes.filter((n) => n.loaded).map((n) => n.id).sort()).toEqual(
      ['event-architect', 'graph-engineer', 'ml-memory', 'performance-hunter', 'postgres-wizard', 'privacy-guardian', 'temporal-craftsman', 'vector-specialist'],
    );
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'privacy-guardian', to: 'performance-hunter', kind: 'delegation', pattern: 'review' }));
  });
});

describe('built server over stdio', () => {
  let client: Client;

  beforeAll(async () => {
    requireBuild();
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve'], env: cleanEnv(), stderr: 'pipe' });
    client = new Client({ name: 'handoff-stdio-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it('answers handoff and serves the graph with unloaded specialists as nodes', async () => {
    const result = await client.callTool({ name: 'handoff', arguments: { text: 'EXPLAIN ANALYZE shows a seq scan on orders' } });
    const structured = HandoffResult.parse(result.structuredContent);
    expect(structured.handoffs[0]).toMatchObject({ skill: 'postgres-wizard', loaded: false, pattern: 'sequential' });
    const graph = await readGraph(client);
    expect(graph.nodes).toContainEqual({ id: 'postgres-wizard', loaded: false });
  });
});
