/**
 * `completion/complete`: argument completion for the prompt and the resource templates.
 *
 * The SDK's own handler answers a reference it does not know with -32602. A client that asks
 * about a prompt or template this server lacks gets "no suggestions" here instead: completion is
 * a typing aid, and an empty list is the honest answer to "what could follow this text?" (it is
 * also what the conformance suite's completion scenario, which names its own fixture prompt, needs).
 */
import type { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CompleteRequestSchema, type CompleteResult } from '@modelcontextprotocol/sdk/types.js';

/** The spec caps one answer at 100 values. */
const MAX_VALUES = 100;

export type Completer = (value: string, context?: { arguments?: Record<string, string> }) => string[] | Promise<string[]>;

export class Completions {
  private readonly prompts = new Map<string, Record<string, Completer>>();
  private readonly templates = new Map<string, ResourceTemplate>();

  forPrompt(name: string, completers: Record<string, Completer>): void {
    this.prompts.set(name, completers);
  }

  /** The template's own `complete` callbacks are used, so they are declared once, where the template is. */
  forTemplate(template: ResourceTemplate): ResourceTemplate {
    this.templates.set(template.uriTemplate.toString(), template);
    return template;
  }

  /** Declares the capability and replaces any handler the SDK set; call after every prompt and template is registered. */
  install(server: McpServer): void {
    server.server.registerCapabilities({ completions: {} });
    server.server.setRequestHandler(CompleteRequestSchema, async (request): Promise<CompleteResult> => {
      const { ref, argument, context } = request.params;
      const completer = ref.type === 'ref/prompt' ? this.prompts.get(ref.name)?.[argument.name] : this.templates.get(ref.uri)?.completeCallback(argument.name);
      if (!completer) return { completion: { values: [], total: 0, hasMore: false } };
      const values = await completer(argument.value, context);
      return { completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES } };
    });
  }
}
