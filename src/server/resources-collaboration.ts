/**
 * `skill://collaboration-graph`: the collaboration graph of all loaded skills as JSON (nodes are
 * loaded skills plus skills named but not loaded; edges are delegation, complementary and
 * defers-to links with trigger and pattern), so a runner can plan handoffs without asking per task.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { collaborationGraph } from '../handoff/graph.js';
import type { ServerContext } from './context.js';

export const COLLABORATION_GRAPH_URI = 'skill://collaboration-graph';

export function registerCollaborationResource(server: McpServer, ctx: ServerContext): void {
  server.registerResource(
    'collaboration-graph',
    COLLABORATION_GRAPH_URI,
    {
      title: 'Collaboration graph',
      description: 'Who delegates to, complements and defers to whom, across all loaded skills (JSON: nodes, edges).',
      mimeType: 'application/json',
    },
    async (uri) => {
      const catalog = await ctx.catalog();
      const text = `${JSON.stringify(collaborationGraph(catalog.skills), null, 2)}\n`;
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );
}
