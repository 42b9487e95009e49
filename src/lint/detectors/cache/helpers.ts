/**
 * Shared by the `cache` family: which clients are caches, which calls read and write them, and
 * what counts as an expiry. Clients are followed through instances (see `engine/instances.ts`): after
 * `const c = createClient()` from `redis`, `c.set` is named `redis.createClient().set`, and a
 * `new Map()` named `cache` is a Map (`Map().set`), not a cache with expiry to forget.
 */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { argsOfPy, isNoneValuePy, isNoneValueTs, objectPropsTs, unwrapTs } from '../../engine/instances.js';

type Ts = typeof TsApi;

/** Constructors and factories whose instances are cache clients (or plain Maps, to tell them apart). */
export const TS_CACHE_CLIENTS = [
  'ioredis', 'ioredis.Redis', 'ioredis.Cluster', 'ioredis.default', 'redis.createClient', 'redis.createCluster',
  '@redis/client.createClient', '@upstash/redis.Redis', '@upstash/redis.Redis.fromEnv', '@vercel/kv.createClient',
  'memjs.Client.create', 'keyv', 'cache-manager.caching', 'cache-manager.createCache', 'lru-cache',
  'lru-cache.LRUCache', 'node-cache', 'Map', 'WeakMap',
  // pipelines and transactions write like the client
  '**.*redis*.pipeline', '**.*Redis*.pipeline', '**.*redis*.multi', '**.*Redis*.multi',
];
export const PY_CACHE_CLIENTS = [
  'redis.Redis', 'redis.StrictRedis', 'redis.from_url', 'redis.Redis.from_url', 'redis.asyncio.Redis',
  'redis.asyncio.StrictRedis', 'redis.asyncio.from_url', 'redis.asyncio.Redis.from_url', 'aioredis.from_url',
  'aioredis.Redis', 'pymemcache.client.base.Client', 'pymemcache.Client', 'aiocache.Cache', 'aiocache.RedisCache',
  'flask_caching.Cache',
  '**.*redis*.pipeline', '**.*Redis*.pipeline',
];

const TS_CLIENT_INSTANCES = [
  'ioredis()', 'ioredis.Redis()', 'ioredis.Cluster()', 'ioredis.default()', 'redis.createClient()', 'redis.createCluster()',
  '@redis/client.createClient()', '@upstash/redis.Redis()', '@upstash/redis.Redis.fromEnv()', '@vercel/kv.createClient()',
  'memjs.Client.create()', 'keyv()', 'cache-manager.caching()', 'cache-manager.createCache()', 'lru-cache()',
  'lru-cache.LRUCache()', 'node-cache()',
];
const PY_CLIENT_INSTANCES = [
  'redis.Redis()', 'redis.StrictRedis()', 'redis.from_url()', 'redis.Redis.from_url()', 'redis.asyncio.Redis()',
  'redis.asyncio.StrictRedis()', 'redis.asyncio.from_url()', 'redis.asyncio.Redis.from_url()', 'aioredis.from_url()',
  'aioredis.Redis()', 'pymemcache.client.base.Client()', 'pymemcache.Client()', 'aiocache.Cache()',
  'aiocache.RedisCache()', 'flask_caching.Cache()',
];

/** Receivers that name a cache by convention: `redis`, `this.redis`, `redisClient`, `cache`, `kv`. */
const NAMED_RECEIVERS = ['**.*redis*', '**.*Redis*', '**.*cache*', '**.*Cache*', 'kv', '**.kv', 'memcached', '**.memcached'];
const PIPELINES = ['**.pipeline()', '**.multi()'];

function callsOn(receivers: string[], methods: string[]): string[] {
  return receivers.flatMap((r) => methods.map((m) => `${r}.${m}`));
}

export const TS_WRITE_CALLS = callsOn([...NAMED_RECEIVERS, ...TS_CLIENT_INSTANCES, ...PIPELINES], ['set']);
export const PY_WRITE_CALLS = callsOn([...NAMED_RECEIVERS, ...PY_CLIENT_INSTANCES, ...PIPELINES], ['set']);
export const TS_READ_CALLS = callsOn([...NAMED_RECEIVERS, ...TS_CLIENT_INSTANCES], ['get']);
export const PY_READ_CALLS = callsOn([...NAMED_RECEIVERS, ...PY_CLIENT_INSTANCES], ['get']);

