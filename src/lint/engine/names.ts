/**
 * Import-aware dotted names, shared by both languages, and the call-shape matcher detectors use.
 * Detectors match resolved qualified names, never raw text (ruff's way): after
 * `import * as f from 'node:fs'` the call `f.readFileSync()` is named `fs.readFileSync`, and after
 * `from time import sleep as zz` the call `zz(1)` is named `time.sleep`.
 *
 * Only types are imported from the parsers, so this module costs nothing to load.
 */
import type { ts } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import type { Literals, TextPattern } from '../define.js';
import { tsShapes } from '../options.js';

/** A segment for an expression that has no name (a literal, an arrow, ...). */
export const UNNAMED = '<expr>';

// ---------------------------------------------------------------- call shapes

/**
 * Compiles dotted globs into one predicate. Per segment, `*` matches any run of characters and `?`
 * one character; a leading `*` segment stands for any receiver however long, or none (`*.query`
 * matches `query`, `pool.query` and `db.pool.query`); `**` matches any number of segments, none
 * included. Called expressions appear as `name()`, e.g. `knex().where`.
 *
 * Detectors ask about every call's name, and nearly all names match no shape. So the shapes are
 * indexed by their last segment: a name is tested (one alternation per last segment) only
 * against the shapes whose last segment is its own (`query` for `pool.query`), plus those whose
 * last segment has a wildcard (`fs.*Sync`). Built once per process per list. Profiled: one
 * alternation over every shape per call, with a memo keyed by the full name, was a fifth of
 * the handlers' time.
 */
const compiledShapes = new Map<string, (name: string | undefined) => boolean>();

/** The same list again (an option's array, a constant) skips building the key. */
const compiledLists = new WeakMap<readonly string[], (name: string | undefined) => boolean>();

export function compileShapes(patterns: readonly string[]): (name: string | undefined) => boolean {
  const known = compiledLists.get(patterns);
  if (known) return known;
  const key = patterns.join('\n');
  const cached = compiledShapes.get(key);
  if (cached) {
    compiledLists.set(patterns, cached);
    return cached;
  }
  const byLast = new Map<string, string[]>();
  const wild: string[] = [];
  for (const pattern of patterns) {
    const last = pattern.slice(pattern.lastIndexOf('.') + 1);
    if (/[*?]/.test(last)) wild.push(pattern);
    else byLast.set(last, [...(byLast.get(last) ?? []), pattern]);
  }
  const combine = (list: readonly string[]): RegExp | null =>
    list.length === 0 ? null : new RegExp(list.map((p) => `(?:${shapeToRegExp(p).source})`).join('|'));
  const exact = new Map([...byLast].map(([last, list]) => [last, combine(list)!]));
  const wildcard = combine(wild);
  const matcher = (name: string | undefined): boolean => {
    if (name === undefined) return false;
    const candidates = exact.size === 0 ? undefined : exact.get(name.slice(name.lastIndexOf('.') + 1));
    return (candidates !== undefined && candidates.test(name)) || (wildcard !== null && wildcard.test(name));
  };
  compiledShapes.set(key, matcher);
  compiledLists.set(patterns, matcher);
  return matcher;
}

/**
 * `compileShapes` for the TS/JS list of a `perLanguageShapes` option, remembered per option value:
 * detectors build their visitors once per file, and joining ~60 shapes into a key each time
 * showed in profiles.
 */
const compiledTsShapes = new WeakMap<object, (name: string | undefined) => boolean>();
export function compileTsShapes(value: { typescript: string[]; javascript: string[] }): (name: string | undefined) => boolean {
  let matcher = compiledTsShapes.get(value);
  if (!matcher) compiledTsShapes.set(value, (matcher = compileShapes(tsShapes(value))));
  return matcher;
}

