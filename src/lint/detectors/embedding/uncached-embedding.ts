/**
 * uncached-embedding: an embedding computed per request (inside a route handler) or per item
 * (a loop, a per-item callback, a comprehension) with no cache lookup before it and no memoising
 * wrapper around it. The same text gives the same vector, so every repeat is paid for again.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { descendants, enclosingFunction, type FunctionLike, repetitionOf } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction, repetitionOf as pyRepetitionOf } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import { isRequestHandler } from '../async/helpers.js';
import { PY_CACHE_CLIENTS, TS_CACHE_CLIENTS } from '../cache/helpers.js';
import { PyInstances, TsInstances } from '../../engine/instances.js';
import {
  decoratorsOf,
  isBatchLoopPy,
  isBatchLoopTs,
  isPyRequestHandler,
  PY_CACHE_LOOKUPS,
  PY_EMBEDDING_CALLS,
  PY_EMBEDDING_CLIENTS,
  PY_MEMOIZERS,
  TS_CACHE_LOOKUPS,
  TS_EMBEDDING_CALLS,
  TS_EMBEDDING_CLIENTS,
  TS_MEMOIZERS,
} from './helpers.js';

export default defineDetector({
  id: 'uncached-embedding',
  family: 'embedding',
  sharpEdge: 're-embedding-same-text',
  severity: 'medium',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Look the vector up under `emb:<model>:<sha256(text)>` first (MGET for a batch), embed only the misses in one call, and store them with a TTL; or memoise the embedding function.',
  docs: {
    why:
      'For a given model the same text always gives the same vector, so embedding it again is pure cost: an API call billed per token or GPU time, plus tens to hundreds of milliseconds on the request path. Popular queries repeat constantly and re-indexing re-embeds unchanged documents, so without a cache the bill and the latency grow with traffic instead of with new text.',
    example: {
      typescript: `import express from 'express';\nimport OpenAI from 'openai';\nconst openai = new OpenAI();\nconst app = express();\napp.get('/search', async (req, res) => {\n  const emb = await openai.embeddings.create({ model: 'text-embedding-3-small', input: String(req.query.q) });\n  res.json(emb.data[0].embedding);\n});\n`,
      python: `from openai import OpenAI\n\nclient = OpenAI()\n\ndef index(docs):\n    for doc in docs:\n        doc.vector = client.embeddings.create(model="text-embedding-3-small", input=doc.text).data[0].embedding\n`,
    },
    useInstead: {
      typescript: `import express from 'express';\nimport OpenAI from 'openai';\nimport Redis from 'ioredis';\nconst openai = new OpenAI();\nconst redis = new Redis();\nconst app = express();\napp.get('/search', async (req, res) => {\n  const q = String(req.query.q);\n  const hit = await redis.get(\`emb:small:\${q}\`);\n  if (hit) return res.json(JSON.parse(hit));\n  const emb = await openai.embeddings.create({ model: 'text-embedding-3-small', input: q });\n  await redis.set(\`emb:small:\${q}\`, JSON.stringify(emb.data[0].embedding), 'EX', 86400);\n  res.json(emb.data[0].embedding);\n});\n`,
      python: `from openai import OpenAI\n\nclient = OpenAI()\n\ndef index(docs):\n    response = client.embeddings.create(model="text-embedding-3-small", input=[d.text for d in docs])\n    for doc, item in zip(docs, response.data):\n        doc.vector = item.embedding\n`,
    },
    whenNotToUse:
      'Left alone: an embedding preceded in its function (or an enclosing one) by a cache lookup (`redis.get`/`mget`, `cache.get`/`has`, `text in self._cache`), a function wrapped in a memoiser (`memoize`, `p-memoize`, `@lru_cache`, `@cached`, `@alru_cache`), one batched call per request outside any loop that is not a handler, loops over batches or chunks (`for batch in chunked(texts, 100)`, `i += 100`), and start-up code embedding a fixed list once. The lookup is not checked to be keyed by the same text; a helper called from the handler is not followed (put the cache in the helper).',
    references: [
      'https://platform.openai.com/docs/guides/embeddings',
      'https://python.langchain.com/docs/how_to/caching_embeddings/',
    ],
  },
  messages: {
    perItem: '{{call}} embeds one text per item of this {{loop}} with no cache lookup before it: unchanged texts are embedded (and paid for) again.',
    perRequest: '{{call}} embeds on every request in {{handler}} with no cache lookup before it: repeated texts are embedded (and paid for) again.',
  },
  options: z.object({
    /** Calls that compute embeddings (resolved names; clients are followed through local names). */
    embeddingCalls: perLanguageShapes({ typescript: TS_EMBEDDING_CALLS, python: PY_EMBEDDING_CALLS }),
    /** Factories whose instances' `embed`/`encode` compute embeddings, and cache clients to follow. */
    clients: perLanguageShapes({
      typescript: [...TS_EMBEDDING_CLIENTS, ...TS_CACHE_CLIENTS],
      python: [...PY_EMBEDDING_CLIENTS, ...PY_CACHE_CLIENTS],
    }),
    /** Calls that look a cached value up; one before the embedding in its function means it is cached. */
    cacheLookups: perLanguageShapes({ typescript: TS_CACHE_LOOKUPS, python: PY_CACHE_LOOKUPS }),
    /** Memoising wrappers (TS) and decorators (Python). */
    memoizers: perLanguageShapes({ typescript: TS_MEMOIZERS, python: PY_MEMOIZERS }),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  requires: (options, language) => requireAll(shapeLiterals(shapesFor(options.embeddingCalls, language))),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isEmbedding = compileTsShapes(options.embeddingCalls);
      const isLookup = compileTsShapes(options.cacheLookups);
      const isMemoizer = compileTsShapes(options.memoizers);
      const isIgnored = compileShapes(options.ignore);
      const instances = new TsInstances(ts, ctx.names, compileTsShapes(options.clients));
      const pending: { node: TsApi.CallExpression; name: string }[] = [];
      /** Functions the file defines: a bare `embedQuery(...)` of its own is not the library's. */
      const ownFunctions = new Set<string>();
      const nameOf = (call: TsApi.CallExpression): string | undefined => instances.resolve(call.expression)?.name;

      const functionsAround = (node: TsApi.Node): FunctionLike[] => {
        const out: FunctionLike[] = [];
        for (let fn = enclosingFunction(ts, node); fn; fn = enclosingFunction(ts, fn)) out.push(fn);
        return out;
      };
      /** A cache lookup earlier in any enclosing function, or a memoising wrapper around one. */
      const isCached = (call: TsApi.CallExpression): boolean => {
        for (const fn of functionsAround(call)) {
          const parent = fn.parent;
          if (parent && ts.isCallExpression(parent) && parent.arguments.some((a) => a === fn) && isMemoizer(ctx.names.qualifiedName(parent.expression))) return true;
          for (const d of descendants(ts, fn)) {
            if (ts.isCallExpression(d) && d.getEnd() <= call.getStart(ctx.sourceFile) && isLookup(nameOf(d))) return true;
          }
        }
        return false;
      };
      /** The request handler the call runs in, looking through inline callbacks. */
      const handlerOf = (call: TsApi.Node): FunctionLike | undefined => {
        for (let fn = enclosingFunction(ts, call); fn; fn = enclosingFunction(ts, fn)) {
          if (isRequestHandler(ts, fn)) return fn;
          const inline = (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parent !== undefined && ts.isCallExpression(fn.parent);
          if (!inline) return undefined;
        }
        return undefined;
      };
      const loopWord = (node: TsApi.Node): string => {
        if (ts.isCallExpression(node)) return `.${(node.expression as TsApi.PropertyAccessExpression).name?.text ?? 'map'}() callback`;
        if (ts.isForOfStatement(node)) return 'for-of loop';
        if (ts.isWhileStatement(node) || ts.isDoStatement(node)) return 'while loop';
        return 'for loop';
      };
      const handlerName = (fn: FunctionLike): string => {
        if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return `handler ${fn.name.getText(ctx.sourceFile)}`;
        const route = fn.parent && ts.isCallExpression(fn.parent) ? fn.parent.arguments[0] : undefined;
        return route && ts.isStringLiteralLike(route) ? `handler ${route.text}` : 'this request handler';
      };

      return {
        VariableDeclaration(node) {
          instances.observe(node);
          if (ts.isIdentifier(node.name)) ownFunctions.add(node.name.text);
        },
        FunctionDeclaration(node) {
          if (node.name) ownFunctions.add(node.name.text);
        },
        PropertyDeclaration: (node) => instances.observe(node),
        BinaryExpression: (node) => instances.observe(node),
        CallExpression(node) {
          const name = nameOf(node);
          if (name && isEmbedding(name) && !isIgnored(name)) pending.push({ node, name });
        },
        'SourceFile:exit'() {
          for (const { node, name } of pending) {
            if (ownFunctions.has(name)) continue;
            const rep = repetitionOf(ts, node);
            if (rep && !isBatchLoopTs(ts, rep.node, rep.iterable, rep.bindings)) {
              if (!isCached(node)) ctx.report({ node, messageId: 'perItem', data: { call: name, loop: loopWord(rep.node) } });
              continue;
            }
            if (rep) continue;
            const handler = handlerOf(node);
            if (handler && !isCached(node)) ctx.report({ node, messageId: 'perRequest', data: { call: name, handler: handlerName(handler) } });
          }
        },
      };
    },
    python: (ctx, options) => {
      const isEmbedding = compileShapes(options.embeddingCalls.python);
      const isLookup = compileShapes(options.cacheLookups.python);
      const isMemoizer = compileShapes(options.memoizers.python);
      const isIgnored = compileShapes(options.ignore);
      const instances = new PyInstances(ctx.names, compileShapes(options.clients.python));
      const pending: { node: PyNode; name: string }[] = [];
      const ownFunctions = new Set<string>();
      const nameOf = (call: PyNode): string | undefined => {
        const fn = call.childForFieldName('function');
        return fn ? instances.resolve(fn)?.name : undefined;
      };
      const functionsAround = (node: PyNode): PyNode[] => {
        const out: PyNode[] = [];
        for (let fn = enclosingPyFunction(node); fn; fn = enclosingPyFunction(fn)) if (fn.type === 'function_definition') out.push(fn);
        return out;
      };
      const isCached = (call: PyNode): boolean => {
        for (const fn of functionsAround(call)) {
          if (decoratorsOf(fn).some((d) => isMemoizer(ctx.names.qualifiedName(d)))) return true;
          for (const d of descendantsPy(fn)) {
            if (d.endIndex > call.startIndex) continue;
            if (d.type === 'call' && isLookup(nameOf(d))) return true;
            // `if text in self._cache:` / `if key not in cache:`
            if (d.type === 'comparison_operator' && /\bin\b/.test(d.text) && /cache/i.test(d.namedChildren[1]?.text ?? '')) return true;
          }
        }
        return false;
      };

      return {
        assignment: (node) => instances.observe(node),
        as_pattern: (node) => instances.observe(node),
        function_definition(node) {
          const name = node.childForFieldName('name')?.text;
          if (name) ownFunctions.add(name);
        },
        call(node) {
          const name = nameOf(node);
          if (name && isEmbedding(name) && !isIgnored(name)) pending.push({ node, name });
        },
        'module:exit'() {
          for (const { node, name } of pending) {
            if (ownFunctions.has(name)) continue;
            const rep = pyRepetitionOf(node);
            if (rep) {
              if (isBatchLoopPy(rep.iterable, rep.bindings) || isCached(node)) continue;
              const loop = rep.kind === 'loop' ? `${rep.node.type.replace('_statement', '')} loop` : rep.kind;
              ctx.report({ node, messageId: 'perItem', data: { call: name, loop } });
              continue;
            }
            const fn = enclosingPyFunction(node);
            if (fn?.type !== 'function_definition') continue;
            const decorators = decoratorsOf(fn).map((d) => d.text);
            if (!isPyRequestHandler(fn, decorators) || isCached(node)) continue;
            ctx.report({ node, messageId: 'perRequest', data: { call: name, handler: `def ${fn.childForFieldName('name')?.text ?? 'view'}` } });
          }
        },
      };
    },
  },
});
