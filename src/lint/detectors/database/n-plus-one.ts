/**
 * n-plus-one: a database, cache or HTTP call made once per item (loops, per-item callbacks,
 * comprehensions, `Promise.all(xs.map(...))`, `asyncio.gather(*[...])`), and lazy ORM relations
 * touched per item. Leaves alone the loops that must be sequential (pagination reading the
 * previous page, retries, paced loops), per-chunk batches and small literal lists.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { allWords, anyOf, calledShapeLiterals, compileShapes, compileTsShapes, requireAll, TRIVIA, words } from '../../engine/names.js';
import { PER_ITEM_METHODS, repetitionOf, rootIdentifier, type Repetition } from '../../engine/scope-ts.js';
import { repetitionOf as pyRepetitionOf, rootIdentifierPy, type PyRepetition } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import {
  BATCH_MARKER,
  EAGER_LOADING,
  isLoopCarriedPy,
  isLoopCarriedTs,
  isPacedOrRetryPy,
  isPacedOrRetryTs,
  isSmallCountedLoopTs,
  isSmallLiteralPy,
  isSmallLiteralTs,
  looksLikeColumn,
  PY_DB_CALLS,
  PY_DELAY_CALLS,
  RELATED_MANAGER_METHODS,
  TS_DB_CALLS,
  TS_DELAY_CALLS,
} from './helpers.js';

/** `Promise.all(xs.map(...))`: all the queries at once, still one per item. */
const FAN_OUT = new Set(['Promise.all', 'Promise.allSettled', 'Promise.race', 'Promise.any']);
/** Sequelize/Mongoose accessors that query when awaited on an instance: `user.getPosts()`. */
const LAZY_ACCESSOR = /^(get[A-Z]\w*|populate|\$get|count[A-Z]\w*)$/;
const ORM_ITERABLE = /(^|\.)objects\.|query\(\)|scalars\(\)/;
/**
 * Both TS lazy-relation reports are on `await` followed, past trivia and parentheses, by the
 * expression's root name: `await user.getPosts()`, `await post.author`. (`await this.x` passes
 * too: a superset is fine.)
 */
const AWAITED_NAME = { pattern: new RegExp(String.raw`(?<![A-Za-z0-9_$])await(?:${TRIVIA.typescript}|\()*(?:[A-Za-z_$\u0080-\uffff]|\\u)`, 'g') };