/**
 * For the pre-filter: per shape, the literal text every name it matches contains as source text.
 * Segments of qualified names come from identifiers, property names in quotes and module
 * specifiers in the file (`node:` stripped, which keeps the rest), so each wildcard-free run of a
 * shape's characters occurs in any file holding a match: `axios.get` needs `axios` and `get`,
 * `fs.*Sync` needs `fs` and `Sync`. A run's edge that meets the start or end of a segment (a `.`,
 * `(`, `)` or either end of the shape) is the edge of a token in the source too, so it is marked
 * as a word boundary (`wordAt`): `*.find` needs the word `find`, not `findIndex`; `*Repository.save`
 * needs a word ending in `Repository`. (A name spelt with `\u` escapes is not seen: TypeScript
 * unescapes it, the file text does not; the pre-filter always had that blind spot.)
 * Undefined when some shape has no such run (`*`): then the list proves nothing.
 */
export function shapeLiterals(shapes: readonly string[]): Literals[] | undefined {
  const out = new Map<string, Literals>();
  for (const shape of shapes) {
    const runs: string[] = [];
    for (const run of shape.matchAll(/[^*?.()]+/g)) {
      const before = shape[run.index - 1];
      const after = shape[run.index + run[0].length];
      const ends = after === undefined || SEGMENT_EDGE.has(after);
      // The shape's whole first segment is the name's root (see `rootWord`).
      runs.push(run.index === 0 && ends ? rootWord(run[0]) : wordAt(run[0], before === undefined || SEGMENT_EDGE.has(before), ends));
    }
    if (runs.length === 0) return undefined;
    const unique = [...new Set(runs)];
    out.set(unique.join('\0'), unique);
  }
  return [...out.values()];
}

/** Shape characters next to which a run starts or ends a name segment. */
const SEGMENT_EDGE = new Set(['.', '(', ')']);

/** `text` marked to start (`\b` before) and/or end (`\b` after) a word where it occurs (see `TextIndex`). */
export function wordAt(text: string, starts: boolean, ends: boolean): string {
  return `${starts ? '\\b' : ''}${text}${ends ? '\\b' : ''}`;
}

/**
 * The root of a qualified name (`https` of `https.get`, `fetch`): in the source it is an
 * identifier used as an expression (`https.get(`, `fetch(`), an imported or required name
 * (`import { fetch as f }`, followed by a space, `,` or `}`) or a module name in quotes
 * (`'node:https'`), so it is never directly followed by `:`. Object keys and destructuring
 * keys are (`{ get: g }`), which is why only roots get this mark; URLs (`https://`) are what it keeps
 * out.
 */
export function rootWord(text: string): string {
  return `${wordAt(text, true, true)}(?!:)`;
}

/** Whole words as alternatives of one group (`words('await')`: the file must contain the word `await`). */
export function words(...list: string[]): Literals[] {
  return list.map((w) => [wordAt(w, true, true)]);
}

/** Whole words that must all occur, as one alternative of a group (`allWords('Array', 'from')`). */
export function allWords(...list: string[]): Literals {
  return list.map((w) => wordAt(w, true, true));
}

/**
 * Regex source for what may stand between two tokens, per language: white space (TypeScript's list
 * is wider than `\s`: U+0085, U+200B), comments, and in Python line continuations. A superset
 * is harmless in a pre-filter; missing one would not be.
 */
export const TRIVIA = {
  typescript: String.raw`(?:[\s\u0085\u200b]|\/\*[\s\S]*?\*\/|\/\/[^\n\r\u2028\u2029]*)`,
  python: String.raw`(?:[\s\u0085\u200b\u2060]|\\|#[^\n\r]*)`,
} as const;

/**
 * Like `shapeLiterals`, for shapes a detector matches against the callee of a call only. A shape
 * `*.W` (any receiver, then the word W) then needs the word W where a callee name can get it:
 *
 * - right before the call: `W(`, `x.W(`, `x.W?.(`, `x.W<T>(`, `x.W!(`, `(x.W)(`, `(x.W as F)(`,
 *   with comments or white space between;
 * - in quotes: `x['W'](`, a module named W (`import c from 'W'`, `require('W')`);
 * - where an import renames it: `import { W as c }`, `const { W: c } = require('m')`,
 *   `const c = require('m').W` (the only renamings `TsNames` follows).
 *
 * What it keeps out is the same word as a variable, a property read or an object key (`count = 0`,
 * `node.raw;`, `{ count: 1 }`). Other shapes keep their plain literals.
 */
