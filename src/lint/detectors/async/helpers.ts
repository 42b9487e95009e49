/** Shared by the `async` family: is this call running on the event loop, inside a coroutine or handler? */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { enclosingFunction, type FunctionLike, isAsyncFunction, isFunctionLike } from '../../engine/scope-ts.js';
import { enclosingFunction as enclosingPyFunction, isAsyncDef } from '../../engine/scope-py.js';

type Ts = typeof TsApi;

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'head', 'options', 'route']);
const NEXT_ROUTE_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * True for a function that serves a request: registered with a route method next to a path
 * (`app.get('/x', fn)`, `fastify.post('/x', fn)`), exported as a Next.js route (`GET`), or shaped
 * like one (`(req, res)`, `(request, reply)`).
 */
export function isRequestHandler(ts: Ts, fn: FunctionLike): boolean {
  const [first, second] = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  if (/^(req|request)$/.test(first ?? '') && /^(res|reply|response)$/.test(second ?? '')) return true;
  if (ts.isFunctionDeclaration(fn) && fn.name && NEXT_ROUTE_EXPORTS.has(fn.name.text)) return true;
  const call = fn.parent;
  if (call && ts.isCallExpression(call) && call.arguments.some((a) => a === fn)) {
    const callee = call.expression;
    const path = call.arguments[0];
    return (
      ts.isPropertyAccessExpression(callee) &&
      ROUTE_METHODS.has(callee.name.text) &&
      path !== undefined &&
      ts.isStringLiteralLike(path) &&
      path.text.startsWith('/')
    );
  }
  return false;
}

export interface EventLoopContext {
  fn: FunctionLike;
  where: string;
}

/**
 * The async function or request handler a call runs in, looking through synchronous inline
 * callbacks (`items.forEach(x => ...)` inside an async function still runs on its turn of the
 * loop). A plain synchronous function, or module top level, is not an event-loop context here.
 */
export function eventLoopContext(ts: Ts, node: TsApi.Node): EventLoopContext | undefined {
  for (let fn = enclosingFunction(ts, node); fn; fn = enclosingFunction(ts, fn)) {
    if (isAsyncFunction(ts, fn)) return { fn, where: `async ${describe(ts, fn)}` };
    if (isRequestHandler(ts, fn)) return { fn, where: `request handler ${describe(ts, fn)}` };
    const isInlineCallback =
      (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
      fn.parent !== undefined &&
      (ts.isCallExpression(fn.parent) || ts.isNewExpression(fn.parent));
    if (!isInlineCallback) return undefined;
  }
  return undefined;
}

function describe(ts: Ts, fn: FunctionLike): string {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) {
    return `function ${fn.name.getText()}`;
  }
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return `function ${parent.name.text}`;
  if (parent && ts.isPropertyAssignment(parent)) return `function ${parent.name.getText()}`;
  return 'function';
}

/** The `async def` a Python call runs directly in (a nested `def` or `lambda` is not it). */
export function asyncDefOf(node: PyNode): PyNode | undefined {
  const fn = enclosingPyFunction(node);
  return fn && isAsyncDef(fn) ? fn : undefined;
}

export { isFunctionLike };

/**
 * Names that say "this bounds concurrency": `limit(() => ...)`, `limiter.schedule`, `sem`,
 * `semaphore.acquire`, `queue.add`. Used where the limiter was made elsewhere (passed in, imported).
 */
export const LIMITER_NAME = /^(limit|limiter|rateLimit|throttle|throttled|sem|semaphore|sema|mutex|pool_limit|concurrency|bounded)$|Limit(er)?$|^(limit|throttle|sem)_|_(limit|limiter|sem|semaphore)$/i;

/** Names of one connection, session or transaction: their queries cannot overlap. */
export const CONNECTION_NAME = /^(conn|connection|cnx|con|tx|trx|txn|transaction|t|session|db_session|dbSession|sess|cursor|cur|qr|queryRunner|manager|em|entityManager)$/;

const READ_SEGMENT = /^\$?(fetchrow|fetchval|fetchall|fetchone|fetchmany|scalars|scalar|get|find|fetch|load|list|read|count|search|lookup|retrieve|describe|select|exists|has|head|stat|aggregate|query|mget|hget|hgetall|smembers|zrange|lrange|scan)(?![a-z])/;
const WRITE_SEGMENT = /^\$?(set|put|post|patch|delete|del|remove|create|insert|update|upsert|save|write|send|publish|emit|push|add|incr|decr|increment|decrement|destroy|drop|truncate|commit|rollback|begin|lock|acquire|release|connect|close|end|flush|exec|execute|run|invalidate|expire|enqueue|dispatch|notify|mark|apply|sync|refresh|reset|clear|login|logout|pay|charge|transfer|approve|hset|lpush|rpush|sadd|zadd|call|invoke|process|handle|start|stop|track|log)(?![a-z])/;

/**
 * A call that only reads, so running it concurrently with another read changes nothing:
 * by its SQL verb when it has SQL, by an HTTP `method` when given, else by its name's segments
 * (`prisma.user.findMany`, `redis.get`, `db.select().from().where`; any write segment wins).
 */
export function isReadCall(name: string, sql?: string, httpMethod?: string): boolean {
  if (httpMethod !== undefined && !/^(get|head)$/i.test(httpMethod)) return false;
  if (sql !== undefined && /^\s*(select|with|insert|update|delete|merge|call|create|alter|drop|truncate|begin|commit|set|lock)\b/i.test(sql)) {
    return /^\s*(select|with)\b/i.test(sql) && !/\b(for\s+update|insert|update|delete)\b/i.test(sql);
  }
  if (name.startsWith('Promise.') || name.startsWith('asyncio.')) return false;
  const segments = name.split('.').map((s) => s.replace(/\(\)$/, ''));
  if (segments.some((s) => WRITE_SEGMENT.test(s))) return false;
  return segments.some((s) => READ_SEGMENT.test(s));
}
