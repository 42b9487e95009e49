/**
 * unbounded-fanout: `Promise.all(items.map(...))` / `asyncio.gather(*[... for x in items])` /
 * a TaskGroup task per item, over a list whose length comes from input or the database, with no
 * concurrency limit. A thousand items open a thousand connections or upstream calls at once.
 * Literal lists, chunked loops and limiter-wrapped callbacks (p-limit, Semaphore) are left alone.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals, words } from '../../engine/names.js';
import { bindingNames, descendants, enclosingFunction, type FunctionLike, isFunctionLike, repetitionOf, rootIdentifier } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, isWithinPy, repetitionOf as pyRepetitionOf, rootIdentifierPy, targetNames } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import { isSmallLiteralPy, isSmallLiteralTs } from '../database/helpers.js';
import { LIMITER_NAME } from './helpers.js';

const TS_LIMITERS = ['p-limit', 'p-queue', 'p-throttle', 'bottleneck', 'async-sema.Sema', 'async-sema', 'limiter.RateLimiter'];
const PY_LIMITERS = ['asyncio.Semaphore', 'asyncio.BoundedSemaphore', 'anyio.CapacityLimiter', 'anyio.Semaphore', 'trio.CapacityLimiter', 'aiolimiter.AsyncLimiter'];
const TS_CHUNKERS = ['lodash.chunk', 'lodash/chunk', 'chunk', '*.chunk', 'chunks', 'batch*'];
const PY_CHUNKERS = ['itertools.batched', 'more_itertools.chunked', 'more_itertools.ichunked', 'chunked', 'batched', 'chunks'];
/** `async with asyncio.TaskGroup() as tg`: then `tg.create_task(...)` per item is a fan-out. */
const PY_TASK_GROUPS = compileShapes(['asyncio.TaskGroup', 'anyio.create_task_group', 'trio.open_nursery']);
const PER_ITEM_MAPS = new Set(['map', 'flatMap']);
/** Synchronous built-ins: a callback that only returns one of these starts no I/O. */
const SYNC_CALLS = new Set([
  'trim', 'trimStart', 'trimEnd', 'toString', 'toUpperCase', 'toLowerCase', 'split', 'join', 'slice', 'replace',
  'replaceAll', 'padStart', 'padEnd', 'toFixed', 'map', 'filter', 'reduce', 'concat', 'includes', 'indexOf',
  'startsWith', 'endsWith', 'parse', 'stringify', 'keys', 'values', 'entries', 'assign', 'from', 'String', 'Number',
  'Boolean', 'parseInt', 'parseFloat', 'structuredClone', 'resolve', 'reject',
]);

