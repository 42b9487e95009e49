/**
 * cache-stampede: cache-aside with no stampede protection. A function reads a key, checks for a
 * miss, awaits (or calls) something to rebuild it and writes the same key back, with no lock,
 * SET NX, in-flight promise map (single flight) or stale-while-revalidate in sight. When the key
 * expires, every concurrent caller does the rebuild at once.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { descendants, enclosingFunction, isWithin } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, isAsyncDef, isWithinPy } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import { PyInstances, TsInstances, unwrapTs } from '../../engine/instances.js';
import {
  GUARD_NAME,
  keyText,
  PY_CACHE_CLIENTS,
  PY_READ_CALLS,
  PY_WRITE_CALLS,
  TS_CACHE_CLIENTS,
  TS_READ_CALLS,
  TS_WRITE_CALLS,
  TTL_CALLS,
} from './helpers.js';

/** Calls, names and flags that mean the rebuild is guarded (matched against calls, identifiers and string flags). */
const GUARDS = [
  '*.lock', '*.acquire', '*.setnx', '*.setNX', '*.runExclusive', '*.singleflight', '*.singleFlight', 'redlock.*',
  'async-mutex.*', 'asyncio.Lock', 'threading.Lock', 'threading.RLock', 'NX', 'nx', 'stale_while_revalidate',
  'staleWhileRevalidate',
];
/** Sync Python calls that are too cheap to be "the rebuild" (serialisation, logging, builtins). */
const PY_CHEAP_CALLS = [
  'json.*', 'orjson.*', 'pickle.*', 'msgpack.*', 'len', 'str', 'int', 'float', 'bool', 'dict', 'list', 'tuple', 'set',
  'sorted', 'print', 'isinstance', 'min', 'max', 'sum', 'round', 'repr', 'logging.*', '*logger.*', '*log.*', '*.format',
  '*.encode', '*.decode', 'hashlib.*', '*.hexdigest', 'time.*', 'random.*', 'f', 'super',
];

