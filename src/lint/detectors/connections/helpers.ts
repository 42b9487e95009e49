/**
 * Shared by the `connections` family: does this function run once per request or job, and does a
 * client made here outlive the call (returned, cached, stored on `this`/app state) or die with it?
 * Both detectors need the same two answers, in both languages.
 */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { descendants, enclosingFunction, type FunctionLike, isFunctionLike } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, isWithinPy } from '../../engine/scope-py.js';
import { isRequestHandler } from '../async/helpers.js';

type Ts = typeof TsApi;

/** Functions that run once at start-up or in a one-off script: a client made here is fine. */
export const STARTUP_NAME = /^(main|bootstrap|start|startup|setup|init|initiali[sz]e|lifespan|migrate|seed|shutdown|on_?startup|create_?app|build_?app|run_?migrations?)/i;

/** Method names that close a client or connection: the client lived for this call only. */
const CLOSE_METHODS = new Set(['end', 'close', 'aclose', 'quit', 'disconnect', '$disconnect', 'destroy', 'dispose', 'release']);

export interface PerRequest {
  /** `request handler GET`, `job handler`, ... for messages. */
  where: string;
}

// ---------------------------------------------------------------- TypeScript / JavaScript

/** Methods whose callback argument runs once per job or message. */
const JOB_METHODS = new Set(['process', 'schedule', 'subscribe', 'consume', 'handle', 'addListener']);
/** Event names whose listener runs once per request or message. */
const PER_EVENT = new Set(['message', 'request', 'job', 'data', 'connection', 'upgrade']);
const ROUTE_DECORATORS = /^(Get|Post|Put|Patch|Delete|All|Head|Options|MessagePattern|EventPattern|Process|Cron|Interval|OnEvent|Mutation|Query|Subscription)$/;
/** Object keys whose function value is a handler: Fastify `handler`, kafkajs `eachMessage`, ... */
const HANDLER_KEYS = new Set(['handler', 'eachMessage', 'eachBatch', 'resolve', 'onMessage']);

function nameOfFunction(ts: Ts, fn: FunctionLike): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) {
    return fn.name.getText();
  }
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return undefined;
}

/** Why `fn` runs per request or job, or undefined. */
function perRequestReasonTs(ts: Ts, fn: FunctionLike): string | undefined {
  if (isRequestHandler(ts, fn)) return 'a request handler';
  const name = nameOfFunction(ts, fn);
  // AWS Lambda / Netlify / Vercel functions: `export const handler = async (event) => ...`.
  if (name === 'handler' && fn.parameters.length > 0) return 'a serverless handler';
  if (ts.isMethodDeclaration(fn)) {
    const decorated = ts.getDecorators(fn)?.some((d) => {
      const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
      return ts.isIdentifier(e) && ROUTE_DECORATORS.test(e.text);
    });
    if (decorated) return 'a decorated route or job handler';
  }
  const parent = fn.parent;
  if (parent && ts.isPropertyAssignment(parent) && HANDLER_KEYS.has(parent.name.getText())) return `a \`${parent.name.getText()}\` callback`;
  if (!parent || !(ts.isCallExpression(parent) || ts.isNewExpression(parent))) return undefined;
  const args: readonly TsApi.Expression[] = parent.arguments ?? [];
  if (!args.some((a) => a === fn)) return undefined;
  const callee = parent.expression;
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  if (ts.isNewExpression(parent)) return /Worker$|^CronJob$/.test(method) ? 'a job handler' : undefined;
  if (method === 'setInterval') return 'an interval callback';
  if (JOB_METHODS.has(method)) return 'a job handler';
  const event = args[0];
  if ((method === 'on' || method === 'once') && event && ts.isStringLiteralLike(event) && PER_EVENT.has(event.text)) {
    return `a '${event.text}' listener`;
  }
  // tRPC procedures: `publicProcedure.input(...).query(async ({ ctx }) => ...)`.
  if ((method === 'query' || method === 'mutation') && args.length === 1 && ts.isPropertyAccessExpression(callee) && ts.isCallExpression(callee.expression)) {
    return 'a tRPC procedure';
  }
  return undefined;
}

