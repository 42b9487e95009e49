/**
 * Shared by the `database` family: the call shapes that reach a database, cache or HTTP service,
 * and the tests that tell a real per-item query from its sequential-by-design look-alikes.
 */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { descendants, isFunctionLike, isWithin, type Repetition } from '../../engine/scope-ts.js';
import { descendantsPy, FUNCTION_TYPES, type PyRepetition } from '../../engine/scope-py.js';

type Ts = typeof TsApi;

/** Dotted globs over resolved names (see `compileShapes`): DB/ORM, cache and HTTP calls. */
export const TS_DB_CALLS = [
  // SQL drivers and query builders (pg, mysql2, knex, TypeORM/Sequelize raw)
  '*.query', '*.execute', '*.raw', 'knex', 'knex().**', 'sql',
  // ORMs: Prisma, TypeORM, Sequelize, Mongoose, MikroORM
  'prisma.*.*', '**.prisma.*.*', '*.findOne', '*.findOneBy', '*.findOneOrFail', '*.findBy', '*.findMany',
  '*.findUnique', '*.findUniqueOrThrow', '*.findFirst', '*.findFirstOrThrow', '*.findByPk', '*.findById',
  '*.findAll', '*.find', '*.count', '*.findAndCount', '*.findOneAndUpdate', '*.countDocuments', '*.aggregate',
  '*.updateOne', '*.deleteOne', '*.insertOne', '*.upsert', '*Repository.save', '*Repo.save', '*.populate',
  // Redis (ioredis, node-redis)
  '**.*redis*.get', '**.*redis*.set', '**.*redis*.hget', '**.*redis*.hgetall', '**.*redis*.exists',
  '**.*redis*.del', '**.*redis*.incr', '**.*Redis*.get', '**.*Redis*.set',
  // HTTP (fetch, undici, axios and its instances, got)
  'fetch', 'undici.fetch', 'undici.request', 'axios', 'axios.*', 'got', 'got.*', 'ky.*',
  'http.get', 'https.get', 'http.request', 'https.request',
  '**.api.get', '**.api.post', '**.*Client.get', '**.*Client.post', '**.client.get', '**.client.post',
];

export const PY_DB_CALLS = [
  // Django ORM (sync and async), SQLAlchemy (sync and async), DB-API, asyncpg
  '**.objects.*', '**.objects.*().*', '*.execute', '*.fetch', '*.fetchrow', '*.fetchval',
  '**.session.get', '**.session.query', '**.session.scalar', '**.session.scalars', '**.session.execute',
  // PyMongo / Motor
  '*.find_one', '*.insert_one', '*.update_one', '*.count_documents',
  // redis-py
  '**.*redis*.get', '**.*redis*.set', '**.*redis*.hget', '**.*redis*.hgetall',
  // HTTP: requests, httpx, aiohttp sessions and clients
  'requests.get', 'requests.post', 'requests.put', 'requests.patch', 'requests.delete', 'requests.request',
  'httpx.get', 'httpx.post', '**.*client.get', '**.*client.post', '**.*session.get', '**.*session.post',
  'urllib.request.urlopen',
];

/** Sleeping, backing off or rate limiting in a loop means the loop is paced on purpose. */
export const TS_DELAY_CALLS = [
  'setTimeout', 'timers/promises.setTimeout', 'sleep', '*.sleep', 'delay', '*.delay', 'wait', 'backoff*',
  '*.backoff*', 'throttle', '*.throttle', '*.removeTokens', '*.schedule',
];
export const PY_DELAY_CALLS = ['time.sleep', 'asyncio.sleep', 'trio.sleep', 'anyio.sleep', 'sleep', '*.sleep', 'backoff*', '*.backoff*'];

/**
 * The argument of a per-chunk batch: `WHERE id IN (...)`, `= ANY($1)`, Prisma `{ in: ids }`,
 * TypeORM `In(ids)`, Sequelize `[Op.in]`, Mongo `$in`, Django `__in=`, SQLAlchemy `.in_()`.
 */
