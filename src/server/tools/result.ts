/** Shapes every tool answer the same way: a one-line summary plus structuredContent, or a clear error. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export function toolResult(summary: string, structured: Record<string, unknown>, details?: string): CallToolResult {
  return {
    content: [{ type: 'text', text: details ? `${summary}\n\n${details}` : summary }],
    structuredContent: structured,
  };
}

/** `isError` results keep the server up and tell the agent what was wrong and how to fix it. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
