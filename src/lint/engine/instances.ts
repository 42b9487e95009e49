/**
 * Shared by detector families (http, cache, embedding): which local names hold a
 * client built by a known factory (`const api = axios.create({...})`, `r = redis.Redis()`,
 * `async with httpx.AsyncClient() as client`), and readers for call arguments and option objects.
 *
 * Instance tracking lets a detector name `api.get(...)` as `axios.create().get` and see the options
 * the instance was built with. Names are file-wide (like the import table): a local that shadows a
 * client's name is rare enough to accept.
 */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import type { PyNames, TsNames } from './names.js';
import { rootIdentifier } from './scope-ts.js';
import { rootIdentifierPy } from './scope-py.js';

type Ts = typeof TsApi;

/** A local name bound to the result of a factory call, with the call itself. */
export interface Instance<N> {
  /** The factory's qualified name with `()`: `axios.create()`, `ioredis()`, `httpx.AsyncClient()`. */
  name: string;
  /** The call (or `new`) that built it, to read its options. */
  call: N;
}

/**
 * Longest bound prefix of a dotted name, replaced by the instance's factory name:
 * `clients.api.get` with `clients.api` bound to `axios.create()` gives `axios.create().get`.
 */
function resolveThrough<N>(
  bound: ScopedNames<Instance<N>>,
  name: string,
  at: number,
): { name: string; instance?: Instance<N> } {
  // Asked for every call's name, and most files bind no client at all.
  if (bound.isEmpty()) return { name };
  for (let cut = name.lastIndexOf('.'); cut > 0; cut = name.lastIndexOf('.', cut - 1)) {
    const instance = bound.lookup(name.slice(0, cut), at);
    if (instance) return { name: `${instance.name}${name.slice(cut)}`, instance };
  }
  return { name };
}

/**
 * Names bound in a scope (a block, a function, the file), looked up from a position: a binding
 * counts only where its scope encloses the use, and the innermost one wins, so a parameter named
 * like another function's local is not mistaken for it.
 */
export class ScopedNames<V> {
  private readonly byName = new Map<string, { start: number; end: number; value: V }[]>();

  bind(name: string, scope: { start: number; end: number }, value: V): void {
    const list = this.byName.get(name) ?? [];
    list.push({ ...scope, value });
    this.byName.set(name, list);
  }

  isEmpty(): boolean {
    return this.byName.size === 0;
  }

  lookup(name: string, at: number): V | undefined {
    let best: { start: number; end: number; value: V } | undefined;
    for (const entry of this.byName.get(name) ?? []) {
      if (at < entry.start || at > entry.end) continue;
      if (!best || entry.start >= best.start) best = entry;
    }
    return best?.value;
  }
}

/** The span a TS binding is visible in: its block, function or file; `this.x` is file-wide. */
export function scopeOfTs(ts: Ts, node: TsApi.Node): { start: number; end: number } {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isFunctionLike(n)) {
      return { start: n.pos, end: n.end };
    }
  }
  return { start: 0, end: Number.MAX_SAFE_INTEGER };
}

/** The span a Python binding is visible in: its function, or the module. */
export function scopeOfPy(node: PyNode): { start: number; end: number } {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda') return { start: n.startIndex, end: n.endIndex };
  }
  return { start: 0, end: Number.MAX_SAFE_INTEGER };
}

const FILE_WIDE = { start: 0, end: Number.MAX_SAFE_INTEGER };

// ---------------------------------------------------------------- TypeScript / JavaScript

