/**
 * Regex validations of every loaded skill as lint rules. Each pattern is translated and compiled
 * once per run: with RE2 (linear time, run in this thread) when RE2 accepts it, otherwise as a
 * JavaScript regex run in a worker under a per-file-per-rule time budget. Every match is a
 * finding (capped per file), unless a negative pattern matches on one of the lines the match
 * spans (the scope of `negative_pattern`: the match's lines, as line-oriented upstream tools see it).
 *
 * Rule ids: the validation id; when the same id is used by another skill (or by an `ast` rule),
 * every regex rule with that id is qualified as `<skill>/<id>` so findings say whose rule it is.
 */
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import type { Skill, Validation } from '../../skills/model.js';
import type { Finding, FindingSeverity, LintError, RuleInfo } from '../schema.js';
import { RegexBudgetRunner, type BudgetResult } from './budget.js';
import { mayMatch, prefilterOf, type Prefilter } from './prefilter.js';
import { linearV8Source } from './linear.js';
import { RE2_FLAGS, translatePattern } from './translate.js';

/** Per file and rule; a backtracking pattern is stopped after this. */
export const DEFAULT_REGEX_BUDGET_MS = 200;
/** A pattern matching everywhere (`.*`) must not flood the report. */
const MAX_MATCHES_PER_FILE = 1000;

interface CompiledPattern {
  original: string;
  js: { source: string; flags: string };
  re2?: RE2JS;
  /** The same pattern for V8, when it provably finds the same matches without backtracking blow-up (linear.ts). */
  v8?: RegExp;
  /** Literal text the pattern cannot match without; absent: always run it. */
  prefilter?: Prefilter;
}

export interface RegexRule {
  ruleId: string;
  /** The validation id as written, so `--rule` and suppressions may use it unqualified. */
  validationId: string;
  severity: FindingSeverity;
  message: string;
  fix: string;
  sharpEdge: string;
  patterns: CompiledPattern[];
  negatives: CompiledPattern[];
  appliesTo?: (file: string) => boolean;
  /** The globs behind `appliesTo`, for the cache key. */
  globs?: readonly string[];
  info: RuleInfo;
}

/**
 * Every runnable regex validation of the skills. `takenIds` are rule ids already used (the `ast`
 * rules). Unsupported patterns are reported once here, never per file.
 */
export function buildRegexRules(skills: readonly Skill[], takenIds: ReadonlySet<string>, errors: LintError[]): RegexRule[] {
  const candidates = skills.flatMap((skill) =>
    skill.validations.filter((v) => v.kind === 'regex' && v.runnable && v.patterns.length > 0).map((validation) => ({ skill, validation })),
  );
  const skillsById = new Map<string, Set<string>>();
  for (const { skill, validation } of candidates) {
    skillsById.set(validation.id, (skillsById.get(validation.id) ?? new Set()).add(skill.id));
  }
  const rules: RegexRule[] = [];
  const used = new Set<string>();
  for (const { skill, validation } of candidates) {
    const collides = takenIds.has(validation.id) || (skillsById.get(validation.id)?.size ?? 0) > 1;
    const ruleId = collides ? `${skill.id}/${validation.id}` : validation.id;
    if (used.has(ruleId)) continue; // the same id twice in one skill: the first wins
    const rule = compileRule(skill, validation, ruleId, errors);
    if (rule) {
      rules.push(rule);
      used.add(ruleId);
    }
  }
  return rules;
}

