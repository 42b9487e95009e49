/** Progress notifications for long tool runs, sent only when the request asked for them. */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export type ProgressSender = (progress: number, total: number, message: string) => Promise<void>;

/**
 * A sender of `notifications/progress` for this request, or undefined when it carries no
 * progressToken. A notification that cannot be delivered is dropped: progress never fails a run.
 */
export function progressSender(extra: RequestHandlerExtra<ServerRequest, ServerNotification>): ProgressSender | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (progress, total, message) =>
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } }).catch(() => undefined);
}