/** Strips `await`, parentheses, `!`, `as` and `satisfies` around an expression. */
export function unwrapTs(ts: Ts, expr: TsApi.Expression): TsApi.Expression {
  let e = expr;
  while (
    ts.isAwaitExpression(e) ||
    ts.isParenthesizedExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

export class TsInstances {
  private readonly bound = new ScopedNames<Instance<TsApi.CallExpression | TsApi.NewExpression>>();

  constructor(
    private readonly ts: Ts,
    private readonly names: TsNames,
    /** Factories worth tracking; anything else is not bound. */
    private readonly isFactory: (name: string | undefined) => boolean,
  ) {}

  /** Feed `VariableDeclaration`, `PropertyDeclaration` and `BinaryExpression` nodes here. */
  observe(node: TsApi.Node): void {
    const ts = this.ts;
    let target: TsApi.Node | undefined;
    let value: TsApi.Expression | undefined;
    if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && node.initializer) {
      target = node.name;
      value = node.initializer;
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      target = node.left;
      value = node.right;
    }
    if (!target || !value) return;
    const init = unwrapTs(ts, value);
    if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return;
    const factory = this.factoryName(init);
    if (!this.isFactory(factory)) return;
    // A plain local is scoped; a field (`this.api = ...`, `private api = ...`) is seen file-wide.
    const isLocal = ts.isIdentifier(target) && ts.isVariableDeclaration(node);
    const local = ts.isIdentifier(target) || ts.isPrivateIdentifier(target) ? target.text : this.names.qualifiedName(target);
    if (local) this.bound.bind(local, isLocal ? scopeOfTs(ts, node) : FILE_WIDE, { name: `${factory}()`, call: init });
  }

  /** The qualified name of a call's callee, seen through instances: `api.get` -> `axios.create().get`. */
  calleeName(callee: TsApi.Expression): string | undefined {
    return this.resolve(callee)?.name;
  }

  resolve(expr: TsApi.Expression): { name: string; instance?: Instance<TsApi.CallExpression | TsApi.NewExpression> } | undefined {
    const name = this.names.qualifiedName(expr);
    if (name === undefined) return undefined;
    // An imported root already names its module (`redis.createClient`); a local `redis` must not capture it.
    const root = rootIdentifier(this.ts, expr);
    if (root && this.names.moduleOf(root.text) !== undefined) return { name };
    return resolveThrough(this.bound, name, expr.pos);
  }

  /** `new Redis()` is `ioredis`, `axios.create({...})` is `axios.create`, a chained instance resolves too. */
  factoryName(call: TsApi.CallExpression | TsApi.NewExpression): string | undefined {
    return this.calleeName(call.expression);
  }
}

/** The properties of an object literal by name; `spread` when some are unknown (`...opts`). */
export interface ObjectProps {
  props: Map<string, TsApi.Expression | undefined>;
  spread: boolean;
}

export function objectPropsTs(ts: Ts, expr: TsApi.Expression | undefined): ObjectProps | undefined {
  if (!expr) return undefined;
  const obj = unwrapTs(ts, expr);
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  const props = new Map<string, TsApi.Expression | undefined>();
  let spread = false;
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) spread = true;
    else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name))) props.set(p.name.text, p.initializer);
    else if (ts.isShorthandPropertyAssignment(p)) props.set(p.name.text, p.name);
    else if (ts.isPropertyAssignment(p) && ts.isComputedPropertyName(p.name)) spread = true;
    else if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) props.set(p.name.text, undefined);
  }
  return { props, spread };
}