export default defineDetector({
  id: 'cache-stampede',
  family: 'cache',
  sharpEdge: 'cache-thundering-herd',
  severity: 'medium',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Let one caller rebuild: an in-flight promise/future map per key (single flight), a short lock (`SET lock:<key> <token> NX EX 10`, redlock), or serve the stale value while one request refreshes; add TTL jitter so keys do not expire together.',
  docs: {
    why:
      'A cache miss is seen by every concurrent request at the same instant. With plain get → miss → rebuild → set, each of them runs the expensive rebuild against the database or upstream: a hot key that expires turns into hundreds of identical queries, the backend saturates exactly when the cache is cold, and latency spikes every TTL.',
    example: {
      typescript: `import Redis from 'ioredis';\nconst redis = new Redis();\nexport async function topProducts(db: { query(sql: string): Promise<unknown> }) {\n  const cached = await redis.get('top-products');\n  if (cached) return JSON.parse(cached);\n  const rows = await db.query('SELECT * FROM products ORDER BY sales DESC LIMIT 50');\n  await redis.set('top-products', JSON.stringify(rows), 'EX', 300);\n  return rows;\n}\n`,
      python: `import json\n\nimport redis\n\nr = redis.Redis()\n\ndef top_products(db):\n    cached = r.get("top-products")\n    if cached is not None:\n        return json.loads(cached)\n    rows = db.fetch_top_products()\n    r.set("top-products", json.dumps(rows), ex=300)\n    return rows\n`,
    },
    useInstead: {
      typescript: `import Redis from 'ioredis';\nconst redis = new Redis();\nconst inflight = new Map<string, Promise<unknown>>();\nexport async function topProducts(db: { query(sql: string): Promise<unknown> }) {\n  const cached = await redis.get('top-products');\n  if (cached) return JSON.parse(cached);\n  const running = inflight.get('top-products');\n  if (running) return running;\n  const rebuild = (async () => {\n    try {\n      const rows = await db.query('SELECT * FROM products ORDER BY sales DESC LIMIT 50');\n      await redis.set('top-products', JSON.stringify(rows), 'EX', 300);\n      return rows;\n    } finally {\n      inflight.delete('top-products');\n    }\n  })();\n  inflight.set('top-products', rebuild);\n  return rebuild;\n}\n`,
      python: `import json\n\nimport redis\n\nr = redis.Redis()\n\ndef top_products(db):\n    cached = r.get("top-products")\n    if cached is not None:\n        return json.loads(cached)\n    with r.lock("lock:top-products", timeout=10):\n        cached = r.get("top-products")\n        if cached is not None:\n            return json.loads(cached)\n        rows = db.fetch_top_products()\n        r.set("top-products", json.dumps(rows), ex=300)\n        return rows\n`,
    },
    whenNotToUse:
      'Left alone: rebuilds guarded by a lock (`redis.lock`, redlock, `asyncio.Lock`, async-mutex), `SET ... NX`, an in-flight/pending promise map (single flight), stale-while-revalidate; write-through code that sets a key without reading it first; a read whose miss branch does not write the same key; a read and write with nothing expensive in between (no await in TS/async Python, only serialisation and logging in sync Python); and in-process `Map` caches that store the promise before awaiting it. Library wrappers that coalesce (`cache.wrap` in cache-manager 5+, `get_or_set` is NOT coalescing) are outside the pattern.',
    references: [
      'https://en.wikipedia.org/wiki/Cache_stampede',
      'https://redis.io/docs/latest/develop/use/patterns/distributed-locks/',
      'https://www.npmjs.com/package/p-memoize',
    ],
  },
  messages: {
    unguardedRebuild:
      '{{read}} misses, then every concurrent caller rebuilds the value and writes it back (line {{writeLine}}) with no lock or single flight: a cache stampede when the key expires.',
  },
  options: z.object({
    readCalls: perLanguageShapes({ typescript: TS_READ_CALLS, python: PY_READ_CALLS }),
    writeCalls: perLanguageShapes({ typescript: [...TS_WRITE_CALLS, '*.setex', '*.setEx'], python: [...PY_WRITE_CALLS, '*.setex'] }),
    /** Calls, identifiers or string flags that show the rebuild is guarded. Merged into the built-ins. */
    guards: z.array(z.string()).default([]).transform((extra) => [...new Set([...GUARDS, ...extra])]),
    /** Factories whose instances are cache clients (followed through local names). */
    cacheClients: perLanguageShapes({ typescript: TS_CACHE_CLIENTS, python: PY_CACHE_CLIENTS }),
    /** Sync Python calls too cheap to count as the rebuild. */
    cheapCalls: perLanguageShapes({ typescript: [], python: PY_CHEAP_CALLS }),
  }),
  // A read, then a write of the same key.
  requires: (options, language) =>
    requireAll(shapeLiterals(shapesFor(options.readCalls, language)), shapeLiterals(shapesFor(options.writeCalls, language))),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isRead = compileTsShapes(options.readCalls);
      const isWrite = compileTsShapes(options.writeCalls);
      const isTtl = compileShapes(TTL_CALLS);
      const isGuard = compileShapes(options.guards);
      const instances = new TsInstances(ts, ctx.names, compileTsShapes(options.cacheClients));
      const reads: TsApi.CallExpression[] = [];
      const nameOf = (call: TsApi.CallExpression): string | undefined => instances.resolve(call.expression)?.name;
      const isCacheCall = (name: string | undefined): boolean => isRead(name) || isWrite(name) || isTtl(name);
      const line = (node: TsApi.Node): number => ctx.sourceFile.getLineAndCharacterOfPosition(node.getStart(ctx.sourceFile)).line + 1;

      /** `const v = await cache.get(k)` / `v = await cache.get(k)` -> `v`. */
      const boundName = (read: TsApi.CallExpression): string | undefined => {
        let n: TsApi.Node = read;
        while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent))) n = n.parent;
        const p = n.parent;
        if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
        if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return p.left.text;
        return undefined;
      };
      const mentions = (node: TsApi.Node, name: string): boolean => {
        for (const d of descendants(ts, node)) if (ts.isIdentifier(d) && d.text === name) return true;
        return false;
      };
      /** An `if`/`?:`/`??`/`||` on the read's value (or on the read itself) before or around the write. */
      const checksMiss = (fn: TsApi.Node, read: TsApi.CallExpression, write: TsApi.CallExpression): boolean => {
        const name = boundName(read);
        for (const d of descendants(ts, fn)) {
          let test: TsApi.Node | undefined;
          if (ts.isIfStatement(d) || ts.isConditionalExpression(d)) test = ts.isIfStatement(d) ? d.expression : d.condition;
          else if (ts.isBinaryExpression(d) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(d.operatorToken.kind)) test = d.left;
          if (!test) continue;
          const placed = (d.getStart() >= read.getEnd() && d.getStart() <= write.getStart()) || isWithin(write, d) || isWithin(read, test);
          if (placed && (isWithin(read, test) || (name !== undefined && mentions(test, name)))) return true;
        }
        return false;
      };
      /** An awaited call between the read and the end of the write that is not a cache call: the rebuild. */
      const rebuildsBetween = (fn: TsApi.Node, read: TsApi.CallExpression, write: TsApi.CallExpression): boolean => {
        for (const d of descendants(ts, fn)) {
          if (!ts.isAwaitExpression(d) || d.getStart() < read.getEnd() || d.getStart() > write.getEnd()) continue;
          const inner = unwrapTs(ts, d.expression);
          if (ts.isCallExpression(inner) && isCacheCall(nameOf(inner))) continue;
          return true;
        }
        return false;
      };
      const isGuarded = (fn: TsApi.Node): boolean => {
        // `mutex.runExclusive(async () => { ...read, rebuild, write... })`: guarded from outside.
        for (let a = fn.parent; a; a = a.parent) if (ts.isCallExpression(a) && isGuard(nameOf(a))) return true;
        for (const d of descendants(ts, fn)) {
          if (ts.isIdentifier(d) && (GUARD_NAME.test(d.text) || isGuard(d.text))) return true;
          if (ts.isStringLiteralLike(d) && isGuard(d.text)) return true;
          if (ts.isCallExpression(d) && isGuard(nameOf(d))) return true;
        }
        return false;
      };

      return {
        VariableDeclaration: (node) => instances.observe(node),
        PropertyDeclaration: (node) => instances.observe(node),
        BinaryExpression: (node) => instances.observe(node),
        CallExpression(node) {
          if (isRead(nameOf(node))) reads.push(node);
        },
        'SourceFile:exit'() {
          for (const read of reads) {
            const fn = enclosingFunction(ts, read);
            if (!fn?.body) continue;
            const key = keyText(read.arguments[0]?.getText(ctx.sourceFile));
            if (key === undefined) continue;
            let write: TsApi.CallExpression | undefined;
            for (const d of descendants(ts, fn.body)) {
              if (!ts.isCallExpression(d) || d.getStart() < read.getEnd() || !isWrite(nameOf(d))) continue;
              if (keyText(d.arguments[0]?.getText(ctx.sourceFile)) !== key) continue;
              if (!write || d.getStart() < write.getStart()) write = d;
            }
            if (!write || !checksMiss(fn.body, read, write) || !rebuildsBetween(fn.body, read, write) || isGuarded(fn)) continue;
            ctx.report({ node: read, messageId: 'unguardedRebuild', data: { read: nameOf(read)!, writeLine: line(write) } });
          }
        },
      };
    },
    python: (ctx, options) => {
      const isRead = compileShapes(options.readCalls.python);
      const isWrite = compileShapes(options.writeCalls.python);
      const isTtl = compileShapes(TTL_CALLS);
      const isGuard = compileShapes(options.guards);
      const isCheap = compileShapes(options.cheapCalls.python);
      const instances = new PyInstances(ctx.names, compileShapes(options.cacheClients.python));
      const reads: PyNode[] = [];
      const nameOf = (call: PyNode): string | undefined => {
        const fn = call.childForFieldName('function');
        return fn ? instances.resolve(fn)?.name : undefined;
      };
      const isCacheCall = (name: string | undefined): boolean => isRead(name) || isWrite(name) || isTtl(name);
      const firstArg = (call: PyNode): string | undefined => keyText(call.childForFieldName('arguments')?.namedChildren[0]?.text);

      const boundName = (read: PyNode): string | undefined => {
        let n = read;
        while (n.parent && (n.parent.type === 'await' || n.parent.type === 'parenthesized_expression')) n = n.parent;
        const p = n.parent;
        if ((p?.type === 'assignment' || p?.type === 'named_expression') && (p.childForFieldName('left') ?? p.childForFieldName('name'))?.type === 'identifier') {
          return (p.childForFieldName('left') ?? p.childForFieldName('name'))!.text;
        }
        return undefined;
      };
      const checksMiss = (fn: PyNode, read: PyNode, write: PyNode): boolean => {
        const name = boundName(read);
        for (const d of descendantsPy(fn)) {
          let test: PyNode | null = null;
          if (d.type === 'if_statement' || d.type === 'elif_clause' || d.type === 'while_statement') test = d.childForFieldName('condition');
          else if (d.type === 'conditional_expression') test = d.namedChildren[1] ?? null;
          else if (d.type === 'boolean_operator') test = d.childForFieldName('left');
          if (!test) continue;
          const placed = (d.startIndex >= read.endIndex && d.startIndex <= write.startIndex) || isWithinPy(write, d) || isWithinPy(read, test);
          const usesValue = isWithinPy(read, test) || (name !== undefined && [...descendantsPy(test)].some((t) => t.type === 'identifier' && t.text === name));
          if (placed && usesValue) return true;
        }
        return false;
      };
      const rebuildsBetween = (fn: PyNode, read: PyNode, write: PyNode): boolean => {
        const awaited = isAsyncDef(fn);
        for (const d of descendantsPy(fn)) {
          if (d.startIndex < read.endIndex || d.startIndex > write.endIndex) continue;
          if (awaited) {
            if (d.type !== 'await') continue;
            const inner = d.namedChildren[0];
            if (inner?.type === 'call' && isCacheCall(nameOf(inner))) continue;
            return true;
          }
          if (d.type !== 'call') continue;
          const name = nameOf(d);
          if (isCacheCall(name) || isCheap(name)) continue;
          return true;
        }
        return false;
      };
      const isGuarded = (fn: PyNode): boolean => {
        for (const d of descendantsPy(fn)) {
          if (d.type === 'identifier' && (GUARD_NAME.test(d.text) || isGuard(d.text))) return true;
          if (d.type === 'string_content' && isGuard(d.text)) return true;
          if (d.type === 'call' && isGuard(nameOf(d))) return true;
        }
        return false;
      };

      return {
        assignment: (node) => instances.observe(node),
        as_pattern: (node) => instances.observe(node),
        call(node) {
          if (isRead(nameOf(node))) reads.push(node);
        },
        'module:exit'() {
          for (const read of reads) {
            const fn = enclosingPyFunction(read);
            if (!fn || fn.type !== 'function_definition') continue;
            const key = firstArg(read);
            if (key === undefined) continue;
            let write: PyNode | undefined;
            for (const d of descendantsPy(fn)) {
              if (d.type !== 'call' || d.startIndex < read.endIndex || !isWrite(nameOf(d)) || firstArg(d) !== key) continue;
              if (!write || d.startIndex < write.startIndex) write = d;
            }
            if (!write || !checksMiss(fn, read, write) || !rebuildsBetween(fn, read, write) || isGuarded(fn)) continue;
            ctx.report({ node: read, messageId: 'unguardedRebuild', data: { read: nameOf(read)!, writeLine: write.startPosition.row + 1 } });
          }
        },
      };
    },
  },
});
