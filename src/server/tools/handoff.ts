/** `handoff`: which specialist should take over a task, with what context — or stay, defer, none. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { HandoffError, HandoffInput, HandoffResult } from '../../handoff/schema.js';
import { runHandoff } from '../../handoff/run.js';
import { renderHandoff } from '../../handoff/render.js';
import type { ServerContext } from '../context.js';
import { errorMessage, toolError, toolResult } from './result.js';

export function registerHandoffTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'handoff',
    {
      title: 'Hand off to a specialist',
      description:
        'Given a task in plain words (and optionally lint findings or a profile report), says which specialist skill ' +
        'should take over: a ranked list with the delegation pattern (sequential, parallel, review), the context to pass, ' +
        'what to expect back, the trigger that matched and a confidence. Or decision "stay" (the Performance Hunter\'s own ' +
        'work), "defer" (outside its identity) or "none". Reads the collaboration of all loaded skills; read-only. ' +
        'With package: true (and evidence: lint, profile or load_test reports) it also returns the package a skills runner ' +
        'passes to the next skill (task, decision, findings with file:line, metrics and SLO verdicts, files, what to return) and a Markdown brief.',
      inputSchema: HandoffInput,
      outputSchema: HandoffResult,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const result = runHandoff(await ctx.catalog(), input);
        const text = result.brief ? `${renderHandoff(result)}\n${result.brief}` : renderHandoff(result);
        return toolResult(result.summary, result, text);
      } catch (error) {
        if (error instanceof HandoffError) return toolError(error.message);
        if (error instanceof Error && error.name === 'ZodError') {
          return toolError(`handoff input is invalid: ${errorMessage(error)}. Give text (the task in plain words), findings, a profile or evidence reports.`);
        }
        return toolError(`handoff failed: ${errorMessage(error)}`);
      }
    },
  );
}
