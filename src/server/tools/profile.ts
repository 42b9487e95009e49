/**
 * `profile`: runs a Node or Python command under the profiler (inside the client's roots) and
 * answers with the functions that take the time, their Amdahl bounds, one bottleneck sentence and
 * the files a person can open. Sends progress every second when asked; cancelling the request
 * kills the whole target tree and writes nothing.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ProfileInput, ProfileReport } from '../../profile/schema.js';
import type { ServerContext } from '../context.js';
import { allowedPlace } from '../roots.js';
import { progressSender } from './progress.js';
import { errorMessage, toolError, toolResult } from './result.js';

export function registerProfileTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'profile',
    {
      title: 'Profile a program',
      description:
        'Runs a command (node, npx, npm, tsx, python3 ...; no shell) under a CPU or heap profiler and names the bottleneck: ' +
        'top functions by self and total time with file:line and package, program/GC/idle shares, the Amdahl bound per ' +
        'hotspot ("all of f gone -> at most N% faster"), Node event-loop delay, and with `load` the requests/s and ' +
        'latency of an autocannon run against a loopback URL the target serves; with `load`, a runtime probe in Node targets ' +
        'adds `queries`: queries and outbound calls per request by route and a runtime N+1 verdict (the repeated query). ' +
        'The target stops at exit, at ' +
        '`durationSeconds` or when the load ends. Writes a .cpuprofile, a speedscope JSON and an HTML flame graph ' +
        'under .perf-hunter/profiles/ in cwd (paths in output).',
      inputSchema: ProfileInput,
      outputSchema: ProfileReport,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (input, extra) => {
      try {
        const [{ runProfile }, { ProfileError, ProfileCancelledError }, { formatProfileText }, place] = await Promise.all([
          import('../../profile/run.js'),
          import('../../profile/schema.js'),
          import('../../profile/format.js'),
          allowedPlace(server, ctx, 'profile'),
        ]);
        const progress = progressSender(extra);
        try {
          const report = await runProfile(input, {
            skills: (await ctx.catalog()).skills,
            cwd: place.cwd,
            roots: place.roots,
            signal: extra.signal,
            ...(progress ? { onProgress: ({ elapsedSeconds, totalSeconds, message }) => void progress(elapsedSeconds, totalSeconds, message) } : {}),
          });
          return toolResult(report.bottleneck.sentence, report, formatProfileText(report, { limit: 5 }));
        } catch (error) {
          if (error instanceof ProfileCancelledError) return toolError(error.message);
          if (error instanceof ProfileError) return toolError(`profile: ${error.message}`);
          throw error;
        }
      } catch (error) {
        if (extra.signal.aborted) return toolError('profile cancelled');
        return toolError(`profile failed: ${errorMessage(error)}`);
      }
    },
  );
}
