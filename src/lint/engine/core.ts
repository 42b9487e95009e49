/**
 * What both language engines share: a detector configured for a run (options parsed once, YAML
 * overrides applied), message formatting, and the sink that turns reports into `Finding`s.
 */
import type { EdgeSeverity, FindingSeverity, Validation } from '../../skills/model.js';
import type { AnyDetector, Literal, MessageData, TextPattern, TextRequirement } from '../define.js';
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
 * Whether a detector may report in this text: every group of its requirement occurs. The file's
 * `TextIndex` answers each literal once, since detectors share literals (`await`, `get`, `query`).
 * A plain `Map` (the older calling convention) stands for the file's index: one is made per map.
 */
export function mayReport(
  configured: ConfiguredDetector,
  language: LintLanguage,
  code: string,
  index: TextIndex | Map<string, boolean>,
): boolean {
  const requirement = configured.requires?.[language];
  if (!requirement) return true;
  const text = index instanceof TextIndex ? index : indexFor(index, code, language);
  const groups = compiled(requirement, language);
  groups: for (const group of groups) {
    alternatives: for (const alternative of group) {
      for (const literal of alternative) if (!text.has(literal)) continue alternatives;
      continue groups;
    }
    return false;
  }
  return true;
}

const indexes = new WeakMap<Map<string, boolean>, TextIndex>();
function indexFor(key: Map<string, boolean>, code: string, language: LintLanguage): TextIndex {
  let index = indexes.get(key);
  if (!index || index.code !== code) indexes.set(key, (index = new TextIndex(code, language)));
  return index;
}

/** Word characters per language, ASCII only: a non-ASCII neighbour then counts as a boundary, which can only let more files through. */
const WORD_CHARS: Record<LintLanguage, Uint8Array> = { typescript: wordTable('$'), python: wordTable('') };

function wordTable(extra: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) || extra.includes(String.fromCharCode(c)) ? 1 : 0;
  return table;
}

/** FNV-1a over a word's char codes, the same whether fed from the file or from a literal. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const COLON = 0x3a;

/** A literal compiled once per process: a number for the per-file answers, its text and marks. */
interface CompiledLiteral {
  id: number;
  text: string;
  starts: boolean;
  ends: boolean;
  /** `(?!:)` after the end mark: an occurrence directly followed by `:` does not count. */
  notBeforeColon: boolean;
  /** Set when the literal is one whole word (both sides marked, only word characters). */
  wordHash?: number;
  /** The whole words inside a literal with other characters (`@redis/client`: redis, client), checked before a scan. */
  innerWordHashes?: number[];
  pattern?: TextPattern;
}

const literalsByKey = new Map<string, CompiledLiteral>();
const literalsByPattern = new Map<TextPattern, CompiledLiteral>();
let literalCount = 0;
const compiledRequirements = new WeakMap<TextRequirement, CompiledLiteral[][][]>();

/**
 * A requirement as the per-file check wants it: in each alternative the cheap literals first (a
 * word's hash before a scan of the text, a pattern last), and an alternative dropped when another
 * of its group needs only some of its literals (`ioredis` + `set` makes `ioredis` + `Redis` + `set`
 * redundant).
 */
function compiled(requirement: TextRequirement, language: LintLanguage): CompiledLiteral[][][] {
  let groups = compiledRequirements.get(requirement);
  if (!groups) {
    groups = requirement.map((group) => {
      const alternatives = group.map((alternative) => [...new Set(alternative.map((literal) => compileLiteral(literal, language)))].sort((a, b) => cost(a) - cost(b)));
      return alternatives.filter((alternative, index) =>
        !alternatives.some((other, j) => j !== index && other.every((l) => alternative.includes(l)) && (other.length < alternative.length || j < index)),
      );
    });
    compiledRequirements.set(requirement, groups);
  }
  return groups;
}

function cost(literal: CompiledLiteral): number {
  if (literal.pattern) return 4;
  if (literal.wordHash !== undefined) return literal.notBeforeColon ? 1 : 0;
  return literal.innerWordHashes ? 2 : 3;
}

function compileLiteral(literal: Literal, language: LintLanguage): CompiledLiteral {
  if (typeof literal !== 'string') {
    let found = literalsByPattern.get(literal);
    if (!found) {
      if (!literal.pattern.global) throw new Error(`pre-filter pattern ${literal.pattern} needs the g flag`);
      literalsByPattern.set(literal, (found = { id: literalCount++, text: '', starts: false, ends: false, notBeforeColon: false, pattern: literal }));
    }
    return found;
  }
  const key = `${language}\0${literal}`;
  let found = literalsByKey.get(key);
  if (found) return found;
  const words = WORD_CHARS[language];
  const starts = literal.startsWith('\\b');
  const body = starts ? literal.slice(2) : literal;
  const end = /\\b(\(\?!:\))?$/.exec(body);
  const text = end ? body.slice(0, body.length - end[0].length) : body;
  let hash = FNV_OFFSET;
  let wholeWord = starts && end !== null && text.length > 0;
  for (let i = 0; wholeWord && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || words[c] !== 1) wholeWord = false;
    hash = Math.imul(hash ^ c, FNV_PRIME);
  }
  const inner = wholeWord ? [] : innerWords(text, starts, end !== null, words);
  found = {
    id: literalCount++,
    text,
    starts,
    ends: end !== null,
    notBeforeColon: end?.[1] !== undefined,
    ...(wholeWord ? { wordHash: hash } : {}),
    ...(inner.length > 0 ? { innerWordHashes: inner } : {}),
  };
  literalsByKey.set(key, found);
  return found;
}

