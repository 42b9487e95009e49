/**
 * Raw YAML items -> the model (model.ts). One function per item kind; each checks its item
 * against raw-schema.ts, reports what it had to repair or skip, and returns the model object
 * (or undefined when the item is skipped). Fields we do not model are kept under their own
 * names; fields we consumed are dropped, except where the model cannot hold all they say.
 */
import {
  EdgeSeverity,
  DelegationPattern,
  type AntiPattern,
  type Collaboration,
  type Complement,
  type Delegation,
  type FindingSeverity,
  type Pattern,
  type SharpEdge,
  type SourceLocation,
  type Validation,
} from './model.js';
import {
  RawAntiPattern,
  RawComplement,
  RawDelegation,
  RawPattern,
  RawPrerequisites,
  RawSharpEdge,
  RawValidation,
} from './raw-schema.js';
import { checkItem, describeValue, type ItemContext } from './problems.js';
import { checkRegex } from './regex-check.js';
import type { PathSegment } from './yaml-file.js';

/** One item of a list, or one value of a mapping keyed by id (`patterns: {measure_first: {...}}`). */
export interface Entry {
  value: unknown;
  path: PathSegment[];
  key?: string;
}

export function entriesOf(data: Record<string, unknown>, key: string, ctx: ItemContext, basePath: PathSegment[] = []): Entry[] {
  const value = data[key];
  const path = [...basePath, key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item, i) => ({ value: item, path: [...path, i] }));
  if (typeof value === 'object') {
    return Object.entries(value).map(([k, item]) => ({ value: item, path: [...path, k], key: k }));
  }
  ctx.log.add('error', ctx.file, path, `"${key}" must be a list or a mapping (got ${describeValue(value)}); ignored`, ctx.skillId);
  return [];
}

