/**
 * `defineDetector`: the one typed way to write a detector, in the shape of typescript-eslint's
 * `createRule`. The `messages` keys become the `MessageId` union, so `ctx.report({ messageId })`
 * only type-checks with an id the detector declared; `options` is a zod schema whose defaults are
 * applied once, before the visitor is built.
 *
 * This file imports the TypeScript compiler and tree-sitter as types only: loading either costs
 * real time, and the engine loads them lazily when a file of that language is linted.
 */
import { z } from 'zod';
import type { ts } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import type { EdgeSeverity, FindingSeverity } from '../skills/model.js';
import type { Handoff, LintLanguage } from './schema.js';
import type { PyNames, TsNames } from './engine/names.js';

export type { PyNode };

/** Placeholder values for `{{name}}` in a message template. */
export type MessageData = Record<string, string | number>;

export interface ReportDescriptor<M extends string, N> {
  node: N;
  messageId: M;
  data?: MessageData;
  /** Set when the topic of this finding belongs to another skill. */
  handoff?: Handoff;
}

interface BaseContext<M extends string, N> {
  /** As given to the engine (relative or absolute); findings carry it unchanged. */
  readonly filename: string;
  readonly source: string;
  report(descriptor: ReportDescriptor<M, N>): void;
}

export interface TsContext<M extends string = string> extends BaseContext<M, ts.Node> {
  /** The compiler namespace, so detectors need no value import of it (it loads lazily). */
  readonly ts: typeof ts;
  readonly sourceFile: ts.SourceFile;
  /** Import-aware names: `f.readFileSync` after `import * as f from 'node:fs'` is `fs.readFileSync`. */
  readonly names: TsNames;
}

export interface PyContext<M extends string = string> extends BaseContext<M, PyNode> {
  readonly names: PyNames;
}

/** The node types handlers receive for the kinds detectors use most; other kinds get `ts.Node`. */
interface TsNodeByKind {
  CallExpression: ts.CallExpression;
  NewExpression: ts.NewExpression;
  AwaitExpression: ts.AwaitExpression;
  PropertyAccessExpression: ts.PropertyAccessExpression;
  Identifier: ts.Identifier;
  VariableDeclaration: ts.VariableDeclaration;
  ImportDeclaration: ts.ImportDeclaration;
  ForStatement: ts.ForStatement;
  ForOfStatement: ts.ForOfStatement;
  ForInStatement: ts.ForInStatement;
  WhileStatement: ts.WhileStatement;
  DoStatement: ts.DoStatement;
  FunctionDeclaration: ts.FunctionDeclaration;
  FunctionExpression: ts.FunctionExpression;
  ArrowFunction: ts.ArrowFunction;
  MethodDeclaration: ts.MethodDeclaration;
  TryStatement: ts.TryStatement;
}
export type TsKindName = keyof typeof ts.SyntaxKind;
type TsNodeOf<K> = K extends keyof TsNodeByKind ? TsNodeByKind[K] : ts.Node;

/** Handlers keyed by `SyntaxKind` name; `'<Kind>:exit'` runs after the node's children. */
export type TsHandlers = {
  [K in TsKindName]?: (node: TsNodeOf<K>) => void;
} & {
  [K in TsKindName as `${K}:exit`]?: (node: TsNodeOf<K>) => void;
};

/** Handlers keyed by tree-sitter node type (`call`, `for_statement`, ...), with `':exit'` too. */
export type PyHandlers = Record<string, (node: PyNode) => void>;

/**
 * Text found by a regular expression (with the `g` flag), at least `times` times (default 1): for
 * what words cannot say, such as "two `= await`s". Checked only after the words of its alternative
 * were found, so put it last. Keep it linear: no nested quantifiers over the same text.
 */
export interface TextPattern {
  pattern: RegExp;
  times?: number;
}

/**
 * Text that must occur: a string (see `TextIndex` for its word-boundary marks, which names.ts
 * writes) or a pattern.
 */
export type Literal = string | TextPattern;

/** Literals that must all occur: the literal parts of one call shape (`axios.get`: `axios` and `get`). */
export type Literals = readonly Literal[];