/** `0`, `null`, `undefined`, `false` and `Infinity`: a timeout or TTL value that means "none". */
export function isNoneValueTs(ts: Ts, expr: TsApi.Expression | undefined): boolean {
  if (!expr) return false;
  const e = unwrapTs(ts, expr);
  if (ts.isNumericLiteral(e)) return Number(e.text) === 0;
  if (e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return true;
  return ts.isIdentifier(e) && (e.text === 'undefined' || e.text === 'Infinity');
}

/** Local `const x = {...}` object literals, so `fetch(url, init)` can read `init`'s keys. */
export class TsObjectConsts {
  private readonly objects = new ScopedNames<TsApi.Expression>();

  constructor(private readonly ts: Ts) {}

  observe(node: TsApi.VariableDeclaration): void {
    const ts = this.ts;
    if (ts.isIdentifier(node.name) && node.initializer && ts.isObjectLiteralExpression(unwrapTs(ts, node.initializer))) {
      this.objects.bind(node.name.text, scopeOfTs(ts, node), node.initializer);
    }
  }

  /** The object literal an argument is, or names; undefined when it is something else. */
  literalOf(expr: TsApi.Expression | undefined): TsApi.Expression | undefined {
    if (!expr) return undefined;
    const e = unwrapTs(this.ts, expr);
    if (this.ts.isObjectLiteralExpression(e)) return e;
    return this.ts.isIdentifier(e) ? this.objects.lookup(e.text, e.pos) : undefined;
  }
}

// ---------------------------------------------------------------- Python

/** Keyword arguments by name, positional ones in order, and whether `*args`/`**kwargs` hide some. */
export interface PyArgs {
  positional: PyNode[];
  keywords: Map<string, PyNode>;
  splat: boolean;
}

export function argsOfPy(call: PyNode): PyArgs {
  const positional: PyNode[] = [];
  const keywords = new Map<string, PyNode>();
  let splat = false;
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (arg.type === 'dictionary_splat' || arg.type === 'list_splat') splat = true;
    else positional.push(arg);
  }
  return { positional, keywords, splat };
}

/** `None`, `0`, `False`: a timeout or TTL that means "none". */
export function isNoneValuePy(node: PyNode | undefined): boolean {
  return node !== undefined && (node.type === 'none' || node.type === 'false' || (node.type === 'integer' && Number(node.text) === 0));
}

export class PyInstances {
  private readonly bound = new ScopedNames<Instance<PyNode>>();

  constructor(
    private readonly names: PyNames,
    private readonly isFactory: (name: string | undefined) => boolean,
  ) {}

  /** Feed `assignment`, `as_pattern` (from `with ... as x`) and `typed_parameter` nodes here. */
  observe(node: PyNode): void {
    let target: PyNode | null = null;
    let value: PyNode | null = null;
    if (node.type === 'typed_parameter') {
      // `client: httpx.AsyncClient`: an instance handed in, known by its annotation.
      const name = node.namedChildren[0];
      const type = node.childForFieldName('type')?.namedChildren[0];
      const factory = type ? this.names.qualifiedName(type) : undefined;
      if (name?.type === 'identifier' && this.isFactory(factory)) this.bound.bind(name.text, scopeOfPy(node), { name: `${factory}()`, call: node });
      return;
    }
    if (node.type === 'assignment') {
      target = node.childForFieldName('left');
      value = node.childForFieldName('right');
    } else if (node.type === 'as_pattern') {
      target = node.childForFieldName('alias')?.namedChildren[0] ?? null;
      value = node.namedChildren[0] ?? null;
    }
    if (!target || !value) return;
    while (value.type === 'await' || value.type === 'parenthesized_expression') {
      const inner: PyNode | null = value.namedChildren[0] ?? null;
      if (!inner) return;
      value = inner;
    }
    if (value.type !== 'call') return;
    const factory = this.factoryName(value);
    if (!this.isFactory(factory)) return;
    const local = this.names.qualifiedName(target);
    if (!local || (target.type !== 'identifier' && target.type !== 'attribute')) return;
    // `self.client = ...` is seen in every method; a plain name only in its function.
    this.bound.bind(local, target.type === 'identifier' ? scopeOfPy(node) : FILE_WIDE, { name: `${factory}()`, call: value });
  }

  factoryName(call: PyNode): string | undefined {
    const fn = call.childForFieldName('function');
    return fn ? this.resolve(fn)?.name : undefined;
  }

  resolve(expr: PyNode): { name: string; instance?: Instance<PyNode> } | undefined {
    const name = this.names.qualifiedName(expr);
    if (name === undefined) return undefined;
    const root = rootIdentifierPy(expr);
    if (root && this.names.moduleOf(root.text) !== undefined) return { name };
    return resolveThrough(this.bound, name, expr.startIndex);
  }
}
