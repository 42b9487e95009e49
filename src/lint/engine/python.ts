/**
 * The Python engine: web-tree-sitter with the Python grammar's wasm, parsed once and walked once
 * with a cursor, dispatching named nodes to every enabled detector's handlers by node type.
 */
import { createRequire } from 'node:module';
import type { Node as PyNode, Parser as PyParser } from 'web-tree-sitter';
import type { PyContext, PyHandlers } from '../define.js';
import { PyNames } from './names.js';
import { type ConfiguredDetector, type FileInput, type FileResult, FindingSink } from './core.js';

type Handler = (node: PyNode) => void;
interface Bound {
  configured: ConfiguredDetector;
  handler: Handler;
}

let parserPromise: Promise<PyParser> | undefined;

/** ~50 ms once per process; only paid when a Python file is linted. */
function loadParser(): Promise<PyParser> {
  parserPromise ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm');
    const language = await Language.load(wasm);
    return new Parser().setLanguage(language);
  })();
  return parserPromise;
}

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement']);

export async function lintPython(file: FileInput, detectors: ConfiguredDetector[]): Promise<FileResult> {
  const parser = await loadParser();
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

    // One cursor walk. Only named nodes dispatch: the `await` keyword token and the `await`
    // expression share a type name, and detectors mean the expression.
    const cursor = tree.walk();
    const onEnter = (): void => {
      if (!cursor.nodeIsNamed) return;
      const type = cursor.nodeType;
      const bound = enter.get(type);
      if (!bound && !IMPORT_TYPES.has(type)) return;
      const node = cursor.currentNode;
      if (IMPORT_TYPES.has(type)) names.observe(node);
      run(bound, node);
    };
    const onExit = (): void => {
      if (!cursor.nodeIsNamed) return;
      const bound = exit.get(cursor.nodeType);
      if (bound) run(bound, cursor.currentNode);
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
    return sink;
  } finally {
    // Trees live in wasm memory; free them or a long run leaks.
    tree.delete();
  }
}

export type { PyHandlers };