export function calledShapeLiterals(shapes: readonly string[], language: 'typescript' | 'python'): Literals[] | undefined {
  const plain = shapeLiterals(shapes);
  if (!plain || language !== 'typescript') return plain;
  const out = new Map<string, Literals>();
  for (const shape of shapes) {
    const word = /^\*\.([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(shape)?.[1];
    if (word) out.set(`called\0${word}`, [wordAt(word, true, true), calledWord(word)]);
    else out.set(shape, shapeLiterals([shape])![0]!);
  }
  return [...out.values()];
}

const calledWords = new Map<string, TextPattern>();
/** An identifier, as a superset: any non-ASCII character and `\u` escapes included. */
const IDENTIFIER = String.raw`(?:[A-Za-z_$\u0080-\uffff]|\\u)(?:[A-Za-z0-9_$\u0080-\uffff]|\\u\{?[0-9A-Fa-f]+\}?)*`;
const STRING = String.raw`(?:'(?:[^'\\\n]|\\[\s\S])*'|"(?:[^"\\\n]|\\[\s\S])*"|\`(?:[^\`\\]|\\[\s\S])*\`)`;

/** The `TextPattern` of `calledShapeLiterals` for one word (built once per word). */
function calledWord(word: string): TextPattern {
  let found = calledWords.get(word);
  if (!found) {
    const t = `${TRIVIA.typescript}*`;
    const w = word.replace(/\$/g, '\\$');
    const before = String.raw`(?<![A-Za-z0-9_$])`;
    const after = String.raw`(?![A-Za-z0-9_$])`;
    // Past `!` and closing parentheses, the call: `(`, `?.(`, or type arguments `<T>(`.
    const called = String.raw`(?:${t}[)!])*${t}(?:\(|\?\.|<)`;
    const cast = String.raw`${t}(?:as|satisfies)${after}`;
    const renamed = String.raw`${t}:${t}${IDENTIFIER}${t}[,}=]`;
    const member = String.raw`${before}(?:require|import)${t}\(${t}${STRING}${t}\)${t}\??\.${t}${w}${after}`;
    found = { pattern: new RegExp(`${before}${w}(?:${after}(?:${called}|${cast}|${renamed})|['"\`])|${member}`, 'g') };
    calledWords.set(word, found);
  }
  return found;
}

/** Requirement groups from parts; an undefined part (no certain literal) requires nothing. */
export function requireAll(...groups: (readonly Literals[] | undefined)[]): (readonly Literals[])[] {
  return groups.filter((g): g is readonly Literals[] => g !== undefined);
}

/** One group from several alternative lists: undefined if any of them is (one uncertain alternative). */
export function anyOf(...lists: (readonly Literals[] | undefined)[]): Literals[] | undefined {
  if (lists.some((l) => l === undefined)) return undefined;
  return lists.flatMap((l) => [...l!]);
}

export function matchesShape(name: string, pattern: string): boolean {
  return shapeToRegExp(pattern).test(name);
}

function shapeToRegExp(pattern: string): RegExp {
  const segments = pattern.split('.');
  const parts = segments.map((segment, index) => {
    if (segment === '**') return index === segments.length - 1 ? '.*' : '(?:[^.]+\\.)*';
    if (segment === '*' && index === 0 && segments.length > 1) return '(?:[^.]+\\.)*';
    const body = segment
      .split('')
      .map((ch) => (ch === '*' ? '[^.]*' : ch === '?' ? '[^.]' : ch.replace(/[\\^$+|()[\]{}/]/g, '\\$&')))
      .join('');
    return index === segments.length - 1 ? body : `${body}\\.`;
  });
  // `**` and the leading `*` already carry their dot; glue the rest with it.
  return new RegExp(`^${parts.join('')}$`);
}

// ---------------------------------------------------------------- import tables

/** `node:fs` and `fs` are one module. */
export function normaliseModule(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

/**
 * The prefix a module gives qualified names. The project's own modules (`./models`, `../db`) give
 * none: `import { User } from './models'` names `User`, as the code reads, and their path dots
 * would break the dotted segments.
 */
function qualifierOf(module: string): string | undefined {
  return module.startsWith('.') || module.startsWith('/') ? undefined : module;
}

/** Local name -> qualified name it was imported as (`rfs` -> `fs.readFileSync`). File-wide. */
class AliasTable {
  private readonly aliases = new Map<string, string>();
  private readonly modules = new Map<string, string>();
  /** Bumped by every binding, so names worked out before it are worked out again. */
  version = 0;

  bind(local: string, qualified: string, module: string): void {
    this.aliases.set(local, qualified);
    this.modules.set(local, module);
    this.version++;
  }

  resolve(local: string): string {
    return this.aliases.get(local) ?? local;
  }

  moduleOf(local: string): string | undefined {
    return this.modules.get(local);
  }
}

export interface Names<N> {
  /**
   * The dotted, import-resolved name of an expression: `fs.readFileSync`, `pool.query`,
   * `prisma.user.findMany`. A leading `this.`/`self.`/`cls.` is dropped, so a field and a
   * local of the same name match the same shapes. Undefined for a node that is not an expression.
   */
  qualifiedName(node: N): string | undefined;
  /** The module a local name was imported from (`f` -> `fs`), if it was imported. */
  moduleOf(localName: string): string | undefined;
}

// ---------------------------------------------------------------- TypeScript / JavaScript

export class TsNames implements Names<ts.Node> {
  private readonly table = new AliasTable();

  constructor(private readonly tsApi: typeof ts) {}

  moduleOf(localName: string): string | undefined {
    return this.table.moduleOf(localName);
  }

  /** Called by the engine for every node before detectors see it, so imports bind in order. */
  observe(node: ts.Node): void {
    const t = this.tsApi;
    if (t.isImportDeclaration(node)) this.bindImport(node);
    else if (t.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (t.isExternalModuleReference(ref) && t.isStringLiteral(ref.expression)) {
        const module = normaliseModule(ref.expression.text);
        this.table.bind(node.name.text, qualifierOf(module) ?? node.name.text, module);
      }
    } else if (t.isVariableDeclaration(node) && node.initializer) this.bindRequire(node);
  }

  private bindImport(node: ts.ImportDeclaration): void {
    const t = this.tsApi;
    const clause = node.importClause;
    if (!clause || !t.isStringLiteral(node.moduleSpecifier)) return;
    const module = normaliseModule(node.moduleSpecifier.text);
    const prefix = qualifierOf(module);
    // A default import stands for the module (`import fs from 'fs'`, `import axios from 'axios'`).
    if (clause.name) this.table.bind(clause.name.text, prefix ?? clause.name.text, module);
    const bindings = clause.namedBindings;
    if (!bindings) return;
    if (t.isNamespaceImport(bindings)) {
      this.table.bind(bindings.name.text, prefix ?? bindings.name.text, module);
    } else {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        const qualified = imported === 'default' ? prefix ?? element.name.text : prefix ? `${prefix}.${imported}` : imported;
        this.table.bind(element.name.text, qualified, module);
      }
    }
  }

  /** `const f = require('fs')`, `const { readFileSync: rfs } = require('fs')`, `await import('fs')`. */
  private bindRequire(node: ts.VariableDeclaration): void {
    const t = this.tsApi;
    let init: ts.Expression = node.initializer!;
    while (t.isAwaitExpression(init) || t.isParenthesizedExpression(init)) init = init.expression;
    let member: string | undefined;
    if (t.isPropertyAccessExpression(init)) {
      member = init.name.text;
      init = init.expression;
    }
    if (!t.isCallExpression(init) || init.arguments.length !== 1) return;
    const isRequire = t.isIdentifier(init.expression) && init.expression.text === 'require';
    const isImport = init.expression.kind === t.SyntaxKind.ImportKeyword;
    const arg = init.arguments[0];
    if (!(isRequire || isImport) || !arg || !t.isStringLiteralLike(arg)) return;
    const module = normaliseModule(arg.text);
    const prefix = qualifierOf(module);
    const base = prefix === undefined ? member : member ? `${prefix}.${member}` : prefix;
    if (base === undefined) return;
    if (t.isIdentifier(node.name)) {
      this.table.bind(node.name.text, base, module);
    } else if (t.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        if (!t.isIdentifier(element.name)) continue;
        const prop = element.propertyName ?? element.name;
        if (!t.isIdentifier(prop) && !t.isStringLiteral(prop)) continue;
        this.table.bind(element.name.text, `${base}.${prop.text}`, module);
      }
    }
  }

  /**
   * Most detectors ask for the name of every call's callee: each is worked out once per node (per
   * state of the import table), not once per detector.
   */
  private readonly memo = new Map<ts.Node, string | undefined>();
  private memoVersion = 0;

  qualifiedName(node: ts.Node): string | undefined {
    if (this.memoVersion !== this.table.version) {
      this.memo.clear();
      this.memoVersion = this.table.version;
    }
    const known = this.memo.get(node);
    if (known !== undefined || this.memo.has(node)) return known;
    const name = this.nameOf(node);
    this.memo.set(node, name);
    return name;
  }

  private nameOf(node: ts.Node): string | undefined {
    const t = this.tsApi;
    if (t.isIdentifier(node)) return this.table.resolve(node.text);
    if (node.kind === t.SyntaxKind.ThisKeyword) return '';
    if (t.isPropertyAccessExpression(node)) return join(this.qualifiedName(node.expression), node.name.text);
    if (t.isElementAccessExpression(node) && t.isStringLiteralLike(node.argumentExpression)) {
      return join(this.qualifiedName(node.expression), node.argumentExpression.text);
    }
    if (t.isCallExpression(node)) {
      const callee = this.qualifiedName(node.expression);
      return callee === undefined ? undefined : `${callee}()`;
    }
    if (t.isNewExpression(node)) return `${this.qualifiedName(node.expression) ?? UNNAMED}()`;
    if (
      t.isParenthesizedExpression(node) ||
      t.isAwaitExpression(node) ||
      t.isNonNullExpression(node) ||
      t.isAsExpression(node) ||
      t.isSatisfiesExpression(node) ||
      t.isTypeAssertionExpression(node)
    ) {
      return this.qualifiedName(node.expression);
    }
    return t.isExpression(node) ? UNNAMED : undefined;
  }
}

// ---------------------------------------------------------------- Python

const PY_RECEIVERS = new Set(['self', 'cls']);

export class PyNames implements Names<PyNode> {
  private readonly table = new AliasTable();

  moduleOf(localName: string): string | undefined {
    return this.table.moduleOf(localName);
  }

  /** Called by the engine for import statements (at any depth: function-local imports count). */
  observe(node: PyNode): void {
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          // `import os.path` binds `os`, which then names `os.path.join` in full.
          const first = child.text.split('.')[0]!;
          this.table.bind(first, first, child.text);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) this.table.bind(alias, name, name);
        }
      }
    } else if (node.type === 'import_from_statement') {
      // A relative module (`from .models import Book`) names the project's own code: no prefix.
      const module = node.childForFieldName('module_name')?.text;
      if (module === undefined) return;
      const qualify = (name: string) => (module.startsWith('.') ? name : `${module}.${name}`);
      for (const child of node.childrenForFieldName('name')) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          this.table.bind(child.text, qualify(child.text), module);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) this.table.bind(alias, qualify(name), module);
        }
      }
    }
  }

  qualifiedName(node: PyNode): string | undefined {
    switch (node.type) {
      case 'identifier':
        return PY_RECEIVERS.has(node.text) ? '' : this.table.resolve(node.text);
      case 'attribute': {
        const object = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!object || !attr) return undefined;
        return join(this.qualifiedName(object), attr.text);
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        const callee = fn ? this.qualifiedName(fn) : undefined;
        return callee === undefined ? undefined : `${callee}()`;
      }
      case 'await':
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        return inner ? this.qualifiedName(inner) : undefined;
      }
      default:
        return UNNAMED;
    }
  }
}

function join(left: string | undefined, right: string): string {
  if (left === undefined) return `${UNNAMED}.${right}`;
  return left === '' ? right : `${left}.${right}`;
}
