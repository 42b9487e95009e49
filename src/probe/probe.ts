/**
 * The runtime probe: preloaded into a target (`node --import <this file>` through NODE_OPTIONS),
 * it counts, per incoming HTTP request, the database queries and outbound HTTP calls made while
 * serving it, and writes per-route figures to $PERF_HUNTER_PROBE_DIR/probe-<pid>.json.
 *
 * - The request: diagnostics_channel `http.server.request.start` enters an AsyncLocalStorage
 *   store, so everything the handler starts (awaits, callbacks, timers) sees it;
 *   `http.server.response.finish` closes it.
 * - Queries: the query methods of pg, mysql2, better-sqlite3 and PGlite are wrapped when the
 *   target loads them: `require` through a Module._load hook; `import` through loader hooks
 *   (module.register) that put a tiny proxy module in front of the package, which hands the
 *   package's namespace back here before the application sees it.
 * - Outbound calls: the `undici:request:create` (fetch) and `http.client.request.start` channels.
 *
 * The file is rewritten at most every 500 ms while requests come in, and on exit, each time to
 * a temp name then renamed: the reader never sees half a file and a killed target loses < 0.5 s.
 * Nothing here may throw into the application: every hook is guarded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { queryShape, routeOf } from './shape.js';
import { patchLibrary, rowsOf, WATCHED, type Library } from './wrap.js';

/** Per request: how many queries of each shape, and the rows each returned (for the parent check). */
interface RequestStore {
  route: string;
  queries: number;
  outbound: number;
  shapes: Map<string, number>;
  rows: Array<{ shape: string; rows: number }>;
}

/** One query shape repeated within requests of a route. */
interface RepeatedShape {
  requests: number;
  total: number;
  max: number;
  min: number;
  /** Requests where the repeat count equalled the rows another query of the request returned. */
  parentMatched: number;
  parentShape: string | null;
  /** Repeat counts of the first requests (bounded): the reader checks they vary with the request. */
  counts: number[];
}

interface RouteStats {
  requests: number;
  queriesTotal: number;
  queriesMax: number;
  queriesMin: number;
  outboundTotal: number;
  outboundMax: number;
  repeated: Record<string, RepeatedShape>;
}

const MAX_ROUTES = 200;
const MAX_SHAPES_PER_ROUTE = 50;
const MAX_ROWS_KEPT = 10_000;
const MAX_COUNTS_KEPT = 200;
const FLUSH_EVERY_MS = 500;
const PROXY_SCHEME = 'perf-hunter-probe:';

const dir = process.env.PERF_HUNTER_PROBE_DIR;
if (dir && isMainThread) {
  try {
    start(dir);
  } catch (error) {
    process.stderr.write(`perf-hunter probe: not started (${(error as Error).message})\n`);
  }
}

