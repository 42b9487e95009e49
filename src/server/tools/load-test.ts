/**
 * `load_test`: drives HTTP load at a loopback (or allow-listed) URL and answers with a verdict
 * line — requests/s, true tail latency, SLO pass/fail, before/after against a baseline — plus the
 * full report as structuredContent. Sends progress once a second when asked; cancelling the
 * request stops the load at once.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoadTestInput, LoadTestReport } from '../../loadtest/schema.js';
import type { ServerContext } from '../context.js';
import { allowedPlace, confinePath } from '../roots.js';
import { progressSender } from './progress.js';
import { errorMessage, toolError, toolResult } from './result.js';

export function registerLoadTestTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'load_test',
    {
      title: 'Load-test an HTTP endpoint',
      description:
        'Drives HTTP load at a URL on this machine (loopback only unless allowHosts names the host) and gives a verdict: ' +
        'requests/s (mean, stdev, min), latency p50/p90/p97.5/p99/p99.9/max in ms from an HDR histogram, errors, timeouts, ' +
        'status codes. Without `rate` it is closed-loop (autocannon; the tail is understated); with `rate` (req/s) an open-model ' +
        'scheduler times each request from its scheduled send, so p99 is true. `slo` ("p99=200ms,errors=0.1%,rps>=500") gives ' +
        'pass/fail with each violation; `baseline` ({file} of an earlier report, or {url} run A B A B) says whether a change is ' +
        'beyond noise. Caps: 300 s, 1000 connections. `outDir` writes report.json and latency.svg. `start` ({command, args, cwd, ' +
        'readyPattern}) runs the server first (no shell; stopped with its children at the end or on cancel) with a runtime probe ' +
        'preloaded: `queries` then gives queries and outbound calls per request by route and a runtime N+1 verdict with the repeated query.',
      inputSchema: LoadTestInput,
      outputSchema: LoadTestReport,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (input, extra) => {
      try {
        const [{ runLoadTest }, { LoadTestError, LoadTestCancelledError }, { formatLoadTestText }] = await Promise.all([
          import('../../loadtest/run.js'),
          import('../../loadtest/schema.js'),
          import('../../loadtest/format.js'),
        ]);
        const progress = progressSender(extra);
        // Files it reads (a baseline report) or writes (outDir) stay inside the client's roots.
        const place = await allowedPlace(server, ctx, 'load_test');
        try {
          if (input.outDir !== undefined) confinePath(input.outDir, place, 'outDir');
          if (input.baseline && 'file' in input.baseline) confinePath(input.baseline.file, place, 'baseline file');
          if (input.start?.cwd !== undefined) confinePath(input.start.cwd, place, 'start.cwd');
        } catch (error) {
          return toolError(`load_test: ${errorMessage(error)}`);
        }
        try {
          const report = await runLoadTest(input, {
            cwd: place.cwd,
            roots: place.roots,
            signal: extra.signal,
            ...(progress ? { onProgress: ({ elapsedSeconds, totalSeconds, message }) => void progress(elapsedSeconds, totalSeconds, message) } : {}),
          });
          return toolResult(report.verdict, report, formatLoadTestText(report).split('\n').slice(2).join('\n'));
        } catch (error) {
          if (error instanceof LoadTestCancelledError) return toolError(error.message);
          if (error instanceof LoadTestError) return toolError(`load_test: ${error.message}`);
          throw error;
        }
      } catch (error) {
        if (extra.signal.aborted) return toolError('load_test cancelled');
        return toolError(`load_test failed: ${errorMessage(error)}`);
      }
    },
  );
}