export default defineDetector({
  id: 'n-plus-one',
  family: 'database',
  sharpEdge: 'n-plus-one-queries',
  severity: 'high',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Fetch all items in one query (WHERE id IN (...) / = ANY($1), findMany({ where: { id: { in: ids } } }), select_related/prefetch_related/selectinload) or batch with a DataLoader, then look results up in memory.',
  docs: {
    why:
      'One query per item turns a list of 200 rows into 201 round trips. Each is fast alone, so the page looks fine in development and falls over in production, where latency grows with the data and the pool runs dry under load.',
    example: {
      typescript: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport async function authorsOf(posts: { authorId: string }[]) {\n  const authors = [];\n  for (const post of posts) {\n    authors.push(await prisma.user.findUnique({ where: { id: post.authorId } }));\n  }\n  return authors;\n}\n`,
      python: `from myapp.models import Book as B\n\ndef titles(ids):\n    return [B.objects.get(pk=i).title for i in ids]\n`,
    },
    useInstead: {
      typescript: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport async function authorsOf(posts: { authorId: string }[]) {\n  const ids = posts.map((p) => p.authorId);\n  return prisma.user.findMany({ where: { id: { in: ids } } });\n}\n`,
      python: `from myapp.models import Book as B\n\ndef titles(ids):\n    return [b.title for b in B.objects.filter(pk__in=ids)]\n`,
    },
    whenNotToUse:
      'Loops that must be sequential are left alone: pagination whose next call reads the previous result (a cursor, a next URL, an offset grown by the page), retry/backoff loops (`try { return await ... }`), loops paced on purpose with a sleep, delay or rate limiter, per-chunk batches whose query takes the whole chunk (`IN (...)`, `= ANY($1)`, `{ in: chunk }`, `__in=`), loops over a small literal list (at most `small_literal_max` items), and polling `while` loops that do not consume a collection. A call inside a named helper is not followed into the helper.',
    references: [
      'https://docs.djangoproject.com/en/stable/ref/models/querysets/#prefetch-related',
      'https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html',
      'https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance',
    ],
  },
  messages: {
    callInLoop: '{{call}} runs once per item of this {{loop}}: N+1 round trips.',
    fanOut: '{{call}} runs once per item inside {{fanOut}}: N queries at once instead of one batch.',
    lazyRelation: '{{relation}} loads a relation per item: an extra query for each row of the loop.',
  },
  options: z.object({
    /** Call shapes (dotted globs over resolved names) that reach a DB, cache or HTTP service. */
    dbCalls: perLanguageShapes({ typescript: TS_DB_CALLS, python: PY_DB_CALLS }),
    /** Calls that pace a loop on purpose (sleep, backoff, rate limiter): such loops are left alone. */
    delayCalls: perLanguageShapes({ typescript: TS_DELAY_CALLS, python: PY_DELAY_CALLS }),
    /** A literal list of at most this many items is not a per-item problem. */
    smallLiteralMax: z.number().int().min(0).default(5),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  // A DB call by name (TS: called, see `calledShapeLiterals`), or a lazy relation: after `await`
  // (TS: `await` then, past parentheses, the binding it starts from) or on an ORM query's rows
  // (Python, ORM_ITERABLE). TS: every report is inside a repetition (`repetitionOf`): a loop (a
  // `do` loop ends in `while`), a per-item callback by method name, or `Array.from(xs, fn)`.
  requires: (options, language) =>
    requireAll(
      anyOf(
        calledShapeLiterals(shapesFor(options.dbCalls, language), language),
        language === 'python' ? words('objects', 'query', 'scalars') : [[...words('await')[0]!, AWAITED_NAME]],
      ),
      language === 'typescript' ? [...words('for', 'while', ...PER_ITEM_METHODS), allWords('Array', 'from')] : undefined,
    ),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isDbCall = compileTsShapes(options.dbCalls);
      const isDelay = compileTsShapes(options.delayCalls);
      const isIgnored = compileShapes(options.ignore);
      const max = options.smallLiteralMax;
      const smallNames = new Set<string>();
      const reported = new Set<number>();
      const qualifiedName = (n: TsApi.Node) => ctx.names.qualifiedName(n);

      /** A `while` or `for(;;)` without a collection is a polling/worker loop, not per item. */
      const consumesCollection = (rep: Repetition): boolean => {
        if (rep.kind === 'callback' || ts.isForOfStatement(rep.node) || ts.isForInStatement(rep.node)) return true;
        const loop = rep.node;
        const condition = ts.isForStatement(loop)
          ? loop.condition
          : ts.isWhileStatement(loop) || ts.isDoStatement(loop)
            ? loop.expression
            : undefined;
        const consumes = /\.(length|size)\b/.test(condition?.getText(ctx.sourceFile) ?? '');
        return consumes || /\.(shift|pop)\(/.test(loop.getText(ctx.sourceFile));
      };
      const isSmall = (rep: Repetition): boolean =>
        isSmallLiteralTs(ts, rep.iterable, max, smallNames) || isSmallCountedLoopTs(ts, rep.node, max);
      const isLookAlike = (rep: Repetition, call: TsApi.CallExpression): boolean =>
        !consumesCollection(rep) ||
        isSmall(rep) ||
        isLoopCarriedTs(ts, rep, call) ||
        isPacedOrRetryTs(ts, rep, call, qualifiedName, isDelay) ||
        BATCH_MARKER.test(call.getText(ctx.sourceFile));
      const fanOutOf = (rep: Repetition): string | undefined => {
        if (rep.kind !== 'callback') return undefined;
        const outer = rep.node.parent;
        if (!outer || !ts.isCallExpression(outer)) return undefined;
        const name = qualifiedName(outer.expression);
        return name && FAN_OUT.has(name) ? name : undefined;
      };
      const loopWord = (rep: Repetition): string => {
        if (rep.kind === 'callback') return `.${(rep.node.expression as TsApi.PropertyAccessExpression).name.text}() callback`;
        const loop = rep.node;
        if (ts.isForOfStatement(loop)) return loop.awaitModifier ? 'for-await loop' : 'for-of loop';
        if (ts.isForInStatement(loop)) return 'for-in loop';
        if (ts.isWhileStatement(loop)) return 'while loop';
        if (ts.isDoStatement(loop)) return 'do-while loop';
        return 'for loop';
      };
      const once = (node: TsApi.Node): boolean => {
        const start = node.getStart(ctx.sourceFile);
        if (reported.has(start)) return false;
        reported.add(start);
        return true;
      };
      const isBindingOf = (rep: Repetition, expr: TsApi.Expression): boolean => {
        const root = rootIdentifier(ts, expr);
        return root !== undefined && rep.bindings.has(root.text);
      };

      return {
        VariableDeclaration(node) {
          if (ts.isIdentifier(node.name) && node.initializer && isSmallLiteralTs(ts, node.initializer, max, smallNames)) {
            smallNames.add(node.name.text);
          }
        },
        CallExpression(node) {
          const name = qualifiedName(node.expression);
          const first = node.arguments[0];
          // `xs.find(x => ...)` is the array method, not an ORM finder.
          const isDb = isDbCall(name) && !isIgnored(name) && !(first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first)));
          const callee = node.expression;
          const isLazy =
            !isDb &&
            ts.isAwaitExpression(node.parent) &&
            ts.isPropertyAccessExpression(callee) &&
            LAZY_ACCESSOR.test(callee.name.text);
          if (!isDb && !isLazy) return;
          const rep = repetitionOf(ts, node);
          if (!rep || isLookAlike(rep, node)) return;
          if (isLazy) {
            if (!isBindingOf(rep, (callee as TsApi.PropertyAccessExpression).expression)) return;
            if (once(node)) ctx.report({ node, messageId: 'lazyRelation', data: { relation: callee.getText(ctx.sourceFile) } });
            return;
          }
          if (!once(node)) return;
          const fanOut = fanOutOf(rep);
          if (fanOut) ctx.report({ node, messageId: 'fanOut', data: { call: name!, fanOut } });
          else ctx.report({ node, messageId: 'callInLoop', data: { call: name!, loop: loopWord(rep) } });
        },
        AwaitExpression(node) {
          // TypeORM lazy relations are promises: `await post.author` queries per item.
          const target = node.expression;
          if (!ts.isPropertyAccessExpression(target) || !ts.isIdentifier(target.expression)) return;
          const rep = repetitionOf(ts, node);
          if (!rep || !rep.bindings.has(target.expression.text) || !consumesCollection(rep) || isSmall(rep)) return;
          if (once(target)) ctx.report({ node: target, messageId: 'lazyRelation', data: { relation: target.getText(ctx.sourceFile) } });
        },
      };
    },
    python: (ctx, options) => {
      const isDbCall = compileShapes(options.dbCalls.python);
      const isDelay = compileShapes(options.delayCalls.python);
      const isIgnored = compileShapes(options.ignore);
      const max = options.smallLiteralMax;
      const smallNames = new Set<string>();
      /** Names bound to an ORM query, and whether it loads relations eagerly. */
      const querysets = new Map<string, boolean>();
      const reported = new Set<number>();
      const qualifiedName = (n: PyNode) => ctx.names.qualifiedName(n);

      const unwrap = (n: PyNode): PyNode => (n.type === 'await' && n.namedChildren[0] ? n.namedChildren[0] : n);
      const consumesCollection = (rep: PyRepetition): boolean =>
        rep.kind !== 'loop' ||
        rep.node.type === 'for_statement' ||
        /\blen\(/.test(rep.node.childForFieldName('condition')?.text ?? '') ||
        /\.(pop|popleft)\(/.test(rep.node.text);
      const isLookAlike = (rep: PyRepetition, call: PyNode): boolean =>
        !consumesCollection(rep) ||
        isSmallLiteralPy(rep.iterable, max, smallNames) ||
        isLoopCarriedPy(rep, call) ||
        isPacedOrRetryPy(rep, call, qualifiedName, isDelay) ||
        BATCH_MARKER.test(call.text);
      const fanOutOf = (rep: PyRepetition): string | undefined => {
        // asyncio.gather(*[fetch(i) for i in ids]) / asyncio.gather(*(... for ...))
        const splat = rep.node.parent;
        const gather = splat?.type === 'list_splat' ? splat.parent?.parent : undefined;
        const fn = gather?.type === 'call' ? gather.childForFieldName('function') : undefined;
        const name = fn ? qualifiedName(fn) : undefined;
        return name && /(^|\.)gather$/.test(name) ? name : undefined;
      };
      const once = (node: PyNode): boolean => {
        if (reported.has(node.startIndex)) return false;
        reported.add(node.startIndex);
        return true;
      };
      /** The loop's iterable is an ORM query that does not load relations eagerly. */
      const iteratesLazyQuery = (rep: PyRepetition): boolean => {
        const iterable = rep.iterable ? unwrap(rep.iterable) : undefined;
        if (!iterable) return false;
        if (iterable.type === 'identifier') return querysets.get(iterable.text) === false;
        const name = qualifiedName(iterable);
        return name !== undefined && ORM_ITERABLE.test(name) && !EAGER_LOADING.test(iterable.text);
      };

      return {
        assignment(node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type !== 'identifier' || !right) return;
          if (isSmallLiteralPy(right, max, smallNames)) smallNames.add(left.text);
          const value = unwrap(right);
          const name = value.type === 'call' ? qualifiedName(value) : undefined;
          if (name && ORM_ITERABLE.test(name)) querysets.set(left.text, EAGER_LOADING.test(value.text));
        },
        call(node) {
          const fn = node.childForFieldName('function');
          const name = fn ? qualifiedName(fn) : undefined;
          if (!isDbCall(name) || isIgnored(name)) return;
          const rep = pyRepetitionOf(node);
          if (!rep || isLookAlike(rep, node) || !once(node)) return;
          const fanOut = fanOutOf(rep);
          if (fanOut) ctx.report({ node, messageId: 'fanOut', data: { call: name!, fanOut } });
          else ctx.report({ node, messageId: 'callInLoop', data: { call: name!, loop: rep.kind === 'loop' ? `${rep.node.type.replace('_statement', '')} loop` : rep.kind } });
        },
        attribute(node) {
          // `book.author.name`, `book.tags.all()`, `for a in user.addresses`: a lazy relation per item.
          const object = node.childForFieldName('object');
          const attr = node.childForFieldName('attribute')?.text;
          if (object?.type !== 'identifier' || !attr || looksLikeColumn(attr)) return;
          const parent = node.parent;
          if (!parent) return;
          let touchesRelation = false;
          if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === node.id) {
            const grand = parent.parent;
            const called = grand?.type === 'call' && grand.childForFieldName('function')?.id === parent.id;
            const member = parent.childForFieldName('attribute')?.text ?? '';
            touchesRelation = called ? RELATED_MANAGER_METHODS.has(member) : true;
          } else if (parent.type === 'for_statement' && parent.childForFieldName('right')?.id === node.id) {
            touchesRelation = true;
          } else if (parent.type === 'argument_list' && parent.parent?.childForFieldName('function')?.text === 'len') {
            touchesRelation = true;
          }
          if (!touchesRelation) return;
          const rep = pyRepetitionOf(node);
          if (!rep || !rep.bindings.has(object.text) || !iteratesLazyQuery(rep)) return;
          if (rootIdentifierPy(node)?.text !== object.text) return;
          if (once(node)) ctx.report({ node, messageId: 'lazyRelation', data: { relation: node.text } });
        },
      };
    },
  },
});
