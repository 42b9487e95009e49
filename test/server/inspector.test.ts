/**
 * A client nobody here wrote: the MCP Inspector CLI (0.15.0, the last for Node 20) launches the
 * built server over stdio and prints JSON. A tool error still exits 0 there, with isError in the JSON.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExplainResult } from '../../src/skills/explain.js';
import { cleanEnv, cliPath, extraSkillsDir, repoRoot, requireBuild } from './built-server.js';

const run = promisify(execFile);
const inspectorDir = path.join(repoRoot, 'node_modules/@modelcontextprotocol/inspector');
const inspectorPkg = JSON.parse(readFileSync(path.join(inspectorDir, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const inspectorCli = path.join(inspectorDir, inspectorPkg.bin['mcp-inspector'] ?? 'cli/build/cli.js');

async function inspect(...method: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    [inspectorCli, '--cli', process.execPath, cliPath, 'serve', '--skills-dir', extraSkillsDir, ...method],
    { env: cleanEnv(), timeout: 45_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('MCP Inspector CLI against the built server', () => {
  beforeAll(() => {
    requireBuild();
    expect(inspectorPkg.version).toBe('0.15.0');
  });

  it('tools/list shows both tools with schemas and annotations', async () => {
    const { tools } = (await inspect('--method', 'tools/list')) as { tools: Array<Record<string, any>> };
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['list_skills', 'explain']));
    expect(byName['explain']?.inputSchema.required).toEqual(['id']);
    expect(byName['explain']?.outputSchema.properties).toHaveProperty('related');
    expect(byName['list_skills']?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });

  it('tools/call explain returns structuredContent that matches the output schema', async () => {
    const result = await inspect('--method', 'tools/call', '--tool-name', 'explain', '--tool-arg', 'id=db-tuner/n-plus-one-queries');
    expect(result['isError']).toBeFalsy();
    const structured = ExplainResult.parse(result['structuredContent']);
    expect(structured).toMatchObject({ kind: 'sharp-edge', skillId: 'db-tuner', title: 'ORM lazy loading fires one query per row' });
  });

  it('tools/call with an unknown id is an isError answer, not a crash', async () => {
    const result = await inspect('--method', 'tools/call', '--tool-name', 'explain', '--tool-arg', 'id=covering-indx');
    expect(result['isError']).toBe(true);
    expect(JSON.stringify(result['content'])).toContain('Did you mean: covering-index');
  });

  it('resources/list shows the overviews and items of every skill', async () => {
    const { resources } = (await inspect('--method', 'resources/list')) as { resources: Array<{ uri: string }> };
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining(['skill://performance-hunter', 'skill://db-tuner', 'skill://db-tuner/patterns/covering-index', 'skill://problems']),
    );
  });
});