function compileRule(skill: Skill, validation: Validation, ruleId: string, errors: LintError[]): RegexRule | undefined {
  const at = validation.source ? `${validation.source.file}:${validation.source.line}:${validation.source.column}` : skill.origin.dir;
  const compileAll = (list: readonly string[], what: string): CompiledPattern[] | undefined => {
    const out: CompiledPattern[] = [];
    for (const original of list) {
      const translated = translatePattern(original, (source, flags) => RE2JS.compile(source, flags));
      if (!translated.ok) {
        errors.push({ file: at, message: `rule ${ruleId}: ${what} /${original}/ skipped: ${translated.reason}` });
        if (what === 'negative pattern') return undefined; // without its exclusions the rule would over-report
        continue;
      }
      const prefilter = prefilterOf(translated.js.source, translated.js.flags);
      const v8 = translated.re2 ? linearV8Source(translated.re2.source, translated.re2.flags, RE2_FLAGS) : undefined;
      out.push({
        original,
        js: translated.js,
        ...(translated.re2 ? { re2: RE2JS.compile(translated.re2.source, translated.re2.flags) } : {}),
        ...(v8 !== undefined ? { v8: new RegExp(v8, 'g') } : {}),
        ...(prefilter ? { prefilter } : {}),
      });
    }
    return out;
  };
  const patterns = compileAll(validation.patterns, 'pattern');
  const negatives = compileAll(validation.negativePatterns, 'negative pattern');
  if (!patterns || patterns.length === 0 || !negatives) {
    errors.push({ file: at, message: `rule ${ruleId} not run: none of its patterns can run` });
    return undefined;
  }
  const globs = validation.appliesTo;
  const edge = skill.sharpEdges.find((e) => e.id === validation.sharpEdge);
  const info: RuleInfo = {
    id: ruleId,
    name: validation.name || validation.id,
    detector: 'regex',
    severity: validation.severity,
    description: validation.message || validation.name,
    fix: validation.fix,
    sharpEdge: validation.sharpEdge ?? '',
    ...(edge ? { sharpEdgeSummary: edge.summary, situation: edge.situation, why: edge.why, solution: edge.solution } : {}),
    languages: [],
    family: 'regex',
    skill: skill.id,
  };
  return {
    ruleId,
    validationId: validation.id,
    severity: validation.severity,
    message: validation.message || validation.name,
    fix: validation.fix,
    sharpEdge: validation.sharpEdge ?? '',
    patterns,
    negatives,
    // Upstream globs are often bare (`*.py`): without a slash they match the base name anywhere.
    ...(globs.length ? { appliesTo: picomatch(globs, { dot: true, matchBase: !globs.some((g) => g.includes('/')) }), globs } : {}),
    info,
  };
}

/** Runs regex rules over files; holds the budget worker, so `close()` it at the end of a run. */
export class RegexScanner {
  private readonly runner: RegexBudgetRunner;

  constructor(private readonly budgetMs = DEFAULT_REGEX_BUDGET_MS) {
    this.runner = new RegexBudgetRunner(budgetMs);
  }

  async scan(file: { code: string; filename: string }, rules: readonly RegexRule[], errors: LintError[]): Promise<Finding[]> {
    const findings: Finding[] = [];
    let lines: LineIndex | undefined;
    const applicable = rules.filter((rule) => !rule.appliesTo || rule.appliesTo(file.filename));
    let lowered: string | undefined;
    const lower = () => (lowered ??= file.code.toLowerCase());
    const runs = (pattern: CompiledPattern) => mayMatch(pattern.prefilter, file.code, lower);
    const jsResults = await this.runJsPatterns(applicable, file.code, runs);
    const matchAll = (pattern: CompiledPattern, rule: RegexRule) => (runs(pattern) ? this.matchAll(pattern, file, rule, errors, jsResults) : []);
    for (const rule of applicable) {
      const hits: number[] = [];
      let failed = false;
      for (const pattern of rule.patterns) {
        const ranges = matchAll(pattern, rule);
        if (ranges) hits.push(...ranges);
        else failed = true;
      }
      // A rule skipped on a file (budget blown) reports nothing there, as its error says.
      if (hits.length === 0 || failed) continue;
      lines ??= new LineIndex(file.code);
      const excluded = new Set<number>();
      for (const negative of rule.negatives) {
        const ranges = matchAll(negative, rule);
        if (!ranges) {
          failed = true;
          break;
        }
        for (let i = 0; i < ranges.length; i += 2) {
          const from = lines.lineOf(ranges[i]!);
          const to = lines.lineOf(Math.max(ranges[i]!, ranges[i + 1]! - 1));
          for (let l = from; l <= to; l++) excluded.add(l);
        }
      }
      if (failed) continue; // without its exclusions the rule would over-report
      const seen = new Set<string>();
      for (let i = 0; i < hits.length; i += 2) {
        const start = hits[i]!;
        const end = hits[i + 1]!;
        const line = lines.lineOf(start);
        const endLine = lines.lineOf(Math.max(start, end - 1));
        let suppressed = false;
        for (let l = line; l <= endLine && !suppressed; l++) suppressed = excluded.has(l);
        const key = `${start}:${end}`;
        if (suppressed || seen.has(key)) continue; // two patterns of one rule matching the same text: one finding
        seen.add(key);
        findings.push({
          ruleId: rule.ruleId,
          severity: rule.severity,
          message: rule.message,
          file: file.filename,
          line,
          column: start - lines.startOf(line) + 1,
          endLine: lines.lineOf(end),
          endColumn: end - lines.startOf(lines.lineOf(end)) + 1,
          sourceLine: lines.text(line),
          fix: rule.fix,
          sharpEdge: rule.sharpEdge,
        });
      }
    }
    return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  }

