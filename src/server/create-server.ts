/**
 * Builds one MCP server: tools from the registrar list, the skill resources and the prompt.
 * Transports (stdio, HTTP) only connect to what this returns, so every transport serves the same thing.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { formatProblem } from '../skills/model.js';
import type { ServerContext } from './context.js';
import { toolRegistrars } from './tools/index.js';
import { registerResources } from './resources.js';
import { registerPrompts } from './prompts.js';
import { registerCollaborationResource } from './resources-collaboration.js';
import { ClientLog, toolRunLevel } from './client-log.js';
import { Completions } from './completions.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Load problems sent one by one to the client; the rest are counted (all of them are in skill://problems). */
const MAX_PROBLEMS_LOGGED = 20;

const INSTRUCTIONS = [
  'perf-hunter serves the Performance Hunter skill: measure, don\'t guess.',
  'Use list_skills to find skills and explain to read a skill, sharp edge, pattern, anti-pattern or validation by id.',
  'Each item is also a resource (skill://<skill>, skill://<skill>/sharp-edges/<id>, ...).',
  'The performance-review prompt sets up the profile -> find -> fix -> measure workflow.',
].join(' ');

export function createServer(ctx: ServerContext): McpServer {
  const server = new McpServer(
    { name: 'perf-hunter', title: 'Performance Hunter', version: pkg.version },
    { instructions: INSTRUCTIONS, capabilities: { logging: {} } },
  );
  const clientLog = new ClientLog(server);
  // Every handler of this server logs to stderr (the operator) and to this session's client (the agent).
  const sessionCtx: ServerContext = {
    ...ctx,
    log: (message, level = 'info') => {
      ctx.log(message, level);
      clientLog.send(level, message);
    },
  };
  const completions = new Completions();

  logToolRuns(server, clientLog);
  for (const register of toolRegistrars) register(server, sessionCtx);
  registerResources(server, sessionCtx, completions);
  registerCollaborationResource(server, sessionCtx);
  registerPrompts(server, sessionCtx, completions);
  completions.install(server);

  server.server.oninitialized = () => {
    clientLog.markReady();
    void reportLoad(ctx, clientLog);
  };
  return server;
}

/** Tells the client what loading skills gave: a summary, then each problem at its own severity. */
async function reportLoad(ctx: ServerContext, clientLog: ClientLog): Promise<void> {
  try {
    const catalog = await ctx.catalog();
    const { problems } = catalog;
    clientLog.send(problems.some((p) => p.severity === 'error') ? 'warning' : 'info', `loaded ${catalog.skills.length} skill(s), ${problems.length} load problem(s)`);
    for (const problem of problems.slice(0, MAX_PROBLEMS_LOGGED)) clientLog.send(problem.severity, formatProblem(problem));
    if (problems.length > MAX_PROBLEMS_LOGGED) clientLog.send('notice', `${problems.length - MAX_PROBLEMS_LOGGED} more load problem(s): read skill://problems`);
  } catch (error) {
    clientLog.send('error', `could not load skills: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type ToolCallback = (...args: unknown[]) => CallToolResult | Promise<CallToolResult>;
interface ToolExtra {
  sendNotification?: (n: { method: 'notifications/message'; params: { level: LoggingLevel; logger: string; data: string } }) => Promise<void>;
}

/**
 * Wraps `registerTool` so every tool run is logged (start at debug, end at info or warning with
 * its duration) without each tool module knowing about logging. The message goes on the call's
 * own stream, so an HTTP client sees it next to the answer.
 */
function logToolRuns(server: McpServer, clientLog: ClientLog): void {
  const register = server.registerTool.bind(server) as (name: string, config: unknown, cb: ToolCallback) => unknown;
  const wrapped = (name: string, config: unknown, cb: ToolCallback): unknown =>
    register(name, config, async (...args: unknown[]) => {
      const extra = args[args.length - 1] as ToolExtra | undefined;
      const send = extra?.sendNotification?.bind(extra);
      const started = performance.now();
      clientLog.send('debug', `${name}: started`, send);
      try {
        const result = await cb(...args);
        const ms = Math.round(performance.now() - started);
        const failure = result.isError ? `: ${firstLine(result)}` : '';
        clientLog.send(toolRunLevel(result.isError === true), `${name}: ${result.isError ? 'failed' : 'done'} in ${ms} ms${failure}`, send);
        return result;
      } catch (error) {
        clientLog.send('error', `${name}: threw ${error instanceof Error ? error.message : String(error)}`, send);
        throw error;
      }
    });
  server.registerTool = wrapped as typeof server.registerTool;
}

function firstLine(result: CallToolResult): string {
  const text = result.content.find((c) => c.type === 'text');
  return text && 'text' in text ? (text.text.split('\n')[0] ?? '').slice(0, 200) : '';
}
