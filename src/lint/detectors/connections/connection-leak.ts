/**
 * connection-leak: a connection checked out of a pool (`pool.connect()`, `getConnection()`,
 * `acquire()`, `getconn()`) that is not given back on every path, and pools whose upper bound is
 * missing, tiny, or below the concurrency the same file declares. Each leak keeps one connection
 * forever; a few errors later the pool is empty and every request waits for a checkout timeout.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, calledShapeLiterals, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { descendants, enclosingFunction, type FunctionLike, isFunctionLike, isWithin, rootIdentifier } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, FUNCTION_TYPES, isWithinPy, rootIdentifierPy } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor, tsShapes } from '../../options.js';
import { fatePy, fateTs } from './helpers.js';

const TS_ACQUIRE = ['*.connect', '*.getConnection', '*.acquire', '*.createQueryRunner'];
const TS_RELEASE = ['*.release', '*.end', '*.destroy', '*.close'];
const TS_POOLS = ['pg.Pool', 'mysql.createPool', 'mysql2.createPool', 'mysql2/promise.createPool', 'generic-pool.createPool', 'generic-pool.Pool', '@neondatabase/serverless.Pool'];
const PY_ACQUIRE = ['*.acquire', '*.getconn', '*.connect'];
const PY_RELEASE = ['*.release', '*.putconn', '*.close', '*.aclose'];
const PY_POOLS = [
  'asyncpg.create_pool', 'psycopg_pool.ConnectionPool', 'psycopg_pool.AsyncConnectionPool',
  'psycopg2.pool.SimpleConnectionPool', 'psycopg2.pool.ThreadedConnectionPool', 'aiomysql.create_pool',
];
/** psycopg2's pools take `(minconn, maxconn, ...)` positionally. */
const PY_POSITIONAL_MAX = /^psycopg2\.pool\./;

/** `concurrency: 50`, `pLimit(50)`, `asyncio.Semaphore(50)`: work the file runs at once. */
const TS_CONCURRENCY_CALLS = compileShapes(['p-limit', 'p-queue']);
const PY_CONCURRENCY_CALLS = compileShapes(['asyncio.Semaphore', 'asyncio.BoundedSemaphore', 'anyio.CapacityLimiter']);

interface PoolBound {
  max: number;
  report: () => void;
}

const isRelative = (module: string) => module.startsWith('.') || module.startsWith('/');

