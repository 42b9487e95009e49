/** Every MCP tool, one line each. A tool module exports a registrar; the server core never changes. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from '../context.js';
import { registerListSkillsTool } from './list-skills.js';
import { registerExplainTool } from './explain.js';
import { registerLintTool } from './lint.js';
import { registerProfileTool } from './profile.js';
import { registerHandoffTool } from './handoff.js';
import { registerLoadTestTool } from './load-test.js';

export type ToolRegistrar = (server: McpServer, ctx: ServerContext) => void;

export const toolRegistrars: ToolRegistrar[] = [registerListSkillsTool, registerExplainTool, registerLintTool, registerProfileTool, registerHandoffTool, registerLoadTestTool];
