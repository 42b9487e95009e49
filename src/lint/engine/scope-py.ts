/**
 * Where a Python node runs: its enclosing function (`async def` or not) and the loop or
 * comprehension that repeats it. Tree-sitter nodes are fresh objects per access, so identity is
 * compared by `id`, never with `===`.
 */
import type { Node as PyNode } from 'web-tree-sitter';

export const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
export const COMPREHENSION_TYPES = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

export function isAsyncDef(fn: PyNode): boolean {
  return fn.type === 'function_definition' && fn.children.some((c) => c?.type === 'async');
}

export function enclosingFunction(node: PyNode): PyNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return undefined;
}

export type PyRepetition = {
  kind: 'loop' | 'comprehension' | 'callback';
  node: PyNode;
  iterable?: PyNode;
  /** Names bound per item (`for a, b in ...`). */
  bindings: Set<string>;
};

/**
 * The nearest loop, comprehension or `map(lambda ...)` that runs `node` once per item. The
 * iterable of a `for` (and of a comprehension's first `for`) runs once, so it does not count.
 */
export function repetitionOf(node: PyNode): PyRepetition | undefined {
  let child = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (n.type === 'function_definition') return undefined;
    if (n.type === 'lambda') {
      const call = n.parent?.parent;
      const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
      if (fn?.text === 'map' && call) {
        const iterable = call.childForFieldName('arguments')?.namedChildren[1] ?? undefined;
        const params = n.childForFieldName('parameters');
        return { kind: 'callback', node: call, iterable, bindings: targetNames(params ?? undefined) };
      }
      return undefined;
    }
    if (n.type === 'for_statement') {
      if (child.id !== n.childForFieldName('right')?.id && child.id !== n.childForFieldName('left')?.id) {
        return { kind: 'loop', node: n, iterable: n.childForFieldName('right') ?? undefined, bindings: targetNames(n.childForFieldName('left') ?? undefined) };
      }
    } else if (n.type === 'while_statement') {
      return { kind: 'loop', node: n, bindings: new Set() };
    } else if (COMPREHENSION_TYPES.has(n.type)) {
      const clauses = n.namedChildren.filter((c): c is PyNode => c?.type === 'for_in_clause');
      const first = clauses[0];
      // The first clause's iterable is evaluated once, before any item.
      if (first && child.id === first.id) {
        const right = first.childForFieldName('right');
        if (right && isWithinPy(node, right)) continue;
      }
      const bindings = new Set<string>();
      for (const clause of clauses) targetNames(clause.childForFieldName('left') ?? undefined, bindings);
      return { kind: 'comprehension', node: n, iterable: first?.childForFieldName('right') ?? undefined, bindings };
    }
  }
  return undefined;
}

/** Identifiers bound by a `for` target or parameter list: `x`, `(a, b)`, `[a, *rest]`. */
export function targetNames(target: PyNode | undefined, into = new Set<string>()): Set<string> {
  if (!target) return into;
  if (target.type === 'identifier') into.add(target.text);
  else for (const c of target.namedChildren) if (c) targetNames(c, into);
  return into;
}

export function isWithinPy(inner: PyNode, outer: PyNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Every named node under `root` (root included); for the occasional sub-scan. */
export function* descendantsPy(root: PyNode): Generator<PyNode> {
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
}

/** The leftmost identifier of `a.b.c()` / `a[0].b`. */
export function rootIdentifierPy(node: PyNode): PyNode | undefined {
  let n: PyNode | null = node;
  while (n) {
    if (n.type === 'identifier') return n;
    if (n.type === 'attribute') n = n.childForFieldName('object');
    else if (n.type === 'call') n = n.childForFieldName('function');
    else if (n.type === 'subscript') n = n.childForFieldName('value');
    else if (n.type === 'await' || n.type === 'parenthesized_expression') n = n.namedChildren[0] ?? null;
    else return undefined;
  }
  return undefined;
}