export default defineDetector({
  id: 'unbounded-fanout',
  family: 'async',
  sharpEdge: 'connection-pool-exhaustion',
  severity: 'medium',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Bound the concurrency (p-limit/p-map with `concurrency`, an asyncio.Semaphore, aiometer) or process the list in fixed-size chunks.',
  docs: {
    why:
      'Starting one task per item of a list whose size comes from the request or the database means a large list starts that many queries or upstream calls at the same moment: the pool is drained instantly, every other request waits for a connection, and the upstream sees a burst it may answer with 429s or timeouts. The size is decided by data, not by you.',
    example: {
      typescript: `export async function refreshAll(ids: string[]) {\n  return Promise.all(ids.map((id) => fetch(\`https://api.example.com/items/\${id}\`)));\n}\n`,
      python: `import asyncio\n\nasync def refresh_all(client, ids):\n    return await asyncio.gather(*[client.get(f"/items/{i}") for i in ids])\n`,
    },
    useInstead: {
      typescript: `import pLimit from 'p-limit';\nconst limit = pLimit(5);\nexport async function refreshAll(ids: string[]) {\n  return Promise.all(ids.map((id) => limit(() => fetch(\`https://api.example.com/items/\${id}\`))));\n}\n`,
      python: `import asyncio\n\nsem = asyncio.Semaphore(5)\n\nasync def fetch_one(client, i):\n    async with sem:\n        return await client.get(f"/items/{i}")\n\nasync def refresh_all(client, ids):\n    return await asyncio.gather(*[fetch_one(client, i) for i in ids])\n`,
    },
    whenNotToUse:
      'Left alone: a literal list of at most `small_literal_max` items (`Promise.all([getUser(), getOrders()])`), lists bound by the code (module-level constants, `this.` fields, imports), chunked loops (`for (const batch of chunk(ids, 50)) await Promise.all(batch.map(...))`, `ids.slice(i, i + 50)`, `itertools.batched`), callbacks that go through a limiter (`limit(() => ...)`, `async with sem`, a function defined in the file that does), and callbacks that do no async work. Fan-out over an array of promises built elsewhere is followed only for `const ps = xs.map(...)` / `tasks = [... for ...]` / `tasks.append(...)` in a loop in the same function.',
    references: [
      'https://github.com/sindresorhus/p-limit',
      'https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore',
      'https://docs.python.org/3/library/asyncio-task.html#task-groups',
    ],
  },
  messages: {
    unbounded: '{{fanOut}} starts one task per item of {{items}} at once, with no concurrency limit: a large list drains the pool or floods the upstream.',
  },
  options: z.object({
    /** Calls that run a collection of tasks at once. */
    fanoutCalls: perLanguageShapes({
      typescript: ['Promise.all', 'Promise.allSettled', 'Promise.any', 'Promise.race'],
      python: ['asyncio.gather', 'asyncio.wait', 'asyncio.as_completed'],
    }),
    /** Constructors of limiters: a callback that goes through one is bounded. Flat list for both languages. */
    limiters: z.array(z.string()).default([]).transform((extra) => [...new Set([...TS_LIMITERS, ...PY_LIMITERS, ...extra])]),
    /** Helpers that split a list into fixed-size chunks. */
    chunkHelpers: z.array(z.string()).default([]).transform((extra) => [...new Set([...TS_CHUNKERS, ...PY_CHUNKERS, ...extra])]),
    /** Fan-out over a literal list this short is fine. */
    smallLiteralMax: z.number().int().min(0).default(5),
  }),
  // A fan-out call by name, or (Python) a task group's create_task/start_soon.
  requires: (options, language) =>
    requireAll(anyOf(shapeLiterals(shapesFor(options.fanoutCalls, language)), language === 'python' ? words('create_task', 'start_soon') : [])),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isFanOut = compileTsShapes(options.fanoutCalls);
      const isLimiterCtor = compileShapes(options.limiters);
      const isChunker = compileShapes(options.chunkHelpers);
      const max = options.smallLiteralMax;
      const smallNames = new Set<string>();
      const limiterNames = new Set<string>();
      /** Local functions that go through a limiter, by name (decided at the end of the file). */
      const functions = new Map<string, TsApi.Node>();
      const pending: { node: TsApi.CallExpression; fanOut: string; items: TsApi.Expression; work: TsApi.Node }[] = [];
      const qualifiedName = (n: TsApi.Node) => ctx.names.qualifiedName(n);

      const unwrap = (e: TsApi.Expression): TsApi.Expression => {
        while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isAsExpression(e)) e = e.expression;
        return e;
      };
      /** `xs.map(cb)` -> { items: xs, work: cb }. */
      const mapOf = (e: TsApi.Expression): { items: TsApi.Expression; work: TsApi.Node } | undefined => {
        e = unwrap(e);
        if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return undefined;
        const cb = e.arguments[0];
        if (PER_ITEM_MAPS.has(e.expression.name.text) && cb) return { items: e.expression.expression, work: cb };
        if (e.expression.name.text === 'from' && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === 'Array' && e.arguments[1]) {
          return { items: e.arguments[0]!, work: e.arguments[1] };
        }
        return undefined;
      };
      /** `const ps = xs.map(...)` or `ps.push(call)` inside `for (const x of xs)` in the same function. */
      const mapOfName = (name: string, fn: FunctionLike | undefined, before: number): { items: TsApi.Expression; work: TsApi.Node } | undefined => {
        const scope = fn ?? ctx.sourceFile;
        for (const n of descendants(ts, scope)) {
          if (n.getStart(ctx.sourceFile) > before) continue;
          if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) {
            const found = mapOf(n.initializer);
            if (found) return found;
          }
          if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'push' && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === name && n.arguments[0]) {
            const rep = repetitionOf(ts, n);
            if (rep?.kind === 'loop' && rep.iterable) return { items: rep.iterable, work: n.arguments[0] };
          }
        }
        return undefined;
      };
      /** Does async work: an async callback, one that returns a call, or a named function. */
      const doesWork = (work: TsApi.Node): boolean => {
        if (ts.isIdentifier(work) || ts.isPropertyAccessExpression(work) || ts.isCallExpression(work)) return true;
        if (!isFunctionLike(ts, work)) return false;
        if (ts.getModifiers?.(work as TsApi.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
        const body = work.body;
        if (!body) return false;
        if (!ts.isBlock(body)) return isWorkCall(unwrap(body));
        return [...descendants(ts, body)].some((n) => ts.isReturnStatement(n) && n.expression !== undefined && isWorkCall(unwrap(n.expression)));
      };
      /** A call that may start async work: not a string/array/JSON built-in (`line.trim()`). */
      const isWorkCall = (e: TsApi.Expression): boolean => {
        if (ts.isNewExpression(e)) return true;
        if (!ts.isCallExpression(e)) return false;
        const name = qualifiedName(e.expression) ?? '';
        return !SYNC_CALLS.has(name.split('.').pop() ?? '') && !name.startsWith('Promise.');
      };
      const usesLimiter = (work: TsApi.Node, seen = new Set<string>()): boolean => {
        for (const n of descendants(ts, work)) {
          if (!ts.isCallExpression(n)) continue;
          const root = rootIdentifier(ts, n.expression);
          if (root && (limiterNames.has(root.text) || LIMITER_NAME.test(root.text))) return true;
          // A local function called per item that itself goes through a limiter.
          if (root && ts.isIdentifier(n.expression) && functions.has(root.text) && !seen.has(root.text)) {
            seen.add(root.text);
            if (usesLimiter(functions.get(root.text)!, seen)) return true;
          }
        }
        if (ts.isIdentifier(work) && functions.has(work.text) && !seen.has(work.text)) {
          seen.add(work.text);
          return usesLimiter(functions.get(work.text)!, seen);
        }
        return false;
      };
      /** Sized by data: rooted in a parameter or a local of an enclosing function; not chunked or small. */
      const isDataSized = (items: TsApi.Expression, at: TsApi.Node): boolean => {
        const e = unwrap(items);
        if (isSmallLiteralTs(ts, e, max, smallNames)) return false;
        if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => ts.isSpreadElement(el)) && e.elements.length > max;
        if (ts.isCallExpression(e)) {
          const callee = qualifiedName(e.expression);
          if (isChunker(callee)) return false;
          if (ts.isPropertyAccessExpression(e.expression) && ['slice', 'splice'].includes(e.expression.name.text)) return false;
        }
        const root = rootIdentifier(ts, e);
        if (!root) return false;
        // A loop variable: the fan-out is per chunk of an enclosing loop.
        for (let n: TsApi.Node | undefined = at; n; n = n.parent) {
          if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && ts.isVariableDeclarationList(n.initializer) && n.initializer.declarations.some((d) => d.name.getText(ctx.sourceFile) === root.text)) return false;
        }
        for (let fn = enclosingFunction(ts, at); fn; fn = enclosingFunction(ts, fn)) {
          if (fn.parameters.some((p) => bindingNames(ts, p.name).has(root.text))) return true;
          for (const n of descendants(ts, fn)) if (ts.isVariableDeclaration(n) && bindingNames(ts, n.name).has(root.text)) return !smallNames.has(root.text);
        }
        return false;
      };

      return {
        VariableDeclaration(node) {
          if (!ts.isIdentifier(node.name) || !node.initializer) return;
          if (isSmallLiteralTs(ts, node.initializer, max, smallNames)) smallNames.add(node.name.text);
          const init = unwrap(node.initializer);
          if ((ts.isCallExpression(init) || ts.isNewExpression(init)) && isLimiterCtor(qualifiedName(init.expression))) limiterNames.add(node.name.text);
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) functions.set(node.name.text, init);
        },
        FunctionDeclaration(node) {
          if (node.name) functions.set(node.name.text, node);
        },
        CallExpression(node) {
          const fanOut = qualifiedName(node.expression);
          if (!isFanOut(fanOut) || !node.arguments[0]) return;
          const arg = unwrap(node.arguments[0]);
          const mapped = ts.isIdentifier(arg) ? mapOfName(arg.text, enclosingFunction(ts, node), node.getStart(ctx.sourceFile)) : mapOf(arg);
          if (mapped) pending.push({ node, fanOut: fanOut!, ...mapped });
        },
        'SourceFile:exit'() {
          for (const { node, fanOut, items, work } of pending) {
            if (!doesWork(work) || usesLimiter(work) || !isDataSized(items, node)) continue;
            ctx.report({ node, messageId: 'unbounded', data: { fanOut, items: items.getText(ctx.sourceFile) } });
          }
        },
      };
    },
    python: (ctx, options) => {
      const isFanOut = compileShapes(options.fanoutCalls.python);
      const isLimiterCtor = compileShapes(options.limiters);
      const isChunker = compileShapes(options.chunkHelpers);
      const max = options.smallLiteralMax;
      const smallNames = new Set<string>();
      const limiterNames = new Set<string>();
      const functions = new Map<string, PyNode>();
      const pending: { node: PyNode; fanOut: string; items: PyNode; work: PyNode }[] = [];
      const nameOf = (call: PyNode): string | undefined => {
        const fn = call.childForFieldName('function');
        return fn ? ctx.names.qualifiedName(fn) : undefined;
      };
      const argsOf = (call: PyNode): PyNode[] =>
        (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is PyNode => a !== null && a.type !== 'comment');
      /** A name read as a value: not `.limit` of `q.limit(10)`, not the `limit` of `limit=10`. */
      const isReference = (id: PyNode): boolean => {
        const p = id.parent;
        if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
        return !(p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id);
      };
      const COMPREHENSIONS = new Set(['list_comprehension', 'generator_expression', 'set_comprehension']);

      /** `[f(x) for x in xs]` -> { items: xs, work: f(x) }. */
      const comprehensionOf = (n: PyNode): { items: PyNode; work: PyNode } | undefined => {
        if (!COMPREHENSIONS.has(n.type)) return undefined;
        const clause = n.namedChildren.find((c) => c?.type === 'for_in_clause');
        const items = clause?.childForFieldName('right');
        const work = n.childForFieldName('body');
        return items && work ? { items, work } : undefined;
      };
      /** `tasks = [... for ...]` or `tasks.append(...)` in a `for` over xs, in the same function. */
      const collectionOf = (name: string, at: PyNode): { items: PyNode; work: PyNode } | undefined => {
        const scope = enclosingPyFunction(at) ?? at.tree.rootNode;
        for (const n of descendantsPy(scope)) {
          if (n.startIndex > at.startIndex) continue;
          if (n.type === 'assignment' && n.childForFieldName('left')?.text === name) {
            const right = n.childForFieldName('right');
            const found = right ? comprehensionOf(right) : undefined;
            if (found) return found;
          }
          if (n.type === 'call') {
            const fn = n.childForFieldName('function');
            if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== name || fn.childForFieldName('attribute')?.text !== 'append') continue;
            const rep = pyRepetitionOf(n);
            const work = argsOf(n)[0];
            if (rep?.kind === 'loop' && rep.iterable && work) return { items: rep.iterable, work };
          }
        }
        return undefined;
      };
      const usesLimiter = (work: PyNode, seen = new Set<string>()): boolean => {
        for (const n of descendantsPy(work)) {
          if (n.type === 'identifier' && isReference(n) && (limiterNames.has(n.text) || LIMITER_NAME.test(n.text))) return true;
          if (n.type === 'call') {
            const fn = n.childForFieldName('function');
            const name = fn?.type === 'identifier' ? fn.text : undefined;
            if (name && functions.has(name) && !seen.has(name)) {
              seen.add(name);
              if (usesLimiter(functions.get(name)!.childForFieldName('body') ?? functions.get(name)!, seen)) return true;
            }
          }
        }
        return false;
      };
      const isDataSized = (items: PyNode, at: PyNode): boolean => {
        if (isSmallLiteralPy(items, max, smallNames)) return false;
        if (items.type === 'list' || items.type === 'tuple') return items.namedChildren.length > max;
        if (items.type === 'subscript' && items.namedChildren.some((c) => c?.type === 'slice')) return false;
        if (items.type === 'call' && isChunker(nameOf(items))) return false;
        const root = rootIdentifierPy(items);
        if (!root || root.text === 'self' || root.text === 'cls') return false;
        // A loop variable of an enclosing `for`: the fan-out is per chunk.
        for (let n = at.parent; n; n = n.parent) {
          if (n.type === 'for_statement' && targetNames(n.childForFieldName('left') ?? undefined).has(root.text)) return false;
          if (n.type === 'function_definition') break;
        }
        for (let fn = enclosingPyFunction(at); fn; fn = enclosingPyFunction(fn)) {
          const params = fn.childForFieldName('parameters');
          if (params && [...descendantsPy(params)].some((p) => p.type === 'identifier' && p.text === root.text)) return true;
          for (const n of descendantsPy(fn)) {
            if (n.type === 'assignment' && n.childForFieldName('left')?.text === root.text) return !smallNames.has(root.text);
          }
        }
        return false;
      };

      return {
        assignment(node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type !== 'identifier' || !right) return;
          if (isSmallLiteralPy(right, max, smallNames)) smallNames.add(left.text);
          if (right.type === 'call' && isLimiterCtor(nameOf(right))) limiterNames.add(left.text);
        },
        function_definition(node) {
          const name = node.childForFieldName('name')?.text;
          if (name) functions.set(name, node);
        },
        call(node) {
          const fanOut = nameOf(node);
          if (fanOut && isFanOut(fanOut)) {
            for (const arg of argsOf(node)) {
              const inner = arg.type === 'list_splat' ? arg.namedChildren[0] : arg;
              if (!inner || inner.type === 'keyword_argument') continue;
              const found = inner.type === 'identifier' ? collectionOf(inner.text, node) : comprehensionOf(inner);
              if (found) pending.push({ node, fanOut, ...found });
            }
            return;
          }
          // `tg.create_task(fetch(x))` per item of a loop, `tg` from `async with asyncio.TaskGroup() as tg`.
          const fn = node.childForFieldName('function');
          const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
          if (method !== 'create_task' && method !== 'start_soon') return;
          const group = fn!.childForFieldName('object');
          if (group?.type !== 'identifier' || !isTaskGroup(group.text, node)) return;
          const rep = pyRepetitionOf(node);
          const work = argsOf(node)[0];
          if (rep?.kind === 'loop' && rep.iterable && work) pending.push({ node, fanOut: `${group.text}.${method}`, items: rep.iterable, work });
        },
        'module:exit'() {
          for (const { node, fanOut, items, work } of pending) {
            if (usesLimiter(work) || !isDataSized(items, node)) continue;
            ctx.report({ node, messageId: 'unbounded', data: { fanOut, items: items.text } });
          }
        },
      };

      function isTaskGroup(name: string, at: PyNode): boolean {
        for (let n = at.parent; n; n = n.parent) {
          if (n.type !== 'with_statement') continue;
          for (const item of [...descendantsPy(n.namedChildren[0] ?? n)]) {
            if (item.type !== 'as_pattern') continue;
            const value = item.namedChildren[0];
            const alias = item.childForFieldName('alias')?.text;
            if (alias === name && value?.type === 'call' && PY_TASK_GROUPS(nameOf(value)) && isWithinPy(at, n)) return true;
          }
        }
        return false;
      }
    },
  },
});