/** Hashes of the runs of word characters in `text` that are whole words wherever `text` occurs as marked. */
function innerWords(text: string, starts: boolean, ends: boolean, words: Uint8Array): number[] {
  const out: number[] = [];
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    if (i < text.length && c < 128 && words[c] === 1) continue;
    const bounded = (from > 0 || starts) && (i < text.length || ends);
    if (i > from && bounded) {
      let hash = FNV_OFFSET;
      for (let k = from; k < i; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME);
      out.push(hash);
    }
    from = i + 1;
  }
  return out;
}

const UNKNOWN = 0;
const PRESENT = 1;
const ABSENT = 2;

/**
 * The pre-filter's view of one file. A literal is text that must occur; a leading or trailing `\b`
 * (as names.ts writes them) means the text must start or end a word there: `\bfind\b` is the
 * word `find`, not a part of `findIndex`; `Repository\b` ends a word (`userRepository`);
 * `\bhttps\b(?!:)` is the word `https` not directly followed by a colon (not `https://`).
 *
 * Whole words, nearly all literals, are answered from the hashes of the file's words, collected
 * in one pass when first asked: ~130 `includes` scans per file measured ~0.3 s on 7 MB, a `Set`
 * of the words themselves ~0.1 s. Two words with one hash can only let a file through, never
 * keep it out. Literals are compiled to numbers once (`compileLiteral`), so a file's answers are
 * an array, not a map of strings.
 */
export class TextIndex {
  private wordHashes: Set<number> | undefined;
  private answers = new Uint8Array(literalCount);
  private readonly words: Uint8Array;

  constructor(
    readonly code: string,
    private readonly language: LintLanguage,
  ) {
    this.words = WORD_CHARS[language];
  }

  has(literal: Literal | CompiledLiteral): boolean {
    const compiled = typeof literal === 'string' || !('id' in literal) ? compileLiteral(literal, this.language) : literal;
    if (compiled.id >= this.answers.length) {
      const grown = new Uint8Array(literalCount);
      grown.set(this.answers);
      this.answers = grown;
    }
    let answer = this.answers[compiled.id];
    if (answer === UNKNOWN) this.answers[compiled.id] = answer = this.find(compiled) ? PRESENT : ABSENT;
    return answer === PRESENT;
  }

  private find(literal: CompiledLiteral): boolean {
    if (literal.pattern) return this.count(literal.pattern);
    if (literal.wordHash !== undefined) {
      const present = (this.wordHashes ??= this.hashWords()).has(literal.wordHash);
      // The word occurs: a colon test still has to look at the text, but only then.
      if (!present || !literal.notBeforeColon) return present;
    }
    if (literal.innerWordHashes) {
      const hashes = (this.wordHashes ??= this.hashWords());
      if (!literal.innerWordHashes.every((hash) => hashes.has(hash))) return false;
    }
    const { text, starts, ends, notBeforeColon } = literal;
    if (!starts && !ends) return this.code.includes(text);
    // A word's start or end (`Repository\b`), a marked text with other characters (`\bfs-extra\b`),
    // or a word not followed by a colon (`\bhttps\b(?!:)`, not `https://`).
    const checkStart = starts && this.isWordChar(text.charCodeAt(0));
    const checkEnd = ends && this.isWordChar(text.charCodeAt(text.length - 1));
    for (let at = this.code.indexOf(text); at !== -1; at = this.code.indexOf(text, at + 1)) {
      if (checkStart && at > 0 && this.isWordChar(this.code.charCodeAt(at - 1))) continue;
      const next = this.code.charCodeAt(at + text.length);
      if (checkEnd && this.isWordChar(next)) continue;
      if (notBeforeColon && next === COLON) continue;
      return true;
    }
    return false;
  }

  private count({ pattern, times = 1 }: TextPattern): boolean {
    pattern.lastIndex = 0;
    let seen = 0;
    for (let match = pattern.exec(this.code); match; match = pattern.exec(this.code)) {
      if (++seen >= times) return true;
      if (match[0] === '') pattern.lastIndex++;
    }
    return false;
  }

  private isWordChar(c: number): boolean {
    return c < 128 && this.words[c] === 1;
  }

  private hashWords(): Set<number> {
    const { code, words } = this;
    const hashes = new Set<number>();
    let hash = 0;
    let inWord = false;
    for (let i = 0; i < code.length; i++) {
      const c = code.charCodeAt(i);
      if (c < 128 && words[c] === 1) {
        hash = Math.imul((inWord ? hash : FNV_OFFSET) ^ c, FNV_PRIME);
        inWord = true;
      } else if (inWord) {
        hashes.add(hash);
        inWord = false;
      }
    }
    if (inWord) hashes.add(hash);
    return hashes;
  }
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
