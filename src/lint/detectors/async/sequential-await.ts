/**
 * sequential-await: consecutive `const a = await readA(); const b = await readB();` where the
 * second does not use the first's result. Unlike ESLint's no-await-in-loop it looks at data flow
 * and at what the calls do: only reads (get/find/fetch/SELECT ...) on shareable clients count, so
 * writes that must stay ordered and queries on one connection or transaction are left alone.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { compileShapes, compileTsShapes, TRIVIA, words } from '../../engine/names.js';
import { bindingNames, descendants, enclosingFunction, isAsyncFunction, repetitionOf, rootIdentifier } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, isAsyncDef, repetitionOf as pyRepetitionOf, rootIdentifierPy } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import { CONNECTION_NAME, isReadCall } from './helpers.js';

const TS_ORDERED = [
  '*.begin', '*.commit', '*.rollback', '*.release', '*.close', '*.write', '*.send', 'setTimeout',
  'timers/promises.setTimeout', 'sleep', '*.sleep', 'delay', '*.lock', '*.acquire', '*.waitFor*',
];
const PY_ORDERED = ['*.begin', '*.commit', '*.rollback', '*.release', '*.close', '*.write', '*.send', 'asyncio.sleep', '*.sleep', '*.acquire', '*.lock'];
/** Calls that hand out one connection, session or transaction: its queries cannot overlap. */
const TS_CONNECTION_SOURCES = /^(connect|getConnection|acquire|createQueryRunner|startSession|transaction|\$transaction|begin|getConn)$/;
const TS_TRANSACTION_CALLS = /^(\$transaction|transaction|withTransaction|startTransaction|getConnection|acquire)$/;

/** `= await` with what may stand between (see `requires`). */
const AWAITED_ASSIGNMENT = {
  typescript: new RegExp(String.raw`=(?:${TRIVIA.typescript}|\()*await(?![A-Za-z0-9_$])`, 'g'),
  python: new RegExp(String.raw`=${TRIVIA.python}*await(?![A-Za-z0-9_])`, 'g'),
};

interface Candidate {
  call: string;
  line: number;
  node: { start: number };
  bindings: Set<string>;
  uses: Set<string>;
  report: (previous: Candidate) => void;
}

/** Groups consecutive independent awaits and reports every one after the first of a long-enough run. */
function reportRuns(candidates: (Candidate | undefined)[], minAwaits: number): void {
  let run: Candidate[] = [];
  const flush = () => {
    if (run.length >= minAwaits) for (const c of run.slice(1)) c.report(run[0]!);
    run = [];
  };
  for (const c of candidates) {
    if (!c) {
      flush();
      continue;
    }
    const dependent = run.some((prev) => [...prev.bindings].some((b) => c.uses.has(b)));
    if (dependent) flush();
    run.push(c);
  }
  flush();
}

