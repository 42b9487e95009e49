/**
 * What both language engines share: a detector configured for a run (options parsed once, YAML
 * overrides applied), message formatting, and the sink that turns reports into `Finding`s.
 */
import type { EdgeSeverity, FindingSeverity, Validation } from '../../skills/model.js';
import type { AnyDetector, MessageData, TextRequirement } from '../define.js';
import type { Finding, Handoff, LintError, LintLanguage } from '../schema.js';

/** A detector ready to run: its options parsed and the finding fields fixed for this run. */
export interface ConfiguredDetector {
  detector: AnyDetector;
  options: unknown;
  /** The validation id findings carry; the detector id unless a YAML validation renames it. */
  ruleId: string;
  severity: FindingSeverity;
  fix: string;
  sharpEdge: string;
  /** From YAML `handoff: {skill, when}`; a report's own handoff wins. */
  handoff?: Handoff;
  /** The detector's pre-filter for these options, per language it visits (absent: none). */
  requires?: Partial<Record<LintLanguage, TextRequirement>>;
}

export interface DetectorOverrides {
  ruleId?: string;
  options?: unknown;
  severity?: FindingSeverity;
  fix?: string;
  sharpEdge?: string;
  handoff?: Handoff;
}

const FINDING_SEVERITY: Record<EdgeSeverity, FindingSeverity> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** Parses options now (throws `DetectorOptionsError` with the path), so walks never re-parse. */
export function configureDetector(detector: AnyDetector, overrides: DetectorOverrides = {}): ConfiguredDetector {
  const options = detector.parseOptions(overrides.options);
  const requires = detector.requires ? Object.fromEntries(detector.languages.map((l) => [l, detector.requires!(options, l)])) : undefined;
  return {
    detector,
    options,
    ...(requires ? { requires } : {}),
    ruleId: overrides.ruleId ?? detector.id,
    severity: overrides.severity ?? FINDING_SEVERITY[detector.severity],
    fix: overrides.fix || detector.fix,
    sharpEdge: overrides.sharpEdge ?? detector.sharpEdge,
    ...(overrides.handoff ?? detector.handoff ? { handoff: overrides.handoff ?? detector.handoff } : {}),
  };
}

/** An `ast` validation from YAML, bound to the detector it names. */
export function configureFromValidation(validation: Validation, detector: AnyDetector): ConfiguredDetector {
  return configureDetector(detector, {
    ruleId: validation.id,
    options: validation.options,
    severity: validation.severity,
    fix: validation.fix,
    sharpEdge: validation.sharpEdge,
    handoff: handoffOf(validation),
  });
}

/** The model keeps unknown validation fields; `handoff: {skill, when|reason}` is one of them. */
function handoffOf(validation: Validation): Handoff | undefined {
  const raw = (validation as Record<string, unknown>).handoff;
  if (!raw || typeof raw !== 'object') return undefined;
  const { skill, when, reason } = raw as Record<string, unknown>;
  if (typeof skill !== 'string') return undefined;
  const why = typeof reason === 'string' ? reason : typeof when === 'string' ? when : '';
  return { skill, reason: why };
}

/** Replaces `{{name}}`; a placeholder without data stays visible so tests catch it. */
export function formatMessage(template: string, data: MessageData = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    Object.hasOwn(data, key) ? String(data[key]) : whole,
  );
}

/** 0-based start/end as parsers give them. */
export interface Span {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface FileInput {
  code: string;
  filename: string;
}

export interface FileResult {
  findings: Finding[];
  errors: LintError[];
  /** False when the pre-filter showed no detector could report, so the file was never parsed. */
  parsed?: boolean;
}

/**
 * Whether a detector may report in this text: every group of its requirement occurs. `seen`
 * remembers lookups, since detectors share literals (`await`, `get`, `query`).
 */
export function mayReport(configured: ConfiguredDetector, language: LintLanguage, code: string, seen: Map<string, boolean>): boolean {
  const groups = configured.requires?.[language];
  if (!groups) return true;
  const has = (literal: string): boolean => {
    let found = seen.get(literal);
    if (found === undefined) seen.set(literal, (found = code.includes(literal)));
    return found;
  };
  return groups.every((group) => group.some((alternative) => alternative.every(has)));
}

/** Collects findings for one file; one instance per file. */
export class FindingSink {
  readonly findings: Finding[] = [];
  readonly errors: LintError[] = [];
  private lines: string[] | undefined;

  constructor(private readonly file: FileInput) {}

  add(
    configured: ConfiguredDetector,
    span: Span,
    messageId: string,
    data: MessageData | undefined,
    handoff: Handoff | undefined,
  ): void {
    const template = (configured.detector.messages as Record<string, string>)[messageId];
    if (template === undefined) {
      // Type-checked away in detectors; guard plain-JS callers with a clear error anyway.
      throw new Error(`detector ${configured.detector.id} reported unknown messageId "${messageId}"`);
    }
    this.lines ??= this.file.code.split(/\r?\n/);
    this.findings.push({
      ruleId: configured.ruleId,
      severity: configured.severity,
      message: formatMessage(template, data),
      file: this.file.filename,
      line: span.startLine + 1,
      column: span.startColumn + 1,
      endLine: span.endLine + 1,
      endColumn: span.endColumn + 1,
      sourceLine: this.lines[span.startLine] ?? '',
      fix: configured.fix,
      sharpEdge: configured.sharpEdge,
      ...(handoff ?? configured.handoff ? { handoff: handoff ?? configured.handoff } : {}),
    });
  }

  /** A detector that throws loses this file, not the run. */
  detectorCrashed(configured: ConfiguredDetector, error: unknown, where: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.errors.push({
      file: this.file.filename,
      message: `detector ${configured.detector.id} failed at ${where}: ${message}`,
    });
  }
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
}

const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const PY_EXTENSIONS = ['.py', '.pyi'];
export const SUPPORTED_EXTENSIONS = [...TS_EXTENSIONS, ...PY_EXTENSIONS];

export function languageOf(filename: string): LintLanguage | undefined {
  const lower = filename.toLowerCase();
  if (TS_EXTENSIONS.some((ext) => lower.endsWith(ext)) && !lower.endsWith('.d.ts')) return 'typescript';
  if (PY_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'python';
  return undefined;
}