export default defineDetector({
  id: 'connection-leak',
  family: 'connections',
  sharpEdge: 'connection-pool-exhaustion',
  severity: 'high',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Release in `finally` (`client.release()`), use `async with pool.acquire() as conn` / `with engine.connect() as conn`, or prefer `pool.query(...)` for single statements; give every pool an explicit max sized to the work it serves.',
  docs: {
    why:
      'A checked-out connection that is not released when a query throws (or on an early return) is gone from the pool for good. Each error leaks one; after `max` of them every request waits for a checkout that never comes, and the service falls over "under load" although the load is normal. A pool with no explicit bound gets the driver default (often 10, generic-pool 1), unrelated to the concurrency the server runs.',
    example: {
      typescript: `import { Pool } from 'pg';\nconst pool = new Pool({ max: 20 });\nexport async function rename(id: number, name: string) {\n  const client = await pool.connect();\n  await client.query('UPDATE users SET name = $1 WHERE id = $2', [name, id]);\n  client.release();\n}\n`,
      python: `async def rename(pool, user_id, name):\n    conn = await pool.acquire()\n    await conn.execute("UPDATE users SET name = $1 WHERE id = $2", name, user_id)\n    await pool.release(conn)\n`,
    },
    useInstead: {
      typescript: `import { Pool } from 'pg';\nconst pool = new Pool({ max: 20 });\nexport async function rename(id: number, name: string) {\n  const client = await pool.connect();\n  try {\n    await client.query('UPDATE users SET name = $1 WHERE id = $2', [name, id]);\n  } finally {\n    client.release();\n  }\n}\n`,
      python: `async def rename(pool, user_id, name):\n    async with pool.acquire() as conn:\n        await conn.execute("UPDATE users SET name = $1 WHERE id = $2", name, user_id)\n`,
    },
    whenNotToUse:
      'Left alone: checkouts released in `finally` or a promise `.finally()`, released in both the `catch` and the normal path, declared with `using`/`await using`, held by a context manager (`async with pool.acquire()`, `with engine.connect()`), returned or stored for the caller to release (a wrapper), released before anything can throw, and `client.connect()` on a standalone client whose result is not kept. Module-level imports (`mongoose.connect`, `asyncpg.connect`) are connections, not checkouts (see connection-per-request). Pools built from a config object the linter cannot see (`new Pool(config)`, `**kwargs`) are not judged.',
    references: [
      'https://node-postgres.com/features/pooling#checkout-use-and-return',
      'https://magicstack.github.io/asyncpg/current/api/index.html#connection-pools',
      'https://www.psycopg.org/psycopg3/docs/advanced/pool.html',
    ],
  },
  messages: {
    neverReleased: '{{conn}} is checked out with {{call}} but never released in this function: every call leaks a pooled connection.',
    releaseNotGuaranteed: '{{conn}} is released only on the happy path: when anything between {{call}} and the release throws or returns, the connection leaks. Release it in finally or a context manager.',
    poolNoMax: '{{pool}} sets no upper bound ({{key}}): the driver default decides how many connections this process holds.',
    poolTooSmall: '{{pool}} allows at most {{max}} connections, below {{min}}: a few slow requests exhaust it.',
    poolBelowConcurrency: '{{pool}} allows {{max}} connections but this file runs {{concurrency}} tasks at once: the rest queue for a connection.',
  },
  options: z.object({
    /** Calls that check a connection out of a pool; the result must be bound to a name. */
    acquireCalls: perLanguageShapes({ typescript: TS_ACQUIRE, python: PY_ACQUIRE }),
    /** Calls that give it back: `conn.release()` or `pool.release(conn)`. */
    releaseCalls: perLanguageShapes({ typescript: TS_RELEASE, python: PY_RELEASE }),
    /** Pool constructors whose bound is checked. */
    poolConstructors: perLanguageShapes({ typescript: TS_POOLS, python: PY_POOLS }),
    /** Option names that carry a pool's upper bound. */
    maxKeys: perLanguageShapes({ typescript: ['max', 'connectionLimit'], python: ['max_size', 'maxconn', 'pool_size'] }),
    /** A pool whose bound is below this is flagged as too small for a server. */
    minPoolMax: z.number().int().min(1).default(5),
  }),
  // An acquired connection, or a pool's size.
  // A checkout is reported on a call `x.acquire()` (`calledShapeLiterals`), a pool on its constructor call.
  requires: (options, language) =>
    requireAll(anyOf(calledShapeLiterals(shapesFor(options.acquireCalls, language), language), shapeLiterals(shapesFor(options.poolConstructors, language)))),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isAcquire = compileTsShapes(options.acquireCalls);
      const isRelease = compileTsShapes(options.releaseCalls);
      const isPool = compileTsShapes(options.poolConstructors);
      const maxKeys = new Set(tsShapes(options.maxKeys));
      const pools: PoolBound[] = [];
      let concurrency = 0;
      const qualifiedName = (n: TsApi.Node) => ctx.names.qualifiedName(n);

      const isReleaseOf = (call: TsApi.CallExpression, variable: string): boolean => {
        if (!isRelease(qualifiedName(call.expression))) return false;
        const callee = call.expression;
        if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === variable) return true;
        return call.arguments.some((a) => ts.isIdentifier(a) && a.text === variable);
      };
      const inFinally = (release: TsApi.Node, fn: TsApi.Node): boolean => {
        for (let n = release.parent; n && n !== fn; n = n.parent) {
          if (ts.isTryStatement(n) && n.finallyBlock && isWithin(release, n.finallyBlock)) return true;
          // `query().finally(() => client.release())`
          if (isFunctionLike(ts, n) && ts.isCallExpression(n.parent) && ts.isPropertyAccessExpression(n.parent.expression) && n.parent.expression.name.text === 'finally') return true;
        }
        return false;
      };
      const inCatch = (release: TsApi.Node): boolean => {
        for (let n = release.parent; n; n = n.parent) if (ts.isCatchClause(n)) return true;
        return false;
      };
      /** Anything between the checkout and the release that can throw or leave the function. */
      const riskyBetween = (fn: FunctionLike, from: number, to: number, release: TsApi.Node): boolean => {
        for (const n of descendants(ts, fn.body ?? fn)) {
          if (n.getStart(ctx.sourceFile) < from || n.getEnd() > to || isWithin(n, release)) continue;
          if (ts.isCallExpression(n) || ts.isAwaitExpression(n) || ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isYieldExpression(n)) return true;
        }
        return false;
      };

      const checkAcquire = (node: TsApi.CallExpression, name: string): void => {
        const callee = node.expression;
        if (!ts.isPropertyAccessExpression(callee)) return;
        // `mongoose.connect()`, `createClient().connect()`: a connection, not a pool checkout.
        const receiver = qualifiedName(callee.expression) ?? '';
        const root = rootIdentifier(ts, callee.expression);
        const module = root ? ctx.names.moduleOf(root.text) : undefined;
        if (receiver.includes('()') || (module !== undefined && !isRelative(module))) return;
        const fn = enclosingFunction(ts, node);
        if (!fn) return;
        let top: TsApi.Node = node;
        while (ts.isAwaitExpression(top.parent) || ts.isParenthesizedExpression(top.parent)) top = top.parent;
        const declaration = top.parent;
        if (ts.isVariableDeclaration(declaration) && ts.isVariableDeclarationList(declaration.parent)) {
          // `using` and `await using` both set the Using bit (AwaitUsing = Using | Const).
          if (declaration.parent.flags & ts.NodeFlags.Using) return;
        }
        const fate = fateTs(ts, node, fn);
        if (fate.kind === 'kept' || fate.variable === undefined) return;
        const variable = fate.variable;
        const releases = [...descendants(ts, fn)].filter(
          (n): n is TsApi.CallExpression => ts.isCallExpression(n) && n !== node && isReleaseOf(n, variable),
        );
        const data = { conn: variable, call: `${name}()` };
        if (releases.length === 0) {
          ctx.report({ node, messageId: 'neverReleased', data });
          return;
        }
        if (releases.some((r) => inFinally(r, fn))) return;
        if (releases.some((r) => inCatch(r)) && releases.some((r) => !inCatch(r))) return;
        const first = releases.reduce((a, b) => (a.getStart(ctx.sourceFile) <= b.getStart(ctx.sourceFile) ? a : b));
        if (riskyBetween(fn, node.getEnd(), first.getStart(ctx.sourceFile), first)) ctx.report({ node, messageId: 'releaseNotGuaranteed', data });
      };

      const checkPool = (node: TsApi.CallExpression | TsApi.NewExpression, name: string): void => {
        const args: readonly TsApi.Expression[] = node.arguments ?? [];
        const objects = args.filter((a): a is TsApi.ObjectLiteralExpression => ts.isObjectLiteralExpression(a));
        const keyName = [...maxKeys].join('/');
        for (const object of objects) {
          for (const property of object.properties) {
            if (!ts.isPropertyAssignment(property) || !maxKeys.has(property.name.getText(ctx.sourceFile))) continue;
            const value = property.initializer;
            if (!ts.isNumericLiteral(value)) return; // computed from config: trust it
            const max = Number(value.text);
            if (max < options.minPoolMax) {
              ctx.report({ node, messageId: 'poolTooSmall', data: { pool: name, max, min: options.minPoolMax } });
            } else {
              pools.push({ max, report: () => ctx.report({ node, messageId: 'poolBelowConcurrency', data: { pool: name, max, concurrency } }) });
            }
            return;
          }
        }
        const opaque = args.some((a) => !ts.isObjectLiteralExpression(a)) || objects.some((o) => o.properties.some((p) => ts.isSpreadAssignment(p)));
        if (!opaque) ctx.report({ node, messageId: 'poolNoMax', data: { pool: name, key: keyName } });
      };

      const onCall = (node: TsApi.CallExpression | TsApi.NewExpression): void => {
        const name = qualifiedName(node.expression);
        if (name === undefined) return;
        if (isPool(name)) checkPool(node, name);
        else if (ts.isCallExpression(node) && isAcquire(name)) checkAcquire(node, name);
        const first = node.arguments?.[0];
        if (TS_CONCURRENCY_CALLS(name) && first && ts.isNumericLiteral(first)) concurrency = Math.max(concurrency, Number(first.text));
      };
      return {
        CallExpression: onCall,
        NewExpression: onCall,
        PropertyAssignment(node) {
          const p = node as TsApi.PropertyAssignment;
          if (p.name.getText(ctx.sourceFile) === 'concurrency' && ts.isNumericLiteral(p.initializer)) {
            concurrency = Math.max(concurrency, Number(p.initializer.text));
          }
        },
        'SourceFile:exit'() {
          for (const pool of pools) if (pool.max < concurrency) pool.report();
        },
      };
    },
    python: (ctx, options) => {
      const isAcquire = compileShapes(options.acquireCalls.python);
      const isRelease = compileShapes(options.releaseCalls.python);
      const isPool = compileShapes(options.poolConstructors.python);
      const maxKeys = new Set(options.maxKeys.python);
      const pools: PoolBound[] = [];
      let concurrency = 0;
      const nameOf = (call: PyNode): string | undefined => {
        const fn = call.childForFieldName('function');
        return fn ? ctx.names.qualifiedName(fn) : undefined;
      };
      const argsOf = (call: PyNode): PyNode[] =>
        (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is PyNode => a !== null && a.type !== 'comment');
      const keyword = (args: PyNode[], key: string): PyNode | undefined =>
        args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === key)?.childForFieldName('value') ?? undefined;

      const isReleaseOf = (call: PyNode, variable: string): boolean => {
        if (!isRelease(nameOf(call))) return false;
        const fn = call.childForFieldName('function');
        if (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === variable) return true;
        return argsOf(call).some((a) => a.type === 'identifier' && a.text === variable);
      };
      const inClause = (node: PyNode, fn: PyNode, type: string): boolean => {
        for (let n = node.parent; n && n.id !== fn.id; n = n.parent) if (n.type === type) return true;
        return false;
      };
      const riskyBetween = (fn: PyNode, from: number, to: number, release: PyNode): boolean => {
        for (const n of descendantsPy(fn)) {
          if (n.startIndex < from || n.endIndex > to || isWithinPy(n, release)) continue;
          if (['call', 'await', 'return_statement', 'raise_statement', 'yield'].includes(n.type)) return true;
        }
        return false;
      };

      const checkAcquire = (node: PyNode, name: string): void => {
        const callee = node.childForFieldName('function');
        if (callee?.type !== 'attribute') return;
        const receiver = callee.childForFieldName('object');
        const root = receiver ? rootIdentifierPy(receiver) : undefined;
        const module = root ? ctx.names.moduleOf(root.text) : undefined;
        if (receiver?.text.includes('(') || (module !== undefined && !module.startsWith('.'))) return;
        const fn = enclosingPyFunction(node);
        if (!fn || !FUNCTION_TYPES.has(fn.type) || fn.type === 'lambda') return;
        const fate = fatePy(node, fn);
        if (fate.kind === 'kept' || fate.managed || fate.variable === undefined) return;
        const variable = fate.variable;
        const releases = [...descendantsPy(fn)].filter((n) => n.type === 'call' && n.id !== node.id && isReleaseOf(n, variable));
        const data = { conn: variable, call: `${name}()` };
        if (releases.length === 0) {
          ctx.report({ node, messageId: 'neverReleased', data });
          return;
        }
        if (releases.some((r) => inClause(r, fn, 'finally_clause'))) return;
        if (releases.some((r) => inClause(r, fn, 'except_clause')) && releases.some((r) => !inClause(r, fn, 'except_clause'))) return;
        const first = releases.reduce((a, b) => (a.startIndex <= b.startIndex ? a : b));
        if (riskyBetween(fn, node.endIndex, first.startIndex, first)) ctx.report({ node, messageId: 'releaseNotGuaranteed', data });
      };

      const checkPool = (node: PyNode, name: string): void => {
        const args = argsOf(node);
        if (args.some((a) => a.type === 'dictionary_splat')) return;
        let bound: PyNode | undefined;
        for (const key of maxKeys) bound ??= keyword(args, key);
        const positional = args.filter((a) => a.type !== 'keyword_argument');
        if (!bound && PY_POSITIONAL_MAX.test(name)) bound = positional[1];
        // psycopg_pool: with no max_size, the pool stays at min_size.
        if (!bound && name.startsWith('psycopg_pool.')) bound = keyword(args, 'min_size');
        if (!bound) {
          ctx.report({ node, messageId: 'poolNoMax', data: { pool: name, key: [...maxKeys].join('/') } });
          return;
        }
        if (bound.type !== 'integer') return;
        const max = Number(bound.text);
        if (max < options.minPoolMax) ctx.report({ node, messageId: 'poolTooSmall', data: { pool: name, max, min: options.minPoolMax } });
        else pools.push({ max, report: () => ctx.report({ node, messageId: 'poolBelowConcurrency', data: { pool: name, max, concurrency } }) });
      };

      return {
        call(node) {
          const name = nameOf(node);
          if (name === undefined) return;
          if (isPool(name)) checkPool(node, name);
          else if (isAcquire(name)) checkAcquire(node, name);
          const first = argsOf(node)[0];
          if (PY_CONCURRENCY_CALLS(name) && first?.type === 'integer') concurrency = Math.max(concurrency, Number(first.text));
        },
        keyword_argument(node) {
          const value = node.childForFieldName('value');
          if (node.childForFieldName('name')?.text === 'concurrency' && value?.type === 'integer') concurrency = Math.max(concurrency, Number(value.text));
        },
        'module:exit'() {
          for (const pool of pools) if (pool.max < concurrency) pool.report();
        },
      };
    },
  },
});