export default defineDetector({
  id: 'sequential-await',
  family: 'async',
  sharpEdge: 'async-not-parallel',
  severity: 'info',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Start them together: `const [a, b] = await Promise.all([f(), g()])`, or `a, b = await asyncio.gather(f(), g())` / an asyncio.TaskGroup.',
  docs: {
    why:
      'Two awaits in a row that do not depend on each other make the request wait for the sum of their latencies instead of the slowest one. Three 80 ms reads become 240 ms when they could be 80 ms; the code looks async but runs one thing at a time.',
    example: {
      typescript: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport async function dashboard(userId: string) {\n  const user = await prisma.user.findUnique({ where: { id: userId } });\n  const orders = await prisma.order.findMany({ where: { userId } });\n  return { user, orders };\n}\n`,
      python: `async def dashboard(client, user_id):\n    profile = await client.get(f"/users/{user_id}")\n    orders = await client.get(f"/orders?user={user_id}")\n    return profile.json(), orders.json()\n`,
    },
    useInstead: {
      typescript: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport async function dashboard(userId: string) {\n  const [user, orders] = await Promise.all([\n    prisma.user.findUnique({ where: { id: userId } }),\n    prisma.order.findMany({ where: { userId } }),\n  ]);\n  return { user, orders };\n}\n`,
      python: `import asyncio\n\nasync def dashboard(client, user_id):\n    profile, orders = await asyncio.gather(client.get(f"/users/{user_id}"), client.get(f"/orders?user={user_id}"))\n    return profile.json(), orders.json()\n`,
    },
    whenNotToUse:
      'Only reads are considered (get/find/fetch/list/count/..., `SELECT`/`WITH` SQL, `fetch` without a non-GET method), and only when both bind their result: writes, sends, commits and sleeps (`ordered_calls`) stay ordered because the second may rely on the first\'s side effect. Queries on one connection, session or transaction (`client` from `pool.connect()`, `tx` of `$transaction`, `conn`, `session`, `cursor`) cannot run concurrently and are left alone, as is Django\'s async ORM (`Model.objects.aget`), which runs queries one at a time anyway. Awaits separated by any other statement (an `if (!user) return`), awaits of promises already started, awaits inside loops (see n-plus-one) and module top level are not flagged.',
    references: [
      'https://eslint.org/docs/latest/rules/no-await-in-loop',
      'https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/all',
      'https://docs.python.org/3/library/asyncio-task.html#asyncio.gather',
    ],
  },
  messages: {
    independentAwait: '{{call}} does not use the result of {{previous}} (line {{line}}) but waits for it: run them together.',
  },
  options: z.object({
    /** Calls that must stay in order (transactions, streams, explicit delays); never grouped. */
    orderedCalls: perLanguageShapes({ typescript: TS_ORDERED, python: PY_ORDERED }),
    /** How many independent awaits in a row it takes to report. */
    minAwaits: z.number().int().min(2).default(2),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  // Reports one awaited call that does not need the one before: no `await`, nothing to report.
  // Each candidate is `x = await call()` (TS also `x = (await call()) as T`), and a report needs
  // `minAwaits` of them in a row: that many `=` followed, past trivia and TS parentheses, by `await`.
  requires: (options, language) => [[[...words('await')[0]!, { pattern: AWAITED_ASSIGNMENT[language], times: options.minAwaits }]]],
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isOrdered = compileTsShapes(options.orderedCalls);
      const isIgnored = compileShapes(options.ignore);
      const connections = new Set<string>();
      const unwrap = (e: TsApi.Expression): TsApi.Expression => {
        while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
        return e;
      };
      const lastSegment = (call: TsApi.CallExpression): string =>
        ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : ts.isIdentifier(call.expression) ? call.expression.text : '';

      /** `tx` of `prisma.$transaction(async (tx) => ...)`, `client` of `await pool.connect()`, or a name that says so. */
      const isSingleConnection = (call: TsApi.CallExpression): boolean => {
        if (!ts.isPropertyAccessExpression(call.expression)) return false;
        const root = rootIdentifier(ts, call.expression.expression);
        if (!root) return false;
        if (connections.has(root.text) || CONNECTION_NAME.test(root.text)) return true;
        for (let fn = enclosingFunction(ts, call); fn; fn = enclosingFunction(ts, fn)) {
          const owner = fn.parent;
          if (!ts.isCallExpression(owner) || !fn.parameters.some((p) => bindingNames(ts, p.name).has(root.text))) continue;
          return TS_TRANSACTION_CALLS.test(lastSegment(owner));
        }
        return false;
      };
      const candidate = (statement: TsApi.Statement): Candidate | undefined => {
        let bindings: Set<string>;
        let value: TsApi.Expression | undefined;
        if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
          const declaration = statement.declarationList.declarations[0]!;
          bindings = bindingNames(ts, declaration.name);
          value = declaration.initializer;
        } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(statement.expression.left)) {
          bindings = new Set([statement.expression.left.text]);
          value = statement.expression.right;
        } else return undefined;
        if (!value) return undefined;
        const awaited = unwrap(value);
        if (!ts.isAwaitExpression(awaited)) return undefined;
        const call = unwrap(awaited.expression);
        if (!ts.isCallExpression(call)) return undefined;
        const name = ctx.names.qualifiedName(call.expression);
        if (name === undefined || isOrdered(name) || isIgnored(name) || isSingleConnection(call)) return undefined;
        const firstArg = call.arguments[0];
        const sql = firstArg && (ts.isStringLiteralLike(firstArg) || ts.isTemplateExpression(firstArg)) ? (ts.isTemplateExpression(firstArg) ? firstArg.head.text : firstArg.text) : undefined;
        const method = call.arguments[1] && ts.isObjectLiteralExpression(call.arguments[1])
          ? call.arguments[1].properties.find((p) => p.name?.getText(ctx.sourceFile) === 'method')
          : undefined;
        const methodText = method && ts.isPropertyAssignment(method) && ts.isStringLiteralLike(method.initializer) ? method.initializer.text : method ? 'unknown' : undefined;
        if (!isReadCall(name, sql, methodText)) return undefined;
        const uses = new Set<string>();
        for (const n of descendants(ts, awaited)) if (ts.isIdentifier(n)) uses.add(n.text);
        const start = call.getStart(ctx.sourceFile);
        return {
          call: name,
          line: ctx.sourceFile.getLineAndCharacterOfPosition(start).line + 1,
          node: { start },
          bindings,
          uses,
          report: (previous) =>
            ctx.report({ node: call, messageId: 'independentAwait', data: { call: name, previous: previous.call, line: previous.line } }),
        };
      };

      return {
        VariableDeclaration(node) {
          if (!ts.isIdentifier(node.name) || !node.initializer) return;
          let init = unwrap(node.initializer);
          if (ts.isAwaitExpression(init)) init = unwrap(init.expression);
          if (ts.isCallExpression(init) && TS_CONNECTION_SOURCES.test(lastSegment(init))) connections.add(node.name.text);
        },
        'Block:exit'(node) {
          const block = node as TsApi.Block;
          const fn = enclosingFunction(ts, block);
          if (!fn || !isAsyncFunction(ts, fn) || repetitionOf(ts, block)) return;
          reportRuns(block.statements.map(candidate), options.minAwaits);
        },
      };
    },
    python: (ctx, options) => {
      const isOrdered = compileShapes(options.orderedCalls.python);
      const isIgnored = compileShapes(options.ignore);
      const connections = new Set<string>();
      const httpSessions = new Set<string>();
      const nameOf = (call: PyNode): string | undefined => {
        const fn = call.childForFieldName('function');
        return fn ? ctx.names.qualifiedName(fn) : undefined;
      };
      const bind = (alias: string, value: PyNode | null | undefined): void => {
        const inner = value?.type === 'await' ? value.namedChildren[0] : value;
        if (inner?.type !== 'call') return;
        const name = nameOf(inner) ?? '';
        if (/(ClientSession|AsyncClient|Client)$/.test(name)) httpSessions.add(alias);
        else if (/(^|\.)(acquire|connect|getconn|begin|cursor|Session|AsyncSession|session|sessionmaker)$/.test(name) || /session/i.test(name)) connections.add(alias);
      };
      const isSingleConnection = (call: PyNode): boolean => {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'attribute') return false;
        const root = rootIdentifierPy(fn.childForFieldName('object')!);
        if (!root || httpSessions.has(root.text)) return false;
        return connections.has(root.text) || CONNECTION_NAME.test(root.text);
      };
      const candidate = (statement: PyNode | null): Candidate | undefined => {
        if (statement?.type !== 'expression_statement') return undefined;
        const assignment = statement.namedChildren[0];
        if (assignment?.type !== 'assignment') return undefined;
        const left = assignment.childForFieldName('left');
        const right = assignment.childForFieldName('right');
        if (!left || right?.type !== 'await') return undefined;
        const call = right.namedChildren[0];
        if (call?.type !== 'call') return undefined;
        const name = nameOf(call);
        // Django's async ORM runs one query at a time on one thread: gathering gains nothing.
        if (name === undefined || name.includes('objects.') || isOrdered(name) || isIgnored(name) || isSingleConnection(call)) return undefined;
        const first = call.childForFieldName('arguments')?.namedChildren[0];
        const sql = first?.type === 'string' ? first.text.replace(/^[a-zA-Z]*["']+/, '') : undefined;
        const method = call.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'method');
        if (!isReadCall(name, sql, method ? method.childForFieldName('value')?.text.replace(/["']/g, '') : undefined)) return undefined;
        const bindings = new Set<string>();
        for (const n of descendantsPy(left)) if (n.type === 'identifier') bindings.add(n.text);
        const uses = new Set<string>();
        for (const n of descendantsPy(right)) if (n.type === 'identifier') uses.add(n.text);
        return {
          call: name,
          line: call.startPosition.row + 1,
          node: { start: call.startIndex },
          bindings,
          uses,
          report: (previous) => ctx.report({ node: call, messageId: 'independentAwait', data: { call: name, previous: previous.call, line: previous.line } }),
        };
      };

      return {
        as_pattern(node) {
          const alias = node.childForFieldName('alias')?.namedChildren[0];
          if (alias?.type === 'identifier') bind(alias.text, node.namedChildren[0]);
        },
        assignment(node) {
          const left = node.childForFieldName('left');
          if (left?.type === 'identifier') bind(left.text, node.childForFieldName('right'));
        },
        'block:exit'(node) {
          const fn = enclosingPyFunction(node);
          if (!fn || !isAsyncDef(fn) || pyRepetitionOf(node)) return;
          reportRuns(node.namedChildren.filter((c) => c?.type !== 'comment').map(candidate), options.minAwaits);
        },
      };
    },
  },
});
