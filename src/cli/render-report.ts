/** A lint report as the user asked to see it: text (optionally coloured and capped), JSON or SARIF. */
import { readFileSync } from 'node:fs';
import type { LintReport } from '../lint/schema.js';
import type { RenderOptions } from '../lint/replay/replay.js';

export async function renderReport(report: LintReport, options: RenderOptions): Promise<string> {
  if (options.format === 'json') return (await import('../lint/format/json.js')).formatJson(report);
  if (options.format === 'sarif') {
    const { formatSarif } = await import('../lint/format/sarif.js');
    return formatSarif(report, { cwd: options.cwd, toolVersion: packageVersion() });
  }
  const { formatText } = await import('../lint/format/text.js');
  return formatText(report, { color: options.color, ...(options.maxFindings !== undefined ? { maxFindings: options.maxFindings } : {}) });
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