/** Calls that set a TTL on a key already written. */
export const TTL_CALLS = ['*.expire', '*.pexpire', '*.expireat', '*.pexpireat', '*.expireAt', '*.pExpire', '*.pExpireAt'];

/** Stores that expire keys by default (Django: TIMEOUT = 300 s; Flask-Caching: CACHE_DEFAULT_TIMEOUT). */
export const PY_DEFAULT_TTL_STORES = ['django.core.cache.cache', 'django.core.cache.caches.*', 'flask_caching.Cache()'];

/** Instance options that give every write a default TTL (lru-cache `ttl`, node-cache `stdTTL`, keyv `ttl`). */
const TS_DEFAULT_TTL_KEYS = ['ttl', 'stdTTL', 'maxAge', 'defaultTtl', 'defaultTTL', 'ex'];

export type TtlVerdict = 'ok' | 'missing' | { disabled: string };

/**
 * Does a TS write set an expiry? `set(k, v, 'EX', 60)`, `set(k, v, { EX: 60 })`,
 * `set(k, v, { ttl: 60 })`, `set(k, v, 60_000)` (cache-manager, keyv, node-cache). A value the
 * detector cannot read (a variable, a call) is trusted.
 */
export function ttlOfTsWrite(ts: Ts, call: TsApi.CallExpression, ttlArgs: readonly string[], source: TsApi.SourceFile): TtlVerdict {
  const flags = new Set(ttlArgs.map((a) => a.toLowerCase()));
  const rest = call.arguments.slice(2);
  if (rest.length === 0) return 'missing';
  for (const raw of rest) {
    const arg = unwrapTs(ts, raw);
    if (ts.isStringLiteralLike(arg)) {
      if (flags.has(arg.text.toLowerCase())) return 'ok';
      continue; // NX, XX, GET: not an expiry
    }
    if (ts.isObjectLiteralExpression(arg)) {
      const obj = objectPropsTs(ts, arg)!;
      for (const key of ttlArgs) {
        if (!obj.props.has(key)) continue;
        const value = obj.props.get(key);
        if (isNoneValueTs(ts, value)) return { disabled: `${key}: ${value?.getText(source)}` };
        return 'ok';
      }
      if (obj.spread) return 'ok';
      continue;
    }
    if (isNoneValueTs(ts, arg)) return { disabled: `a TTL of ${arg.getText(source)}, which means never` };
    if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) continue; // a callback
    return 'ok'; // a number or an expression: a TTL we cannot read
  }
  return 'missing';
}

/** A TS cache instance built with a default TTL (`new LRUCache({ max, ttl })`, `new NodeCache({ stdTTL })`). */
export function hasDefaultTtlTs(ts: Ts, instanceCall: TsApi.CallExpression | TsApi.NewExpression | undefined): boolean {
  const options = instanceCall?.arguments?.find((a) => ts.isObjectLiteralExpression(unwrapTs(ts, a)));
  const obj = objectPropsTs(ts, options);
  if (!obj) return false;
  return TS_DEFAULT_TTL_KEYS.some((k) => obj.props.has(k) && !isNoneValueTs(ts, obj.props.get(k)));
}

/**
 * Does a Python write set an expiry? `set(k, v, ex=60)`, `set(k, v, 60)` (redis-py's third
 * positional is `ex`, Django's and pymemcache's are the timeout), `timeout=300`. `None` and `0`
 * mean never; `**kwargs` is trusted.
 */
export function ttlOfPyWrite(call: PyNode, ttlArgs: readonly string[]): TtlVerdict {
  const { positional, keywords, splat } = argsOfPy(call);
  for (const key of ttlArgs) {
    const value = keywords.get(key);
    if (value === undefined) continue;
    if (key === 'keepttl') return value.type === 'true' ? 'ok' : 'missing';
    return isNoneValuePy(value) ? { disabled: `${key}=${value.text}` } : 'ok';
  }
  const third = positional[2];
  if (third) return isNoneValuePy(third) ? { disabled: `a timeout of ${third.text}, which means never` } : 'ok';
  return splat ? 'ok' : 'missing';
}

/** The text a key argument is written as, without spaces, to compare a read's key with a write's. */
export function keyText(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, '');
}

/** Names that show a rebuild is already guarded: an in-flight map, a lock, stale-while-revalidate. */
export const GUARD_NAME = /in_?flight|pending|single_?flight|stale|mutex|semaphore|^_?lock$|_lock$|Lock$|^locks?$|coalesc|dedupe?/i;
