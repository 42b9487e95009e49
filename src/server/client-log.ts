/**
 * MCP logging: the server declares the `logging` capability and sends `notifications/message` to
 * its client, filtered by the level the client set with `logging/setLevel` (one server per session,
 * so one level per session). stderr still gets every line: it is the operator's log, this is the agent's.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

const SEVERITY: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const LOGGER = 'perf-hunter';

export class ClientLog {
  /** Until the client asks otherwise: per-call debug lines would be noise for most agents. */
  private threshold: LoggingLevel = 'info';
  private ready = false;

  constructor(private readonly server: McpServer) {
    // The SDK stores the level in a private map; keeping it here lets every send path filter the same way.
    server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.threshold = request.params.level;
      return {};
    });
  }

  /** Called once the client sent `notifications/initialized`: notifications before that are not allowed. */
  markReady(): void {
    this.ready = true;
  }

  get level(): LoggingLevel {
    return this.threshold;
  }

  wants(level: LoggingLevel): boolean {
    return SEVERITY.indexOf(level) >= SEVERITY.indexOf(this.threshold);
  }

  /**
   * Sends one log message. `send` routes it on a request's own stream (HTTP); without it the
   * message goes on the session's general stream. A closed or absent transport drops it: logging
   * must never fail the work it describes.
   */
  send(level: LoggingLevel, data: string, send?: (n: { method: 'notifications/message'; params: { level: LoggingLevel; logger: string; data: string } }) => Promise<void>): void {
    if (!this.ready || !this.wants(level)) return;
    const notification = { method: 'notifications/message' as const, params: { level, logger: LOGGER, data } };
    const sent = send ? send(notification) : this.server.server.notification(notification);
    sent.catch(() => undefined);
  }
}

/** How a finished tool call is logged: failures as warnings (the agent may retry wrongly), the rest as info. */
export function toolRunLevel(isError: boolean): LoggingLevel {
  return isError ? 'warning' : 'info';
}
