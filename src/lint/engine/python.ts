/**
 * The Python engine: web-tree-sitter with the Python grammar's wasm. Each file is parsed once, and
 * the named nodes of the types the enabled detectors handle are dispatched to their handlers in
 * one pass, in walk order (enter before descendants, `:exit` after them).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Language as PyLanguage, Node as PyNode, Parser as PyParser, Query as PyQuery } from 'web-tree-sitter';
import type { PyContext, PyHandlers } from '../define.js';
import { PyNames } from './names.js';
import { type ConfiguredDetector, type FileInput, type FileResult, FindingSink } from './core.js';

type Handler = (node: PyNode) => void;
interface Bound {
  configured: ConfiguredDetector;
  handler: Handler;
}

/** This thread's parser and the query class of the same (lazily imported) module. */
interface Engine {
  parser: PyParser;
  language: PyLanguage;
  Query: typeof PyQuery;
}

let enginePromise: Promise<Engine> | undefined;

/*
 * Node has WebAssembly, but the project's TypeScript libs (ES2023, node, no DOM) do not declare
 * it; these are the few members used here.
 */
declare namespace WebAssembly {
  interface Module {
    readonly __compiledWasm?: never;
  }
  interface Instance {
    readonly exports: object;
  }
  type Imports = object;
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
  Instance: new (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance;
};
let precompiled: PythonWasm | undefined;

/** The runtime's and the grammar's wasm, compiled: a thread given them instantiates without compiling. */
export interface PythonWasm {
  runtime: WebAssembly.Module;
  grammar: WebAssembly.Module;
}

/**
 * Compiles both wasm files once (the main thread, for its workers). A compiled module crosses to
 * worker threads by reference, so each worker skips the compile and shares the optimised code
 * V8 tiers up to, instead of compiling and tiering up ~670 kB of wasm again per thread.
 */
export async function compilePythonWasm(): Promise<PythonWasm> {
  const require = createRequire(import.meta.url);
  const compile = async (id: string) => WebAssembly.compile(await readFile(require.resolve(id)));
  const [runtime, grammar] = await Promise.all([compile('web-tree-sitter/web-tree-sitter.wasm'), compile('tree-sitter-python/tree-sitter-python.wasm')]);
  return { runtime, grammar };
}

/** Use these compiled modules for this thread's parser; only before its first Python file. */
export function usePythonWasm(wasm: PythonWasm): void {
  precompiled ??= wasm;
}

/** ~50 ms once per process (less with precompiled wasm); only paid when a Python file is linted. */
function loadEngine(): Promise<Engine> {
  enginePromise ??= (async () => {
    const { Parser, Language, Query } = await import('web-tree-sitter');
    const wasm = precompiled;
    if (!wasm) {
      await Parser.init();
      const language = await Language.load(createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm'));
      return { parser: new Parser().setLanguage(language), language, Query };
    }
    // Emscripten's hook: instantiate the given module instead of fetching and compiling the file.
    await Parser.init({
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        done(new WebAssembly.Instance(wasm.runtime, imports), wasm.runtime);
        return {};
      },
    });
    const language = Language.loadSync(wasm.grammar);
    return { parser: new Parser().setLanguage(language), language, Query };
  })();
  return enginePromise;
}

/** Loads the parser ahead of the first file (a worker does, while waiting for work). */
export async function preparePython(): Promise<void> {
  await loadEngine();
}

const IMPORT_TYPES = ['import_statement', 'import_from_statement'];

/**
 * One query per set of node types (what the file's detectors handle, plus imports): tree-sitter
 * finds the nodes inside wasm, so JavaScript sees only those (a quarter of the named nodes on
 * Django) instead of stepping a cursor over every node, two wasm calls a step.
 */
const queries = new Map<string, PyQuery | undefined>();
const MAX_QUERIES = 64;

function queryFor({ language, Query }: Engine, types: ReadonlySet<string>): PyQuery | undefined {
  const key = [...types].sort().join(' ');
  if (queries.has(key)) return queries.get(key);
  const supertypes = new Set(language.supertypes);
  // A name the grammar lacks would fail the query (and matched nothing in a walk); a supertype
  // (`expression`) would match its subtypes, which a walk comparing type names never did.
  const known = [...types].filter((type) => {
    const id = language.idForNodeType(type, true);
    return id !== null && id !== undefined && !supertypes.has(id);
  });
  let query: PyQuery | undefined;
  if (known.length > 0) {
    try {
      query = new Query(language, `[${known.map((type) => `(${type})`).join(' ')}] @node`);
    } catch {
      query = undefined; // a type the query language rejects: the caller walks instead
    }
  }
  if (queries.size >= MAX_QUERIES) {
    for (const old of queries.values()) old?.delete();
    queries.clear();
  }
  queries.set(key, query);
  return query;
}

export async function lintPython(file: FileInput, detectors: ConfiguredDetector[]): Promise<FileResult> {
  const engine = await loadEngine();
  const { parser } = engine;
  const sink = new FindingSink(file);
  const tree = parser.parse(file.code);
  if (!tree) throw new Error(`${file.filename}: the Python parser returned no tree`);
  try {
    const names = new PyNames();
    const enter = new Map<string, Bound[]>();
    const exit = new Map<string, Bound[]>();

    for (const configured of detectors) {
      const build = configured.detector.visit.python;
      if (!build) continue;
      const ctx: PyContext = {
        filename: file.filename,
        source: file.code,
        names,
        report: ({ node, messageId, data, handoff }) => {
          sink.add(
            configured,
            {
              startLine: node.startPosition.row,
              startColumn: node.startPosition.column,
              endLine: node.endPosition.row,
              endColumn: node.endPosition.column,
            },
            messageId,
            data,
            handoff,
          );
        },
      };
      const handlers: PyHandlers = build(ctx, configured.options);
      for (const [key, handler] of Object.entries(handlers)) {
        const isExit = key.endsWith(':exit');
        const type = isExit ? key.slice(0, -':exit'.length) : key;
        const table = isExit ? exit : enter;
        const list = table.get(type) ?? [];
        list.push({ configured, handler });
        table.set(type, list);
      }
    }

    const run = (bound: Bound[] | undefined, node: PyNode): void => {
      if (!bound) return;
      for (const { configured, handler } of bound) {
        try {
          handler(node);
        } catch (error) {
          const where = `${file.filename}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
          sink.detectorCrashed(configured, error, where);
        }
      }
    };
    const visit: Visitor = {
      enter(node, type) {
        if (type === 'import_statement' || type === 'import_from_statement') names.observe(node);
        run(enter.get(type), node);
      },
      exit(node, type) {
        run(exit.get(type), node);
      },
    };
    const wanted = new Set([...enter.keys(), ...exit.keys(), ...IMPORT_TYPES]);
    const query = queryFor(engine, wanted);
    if (!query || !visitCaptured(tree.rootNode, query, exit, visit)) walkAll(tree.rootNode, wanted, visit);
    return sink;
  } finally {
    // Trees live in wasm memory; free them or a long run leaks.
    tree.delete();
  }
}

interface Visitor {
  enter(node: PyNode, type: string): void;
  exit(node: PyNode, type: string): void;
}

/**
 * Dispatches the query's captures as a walk would: enters in document order (a node before its
 * descendants), and each node with exit handlers exited once its last descendant was entered,
 * before whatever follows it. False (nothing dispatched) when the query gave up before the end.
 */
function visitCaptured(root: PyNode, query: PyQuery, exit: ReadonlyMap<string, unknown>, visit: Visitor): boolean {
  const captures = query.captures(root);
  if (query.didExceedMatchLimit()) return false;
  // The root is dispatched here: a query skips an empty file's zero-width module.
  const rootType = root.type;
  visit.enter(root, rootType);
  const open: { node: PyNode; type: string }[] = exit.has(rootType) ? [{ node: root, type: rootType }] : [];
  for (const { node } of captures) {
    if (node.id === root.id) continue;
    const type = node.type;
    while (open.length > 0 && !isDescendant(node, open[open.length - 1]!.node)) {
      const closed = open.pop()!;
      visit.exit(closed.node, closed.type);
    }
    visit.enter(node, type);
    if (exit.has(type)) open.push({ node, type });
  }
  while (open.length > 0) {
    const closed = open.pop()!;
    visit.exit(closed.node, closed.type);
  }
  return true;
}

/**
 * Whether `node`, which comes after `ancestor` in document order, lies inside it. Nodes nest and
 * siblings never overlap, so a start before the ancestor's end settles it; only zero-width nodes at
 * the boundary (error recovery's missing tokens) need the parent chain.
 */
function isDescendant(node: PyNode, ancestor: PyNode): boolean {
  if (node.startIndex < ancestor.endIndex) return true;
  if (node.startIndex > ancestor.endIndex || (node.endIndex > node.startIndex && ancestor.endIndex > ancestor.startIndex)) return false;
  for (let p = node.parent; p; p = p.parent) if (p.id === ancestor.id) return true;
  return false;
}

/**
 * The plain walk, for when no query can be used: a cursor over every node. Only named nodes
 * dispatch: the `await` keyword token and the `await` expression share a type name, and
 * detectors mean the expression.
 */
function walkAll(root: PyNode, wanted: ReadonlySet<string>, visit: Visitor): void {
  const cursor = root.walk();
  const onEnter = (): void => {
    if (!cursor.nodeIsNamed) return;
    const type = cursor.nodeType;
    if (wanted.has(type)) visit.enter(cursor.currentNode, type);
  };
  const onExit = (): void => {
    if (!cursor.nodeIsNamed) return;
    const type = cursor.nodeType;
    if (wanted.has(type)) visit.exit(cursor.currentNode, type);
  };
  try {
    for (;;) {
      onEnter();
      if (cursor.gotoFirstChild()) continue;
      onExit();
      let climbed = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          climbed = true;
          break;
        }
        onExit();
      }
      if (climbed) break;
    }
  } finally {
    cursor.delete();
  }
}

export type { PyHandlers };
