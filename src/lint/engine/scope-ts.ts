/**
 * Where a TS/JS node runs: its enclosing function (async or not, handler or not) and the loop or
 * per-item callback that repeats it. Pure functions over raw compiler nodes with parent pointers.
 */
import type { ts as TsApi } from 'ts-morph';

type Ts = typeof TsApi;

export type FunctionLike =
  | TsApi.FunctionDeclaration
  | TsApi.FunctionExpression
  | TsApi.ArrowFunction
  | TsApi.MethodDeclaration
  | TsApi.ConstructorDeclaration
  | TsApi.GetAccessorDeclaration
  | TsApi.SetAccessorDeclaration;

export function isFunctionLike(ts: Ts, node: TsApi.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

export function isAsyncFunction(ts: Ts, fn: FunctionLike): boolean {
  return ts.getModifiers?.(fn as TsApi.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
}

export function enclosingFunction(ts: Ts, node: TsApi.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(ts, n)) return n;
  return undefined;
}

/** Array/iterator methods whose callback runs once per element. */
export const PER_ITEM_METHODS = new Set([
  'map', 'forEach', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'reduce',
  'reduceRight', 'each', 'mapSeries', 'eachSeries',
]);

/** The `xs.map(fn)` call when `fn` is passed inline as a per-item callback; otherwise undefined. */
export function perItemCallOf(ts: Ts, fn: TsApi.Node): TsApi.CallExpression | undefined {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.some((a) => a === fn)) return undefined;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && PER_ITEM_METHODS.has(callee.name.text)) return call;
  // `Array.from(xs, fn)` and `Array.from({ length: n }, fn)`
  if (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'from' &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'Array' &&
    call.arguments[1] === fn
  ) {
    return call;
  }
  return undefined;
}

export type Repetition =
  | { kind: 'loop'; node: TsApi.IterationStatement; iterable?: TsApi.Expression; bindings: Set<string> }
  | { kind: 'callback'; node: TsApi.CallExpression; fn: FunctionLike; iterable?: TsApi.Expression; bindings: Set<string> };

/**
 * The nearest construct that runs `node` once per item: a loop whose body (or per-iteration
 * condition) holds it, or an inline per-item callback. Stops at any other function boundary: a
 * call inside a named helper is that helper's business, not the loop's.
 */
export function repetitionOf(ts: Ts, node: TsApi.Node): Repetition | undefined {
  let child: TsApi.Node = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (isFunctionLike(ts, n)) {
      const call = perItemCallOf(ts, n);
      if (!call) return undefined;
      const callee = call.expression as TsApi.PropertyAccessExpression;
      const iterable = callee.name.text === 'from' ? call.arguments[0] : callee.expression;
      return { kind: 'callback', node: call, fn: n, iterable, bindings: bindingNames(ts, n.parameters[0]?.name) };
    }
    if (ts.isForOfStatement(n) || ts.isForInStatement(n)) {
      if (child === n.statement) {
        return { kind: 'loop', node: n, iterable: n.expression, bindings: bindingNames(ts, declarationName(ts, n.initializer)) };
      }
    } else if (ts.isForStatement(n)) {
      if (child === n.statement || child === n.condition || child === n.incrementor) {
        return { kind: 'loop', node: n, bindings: bindingNames(ts, declarationName(ts, n.initializer)) };
      }
    } else if (ts.isWhileStatement(n) || ts.isDoStatement(n)) {
      return { kind: 'loop', node: n, bindings: new Set() };
    }
  }
  return undefined;
}

function declarationName(ts: Ts, init: TsApi.ForInitializer | undefined): TsApi.BindingName | undefined {
  if (init && ts.isVariableDeclarationList(init)) return init.declarations[0]?.name;
  return undefined;
}

/** Identifiers a binding introduces: `x`, `{ a, b: c }` -> a, c, `[d, ...e]` -> d, e. */
export function bindingNames(ts: Ts, name: TsApi.BindingName | undefined, into = new Set<string>()): Set<string> {
  if (!name) return into;
  if (ts.isIdentifier(name)) into.add(name.text);
  else {
    for (const element of name.elements) {
      if (ts.isBindingElement(element)) bindingNames(ts, element.name, into);
    }
  }
  return into;
}

/** True if `inner` is `outer` or inside it. */
export function isWithin(inner: TsApi.Node, outer: TsApi.Node): boolean {
  for (let n: TsApi.Node | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** Every node under `root` (root included), depth first; for the occasional sub-scan. */
export function* descendants(ts: Ts, root: TsApi.Node): Generator<TsApi.Node> {
  const stack: TsApi.Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
}

/** The leftmost identifier of `a.b.c()` / `a[0].b`, if any. */
export function rootIdentifier(ts: Ts, expr: TsApi.Expression): TsApi.Identifier | undefined {
  let e: TsApi.Expression = expr;
  for (;;) {
    if (ts.isIdentifier(e)) return e;
    if (
      ts.isPropertyAccessExpression(e) ||
      ts.isElementAccessExpression(e) ||
      ts.isCallExpression(e) ||
      ts.isParenthesizedExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isAwaitExpression(e)
    ) {
      e = e.expression;
    } else return undefined;
  }
}
