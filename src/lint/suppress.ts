/**
 * In-source suppressions, in the comment style of each language:
 *
 * - `perf-hunter-disable-next-line rule-a, rule-b` opening a `//`, block or `#` comment: the line below.
 * - `perf-hunter: ignore[rule-a,rule-b]` opening a `#` or `//` comment: like Semgrep's `nosemgrep`,
 *   the same line when it trails code, the line below when the comment is alone on its line.
 *
 * (Written without the comment marker here, or this very file would carry suppressions.)
 *
 * No rule list means every rule. A rule id no rule of the run knows is reported as an `info`
 * finding `unknown-suppression` (a typo would otherwise silently suppress nothing), so it shows
 * up in every format, in the editor and in SARIF, without failing a default `--fail-on error` gate.
 */
import type { Finding } from './schema.js';

export const UNKNOWN_SUPPRESSION = 'unknown-suppression';

const NEXT_LINE = /(?:\/\/|\/\*|#)\s*perf-hunter-disable-next-line\b([^\n]*?)(?:\*\/|$)/;
const IGNORE = /(?:\/\/|\/\*|#)\s*perf-hunter:\s*ignore\b(?:\[([^\]]*)\])?/;

interface Suppression {
  /** The line whose findings it suppresses. */
  target: number;
  /** Empty: every rule. */
  rules: string[];
  line: number;
  column: number;
  text: string;
}

export function parseSuppressions(code: string): Suppression[] {
  if (!code.includes('perf-hunter')) return []; // the common case costs one scan
  const out: Suppression[] = [];
  const lines = code.split('\n');
  lines.forEach((raw, index) => {
    const text = raw.replace(/\r$/, '');
    const line = index + 1;
    const next = NEXT_LINE.exec(text);
    if (next) {
      out.push({ target: line + 1, rules: ruleList(next[1] ?? ''), line, column: next.index + 1, text });
      return;
    }
    const ignore = IGNORE.exec(text);
    if (ignore) {
      const alone = text.slice(0, ignore.index).trim() === '';
      out.push({ target: alone ? line + 1 : line, rules: ruleList(ignore[1] ?? ''), line, column: ignore.index + 1, text });
    }
  });
  return out;
}

/** Rule ids up to the first word that cannot be one (`-- reason` after the list, as ESLint allows, or prose). */
function ruleList(text: string): string[] {
  const ids: string[] = [];
  for (const token of text.split(/[,\s]+/).filter(Boolean)) {
    if (!RULE_ID.test(token)) break;
    ids.push(token);
  }
  return ids;
}

const RULE_ID = /^[A-Za-z0-9_][\w./-]*$/;

/**
 * Drops suppressed findings of one file; returns what is kept (plus `unknown-suppression`
 * findings) and how many were suppressed. `isKnown` says whether an id names a rule of the run.
 */
export function applySuppressions(
  code: string,
  filename: string,
  findings: readonly Finding[],
  isKnown: (ruleId: string) => boolean,
): { kept: Finding[]; suppressed: number; unknown: Finding[] } {
  const suppressions = parseSuppressions(code);
  if (suppressions.length === 0) return { kept: [...findings], suppressed: 0, unknown: [] };
  const unknown: Finding[] = [];
  for (const s of suppressions) {
    for (const id of s.rules.filter((r) => !isKnown(r))) {
      unknown.push({
        ruleId: UNKNOWN_SUPPRESSION,
        severity: 'info',
        message: `suppression names unknown rule "${id}": it suppresses nothing`,
        file: filename,
        line: s.line,
        column: s.column,
        endLine: s.line,
        endColumn: s.text.length + 1,
        sourceLine: s.text,
        fix: 'use a rule id from the report (`perf-hunter validate --format json` lists them under rules)',
        sharpEdge: '',
      });
    }
  }
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const f of findings) {
    const hit = suppressions.some((s) => s.target === f.line && (s.rules.length === 0 || s.rules.some((r) => matches(r, f.ruleId))));
    if (hit) suppressed++;
    else kept.push(f);
  }
  return { kept, suppressed, unknown };
}

/** `skill/id` rules may be named by their plain id too. */
function matches(given: string, ruleId: string): boolean {
  return given === ruleId || ruleId.endsWith(`/${given}`);
}