/** The nearest enclosing function that runs per request or job (looking through nested callbacks). */
export function perRequestTs(ts: Ts, node: TsApi.Node): PerRequest | undefined {
  for (let fn = enclosingFunction(ts, node); fn; fn = enclosingFunction(ts, fn)) {
    const reason = perRequestReasonTs(ts, fn);
    if (reason) {
      const name = nameOfFunction(ts, fn);
      return { where: name && !reason.includes(name) ? `${reason} (${name})` : reason };
    }
  }
  return undefined;
}

/** A function called from module top level (`main().catch(...)`, `void run()`): a script entry. */
export function topLevelCalleesTs(ts: Ts, sourceFile: TsApi.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) {
    for (const n of descendants(ts, statement)) {
      if (isFunctionLike(ts, n)) continue;
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && enclosingFunction(ts, n) === undefined) names.add(n.expression.text);
    }
  }
  return names;
}

export function isStartupFunctionTs(ts: Ts, fn: FunctionLike, scriptEntries: ReadonlySet<string>): boolean {
  const name = nameOfFunction(ts, fn);
  if (ts.isConstructorDeclaration(fn)) return true;
  return name !== undefined && (STARTUP_NAME.test(name) || scriptEntries.has(name));
}

/** Walks up from a value through wrappers that keep it (`await`, parens, `drizzle(new Pool())`). */
function valueTop(ts: Ts, expr: TsApi.Node): TsApi.Node {
  let top = expr;
  for (let p = top.parent; p; top = p, p = p.parent) {
    if (
      ts.isAwaitExpression(p) ||
      ts.isParenthesizedExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isNonNullExpression(p) ||
      ts.isSatisfiesExpression(p) ||
      ts.isObjectLiteralExpression(p) ||
      ts.isArrayLiteralExpression(p) ||
      ts.isPropertyAssignment(p) ||
      ts.isShorthandPropertyAssignment(p) ||
      ts.isConditionalExpression(p) ||
      ((ts.isCallExpression(p) || ts.isNewExpression(p)) && (p.arguments ?? []).some((a) => a === top) && !isStoreCall(ts, p))
    ) {
      continue;
    }
    if (ts.isBinaryExpression(p) && p.right === top && isLogicalDefault(ts, p.operatorToken.kind)) continue;
    break;
  }
  return top;
}

function isLogicalDefault(ts: Ts, kind: TsApi.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.BarBarToken;
}

function isAssignment(ts: Ts, kind: TsApi.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

/** Names declared inside `fn` (parameters and variables), so an assignment target can be told local. */
function localNamesTs(ts: Ts, fn: FunctionLike): Set<string> {
  const names = new Set<string>();
  for (const p of fn.parameters) if (ts.isIdentifier(p.name)) names.add(p.name.text);
  for (const n of descendants(ts, fn)) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) names.add(n.name.text);
  }
  return names;
}

/** True when the value at `top` leaves the function: returned, stored on an object, cached, or assigned to an outer variable. */
function escapesAt(ts: Ts, top: TsApi.Node, fn: FunctionLike, locals: Set<string>): boolean {
  const p = top.parent;
  if (!p) return false;
  if (ts.isReturnStatement(p) || ts.isExportAssignment(p) || ts.isYieldExpression(p)) return true;
  if (ts.isArrowFunction(p) && p.body === top) return true;
  if (ts.isBinaryExpression(p) && p.right === top && isAssignment(ts, p.operatorToken.kind)) {
    return !ts.isIdentifier(p.left) || !locals.has(p.left.text);
  }
  return isStoreCall(ts, p);
}

/** `cache.set(key, client)`, `clients.push(client)`: the value is kept in a collection. */
function isStoreCall(ts: Ts, node: TsApi.Node): boolean {
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && STORE_METHODS.has(node.expression.name.text);
}

const STORE_METHODS = new Set(['set', 'push', 'add', 'unshift']);

export type Fate = { kind: 'kept' } | { kind: 'local'; variable?: string };

/**
 * Whether a client created at `expr` outlives the call of `fn`: returned (a factory), stored on
 * `this`/an object/a map/an outer variable (a lazy singleton), or only held locally.
 */
