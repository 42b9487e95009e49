/**
 * cache-no-ttl: a cache write with no expiry. `redis.set(k, v)` with no `EX`/`PX`/options,
 * node-redis `{ EX }`, cache-manager/keyv TTL arguments, redis-py `ex=`/`px=`, Django/Flask-Caching
 * `timeout=None`; a `setex`, or an `expire` on the same key in the same function, counts as expiry.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { enclosingFunction } from '../../engine/scope-ts.js';
import { enclosingFunction as enclosingPyFunction } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor, tsShapes } from '../../options.js';
import { PyInstances, TsInstances } from '../../engine/instances.js';
import {
  hasDefaultTtlTs,
  keyText,
  PY_CACHE_CLIENTS,
  PY_DEFAULT_TTL_STORES,
  PY_WRITE_CALLS,
  TS_CACHE_CLIENTS,
  TS_WRITE_CALLS,
  TTL_CALLS,
  ttlOfPyWrite,
  ttlOfTsWrite,
  type TtlVerdict,
} from './helpers.js';

const TS_TTL_ARGS = ['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'ex', 'px', 'ttl', 'expiration', 'expirationTtl', 'expires', 'expiresIn'];
const PY_TTL_ARGS = ['ex', 'px', 'exat', 'pxat', 'keepttl', 'ttl', 'timeout', 'expire', 'time'];

interface Pending<N> {
  node: N;
  name: string;
  verdict: TtlVerdict;
  key: string | undefined;
  scope: number;
}

/**
 * Reports the writes still without an expiry once the whole file is seen: a write followed by
 * `redis.multi().set(k, v).expire(k, 60)` or a later `redis.expire(k, 60)` in the same function
 * on the same key is fine. Shared by both languages; only the node type differs.
 */
function reportPending<N>(
  pending: readonly Pending<N>[],
  expired: ReadonlySet<string>,
  report: (descriptor: { node: N; messageId: 'noTtl' | 'ttlDisabled'; data: Record<string, string> }) => void,
): void {
  for (const { node, name, verdict, key, scope } of pending) {
    if (verdict === 'missing') {
      if (!expired.has(`${scope}:${key}`)) report({ node, messageId: 'noTtl', data: { call: name } });
    } else if (typeof verdict === 'object') {
      report({ node, messageId: 'ttlDisabled', data: { call: name, what: verdict.disabled } });
    }
  }
}

