/** The server core through a real SDK Client over InMemoryTransport: no process, no loader. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createServer } from '../../src/server/create-server.js';
import { toolRegistrars } from '../../src/server/tools/index.js';
import { SkillCatalog, ListSkillsResult } from '../../src/skills/catalog.js';
import { ExplainResult } from '../../src/skills/explain.js';
import { formatProblem } from '../../src/skills/model.js';
import { dbTuner, performanceHunter } from './make-skills.js';

const problem = { severity: 'error' as const, file: '/virtual/broken/skill.yaml', line: 3, column: 7, message: 'bad indentation' };
let client: Client;

beforeEach(async () => {
  const catalog = new SkillCatalog([performanceHunter(), dbTuner()], [problem]);
  const server = createServer({ catalog: async () => catalog, log: () => {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'in-memory-test', version: '1.0.0' });
  await client.connect(clientSide);
});

afterEach(async () => {
  await client.close();
});

describe('tools', () => {
  it('declares every registered tool with an output schema and all four hints', async () => {
    const { tools } = await client.listTools();
    // Tools come from the registrar list; the next issues add theirs, so check the registry, not a fixed list.
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['explain', 'list_skills']));
    expect(tools).toHaveLength(toolRegistrars.length);
    for (const tool of tools) {
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.title).toBeTruthy();
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
    }
    for (const name of ['explain', 'list_skills']) {
      expect(tools.find((t) => t.name === name)?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    }
  });

  it('explain returns structuredContent matching ExplainResult plus readable text', async () => {
    const result = await client.callTool({ name: 'explain', arguments: { id: 'blocking-event-loop' } });
    expect(result.isError).toBeFalsy();
    const structured = ExplainResult.parse(result.structuredContent);
    expect(structured.validations?.map((v) => v['id'])).toEqual(['sync-read-in-async']);
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
    expect(text).toMatch(/^sharp-edge performance-hunter\/blocking-event-loop: Sync I\/O in async code\n/);
    expect(text).toContain('# Sharp edge: Sync I/O in async code');
  });

  it('an unknown id is an isError answer with suggestions, and the next call works', async () => {
    const bad = await client.callTool({ name: 'explain', arguments: { id: 'blocking-event-lop' } });
    expect(bad.isError).toBe(true);
    expect((bad.content as Array<{ text: string }>)[0]?.text).toMatch(/unknown id "blocking-event-lop".*Did you mean: blocking-event-loop/);
    const wrongType = await client.callTool({ name: 'explain', arguments: { id: 42 } });
    expect(wrongType.isError).toBe(true);
    expect((wrongType.content as Array<{ text: string }>)[0]?.text).toContain('id must be text');
    const good = await client.callTool({ name: 'list_skills', arguments: { tag: 'database' } });
    expect(ListSkillsResult.parse(good.structuredContent).skills.map((s) => s.id)).toEqual(['db-tuner']);
  });

  it('list_skills refuses a forged cursor as isError', async () => {
    const bad = await client.callTool({ name: 'list_skills', arguments: { cursor: 'nope' } });
    expect(bad.isError).toBe(true);
    expect((bad.content as Array<{ text: string }>)[0]?.text).toContain('omit it to start from the first page');
  });
});

describe('resources', () => {
  it('lists overviews and every item, and reads them in full', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'skill://problems',
        'skill://performance-hunter',
        'skill://db-tuner',
        'skill://performance-hunter/sharp-edges/n-plus-one-queries',
        'skill://db-tuner/sharp-edges/n-plus-one-queries',
        'skill://performance-hunter/patterns/profiled-optimization',
        'skill://performance-hunter/anti-patterns/premature-optimization',
        'skill://performance-hunter/validations/n-plus-one',
      ]),
    );
    const edge = await client.readResource({ uri: 'skill://performance-hunter/sharp-edges/n-plus-one-queries' });
    const text = (edge.contents[0] as { text: string }).text;
    expect(text).toContain('# Sharp edge: One query per row in a loop');
    expect(text).not.toContain('Shortened to fit'); // resources carry the full text
    expect(text.length).toBeGreaterThan(8000);
    const overview = await client.readResource({ uri: 'skill://performance-hunter' });
    expect((overview.contents[0] as { text: string }).text).toContain('`performance-hunter/validations/n-plus-one`');
  });

  it('lists the templates and the load problems', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'skill://{skill}/sharp-edges/{id}',
      'skill://{skill}/patterns/{id}',
      'skill://{skill}/anti-patterns/{id}',
      'skill://{skill}/validations/{id}',
      'skill://{skill}',
    ]);
    const problems = await client.readResource({ uri: 'skill://problems' });
    expect((problems.contents[0] as { text: string }).text.trim()).toBe(formatProblem(problem));
  });

  it('an unknown item is a resource-not-found error, not a crash', async () => {
    await expect(client.readResource({ uri: 'skill://performance-hunter/sharp-edges/nope' })).rejects.toThrow(/not found/);
    expect((await client.listTools()).tools.length).toBe(toolRegistrars.length);
  });

  it('completes item ids for a skill', async () => {
    const result = await client.complete({
      ref: { type: 'ref/resource', uri: 'skill://{skill}/sharp-edges/{id}' },
      argument: { name: 'id', value: 'n-' },
      context: { arguments: { skill: 'db-tuner' } },
    });
    expect(result.completion.values).toEqual(['n-plus-one-queries']);
  });
});

describe('performance-review prompt', () => {
  it('sets up the persona from the skill identity and names the workflow tools', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['performance-review']);
    expect(prompts[0]?.arguments?.map((a) => [a.name, a.required])).toEqual([
      ['target', true],
      ['goal', false],
    ]);
    const prompt = await client.getPrompt({ name: 'performance-review', arguments: { target: 'GET /search', goal: 'p99 under 200 ms' } });
    const text = (prompt.messages[0]?.content as { text: string }).text;
    expect(text).toContain('You are a performance engineer who measures before changing anything.');
    expect(text).toContain('- Profile first, optimise second.');
    expect(text).toContain('memory systems: defer to ml-memory');
    expect(text).toContain('Target: GET /search');
    expect(text).toContain('Goal: p99 under 200 ms');
    for (const tool of ['`profile`', '`lint`', '`load_test`', '`handoff`', '`explain`']) expect(text).toContain(tool);
  });
});
