/**
 * Wrapping the query methods of the database clients the probe knows. Each wrapper counts the
 * call (through `onQuery`) and hands back exactly what the original returned: same value, same
 * promise, same exceptions. Patching is idempotent (a marker on each wrapped function), so a
 * package reached both through `require` and through `import` is wrapped once.
 */

export type OnQuery = (text: unknown, result: unknown) => void;

const WRAPPED = Symbol.for('perf-hunter.probe.wrapped');
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Calls made while a wrapped call is already running synchronously (PromiseConnection -> Connection) count once. */
let depth = 0;

/** The object in the prototype chain that owns `name`: the wrapper goes where the method is defined. */
function ownerOf(proto: object | null | undefined, name: string): object | null {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, name)) return p;
  }
  return null;
}

function wrapMethod(proto: object | null | undefined, name: string, textOf: (self: unknown, args: unknown[]) => unknown, onQuery: OnQuery): boolean {
  const owner = ownerOf(proto, name);
  if (!owner) return false;
  const original = (owner as Record<string, unknown>)[name];
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[WRAPPED]) return false;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const outermost = depth === 0;
    depth++;
    let result: unknown;
    try {
      result = (original as AnyFunction).apply(this, args);
    } finally {
      depth--;
    }
    if (outermost) {
      try {
        onQuery(textOf(this, args), result);
      } catch {
        // Counting must never break the application.
      }
    }
    return result;
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: (original as AnyFunction).name });
  (owner as Record<string, unknown>)[name] = wrapped;
  return true;
}

/** pg: `query(text | {text}, ...)`; mysql2: `query(sql | {sql}, ...)`. */
function firstArgText(_self: unknown, args: unknown[]): unknown {
  const first = args[0];
  if (first && typeof first === 'object') {
    const o = first as { text?: unknown; sql?: unknown };
    return o.text ?? o.sql;
  }
  return first;
}

const protoOf = (cls: unknown): object | null => (typeof cls === 'function' ? ((cls as { prototype?: object }).prototype ?? null) : null);
/** Reads a property without triggering lazy getters that load native code (pg's `native`). */
function safeGet(obj: unknown, key: string): unknown {
  if (!obj || (typeof obj !== 'object' && typeof obj !== 'function')) return undefined;
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  return desc && 'value' in desc ? desc.value : undefined;
}

/** A named export from `require`'s object or from `import`'s namespace (whose default is the CJS object). */
function exported(mod: unknown, key: string): unknown {
  return safeGet(mod, key) ?? safeGet(safeGet(mod, 'default'), key);
}

export type Library = 'pg' | 'mysql2' | 'better-sqlite3' | 'pglite';

/** Package specifiers the probe watches, and the library each one is. */
export const WATCHED: Record<string, Library> = {
  pg: 'pg',
  mysql2: 'mysql2',
  'mysql2/promise': 'mysql2',
  'better-sqlite3': 'better-sqlite3',
  '@electric-sql/pglite': 'pglite',
};

/** Wraps what `mod` exposes; returns true when at least one method was wrapped. */
export function patchLibrary(library: Library, mod: unknown, onQuery: OnQuery): boolean {
  const x = (key: string): unknown => exported(mod, key);
  let patched = false;
  const wrap = (cls: unknown, name: string, textOf = firstArgText): void => {
    if (wrapMethod(protoOf(cls), name, textOf, onQuery)) patched = true;
  };
  switch (library) {
    case 'pg':
      // Pool.query hands the text to a Client's query: wrapping Client alone counts each query once.
      wrap(x('Client'), 'query');
      break;
    case 'mysql2':
      // Pools hand each query to a connection's query later: wrapping the connections counts it once.
      for (const cls of ['Connection', 'PoolConnection', 'PromiseConnection', 'PromisePoolConnection']) {
        wrap(x(cls), 'query');
        wrap(x(cls), 'execute');
      }
      break;
    case 'pglite':
      // sql`` calls this.query; exec runs a script. Both live on the base class.
      wrap(x('PGlite'), 'query');
      wrap(x('PGlite'), 'exec');
      break;
    case 'better-sqlite3': {
      const Database = typeof mod === 'function' ? mod : safeGet(mod, 'default');
      const proto = protoOf(Database);
      if (!proto) break;
      wrap(Database, 'exec');
      // Statements have no exported class: wrap their prototype the first time one is prepared.
      const prepare = (proto as Record<string, unknown>).prepare;
      if (typeof prepare === 'function' && !(prepare as unknown as Record<symbol, unknown>)[WRAPPED]) {
        const wrappedPrepare = function (this: unknown, ...args: unknown[]): unknown {
          const statement = (prepare as AnyFunction).apply(this, args);
          const sproto = statement && typeof statement === 'object' ? Object.getPrototypeOf(statement) : null;
          for (const name of ['run', 'get', 'all', 'iterate']) wrapMethod(sproto, name, (self) => (self as { source?: unknown }).source, onQuery);
          return statement;
        };
        Object.defineProperty(wrappedPrepare, WRAPPED, { value: true });
        (proto as Record<string, unknown>).prepare = wrappedPrepare;
        patched = true;
      }
      break;
    }
  }
  return patched;
}

/** Rows a result holds, when it says: pg/PGlite `{rows}`, mysql2 `[rows, fields]`, better-sqlite3 arrays. */
export function rowsOf(result: unknown): number | undefined {
  if (Array.isArray(result)) {
    if (result.length === 2 && Array.isArray(result[0]) && (Array.isArray(result[1]) || result[1] === undefined)) return result[0].length;
    return result.length;
  }
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) return (result as { rows: unknown[] }).rows.length;
  return undefined;
}