export const BATCH_MARKER = /\bIN\s*(\(|%s|\$\d|:\w|\?)|\bANY\s*\(|\$in\b|\bin\s*:|Op\.in\b|\bIn\(|__in\b|\.in_\(|\bunnest\s*\(/i;

/** Django/SQLAlchemy loading that makes touching a relation per item free. */
export const EAGER_LOADING = /\b(select_related|prefetch_related|selectinload|joinedload|subqueryload|immediateload|values|values_list|only|defer)\s*\(/;

/** Relation-manager methods that query: `book.tags.all()`, `author.book_set.count()`. */
export const RELATED_MANAGER_METHODS = new Set(['all', 'filter', 'exclude', 'count', 'exists', 'first', 'last', 'order_by', 'get', 'values', 'values_list', 'aggregate']);

/** Attributes that are columns, not relations, by naming convention. */
export function looksLikeColumn(attr: string): boolean {
  return /^(id|pk|_meta|_state|name|title|email|status)$|_(id|at|on|date|time|count)$/.test(attr);
}

// ---------------------------------------------------------------- TypeScript / JavaScript

/** A literal of at most `max` elements: `[a, b]`, `Object.keys({..})`, `Array.from({ length: 3 })`. */
export function isSmallLiteralTs(ts: Ts, expr: TsApi.Expression | undefined, max: number, smallNames: ReadonlySet<string>): boolean {
  if (!expr) return false;
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) expr = expr.expression;
  if (ts.isArrayLiteralExpression(expr)) {
    return expr.elements.length <= max && !expr.elements.some((e) => ts.isSpreadElement(e));
  }
  if (ts.isIdentifier(expr)) return smallNames.has(expr.text);
  if (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression)) {
    const arg = expr.arguments[0];
    const method = expr.expression.name.text;
    if (['keys', 'values', 'entries'].includes(method) && arg && ts.isObjectLiteralExpression(arg)) {
      return arg.properties.length <= max;
    }
    if (method === 'from' && arg && ts.isObjectLiteralExpression(arg)) {
      const length = arg.properties.find((p) => p.name?.getText() === 'length');
      return length !== undefined && ts.isPropertyAssignment(length) && isSmallNumberTs(ts, length.initializer, max);
    }
  }
  return false;
}

function isSmallNumberTs(ts: Ts, expr: TsApi.Expression, max: number): boolean {
  return ts.isNumericLiteral(expr) && Number(expr.text) <= max;
}

/** `for (let i = 0; i < 3; i++)` with a literal bound of at most `max`. */
export function isSmallCountedLoopTs(ts: Ts, loop: TsApi.Node, max: number): boolean {
  if (!ts.isForStatement(loop) || !loop.condition || !ts.isBinaryExpression(loop.condition)) return false;
  const { operatorToken, right } = loop.condition;
  const op = operatorToken.kind;
  if (op !== ts.SyntaxKind.LessThanToken && op !== ts.SyntaxKind.LessThanEqualsToken) return false;
  return isSmallNumberTs(ts, right, max);
}

/** The statements that repeat: a loop's whole node, or a callback's body. */
function repeatedRegion(rep: Repetition): TsApi.Node {
  return rep.kind === 'loop' ? rep.node : rep.fn.body ?? rep.fn;
}

/**
 * Sequential by design: the call reads a variable that the loop reassigns after the call from
 * something it fetched (a cursor, a next-page URL, an offset grown by the page size).
 */
export function isLoopCarriedTs(ts: Ts, rep: Repetition, call: TsApi.CallExpression): boolean {
  const used = new Set<string>();
  for (const n of descendants(ts, call)) if (ts.isIdentifier(n)) used.add(n.text);
  const region = repeatedRegion(rep);
  for (const n of descendants(ts, region)) {
    if (!ts.isBinaryExpression(n)) continue;
    const op = n.operatorToken.kind;
    if (op < ts.SyntaxKind.FirstAssignment || op > ts.SyntaxKind.LastAssignment) continue;
    const targets = assignedNamesTs(ts, n.left);
    if (!targets.some((t) => used.has(t))) continue;
    const afterCall = n.getStart() >= call.getEnd() || (ts.isForStatement(rep.node) && rep.node.incrementor !== undefined && isWithin(n, rep.node.incrementor));
    if (afterCall && isDynamicTs(ts, n.right, targets)) return true;
  }
  return false;
}

function assignedNamesTs(ts: Ts, left: TsApi.Expression): string[] {
  if (ts.isIdentifier(left)) return [left.text];
  const names: string[] = [];
  if (ts.isObjectLiteralExpression(left)) {
    for (const p of left.properties) {
      if (ts.isShorthandPropertyAssignment(p)) names.push(p.name.text);
      else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)) names.push(p.initializer.text);
    }
  } else if (ts.isArrayLiteralExpression(left)) {
    for (const e of left.elements) if (ts.isIdentifier(e)) names.push(e.text);
  } else if (ts.isParenthesizedExpression(left)) return assignedNamesTs(ts, left.expression);
  return names;
}

/** Not a plain counter: reads a call's result or another variable (`cursor = res.next`). */
function isDynamicTs(ts: Ts, right: TsApi.Expression, self: string[]): boolean {
  for (const n of descendants(ts, right)) {
    if (ts.isCallExpression(n) || ts.isAwaitExpression(n)) return true;
    if (ts.isIdentifier(n) && !self.includes(n.text) && !ts.isPropertyAccessExpression(n.parent)) return true;
    if (ts.isPropertyAccessExpression(n)) return true;
  }
  return false;
}

/** Paced on purpose: a sleep/backoff/limiter call in the loop, or a retry (`try { return ... }`). */
export function isPacedOrRetryTs(
  ts: Ts,
  rep: Repetition,
  call: TsApi.CallExpression,
  qualifiedName: (n: TsApi.Node) => string | undefined,
  isDelay: (name: string | undefined) => boolean,
): boolean {
  const region = repeatedRegion(rep);
  for (const n of descendants(ts, region)) {
    if (ts.isCallExpression(n) && isDelay(qualifiedName(n.expression))) return true;
  }
  for (let n = call.parent; n && n !== region; n = n.parent) {
    if (ts.isTryStatement(n) && isWithin(call, n.tryBlock) && exitsLoopTs(ts, n.tryBlock)) return true;
  }
  return false;
}

function exitsLoopTs(ts: Ts, block: TsApi.Node): boolean {
  for (const n of descendants(ts, block)) {
    if (ts.isReturnStatement(n) || ts.isBreakStatement(n)) {
      // A return inside a nested callback does not leave the loop.
      let nested = false;
      for (let p = n.parent; p && p !== block; p = p.parent) if (isFunctionLike(ts, p)) nested = true;
      if (!nested) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- Python

export function isSmallLiteralPy(node: PyNode | undefined, max: number, smallNames: ReadonlySet<string>): boolean {
  if (!node) return false;
  if (node.type === 'list' || node.type === 'tuple' || node.type === 'set') {
    const items = node.namedChildren.filter((c) => c && c.type !== 'comment');
    return items.length <= max && !items.some((c) => c?.type === 'list_splat');
  }
  if (node.type === 'identifier') return smallNames.has(node.text);
  if (node.type === 'call' && node.childForFieldName('function')?.text === 'range') {
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    const last = args[args.length - 1];
    return args.length <= 2 && last?.type === 'integer' && Number(last.text) <= max;
  }
  return false;
}

function regionPy(rep: PyRepetition): PyNode {
  return rep.node;
}

export function isLoopCarriedPy(rep: PyRepetition, call: PyNode): boolean {
  const used = new Set<string>();
  for (const n of descendantsPy(call)) if (n.type === 'identifier') used.add(n.text);
  for (const n of descendantsPy(regionPy(rep))) {
    if (n.type !== 'assignment' && n.type !== 'augmented_assignment') continue;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right || n.startIndex < call.endIndex) continue;
    const targets: string[] = [];
    for (const t of descendantsPy(left)) if (t.type === 'identifier') targets.push(t.text);
    if (!targets.some((t) => used.has(t))) continue;
    for (const r of descendantsPy(right)) {
      if (r.type === 'call' || r.type === 'await' || r.type === 'subscript' || r.type === 'attribute') return true;
      if (r.type === 'identifier' && !targets.includes(r.text)) return true;
    }
  }
  return false;
}

export function isPacedOrRetryPy(rep: PyRepetition, call: PyNode, qualifiedName: (n: PyNode) => string | undefined, isDelay: (name: string | undefined) => boolean): boolean {
  const region = regionPy(rep);
  for (const n of descendantsPy(region)) {
    if (n.type !== 'call') continue;
    const fn = n.childForFieldName('function');
    if (fn && isDelay(qualifiedName(fn))) return true;
  }
  for (let n = call.parent; n && n.id !== region.id; n = n.parent) {
    if (n.type !== 'try_statement') continue;
    const body = n.childForFieldName('body');
    if (!body || call.startIndex < body.startIndex || call.endIndex > body.endIndex) continue;
    for (const s of descendantsPy(body)) {
      if (s.type !== 'return_statement' && s.type !== 'break_statement') continue;
      let nested = false;
      for (let p = s.parent; p && p.id !== body.id; p = p.parent) if (FUNCTION_TYPES.has(p.type)) nested = true;
      if (!nested) return true;
    }
  }
  return false;
}
