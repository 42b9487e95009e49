/**
 * The readable report: findings grouped by file, one `file:line:col  severity  message  rule-id`
 * line each (terminals and editors make it clickable), the fix under the first finding of each
 * rule in a file, then one summary line. Colour only when asked (the CLI asks on a TTY without NO_COLOR).
 */
import type { Finding, FindingSeverity, LintReport } from '../schema.js';

export interface TextOptions {
  color?: boolean;
  /** Show at most this many findings; the summary still counts all of them. */
  maxFindings?: number;
}

const ANSI = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, underline: 4 } as const;
type Style = keyof typeof ANSI;

const SEVERITY_STYLE: Record<FindingSeverity, Style> = { error: 'red', warning: 'yellow', info: 'blue' };

export function formatText(report: LintReport, options: TextOptions = {}): string {
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const shown = options.maxFindings === undefined ? report.findings : report.findings.slice(0, options.maxFindings);
  const out: string[] = [];

  const byFile = new Map<string, Finding[]>();
  for (const f of shown) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    out.push(paint('underline', file));
    const fixed = new Set<string>();
    for (const f of findings) {
      const severity = paint(SEVERITY_STYLE[f.severity], f.severity.padEnd(7));
      out.push(`${f.file}:${f.line}:${f.column}  ${severity}  ${f.message}  ${paint('dim', f.ruleId)}`);
      if (!fixed.has(f.ruleId) && f.fix) {
        fixed.add(f.ruleId);
        out.push(paint('dim', `    fix: ${f.fix}`));
      }
      if (f.handoff) out.push(paint('dim', `    hand off to ${f.handoff.skill}${f.handoff.reason ? `: ${f.handoff.reason}` : ''}`));
    }
    out.push('');
  }

  const hidden = report.total - shown.length;
  if (hidden > 0) out.push(`... ${hidden} more finding(s) not shown (raise --max-findings, or use --format json or sarif for all)`, '');
  for (const e of report.errors) out.push(`${paint('red', 'error')}  ${e.file}: ${e.message}`);
  if (report.errors.length > 0) out.push('');
  out.push(summaryLine(report, paint));
  return `${out.join('\n')}\n`;
}

/** `3 findings (2 errors, 1 warning, 0 info) in 2 files; 40 files scanned (cache: 38 hits, 2 misses), 7 skipped (...), 1 suppressed, 120 ms`. */
export function summaryLine(report: LintReport, paint: (style: Style, text: string) => string = (_s, t) => t): string {
  const { error, warning, info } = report.totals.bySeverity;
  const head = report.total === 0 ? 'no findings' : `${report.total} finding(s) (${error} error(s), ${warning} warning(s), ${info} info) in ${report.files.withFindings} file(s)`;
  const reasons = Object.entries(report.files.skippedBy)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${SKIP_WORDS[reason] ?? reason}`);
  const skipped = report.files.skipped > 0 ? `, ${report.files.skipped} skipped (${reasons.join(', ')})` : '';
  const errors = report.errors.length > 0 ? `, ${report.errors.length} error(s)` : '';
  const suppressed = report.suppressed ? `, ${report.suppressed} suppressed` : '';
  const cache = report.stats.cache;
  const cached = cache && cache.hits + cache.misses > 0 ? ` (cache: ${cache.hits} hit(s), ${cache.misses} miss(es)${cache.evictions ? `, ${cache.evictions} evicted` : ''})` : '';
  return `${paint(report.total > 0 ? 'bold' : 'dim', head)}; ${report.files.scanned} file(s) scanned${cached}${skipped}${suppressed}${errors}, ${Math.round(report.stats.ms)} ms`;
}

const SKIP_WORDS: Record<string, string> = {
  ignored: 'ignored',
  nodeModules: 'dependency folder(s)',
  buildOutput: 'build output folder(s)',
  minified: 'minified',
  tooLarge: 'over 1 MB',
  binary: 'binary',
  unsupported: 'not JS/TS/Python',
  symlink: 'symlink(s)',
};