function start(outDir: string): void {
  const als = new AsyncLocalStorage<RequestStore>();
  const stores = new WeakMap<object, RequestStore>();
  const routes = new Map<string, RouteStats>();
  const libraries = new Set<string>();
  let dirty = false;

  const onQuery = (text: unknown, result: unknown): void => {
    const store = als.getStore();
    if (!store) return; // start-up, background jobs: not part of a request
    store.queries++;
    const shape = typeof text === 'string' ? queryShape(text) : '(not text)';
    store.shapes.set(shape, (store.shapes.get(shape) ?? 0) + 1);
    const keep = (value: unknown): void => {
      const rows = rowsOf(value);
      if (rows !== undefined && store.rows.length < MAX_ROWS_KEPT) store.rows.push({ shape, rows });
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      // A second reader of the promise: the application's own handling is untouched.
      (result as Promise<unknown>).then(keep, () => undefined);
    } else keep(result);
  };

  dc.subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: { method?: string; url?: string } };
    const store: RequestStore = { route: routeOf(request.method, request.url), queries: 0, outbound: 0, shapes: new Map(), rows: [] };
    stores.set(request, store);
    als.enterWith(store);
  });
  dc.subscribe('http.server.response.finish', (message) => {
    const { request } = message as { request: object };
    const store = stores.get(request);
    if (!store) return;
    stores.delete(request);
    fold(store);
  });
  const countOutbound = (): void => {
    const store = als.getStore();
    if (store) store.outbound++;
  };
  dc.subscribe('undici:request:create', countOutbound);
  dc.subscribe('http.client.request.start', countOutbound);

  function fold(store: RequestStore): void {
    let stats = routes.get(store.route);
    if (!stats) {
      if (routes.size >= MAX_ROUTES) return;
      stats = { requests: 0, queriesTotal: 0, queriesMax: 0, queriesMin: Number.MAX_SAFE_INTEGER, outboundTotal: 0, outboundMax: 0, repeated: {} };
      routes.set(store.route, stats);
    }
    stats.requests++;
    stats.queriesTotal += store.queries;
    stats.queriesMax = Math.max(stats.queriesMax, store.queries);
    stats.queriesMin = Math.min(stats.queriesMin, store.queries);
    stats.outboundTotal += store.outbound;
    stats.outboundMax = Math.max(stats.outboundMax, store.outbound);
    for (const [shape, count] of store.shapes) {
      if (count < 2) continue;
      let r = stats.repeated[shape];
      if (!r) {
        if (Object.keys(stats.repeated).length >= MAX_SHAPES_PER_ROUTE) continue;
        r = stats.repeated[shape] = { requests: 0, total: 0, max: 0, min: Number.MAX_SAFE_INTEGER, parentMatched: 0, parentShape: null, counts: [] };
      }
      r.requests++;
      r.total += count;
      r.max = Math.max(r.max, count);
      r.min = Math.min(r.min, count);
      if (r.counts.length < MAX_COUNTS_KEPT) r.counts.push(count);
      // One query per row of an earlier result: the repeat count is that result's size.
      const parent = store.rows.find((q) => q.shape !== shape && q.rows === count);
      if (parent) {
        r.parentMatched++;
        r.parentShape = parent.shape;
      }
    }
    dirty = true;
  }

  function write(): void {
    dirty = false;
    const file = path.join(outDir, `probe-${process.pid}.json`);
    const temp = `${file}.tmp`;
    const json = {
      pid: process.pid,
      argv: process.argv,
      libraries: [...libraries].sort(),
      routes: Object.fromEntries([...routes].map(([route, s]) => [route, { ...s, queriesMin: s.requests ? s.queriesMin : 0 }])),
    };
    try {
      writeFileSync(temp, JSON.stringify(json));
      renameSync(temp, file);
    } catch {
      // The run folder is gone (the run was cancelled): nobody to report to.
    }
  }
  setInterval(() => dirty && write(), FLUSH_EVERY_MS).unref();
  process.on('exit', write);

  const patch = (library: Library, mod: unknown, from?: string): void => {
    try {
      if (patchLibrary(library, mod, onQuery)) libraries.add(library);
      // mysql2/promise wraps the callback core, which it loads by a relative path the hooks never see.
      if (library === 'mysql2' && from && /mysql2[\\/]promise\.js$/.test(from)) {
        if (patchLibrary('mysql2', createRequire(from)('./index.js'), onQuery)) libraries.add('mysql2');
      }
    } catch {
      // An unexpected shape of the package: leave it alone.
    }
  };

  // CommonJS: every require() of a watched package, wherever it comes from.
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown; _resolveFilename: (request: string, parent: unknown) => string };
  const originalLoad = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    const exported = originalLoad.call(this, request, parent, isMain);
    const library = WATCHED[request];
    if (library) {
      let from: string | undefined;
      try {
        from = loader._resolveFilename(request, parent);
      } catch {
        from = undefined;
      }
      patch(library, exported, from);
    }
    return exported;
  };

  // ES modules: the loader hooks proxy each watched package and call this with its namespace.
  Object.defineProperty(globalThis, Symbol.for('perf-hunter.probe'), {
    value: { patch: (specifier: string, ns: unknown, url: string) => {
      const library = WATCHED[specifier];
      if (library) patch(library, ns, url.startsWith('file:') ? new URL(url).pathname : undefined);
    } },
    enumerable: false,
  });
  try {
    register('./hooks.js', import.meta.url, { data: { scheme: PROXY_SCHEME, watched: Object.keys(WATCHED) } });
  } catch {
    // Without loader hooks, CommonJS packages are still counted.
  }
}