  close(): Promise<void> {
    return this.runner.close();
  }

  /** Every JS-engine pattern the file's rules need, in one batch to the budget worker. */
  private async runJsPatterns(rules: readonly RegexRule[], code: string, runs: (p: CompiledPattern) => boolean): Promise<Map<CompiledPattern, BudgetResult>> {
    const wanted = [...new Set(rules.flatMap((r) => [...r.patterns, ...r.negatives]).filter((p) => !p.re2 && runs(p)))];
    if (wanted.length === 0) return new Map();
    const results = await this.runner.matchMany(wanted.map((p) => p.js), code, MAX_MATCHES_PER_FILE);
    return new Map(wanted.map((p, i) => [p, results[i]!]));
  }

  private matchAll(
    pattern: CompiledPattern,
    file: { code: string; filename: string },
    rule: RegexRule,
    errors: LintError[],
    jsResults: ReadonlyMap<CompiledPattern, BudgetResult>,
  ): number[] | undefined {
    if (pattern.v8) {
      // Never empty (linear.ts refuses patterns that can match nothing), so no step past empty matches.
      const ranges: number[] = [];
      const re = pattern.v8;
      re.lastIndex = 0;
      for (let m = re.exec(file.code); m && ranges.length < MAX_MATCHES_PER_FILE * 2; m = re.exec(file.code)) ranges.push(m.index, m.index + m[0].length);
      return ranges;
    }
    if (pattern.re2) {
      const ranges: number[] = [];
      const matcher = pattern.re2.matcher(file.code);
      while (ranges.length < MAX_MATCHES_PER_FILE * 2 && matcher.find()) ranges.push(matcher.start(), matcher.end());
      return ranges;
    }
    const result = jsResults.get(pattern);
    if (!result) return undefined;
    if (result.ok) return result.ranges;
    errors.push({
      file: file.filename,
      message: result.timedOut
        ? `rule ${rule.ruleId} skipped on file ${file.filename} after ${Math.round(result.ms)} ms: /${pattern.original}/ exceeded its ${this.budgetMs} ms budget (catastrophic backtracking?)`
        : `rule ${rule.ruleId} failed on file ${file.filename}: ${result.message}`,
    });
    return undefined;
  }
}

/** Offsets to 1-based lines, by binary search over line starts. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly code: string) {
    for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  startOf(line: number): number {
    return this.starts[line - 1] ?? 0;
  }

  text(line: number): string {
    const end = this.starts[line] ?? this.code.length + 1;
    return this.code.slice(this.startOf(line), end - 1).replace(/\r$/, '');
  }
}
