/**
 * Resources: `skill://<skill>` (overview) for every loaded skill, one resource per item through the
 * templates `skill://{skill}/<kinds>/{id}`, and `skill://problems` (what went wrong while loading).
 * Resources carry the full text; the explain tool carries the shortened one and points here.
 */
import { McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { KIND_SEGMENT, resourceUri, type ItemKind, type SkillCatalog } from '../skills/catalog.js';
import { explain, renderExplain } from '../skills/explain.js';
import { formatProblem } from '../skills/model.js';
import type { ServerContext } from './context.js';
import type { Completions } from './completions.js';

/** JSON-RPC code the MCP spec gives "resource not found". */
const RESOURCE_NOT_FOUND = -32002;
const MARKDOWN = 'text/markdown';
const ITEM_KINDS = Object.keys(KIND_SEGMENT) as Array<keyof typeof KIND_SEGMENT>;

const KIND_NAMES: Record<keyof typeof KIND_SEGMENT, string> = {
  'sharp-edge': 'Sharp edge',
  pattern: 'Pattern',
  'anti-pattern': 'Anti-pattern',
  validation: 'Validation',
};

/** `completions` collects the templates so `completion/complete` can reach their callbacks. */
export function registerResources(server: McpServer, ctx: ServerContext, completions?: Completions): void {
  const template = (t: ResourceTemplate): ResourceTemplate => completions?.forTemplate(t) ?? t;
  server.registerResource(
    'load-problems',
    'skill://problems',
    { title: 'Skill load problems', description: 'Every problem met while loading skills, as file:line:column.', mimeType: 'text/plain' },
    async (uri) => {
      const catalog = await ctx.catalog();
      const text = catalog.problems.length === 0 ? 'No problems: every skill file loaded cleanly.\n' : `${catalog.problems.map(formatProblem).join('\n')}\n`;
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    },
  );

  for (const kind of ITEM_KINDS) {
    const segment = KIND_SEGMENT[kind];
    server.registerResource(
      segment,
      template(new ResourceTemplate(`skill://{skill}/${segment}/{id}`, {
        list: async () => {
          const catalog = await ctx.catalog();
          return {
            resources: catalog.skills.flatMap((skill) =>
              catalog
                .entriesOf(skill.id)
                .filter((e) => e.kind === kind)
                .map((e) => ({
                  uri: resourceUri(e),
                  name: `${skill.id}/${e.id}`,
                  title: e.kind === 'sharp-edge' ? e.item.summary : e.item.name,
                  mimeType: MARKDOWN,
                })),
            ),
          };
        },
        complete: {
          skill: async (value) => completeSkill(await ctx.catalog(), value),
          id: async (value, context) => completeItem(await ctx.catalog(), kind, context?.arguments?.['skill'], value),
        },
      })),
      { title: `${KIND_NAMES[kind]}s`, description: `${KIND_NAMES[kind]}s of every loaded skill, as Markdown.`, mimeType: MARKDOWN },
      async (uri) => readItem(await ctx.catalog(), uri),
    );
  }

  // Registered last: `skill://{skill}` must not shadow the item templates (the SDK tries templates in order).
  server.registerResource(
    'skill',
    template(new ResourceTemplate('skill://{skill}', {
      list: async () => {
        const catalog = await ctx.catalog();
        return {
          resources: catalog.skills.map((skill) => ({
            uri: resourceUri({ kind: 'skill', skill, id: skill.id }),
            name: skill.id,
            title: skill.name,
            description: skill.description,
            mimeType: MARKDOWN,
          })),
        };
      },
      complete: { skill: async (value) => completeSkill(await ctx.catalog(), value) },
    })),
    { title: 'Skill overviews', description: 'Each loaded skill: identity, collaboration and its items, as Markdown.', mimeType: MARKDOWN },
    async (uri) => readItem(await ctx.catalog(), uri),
  );
}

function readItem(catalog: SkillCatalog, uri: URL): ReadResourceResult {
  const entry = catalog.lookup(uri.href)[0];
  if (!entry) {
    throw new McpError(RESOURCE_NOT_FOUND, `Resource ${uri.href} not found: no loaded skill has this item (resources/list shows them all)`);
  }
  // The resource is where the whole text lives: nothing cut, every item listed.
  const result = explain(catalog, { id: uri.href, limit: 200 }, { maxTextChars: Infinity });
  return { contents: [{ uri: uri.href, mimeType: MARKDOWN, text: renderExplain(result) }] };
}

function completeSkill(catalog: SkillCatalog, value: string): string[] {
  return catalog.skills.map((s) => s.id).filter((id) => id.startsWith(value)).slice(0, 100);
}

function completeItem(catalog: SkillCatalog, kind: ItemKind, skillId: string | undefined, value: string): string[] {
  const skills = skillId ? [skillId] : catalog.skills.map((s) => s.id);
  const ids = skills.flatMap((s) => catalog.entriesOf(s).filter((e) => e.kind === kind).map((e) => e.id));
  return [...new Set(ids)].filter((id) => id.startsWith(value)).slice(0, 100);
}