/**
 * Text a file must contain for a detector to report there: every group must occur, a group by any
 * one of its alternatives, an alternative by all of its strings. An empty list requires nothing.
 */
export type TextRequirement = readonly (readonly Literals[])[];

/** Per-language text; a detector documents each language it supports. */
export type PerLanguage = Partial<Record<LintLanguage, string>>;

export interface DetectorDocs {
  /** Why this is bad, in production terms. */
  why: string;
  /** Code the detector flags, per language (checked by the meta test). */
  example: PerLanguage;
  /** The fix, per language (checked not to be flagged). */
  useInstead: PerLanguage;
  /** The legitimate look-alikes the detector leaves alone: precision comes from this list. */
  whenNotToUse: string;
  references: string[];
}

export type DetectorStatus = 'stable' | 'experimental' | 'deprecated';

/** An object schema, so YAML's snake_case keys can be mapped onto it key by key. */
export type OptionsSchema = z.ZodObject;

export interface DetectorDefinition<M extends string, O extends OptionsSchema> {
  /** kebab-case, stable, equal to the file name and to the YAML `detector:`. */
  id: string;
  /** The folder under `detectors/`, e.g. `database`, `async`. */
  family: string;
  /** The sharp edge id a finding proves (YAML's `sharp_edge` may override it). */
  sharpEdge: string;
  severity: EdgeSeverity;
  confidence: 'high' | 'medium' | 'low';
  status: DetectorStatus;
  /** True only if the detector needs the type checker; the meta test keeps this honest. */
  requiresTypeInfo: boolean;
  /** The default fix text of findings (YAML's `fix_action` may override it). */
  fix: string;
  /** Set when every finding of this detector belongs partly to another skill. */
  handoff?: Handoff;
  docs: DetectorDocs;
  messages: Record<M, string>;
  options: O;
  /**
   * The text pre-filter (Semgrep's idea): literal text without which the detector cannot report in
   * a file, derived from its options (a call shape's literal part via `shapeLiterals`, which marks
   * the edges that are word boundaries; `words`, `allWords`; a counted `TextPattern` for what
   * words cannot say). A file that lacks it is not parsed for this detector, so it must never be
   * wrong: leave out what is not certain (no `requires` at all: every file is parsed), and say
   * next to it what it relies on. Checked by test/lint/prefilter.test.ts.
   */
  requires?: (options: z.output<O>, language: LintLanguage) => TextRequirement;
  visit: {
    typescript?: (ctx: TsContext<M>, options: z.output<O>) => TsHandlers;
    python?: (ctx: PyContext<M>, options: z.output<O>) => PyHandlers;
  };
}

export interface Detector<M extends string = string, O extends OptionsSchema = OptionsSchema>
  extends DetectorDefinition<M, O> {
  /** The languages with a visitor, derived from `visit`. */
  readonly languages: LintLanguage[];
  /** Parses options (camelCase or YAML snake_case keys) with defaults; throws `DetectorOptionsError`. */
  parseOptions(raw?: unknown): z.output<O>;
}

/** Any detector, whatever its message ids and options (for registries and the engine). */
// Registries hold detectors of many option types; `any` is the variance escape hatch here.
export type AnyDetector = Detector<string, any>;

export class DetectorOptionsError extends Error {
  constructor(
    readonly detectorId: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(
      `invalid options for detector ${detectorId}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') +
        ' (fix the `options` of this validation; keys may be snake_case or camelCase)',
    );
    this.name = 'DetectorOptionsError';
  }
}

const toCamel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** YAML writes `db_calls`, the schemas say `dbCalls`: accept both at the top level. */
export function camelizeKeys(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [toCamel(k), v]));
}

export function defineDetector<const M extends string, O extends OptionsSchema>(
  definition: DetectorDefinition<M, O>,
): Detector<M, O> {
  const languages = (Object.keys(definition.visit) as LintLanguage[]).filter(
    (lang) => definition.visit[lang] !== undefined,
  );
  return {
    ...definition,
    languages,
    parseOptions(raw?: unknown) {
      const result = definition.options.safeParse(camelizeKeys(raw ?? {}));
      if (!result.success) {
        throw new DetectorOptionsError(
          definition.id,
          result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      }
      return result.data;
    },
  };
}
