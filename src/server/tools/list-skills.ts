/** `list_skills`: which skills are loaded, filtered by text or tag, paged. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListSkillsError, ListSkillsInput, ListSkillsResult, listSkills } from '../../skills/catalog.js';
import type { ServerContext } from '../context.js';
import { errorMessage, toolError, toolResult } from './result.js';

export function registerListSkillsTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'list_skills',
    {
      title: 'List skills',
      description:
        'Lists the loaded skills (id, name, description, tags, item counts), optionally filtered by free text ' +
        'or a tag. Returns at most `limit` (default 50) with `total` and a `nextCursor` to page. ' +
        'Use explain with a skill id to read one.',
      inputSchema: ListSkillsInput,
      outputSchema: ListSkillsResult,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const result = listSkills(await ctx.catalog(), input);
        const more = result.nextCursor ? ` (more: pass cursor "${result.nextCursor}")` : '';
        const lines = result.skills.map((s) => `- ${s.id}: ${s.name}${s.description ? ` — ${s.description}` : ''}`);
        return toolResult(`${result.returned} of ${result.total} skill(s)${more}`, result, lines.join('\n'));
      } catch (error) {
        if (error instanceof ListSkillsError) return toolError(`list_skills: ${error.message}`);
        return toolError(`list_skills failed: ${errorMessage(error)}`);
      }
    },
  );
}
