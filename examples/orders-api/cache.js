/**
 * A small in-process key-value cache with the Redis-style API `set(key, value, ttlSeconds?)`.
 * A key set without a TTL never expires — which is the planted problem in routes.js.
 */
export function createCache() {
  const entries = new Map();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, ttlSeconds = Infinity) {
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
  };
}