export default defineDetector({
  id: 'cache-no-ttl',
  family: 'cache',
  sharpEdge: 'cache-thundering-herd',
  severity: 'medium',
  confidence: 'high',
  status: 'stable',
  requiresTypeInfo: false,
  fix: "Give the write a TTL with a little jitter: `redis.set(k, v, 'EX', 300)`, `client.set(k, v, { EX: 300 })`, `r.set(k, v, ex=300)`, `setex`, or the cache library's ttl option.",
  docs: {
    why:
      'A key written without expiry lives until something deletes it: the value goes stale when the source changes, memory grows until the server evicts at random, and a flush, failover or restart empties every such key at once, so the whole cache is rebuilt in one herd against the database.',
    example: {
      typescript: `import Redis from 'ioredis';\nconst redis = new Redis();\nexport async function saveProfile(id: string, profile: object) {\n  await redis.set(\`profile:\${id}\`, JSON.stringify(profile));\n}\n`,
      python: `import redis\n\nr = redis.Redis()\n\ndef save_profile(user_id, profile):\n    r.set(f"profile:{user_id}", profile)\n`,
    },
    useInstead: {
      typescript: `import Redis from 'ioredis';\nconst redis = new Redis();\nexport async function saveProfile(id: string, profile: object) {\n  await redis.set(\`profile:\${id}\`, JSON.stringify(profile), 'EX', 300 + Math.floor(Math.random() * 30));\n}\n`,
      python: `import redis\n\nr = redis.Redis()\n\ndef save_profile(user_id, profile):\n    r.set(f"profile:{user_id}", profile, ex=300)\n`,
    },
    whenNotToUse:
      'Writes that expire another way are left alone: `setex`/`psetex`, an `expire` on the same key in the same function or chained on the same transaction, a TTL the detector cannot read (a variable, `**kwargs`, `...options`), clients built with a default TTL (`new LRUCache({ ttl })`, `new NodeCache({ stdTTL })`), and Django/Flask-Caching `cache.set(k, v)`, which use the configured default timeout (only `timeout=None` is flagged there). Plain `Map`s named `cache` are not cache clients. Keys meant to live forever (feature flags, counters, locks cleared by hand) are the legitimate exception: ignore them by name with `ignore`.',
    references: [
      'https://redis.io/docs/latest/commands/set/',
      'https://docs.djangoproject.com/en/stable/topics/cache/#basic-usage',
      'https://redis.io/docs/latest/develop/use/keyspace/#key-expiration',
    ],
  },
  messages: {
    noTtl: '{{call}} writes a key with no expiry: it stays stale forever and is lost with every other such key on a flush; add a TTL (with jitter).',
    ttlDisabled: '{{call}} is given {{what}}: the key never expires, stays stale and is lost with every other such key on a flush.',
  },
  options: z.object({
    /** Cache writes (resolved names; instances of `cacheClients` resolve to `<factory>().set`). */
    writeCalls: perLanguageShapes({ typescript: TS_WRITE_CALLS, python: PY_WRITE_CALLS }),
    /** Positional flags (JS `'EX'`), option keys and keyword arguments that set an expiry. */
    ttlArgs: perLanguageShapes({ typescript: TS_TTL_ARGS, python: PY_TTL_ARGS }),
    /** Calls that set a TTL after the write (same key, same function). */
    ttlCalls: perLanguageShapes({ typescript: TTL_CALLS, python: TTL_CALLS }),
    /** Factories whose instances are cache clients (followed through local names). */
    cacheClients: perLanguageShapes({ typescript: TS_CACHE_CLIENTS, python: PY_CACHE_CLIENTS }),
    /** Receivers that expire keys by default: only an explicit `None` timeout is flagged. */
    defaultTtlStores: perLanguageShapes({ typescript: [], python: PY_DEFAULT_TTL_STORES }),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  // Both findings are on a write call.
  requires: (options, language) => requireAll(shapeLiterals(shapesFor(options.writeCalls, language))),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isWrite = compileTsShapes(options.writeCalls);
      const isTtlCall = compileTsShapes(options.ttlCalls);
      const isDefaultStore = compileTsShapes(options.defaultTtlStores);
      const isIgnored = compileShapes(options.ignore);
      const ttlArgs = tsShapes(options.ttlArgs);
      const instances = new TsInstances(ts, ctx.names, compileTsShapes(options.cacheClients));
      const pending: Pending<TsApi.CallExpression>[] = [];
      /** `${scope}:${key}` of every key given a TTL by a separate call. */
      const expired = new Set<string>();
      const scopeOf = (node: TsApi.Node): number => enclosingFunction(ts, node)?.pos ?? -1;
      const keyOf = (call: TsApi.CallExpression): string | undefined => keyText(call.arguments[0]?.getText(ctx.sourceFile));

      return {
        VariableDeclaration: (node) => instances.observe(node),
        PropertyDeclaration: (node) => instances.observe(node),
        BinaryExpression: (node) => instances.observe(node),
        CallExpression(node) {
          const resolved = instances.resolve(node.expression);
          const name = resolved?.name;
          if (!name || isIgnored(name)) return;
          if (isTtlCall(name)) {
            expired.add(`${scopeOf(node)}:${keyOf(node)}`);
            return;
          }
          if (!isWrite(name)) return;
          const receiver = name.slice(0, name.lastIndexOf('.'));
          let verdict = ttlOfTsWrite(ts, node, ttlArgs, ctx.sourceFile);
          const defaulted = isDefaultStore(receiver) || hasDefaultTtlTs(ts, resolved.instance?.call);
          if (verdict === 'missing' && defaulted) verdict = 'ok';
          if (verdict === 'ok') return;
          pending.push({ node, name, verdict, key: keyOf(node), scope: scopeOf(node) });
        },
        'SourceFile:exit'() {
          reportPending(pending, expired, (descriptor) => ctx.report(descriptor));
        },
      };
    },
    python: (ctx, options) => {
      const isWrite = compileShapes(options.writeCalls.python);
      const isTtlCall = compileShapes(options.ttlCalls.python);
      const isDefaultStore = compileShapes(options.defaultTtlStores.python);
      const isIgnored = compileShapes(options.ignore);
      const ttlArgs = options.ttlArgs.python;
      const instances = new PyInstances(ctx.names, compileShapes(options.cacheClients.python));
      const pending: Pending<PyNode>[] = [];
      const expired = new Set<string>();
      const scopeOf = (node: PyNode): number => enclosingPyFunction(node)?.startIndex ?? -1;
      const keyOf = (call: PyNode): string | undefined => keyText(call.childForFieldName('arguments')?.namedChildren[0]?.text);

      return {
        assignment: (node) => instances.observe(node),
        as_pattern: (node) => instances.observe(node),
        call(node) {
          const fn = node.childForFieldName('function');
          const name = fn ? instances.resolve(fn)?.name : undefined;
          if (!name || isIgnored(name)) return;
          if (isTtlCall(name)) {
            expired.add(`${scopeOf(node)}:${keyOf(node)}`);
            return;
          }
          if (!isWrite(name)) return;
          let verdict = ttlOfPyWrite(node, ttlArgs);
          if (verdict === 'missing' && isDefaultStore(name.slice(0, name.lastIndexOf('.')))) verdict = 'ok';
          if (verdict === 'ok') return;
          pending.push({ node, name, verdict, key: keyOf(node), scope: scopeOf(node) });
        },
        'module:exit'() {
          reportPending(pending, expired, (descriptor) => ctx.report(descriptor));
        },
      };
    },
  },
});
