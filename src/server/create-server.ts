/**
 * Builds one MCP server: tools from the registrar list, the skill resources and the prompt.
 * Transports (stdio, HTTP) only connect to what this returns, so every transport serves the same thing.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from './context.js';
import { toolRegistrars } from './tools/index.js';
import { registerResources } from './resources.js';
import { registerPrompts } from './prompts.js';
import { registerCollaborationResource } from './resources-collaboration.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const INSTRUCTIONS = [
  'perf-hunter serves the Performance Hunter skill: measure, don\'t guess.',
  'Use list_skills to find skills and explain to read a skill, sharp edge, pattern, anti-pattern or validation by id.',
  'Each item is also a resource (skill://<skill>, skill://<skill>/sharp-edges/<id>, ...).',
  'The performance-review prompt sets up the profile -> find -> fix -> measure workflow.',
].join(' ');

export function createServer(ctx: ServerContext): McpServer {
  const server = new McpServer(
    { name: 'perf-hunter', title: 'Performance Hunter', version: pkg.version },
    { instructions: INSTRUCTIONS },
  );
  for (const register of toolRegistrars) register(server, ctx);
  registerResources(server, ctx);
  registerCollaborationResource(server, ctx);
  registerPrompts(server, ctx);
  return server;
}
