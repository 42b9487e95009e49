/**
 * The TS/JS engine: parse once with the compiler bundled in ts-morph, walk the raw nodes once
 * (`ts.forEachChild`) and dispatch each node to every enabled detector's handlers by SyntaxKind.
 * Raw nodes, not ts-morph wrappers: the wrapped walk measured about 4x slower.
 */
import type { ts as TsApi } from 'ts-morph';
import type { TsContext, TsHandlers } from '../define.js';
import { TsNames } from './names.js';
import { loadTypeScript } from './ts-loader.js';
import { type ConfiguredDetector, type FileInput, type FileResult, FindingSink } from './core.js';

type Handler = (node: TsApi.Node) => void;
interface Bound {
  configured: ConfiguredDetector;
  handler: Handler;
}

let tsApi: typeof TsApi | undefined;

/** Loading the compiler costs ~0.25 s even from the code cache, so only a run that parses a TS/JS file pays it. */
async function loadTs(): Promise<typeof TsApi> {
  tsApi ??= (await loadTypeScript()).ts;
  return tsApi;
}

function scriptKindOf(ts: typeof TsApi, filename: string): TsApi.ScriptKind {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(lower)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export async function lintTypeScript(file: FileInput, detectors: ConfiguredDetector[]): Promise<FileResult> {
  const ts = await loadTs();
  const sink = new FindingSink(file);
  // No detector reads JSDoc (a comment to every walk and `getStart`), so it is not parsed.
  const sourceFile = ts.createSourceFile(
    file.filename,
    file.code,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
    scriptKindOf(ts, file.filename),
  );
  // Parent pointers let detectors look at ancestors (enclosing loop, function, callee), also of
  // nodes the walk has not reached yet. Set here in one plain recursion: the compiler's own
  // (`setParentNodes`) goes through a work queue and measured about twice as long.
  const setParents = (node: TsApi.Node): void => {
    ts.forEachChild(node, (child) => {
      (child as { parent: TsApi.Node }).parent = node;
      setParents(child);
    });
  };
  setParents(sourceFile);
  const names = new TsNames(ts);
  const enter: (Bound[] | undefined)[] = [];
  const exit: (Bound[] | undefined)[] = [];

  for (const configured of detectors) {
    const build = configured.detector.visit.typescript;
    if (!build) continue;
    const ctx: TsContext = {
      filename: file.filename,
      source: file.code,
      ts,
      sourceFile,
      names,
      report: ({ node, messageId, data, handoff }) => {
        const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
        const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd());
        sink.add(
          configured,
          { startLine: start.line, startColumn: start.character, endLine: end.line, endColumn: end.character },
          messageId,
          data,
          handoff,
        );
      },
    };
    const handlers = build(ctx, configured.options) as Record<string, Handler | undefined>;
    for (const [key, handler] of Object.entries(handlers)) {
      if (!handler) continue;
      const isExit = key.endsWith(':exit');
      const kindName = isExit ? key.slice(0, -':exit'.length) : key;
      const kind = (ts.SyntaxKind as unknown as Record<string, number | undefined>)[kindName];
      if (typeof kind !== 'number') {
        throw new Error(`detector ${configured.detector.id}: no SyntaxKind named "${kindName}"`);
      }
      const table = isExit ? exit : enter;
      (table[kind] ??= []).push({ configured, handler });
    }
  }

  const run = (bound: Bound[] | undefined, node: TsApi.Node): void => {
    if (!bound) return;
    for (const { configured, handler } of bound) {
      try {
        handler(node);
      } catch (error) {
        const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
        sink.detectorCrashed(configured, error, `${file.filename}:${line + 1}:${character + 1}`);
      }
    }
  };
  // Only these kinds bind names (see `TsNames.observe`); asking for every node showed in profiles.
  const binds = new Set([ts.SyntaxKind.ImportDeclaration, ts.SyntaxKind.ImportEqualsDeclaration, ts.SyntaxKind.VariableDeclaration]);
  const visit = (node: TsApi.Node): void => {
    if (binds.has(node.kind)) names.observe(node);
    run(enter[node.kind], node);
    ts.forEachChild(node, visit);
    run(exit[node.kind], node);
  };
  visit(sourceFile);
  return sink;
}

export type { TsHandlers };
