/** The built server over stdio, driven by the SDK Client as Claude Code would launch it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListSkillsResult } from '../../src/skills/catalog.js';
import { ExplainResult } from '../../src/skills/explain.js';
import { cleanEnv, cliPath, extraSkillsDir, requireBuild } from './built-server.js';

let client: Client;
let stderr = '';

beforeAll(async () => {
  requireBuild();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'serve', '--skills-dir', extraSkillsDir],
    env: cleanEnv(),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
});

function text(result: unknown): string {
  const content = (result as { content?: Array<{ text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

describe('perf-hunter serve (stdio)', () => {
  it('identifies itself and offers tools, resources and prompts', () => {
    expect(client.getServerVersion()?.name).toBe('perf-hunter');
    const caps = client.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.resources).toBeDefined();
    expect(caps?.prompts).toBeDefined();
  });

  it('lists the built-in and the extra skill as resources and reads an overview and a sharp edge', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain('skill://performance-hunter');
    expect(uris).toContain('skill://db-tuner');
    expect(uris).toContain('skill://performance-hunter/sharp-edges/n-plus-one-queries');
    expect(uris).toContain('skill://performance-hunter/validations/n-plus-one');

    const overview = await client.readResource({ uri: 'skill://performance-hunter' });
    expect(overview.contents[0]?.mimeType).toBe('text/markdown');
    expect((overview.contents[0] as { text: string }).text).toMatch(/^# Skill: Performance Hunter/);

    const edge = await client.readResource({ uri: 'skill://performance-hunter/sharp-edges/n-plus-one-queries' });
    const body = (edge.contents[0] as { text: string }).text;
    expect(body).toMatch(/^# Sharp edge: /);
    expect(body).toContain('## Proved by');
    expect(body).toMatch(/source: .*sharp-edges[/\\]performance-hunter\.yaml:\d+/);
  });

  it('gets the performance-review prompt with the persona and workflow', async () => {
    const prompt = await client.getPrompt({ name: 'performance-review', arguments: { target: 'src/api/orders.ts' } });
    const body = (prompt.messages[0]?.content as { text: string }).text;
    expect(body).toContain('Target: src/api/orders.ts');
    expect(body).toMatch(/Principles:\n- /);
    expect(body).toContain('`load_test`');
  });

  it('explain: structuredContent matches the output schema; a bare id shared by two skills prefers the built-in', async () => {
    const result = await client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-queries' } });
    expect(result.isError).toBeFalsy();
    const structured = ExplainResult.parse(result.structuredContent);
    expect(structured.ref).toBe('performance-hunter/n-plus-one-queries');
    expect(structured.otherMatches).toEqual(['db-tuner/sharp-edges/n-plus-one-queries']);
    expect(structured.validations?.map((v) => v['id'])).toContain('n-plus-one');
    expect(Object.keys(structured.examples ?? {})).toEqual(expect.arrayContaining(['python']));
    expect(text(result)).toContain('# Sharp edge:');
  });

  it('list_skills filters by tag and states the total', async () => {
    const result = await client.callTool({ name: 'list_skills', arguments: { tag: 'query-plans' } });
    const structured = ListSkillsResult.parse(result.structuredContent);
    expect(structured.skills.map((s) => s.id)).toEqual(['db-tuner']);
    expect(structured.total).toBe(1);
  });

  it('a bad argument gives isError with what to fix, and the server stays up', async () => {
    const wrongType = await client.callTool({ name: 'explain', arguments: { id: ['x'] } });
    expect(wrongType.isError).toBe(true);
    expect(text(wrongType)).toContain('id must be text');

    const unknown = await client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-querys' } });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/unknown id "n-plus-one-querys".*Did you mean: n-plus-one-queries/);

    const badLimit = await client.callTool({ name: 'list_skills', arguments: { limit: 1000 } });
    expect(badLimit.isError).toBe(true);
    expect(text(badLimit)).toContain('limit must be at most 200');

    const after = await client.callTool({ name: 'explain', arguments: { id: 'db-tuner/covering-index' } });
    expect(after.isError).toBeFalsy();
    expect(ExplainResult.parse(after.structuredContent).examples?.['sql']).toContain('CREATE INDEX');
  });

  it('keeps stdout for the protocol: the load log line went to stderr', () => {
    expect(stderr).toMatch(/perf-hunter: loaded \d+ skill\(s\)/);
  });
});
