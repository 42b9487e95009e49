/** MCP logging (levels honoured, tool runs and load problems reported) and argument completion, over a real SDK Client. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { dbTuner, performanceHunter } from './make-skills.js';

const problem = { severity: 'error' as const, file: '/virtual/broken/skill.yaml', line: 3, column: 7, message: 'bad indentation' };
let client: Client;
let messages: LoggingMessageNotification['params'][];
let cwd: string;

async function until(predicate: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'ph-complete-'));
  await mkdir(path.join(cwd, 'src/api'), { recursive: true });
  await writeFile(path.join(cwd, 'src/api/orders.ts'), 'export {};\n');
  await writeFile(path.join(cwd, 'src/server.ts'), 'export {};\n');
  await symlink('/etc', path.join(cwd, 'etc-link'));
  const catalog = new SkillCatalog([performanceHunter(), dbTuner()], [problem]);
  const server = createServer({ catalog: async () => catalog, log: () => {}, cwd });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  messages = [];
  client = new Client({ name: 'logging-test', version: '1.0.0' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params));
  await client.connect(clientSide);
});

afterEach(async () => {
  await client.close();
  await rm(cwd, { recursive: true, force: true });
});

describe('logging', () => {
  it('declares the capability and reports the skill load with each problem at its severity', async () => {
    expect(client.getServerCapabilities()?.logging).toBeDefined();
    await until(() => messages.some((m) => String(m.data).includes('bad indentation')));
    expect(messages[0]).toMatchObject({ level: 'warning', logger: 'perf-hunter', data: 'loaded 2 skill(s), 1 load problem(s)' });
    expect(messages).toContainEqual({ level: 'error', logger: 'perf-hunter', data: '/virtual/broken/skill.yaml:3:7: error: bad indentation' });
  });

  it('logs tool runs, and logging/setLevel filters them', async () => {
    await until(() => messages.length >= 2);
    await client.setLoggingLevel('debug');
    messages = [];
    await client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-queries' } });
    await until(() => messages.some((m) => /^explain: done in \d+ ms$/.test(String(m.data))));
    expect(messages.map((m) => m.level)).toEqual(['debug', 'info']);

    await client.callTool({ name: 'explain', arguments: { id: 'no-such-item' } });
    await until(() => messages.some((m) => String(m.data).startsWith('explain: failed')));
    expect(messages.find((m) => String(m.data).startsWith('explain: failed'))?.level).toBe('warning');

    await client.setLoggingLevel('error');
    messages = [];
    await client.callTool({ name: 'explain', arguments: { id: 'no-such-item' } });
    await client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-queries' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toEqual([]);
  });
});

describe('completion', () => {
  it('declares the capability', () => {
    expect(client.getServerCapabilities()?.completions).toBeDefined();
  });

  it('completes skill ids and item ids of the resource templates, scoped by the skill already chosen', async () => {
    const skills = await client.complete({ ref: { type: 'ref/resource', uri: 'skill://{skill}' }, argument: { name: 'skill', value: 'db' } });
    expect(skills.completion.values).toEqual(['db-tuner']);
    const edges = await client.complete({
      ref: { type: 'ref/resource', uri: 'skill://{skill}/sharp-edges/{id}' },
      argument: { name: 'id', value: 'n-' },
      context: { arguments: { skill: 'db-tuner' } },
    });
    expect(edges.completion.values).toEqual(['n-plus-one-queries']);
    const scoped = await client.complete({
      ref: { type: 'ref/resource', uri: 'skill://{skill}/sharp-edges/{id}' },
      argument: { name: 'id', value: '' },
      context: { arguments: { skill: 'db-tuner' } },
    });
    // performance-hunter's blocking-event-loop must not leak into db-tuner's list.
    expect(scoped.completion.values).toEqual(['n-plus-one-queries']);
  });

  it('completes the prompt target with paths under the working directory, never outside it', async () => {
    const complete = async (value: string) =>
      (await client.complete({ ref: { type: 'ref/prompt', name: 'performance-review' }, argument: { name: 'target', value } })).completion.values;
    expect(await complete('sr')).toEqual(['src/']);
    expect(await complete('')).toEqual(['etc-link', 'src/']);
    expect(await complete('src/')).toEqual(['src/api/', 'src/server.ts']);
    expect(await complete('src/api/o')).toEqual(['src/api/orders.ts']);
    expect(await complete('../')).toEqual([]);
    expect(await complete('/etc/pa')).toEqual([]);
    expect(await complete('src/../../')).toEqual([]);
    expect(await complete('etc-link/')).toEqual([]);
    expect(await complete('etc-link/pass')).toEqual([]);
  });

  it('completes the goal with measurable examples', async () => {
    const goal = await client.complete({ ref: { type: 'ref/prompt', name: 'performance-review' }, argument: { name: 'goal', value: 'p9' } });
    expect(goal.completion.values.length).toBeGreaterThan(0);
    for (const v of goal.completion.values) expect(v).toMatch(/^p9/);
  });

  it('answers an unknown prompt, template or argument with no suggestions rather than an error', async () => {
    for (const ref of [{ type: 'ref/prompt' as const, name: 'no-such-prompt' }, { type: 'ref/resource' as const, uri: 'skill://{nope}' }]) {
      const result = await client.complete({ ref, argument: { name: 'x', value: 'a' } });
      expect(result.completion).toEqual({ values: [], total: 0, hasMore: false });
    }
  });
});
