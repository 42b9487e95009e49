/**
 * `lint`: the Performance Hunter detectors over files inside the client's roots, or over inline
 * code. Answers are sized for an agent: `limit` findings per answer (default 50) with totals per
 * rule and severity always stated and a `nextCursor` to page, so a large tree never floods the
 * context. Sends progress (files done / total) when asked and stops when the request is cancelled.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LintInput, LintReport } from '../../lint/schema.js';
import type { ServerContext } from '../context.js';
import { allowedPlace } from '../roots.js';
import { progressSender } from './progress.js';
import { errorMessage, toolError, toolResult } from './result.js';

const PROGRESS_EVERY_MS = 200;
const TOP_FINDINGS = 10;

export function registerLintTool(server: McpServer, ctx: ServerContext): void {
  server.registerTool(
    'lint',
    {
      title: 'Lint for performance sharp edges',
      description:
        'Finds performance sharp edges in JS/TS and Python: N+1 queries, blocking I/O in async code and the other ' +
        'Performance Hunter rules. Pass `paths` (files or folders inside the client\'s roots) or inline `code` with a ' +
        '`filename`. Returns at most `limit` findings (default 50), each with file:line:column, message, fix and the ' +
        'sharp edge it proves (explain it for the full solution); `total` and `totals` count every finding and ' +
        '`nextCursor` pages on. Read-only: nothing is written.',
      inputSchema: LintInput,
      outputSchema: LintReport,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input, extra) => {
      try {
        const [{ runLint, LintInputError }, catalog, place] = await Promise.all([
          import('../../lint/run-lint.js'),
          ctx.catalog(),
          allowedPlace(server, ctx, 'lint'),
        ]);
        const progress = progressSender(extra);
        let last = 0;
        // The final notification must reach the client before the answer, which ends its progress handler.
        let sent: Promise<void> = Promise.resolve();
        try {
          const report = await runLint(input, {
            cwd: place.cwd,
            roots: place.roots,
            skills: catalog.skills,
            signal: extra.signal,
            ...(progress
              ? {
                  onProgress: ({ done, total }) => {
                    const now = Date.now();
                    if (done < total && now - last < PROGRESS_EVERY_MS) return;
                    last = now;
                    sent = progress(done, total, `${done} of ${total} file(s) linted`);
                  },
                }
              : {}),
          });
          await sent;
          // A run answered from the cache finishes within one tick; let the last notification
          // leave before the answer, or a client reading both in one chunk may drop it.
          if (progress) await new Promise((resolve) => setImmediate(resolve));
          const { ruleInfo: _details, ...structured } = report;
          return toolResult(summarize(report), structured, details(report));
        } catch (error) {
          if (error instanceof LintInputError) return toolError(`lint: ${error.message}`);
          throw error;
        }
      } catch (error) {
        if (extra.signal.aborted) return toolError('lint cancelled');
        return toolError(`lint failed: ${errorMessage(error)}`);
      }
    },
  );
}

function summarize(report: LintReport): string {
  const rules = Object.entries(report.totals.byRule)
    .sort((a, b) => b[1] - a[1])
    .map(([id, n]) => `${id} ${n}`)
    .join(', ');
  const head =
    report.total === 0
      ? `no findings in ${report.files.scanned} file(s)`
      : `${report.total} finding(s) in ${report.files.withFindings} of ${report.files.scanned} file(s) (${rules})`;
  const page = report.total > report.returned ? `; showing ${report.returned}` : '';
  const more = report.nextCursor ? `; more: pass cursor "${report.nextCursor}"` : '';
  const errors = report.errors.length > 0 ? `; ${report.errors.length} file(s) could not be linted` : '';
  return `${head}${page}${more}${errors}`;
}

function details(report: LintReport): string | undefined {
  const lines = report.findings
    .slice(0, TOP_FINDINGS)
    .map((f) => `- ${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId}: ${f.message} Fix: ${f.fix} (sharp edge: ${f.sharpEdge})`);
  if (report.findings.length > TOP_FINDINGS) lines.push(`- ... ${report.findings.length - TOP_FINDINGS} more in structuredContent.findings`);
  for (const e of report.errors.slice(0, 5)) lines.push(`- error ${e.file}: ${e.message}`);
  return lines.length > 0 ? lines.join('\n') : undefined;
}
