/** The report as JSON: exactly the `LintReport` object, so `--format json` and the MCP tool agree. */
import type { LintReport } from '../schema.js';

export function formatJson(report: LintReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