/** Ids are kebab-case: "N+1 Queries" -> "n-1-queries", `measure_first` -> "measure-first". */
export function kebabCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function titleCase(id: string): string {
  return id.split(/[-_\s]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

export function toList(value: string | string[] | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function sourceOf(entry: Entry, ctx: ItemContext): SourceLocation {
  const pos = ctx.file.positionOf(entry.value) ?? ctx.file.locate(entry.path);
  return { file: ctx.file.file, line: pos.line, column: pos.column };
}

/** Accepts an item only if its id is new in this list; a repeat is an error and the first wins. */
export class IdSet {
  private readonly seen = new Map<string, SourceLocation>();
  constructor(private readonly what: string) {}

  admit(id: string, entry: Entry, ctx: ItemContext): boolean {
    const first = this.seen.get(id);
    if (!first) {
      this.seen.set(id, sourceOf(entry, ctx));
      return true;
    }
    ctx.log.add('error', ctx.file, entry.path, `duplicate ${this.what} id "${id}" (first declared at ${first.file}:${first.line}:${first.column}); this one is skipped`, ctx.skillId);
    return false;
  }
}

/** id from `id`, else the mapping key, else the name; name from `name`, else the id in words. */
function idAndName(raw: { id?: string | undefined; name?: string | undefined }, entry: Entry, what: string, ctx: ItemContext) {
  const id = raw.id ?? (entry.key !== undefined ? kebabCase(entry.key) : raw.name !== undefined ? kebabCase(raw.name) : undefined);
  if (!id) {
    ctx.log.add('error', ctx.file, entry.path, `${what} has neither "id" nor "name"; skipped`, ctx.skillId);
    return undefined;
  }
  return { id, name: raw.name ?? titleCase(entry.key ?? id) };
}

export function normalizePattern(entry: Entry, ctx: ItemContext): Pattern | undefined {
  const raw = checkItem(RawPattern, entry.value, entry.path, 'pattern', ctx);
  if (!raw) return undefined;
  const names = idAndName(raw, entry, 'pattern', ctx);
  if (!names) return undefined;
  const { id, name, description, when, when_to_use, example, examples, implementation, ...rest } = raw;
  const pattern: Pattern = {
    ...rest,
    ...names,
    description: description ?? '',
    examples: { ...asExamples(implementation), ...asExamples(example), ...asExamples(examples) },
    source: sourceOf(entry, ctx),
  };
  const whenText = when ?? when_to_use;
  if (whenText !== undefined) pattern.when = whenText;
  return pattern;
}

function asExamples(value: string | Record<string, string> | undefined): Record<string, string> {
  if (value === undefined) return {};
  return typeof value === 'string' ? { code: value } : value;
}

export function normalizeAntiPattern(entry: Entry, ctx: ItemContext): AntiPattern | undefined {
  const raw = checkItem(RawAntiPattern, entry.value, entry.path, 'anti-pattern', ctx);
  if (!raw) return undefined;
  const names = idAndName(raw, entry, 'anti-pattern', ctx);
  if (!names) return undefined;
  const { id, name, description, why, why_bad, instead, what_to_do_instead, right, ...rest } = raw;
  const anti: AntiPattern = {
    ...rest,
    ...names,
    description: description ?? '',
    instead: instead ?? what_to_do_instead ?? right ?? '',
    source: sourceOf(entry, ctx),
  };
  const whyText = why ?? why_bad;
  if (whyText !== undefined) anti.why = whyText;
  return anti;
}

export function normalizeSharpEdge(entry: Entry, ctx: ItemContext): SharpEdge | undefined {
  const raw = checkItem(RawSharpEdge, entry.value, entry.path, `sharp edge${idHint(entry.value)}`, ctx);
  if (!raw) return undefined;
  const {
    id, summary, title, name, severity, situation, why, solution, symptoms, detectors,
    detection_pattern, detection_patterns, detection, version_range, ...rest
  } = raw;
  const edge: SharpEdge = {
    ...rest,
    id,
    summary: summary ?? title ?? name ?? titleCase(id),
    severity: edgeSeverity(severity, entry, ctx),
    situation: situation ?? '',
    why: why ?? '',
    solution: solution ?? '',
    symptoms: toList(symptoms),
    detectionPatterns: [...toList(detection_pattern), ...toList(detection_patterns), ...toList(detection?.pattern)],
    detectionFileTypes: toList(detection?.file_types),
    detectors: unique(toList(detectors)),
    source: sourceOf(entry, ctx),
  };
  if (version_range !== undefined) edge.versionRange = version_range;
  return edge;
}

function edgeSeverity(value: string | undefined, entry: Entry, ctx: ItemContext): EdgeSeverity {
  const parsed = EdgeSeverity.safeParse(value?.trim().toLowerCase());
  if (parsed.success) return parsed.data;
  const said = value === undefined ? 'no severity' : `unknown severity "${value}"`;
  ctx.log.add('warning', ctx.file, [...entry.path, 'severity'], `${said}; using medium (expected critical, high, medium, low or info)`, ctx.skillId);
  return 'medium';
}

const FINDING_SEVERITY: Record<string, FindingSeverity> = {
  critical: 'error', blocker: 'error', high: 'error', error: 'error',
  medium: 'warning', moderate: 'warning', warning: 'warning', warn: 'warning',
  low: 'info', info: 'info', hint: 'info', note: 'info',
};

const RUNNABLE_KINDS = new Set(['regex', 'ast']);

/**
 * `fallbackSeverity` is what an item without a severity gets: `warning` for validations,
 * `info` for upstream `code_smells` (advice, not defects).
 */
export function normalizeValidation(entry: Entry, ctx: ItemContext, fallbackSeverity: FindingSeverity): Validation | undefined {
  const raw = checkItem(RawValidation, entry.value, entry.path, `validation${idHint(entry.value)}`, ctx);
  if (!raw) return undefined;
  const {
    id, name, type, kind: kindField, severity, pattern, patterns, negative_pattern, negative_patterns,
    applies_to, file_glob, message, fix, fix_action, suggestion, autofix, detector, languages, options,
    sharp_edge, ...rest
  } = raw;
  const patternObject = pattern !== undefined && typeof pattern === 'object' && !Array.isArray(pattern) ? pattern : undefined;
  const plainPattern = patternObject ? patternObject.match : (pattern as string | string[] | undefined);
  const rawPatterns = [...toList(plainPattern), ...toList(patterns)];
  const rawNegatives = [...toList(negative_pattern), ...toList(negative_patterns), ...toList(patternObject?.exclude)];
  const declaredKind = (type ?? kindField)?.trim().toLowerCase();
  const kind = declaredKind || (rawPatterns.length ? 'regex' : detector ? 'ast' : 'unspecified');

  const validation: Validation = {
    ...rest,
    // The object form carries more than we model (context_lines, ...); keep it whole.
    ...(patternObject ? { pattern: patternObject } : {}),
    ...(autofix !== undefined && typeof autofix === 'object' ? { autofix } : {}),
    id,
    name: name ?? titleCase(id),
    kind,
    runnable: false,
    severity: findingSeverity(severity, fallbackSeverity, entry, ctx),
    message: message ?? (typeof rest.description === 'string' ? rest.description : ''),
    fix: fix ?? fix_action ?? suggestion ?? autofixText(autofix),
    patterns: [],
    negativePatterns: [],
    appliesTo: [...toList(applies_to), ...toList(file_glob), ...toList(patternObject?.file_glob)],
    languages: toList(languages),
    options: options ?? {},
    source: sourceOf(entry, ctx),
  };
  if (detector !== undefined) validation.detector = detector;
  if (sharp_edge !== undefined) validation.sharpEdge = sharp_edge;

  const notRunnable = (reason: string) => {
    validation.notRunnableReason = reason;
    return validation;
  };
  if (kind === 'ast') {
    if (!detector) return notRunnable('ast validation names no "detector"');
    validation.runnable = true;
    return validation;
  }
  if (kind !== 'regex') {
    return notRunnable(kind === 'unspecified'
      ? 'no "type" and no "pattern": nothing to run'
      : `kind "${kind}" is not run by perf-hunter (it runs regex and ast validations)`);
  }

  const repaired: string[] = [];
  const checkAll = (list: string[], bad: string[]) => list.flatMap((p) => {
    const checked = checkRegex(p);
    if (!checked.ok) {
      bad.push(`/${p}/ (${checked.error})`);
      return [];
    }
    if (checked.repairedFrom) repaired.push(checked.repairedFrom);
    return [checked.pattern];
  });
  const badPatterns: string[] = [];
  const badNegatives: string[] = [];
  validation.patterns = checkAll(rawPatterns, badPatterns);
  validation.negativePatterns = checkAll(rawNegatives, badNegatives);
  if (repaired.length) {
    const count = repaired.length === 1 ? '1 pattern looks' : `${repaired.length} patterns look`;
    ctx.log.add('warning', ctx.file, [...entry.path, 'pattern'], `${count} double-escaped (YAML single quotes keep "\\\\"), e.g. /${repaired[0]}/; unescaped`, ctx.skillId);
  }
  if (badPatterns.length) {
    // Said once, at load: a scan then runs what it can without repeating this per file.
    const what = validation.patterns.length ? 'dropped pattern' : 'validation not run: unsupported pattern';
    ctx.log.add('warning', ctx.file, [...entry.path, 'pattern'], `${what} ${badPatterns.join(', ')}`, ctx.skillId);
  }
  if (badNegatives.length) {
    // Running without its suppressions would report what the author meant to exclude.
    return notRunnable(`negative pattern ${badNegatives.join(', ')} is not a valid JavaScript regex`);
  }
  if (!validation.patterns.length) {
    return notRunnable(rawPatterns.length
      ? `no valid JavaScript regex among its patterns: ${badPatterns.join(', ')}`
      : 'regex validation has no "pattern"');
  }
  validation.runnable = true;
  return validation;
}

function findingSeverity(value: string | undefined, fallback: FindingSeverity, entry: Entry, ctx: ItemContext): FindingSeverity {
  if (value === undefined) return fallback;
  const mapped = FINDING_SEVERITY[value.trim().toLowerCase()];
  if (mapped) return mapped;
  ctx.log.add('warning', ctx.file, [...entry.path, 'severity'], `unknown severity "${value}"; using ${fallback} (expected error, warning, info or critical, high, medium, low)`, ctx.skillId);
  return fallback;
}

function autofixText(autofix: string | boolean | Record<string, unknown> | undefined): string {
  if (typeof autofix === 'string') return autofix;
  if (autofix === undefined || typeof autofix === 'boolean') return '';
  if (typeof autofix.description === 'string') return autofix.description;
  if (typeof autofix.find === 'string' && typeof autofix.replace === 'string') {
    return `Replace /${autofix.find}/ with "${autofix.replace}"`;
  }
  return '';
}

export function normalizeDelegation(entry: Entry, ctx: ItemContext): Delegation | undefined {
  const raw = checkItem(RawDelegation, entry.value, entry.path, 'delegation', ctx);
  if (!raw) return undefined;
  const { trigger, delegate_to, to, pattern, context, receive, ...rest } = raw;
  const delegateTo = delegate_to ?? to;
  if (!delegateTo) {
    ctx.log.add('error', ctx.file, entry.path, 'missing required field "delegate_to"; delegation skipped', ctx.skillId);
    return undefined;
  }
  let mode: DelegationPattern = 'sequential';
  if (pattern !== undefined) {
    const parsed = DelegationPattern.safeParse(pattern.trim().toLowerCase());
    if (parsed.success) mode = parsed.data;
    else ctx.log.add('warning', ctx.file, [...entry.path, 'pattern'], `unknown delegation pattern "${pattern}"; using sequential (expected sequential, parallel or review)`, ctx.skillId);
  }
  return {
    ...rest,
    // A list of phrases means the same as their alternation.
    trigger: toList(trigger).join('|'),
    delegateTo,
    pattern: mode,
    context: context ?? '',
    receive: receive ?? '',
  };
}

export function normalizeComplement(entry: Entry, ctx: ItemContext): Complement | undefined {
  const raw = checkItem(RawComplement, entry.value, entry.path, 'complementary skill', ctx);
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return { skill: raw, relationship: '', brings: '' };
  return { ...raw, relationship: raw.relationship ?? '', brings: raw.brings ?? '' };
}

export function normalizePrerequisites(value: unknown, path: PathSegment[], ctx: ItemContext): Collaboration['prerequisites'] {
  const empty = { skills: [], knowledge: [] };
  if (value === undefined || value === null) return empty;
  const raw = checkItem(RawPrerequisites, value, path, 'prerequisites', ctx);
  if (raw === undefined) return empty;
  if (Array.isArray(raw)) return { skills: [], knowledge: raw };
  const { skills, required, knowledge, ...rest } = raw;
  const ids = [...(skills ?? []), ...(required ?? [])].map((s) => (typeof s === 'string' ? s : s.skill));
  return { ...rest, skills: unique(ids), knowledge: knowledge ?? [] };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** ` "x"` when the raw item has a string id, so "validation \"x\" skipped" names it. */
function idHint(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'id' in value && typeof value.id === 'string') return ` "${value.id}"`;
  return '';
}