export function fateTs(ts: Ts, expr: TsApi.Node, fn: FunctionLike): Fate {
  const locals = localNamesTs(ts, fn);
  const top = valueTop(ts, expr);
  if (escapesAt(ts, top, fn, locals)) return { kind: 'kept' };
  const parent = top.parent;
  let variable: string | undefined;
  if (parent && ts.isVariableDeclaration(parent) && parent.initializer === top && ts.isIdentifier(parent.name)) variable = parent.name.text;
  else if (parent && ts.isBinaryExpression(parent) && parent.right === top && ts.isIdentifier(parent.left)) variable = parent.left.text;
  if (variable === undefined) return { kind: 'local' };
  for (const n of descendants(ts, fn)) {
    if (!ts.isIdentifier(n) || n.text !== variable || n === (parent as TsApi.VariableDeclaration).name) continue;
    if (escapesAt(ts, valueTop(ts, n), fn, locals)) return { kind: 'kept' };
  }
  return { kind: 'local', variable };
}

/** `v.end()`, `v.close()`, `await v.$disconnect()` somewhere in `fn`. */
export function isClosedInTs(ts: Ts, fn: FunctionLike, variable: string | undefined): boolean {
  if (variable === undefined) return false;
  for (const n of descendants(ts, fn)) {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) continue;
    const receiver = n.expression.expression;
    if (ts.isIdentifier(receiver) && receiver.text === variable && CLOSE_METHODS.has(n.expression.name.text)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- Python

const PY_ROUTE_DECORATORS = new Set(['get', 'post', 'put', 'patch', 'delete', 'route', 'api_route', 'websocket', 'head', 'options', 'middleware', 'api_view', 'view']);
const PY_JOB_DECORATORS = new Set(['task', 'shared_task', 'actor', 'job', 'periodic_task', 'cron', 'handler', 'consumer', 'subscriber']);
const PY_RECEIVERS = new Set(['self', 'cls']);

export function functionNamePy(fn: PyNode): string | undefined {
  return fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
}

function decoratorNamesPy(fn: PyNode): string[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((c): c is PyNode => c?.type === 'decorator')
    .map((d) => {
      let e = d.namedChildren[0] ?? null;
      if (e?.type === 'call') e = e.childForFieldName('function');
      return e?.text.split('.').pop() ?? '';
    });
}

/** Plain parameter names, `self`/`cls` left out. */
export function parameterNamesPy(fn: PyNode): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  return params.namedChildren
    .map((p) => (p?.type === 'identifier' ? p.text : p?.type === 'typed_parameter' || p?.type === 'default_parameter' || p?.type === 'typed_default_parameter' ? p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? '' : ''))
    .filter((n) => n !== '' && !PY_RECEIVERS.has(n));
}

function perRequestReasonPy(fn: PyNode, dependencies: ReadonlySet<string>): string | undefined {
  if (fn.type !== 'function_definition') return undefined;
  const decorators = decoratorNamesPy(fn);
  if (decorators.some((d) => PY_ROUTE_DECORATORS.has(d))) return 'a route handler';
  if (decorators.some((d) => PY_JOB_DECORATORS.has(d))) return 'a task';
  const name = functionNamePy(fn) ?? '';
  const params = parameterNamesPy(fn);
  if (params[0] === 'request') return 'a view';
  if (name === 'lambda_handler' || (name === 'handler' && params[0] === 'event')) return 'a serverless handler';
  if (dependencies.has(name)) return 'a per-request dependency';
  return undefined;
}

/** The nearest enclosing function that runs per request or task; `dependencies` are `Depends(x)` targets. */
export function perRequestPy(node: PyNode, dependencies: ReadonlySet<string>): PerRequest | undefined {
  for (let fn = enclosingPyFunction(node); fn; fn = enclosingPyFunction(fn)) {
    const reason = perRequestReasonPy(fn, dependencies);
    if (reason) return { where: `${reason} (${functionNamePy(fn) ?? 'lambda'})` };
  }
  return undefined;
}

/** Climbs from a value through wrappers that keep it (`await`, parens, `Database(create_engine())`). */
function valueTopPy(node: PyNode): PyNode {
  let top = node;
  for (let p = top.parent; p; top = p, p = p.parent) {
    if (p.type === 'argument_list' && isStoreCallPy(p.parent)) break;
    if (p.type === 'await' || p.type === 'parenthesized_expression' || p.type === 'keyword_argument' || p.type === 'argument_list') continue;
    if (p.type === 'call' && top.type === 'argument_list') continue;
    if (p.type === 'pair' || p.type === 'dictionary' || p.type === 'list' || p.type === 'tuple' || p.type === 'conditional_expression') continue;
    if (p.type === 'boolean_operator') continue;
    break;
  }
  return top;
}

function globalsOfPy(fn: PyNode): Set<string> {
  const names = new Set<string>();
  for (const n of descendantsPy(fn)) {
    if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
      for (const c of n.namedChildren) if (c?.type === 'identifier') names.add(c.text);
    }
  }
  return names;
}

