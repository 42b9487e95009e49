/** `explain`: any skill, sharp edge, pattern, anti-pattern or validation id -> its full content. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ExplainInput, ExplainResult, UnknownIdError, explainFully, renderExplain } from '../../skills/explain.js';
import type { ServerContext } from '../context.js';
import { errorMessage, toolError, toolResult } from './result.js';

export function registerExplainTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'explain',
    {
      title: 'Explain a skill item',
      description:
        'Explains a skill, sharp edge, pattern, anti-pattern or validation by id: its full normalised content, ' +
        'where it is declared, a validation\'s sharp edge, a sharp edge\'s detectors and example code, and related items. ' +
        'Ids may be bare ("n-plus-one-queries"), qualified ("performance-hunter/n-plus-one-queries") or a skill:// URI. ' +
        'Long text is shortened; the answer names the resource with all of it.',
      inputSchema: ExplainInput,
      outputSchema: ExplainResult,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const result = await explainFully(await ctx.catalog(), input);
        return toolResult(`${result.kind} ${result.ref}: ${result.title}`, result, renderExplain(result));
      } catch (error) {
        if (error instanceof UnknownIdError) return toolError(error.message);
        return toolError(`explain failed: ${errorMessage(error)}`);
      }
    },
  );
}