function escapesAtPy(top: PyNode, globals: Set<string>): boolean {
  const p = top.parent;
  if (!p) return false;
  if (p.type === 'return_statement') return true;
  if (p.type === 'assignment' && p.childForFieldName('right')?.id === top.id) {
    const left = p.childForFieldName('left');
    return left?.type === 'attribute' || left?.type === 'subscript' || (left?.type === 'identifier' && globals.has(left.text));
  }
  return p.type === 'argument_list' && isStoreCallPy(p.parent);
}

/** `clients.append(c)`, `cache.setdefault(k, c)`: the value is kept in a collection. */
function isStoreCallPy(call: PyNode | null): boolean {
  const fn = call?.type === 'call' ? call.childForFieldName('function') : undefined;
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  return method !== undefined && ['append', 'add', 'set', 'setdefault'].includes(method);
}

export type PyFate = { kind: 'kept' } | { kind: 'local'; variable?: string; managed: boolean };

/**
 * Whether a client created at `call` outlives `fn`: returned, stored on `self`/app state/a dict, a
 * `global`; or local, `managed` when a `with` block closes it.
 */
export function fatePy(call: PyNode, fn: PyNode): PyFate {
  const globals = globalsOfPy(fn);
  const top = valueTopPy(call);
  if (escapesAtPy(top, globals)) return { kind: 'kept' };
  const parent = top.parent;
  if (parent?.type === 'as_pattern' || parent?.type === 'with_item') {
    const alias = parent.type === 'as_pattern' ? parent.childForFieldName('alias')?.namedChildren[0]?.text : undefined;
    return { kind: 'local', variable: alias, managed: true };
  }
  if (parent?.type !== 'assignment' || parent.childForFieldName('left')?.type !== 'identifier') return { kind: 'local', managed: false };
  const variable = parent.childForFieldName('left')!.text;
  for (const n of descendantsPy(fn)) {
    if (n.type !== 'identifier' || n.text !== variable || n.startIndex <= parent.startIndex) continue;
    const at = valueTopPy(n);
    if (escapesAtPy(at, globals)) return { kind: 'kept' };
    // `with closing(conn)` / `async with client:` hands it to a context manager.
    if (at.parent?.type === 'with_item' || at.parent?.type === 'as_pattern') return { kind: 'local', variable, managed: true };
  }
  return { kind: 'local', variable, managed: false };
}

/** `v.close()`, `await v.aclose()`, `engine.dispose()` in `fn`. */
export function isClosedInPy(fn: PyNode, variable: string | undefined): boolean {
  if (variable === undefined) return false;
  for (const n of descendantsPy(fn)) {
    if (n.type !== 'call') continue;
    const callee = n.childForFieldName('function');
    if (callee?.type !== 'attribute') continue;
    if (callee.childForFieldName('object')?.text === variable && CLOSE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) return true;
  }
  return false;
}

/** A script: `if __name__ == "__main__":` at module level. */
export function isScriptPy(root: PyNode): boolean {
  return root.namedChildren.some((c) => c?.type === 'if_statement' && /__name__\s*==\s*['"]__main__['"]/.test(c.childForFieldName('condition')?.text ?? ''));
}

/** Functions a script runs directly at top level or under `if __name__ == "__main__"` (`asyncio.run(main())`). */
export function isStartupFunctionPy(fn: PyNode): boolean {
  const name = functionNamePy(fn) ?? '';
  if (STARTUP_NAME.test(name) || name === '__init__' || name === '__aenter__') return true;
  return decoratorNamesPy(fn).some((d) => d === 'on_event' || d === 'on_startup' || d === 'fixture');
}

export { isWithinPy };
