/**
 * Reads one YAML file fast and still knows where things are.
 *
 * js-yaml parses about 8x faster than `yaml`'s Document API (measured on the Spawner sample:
 * ~85 MB/s vs ~10 MB/s), which is what keeps 500 skills well under a second. While parsing we
 * record the start offset of every mapping and sequence (cheap: one WeakMap entry each), so every
 * item gets its `source`. Positions of anything else (a scalar with the wrong type, a missing
 * key) are only needed for problems, so `locate(path)` builds a full `yaml` Document lazily, once
 * per file, and only when something went wrong.
 */
import { createRequire } from 'node:module';
import type { LineCounter, Node as YamlNode } from 'yaml';

// Both parsers load on first use (synchronously, parsing is synchronous): a run whose skills all
// come from the load cache never pays their ~0.15 s of module loading.
const require = createRequire(import.meta.url);
let jsYamlModule: typeof import('js-yaml') | undefined;
let yamlModule: typeof import('yaml') | undefined;
const jsyaml = (): typeof import('js-yaml') => (jsYamlModule ??= require('js-yaml') as typeof import('js-yaml'));
const yamlApi = (): typeof import('yaml') => (yamlModule ??= require('yaml') as typeof import('yaml'));

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface YamlFile {
  file: string;
  data: unknown;
  /** Where a mapping or sequence of `data` starts (1-based), if it came from this file. */
  positionOf(value: unknown): Position | undefined;
  /** Where the node at `path` is; for a missing key, where its nearest existing parent is. */
  locate(path: readonly PathSegment[]): Position;
}

export interface YamlSyntaxError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type ParsedYaml = { ok: true; value: YamlFile } | { ok: false; error: YamlSyntaxError };

/** Root = 0, `validations` list = 1, one validation = 2, its `pattern` list = 3. */
const MAX_TRACKED_DEPTH = 3;

/**
 * js-yaml shares an aliased node instead of copying it, so parsing a "billion laughs" file is
 * quick, but anything that later walks the data (normalising, JSON for the cache, explain) would
 * expand it. A file whose aliases expand it past this many values is refused. Real skills use a
 * handful of anchors, far from it; the 20 MB stress file has no anchors at all.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

export function parseYaml(file: string, text: string): ParsedYaml {
  // A plain Map, only down to MAX_TRACKED_DEPTH: items and their lists are all we look up, and a
  // WeakMap entry per node made every young-generation GC pay for ephemeron processing.
  const starts = new Map<object, number>();
  const openStack: number[] = [];
  let data: unknown;
  try {
    data = jsyaml().load(text, {
      filename: file,
      // CORE keeps `date: 2024-01-01` a string and has no !!js tags: skills are data, not code.
      schema: jsyaml().CORE_SCHEMA,
      listener(event, state) {
        if (event === 'open') {
          openStack.push(state.position);
          return;
        }
        const start = openStack.pop();
        const result: unknown = state.result;
        if (openStack.length <= MAX_TRACKED_DEPTH && start !== undefined && result !== null && typeof result === 'object') {
          starts.set(result, start);
        }
      },
    });
  } catch (err) {
    return { ok: false, error: syntaxError(file, err) };
  }
  // Only a file that defines an anchor can alias; the rest skip the walk.
  if (text.includes('&') && expandsPast(data, MAX_EXPANDED_VALUES)) {
    return {
      ok: false,
      error: { file, line: 1, column: 1, message: `YAML aliases expand this file past ${MAX_EXPANDED_VALUES.toLocaleString('en')} values (an alias bomb?): file not read` },
    };
  }

  const lines = new LineIndex(text);
  let document: { doc: ReturnType<typeof import('yaml').parseDocument>; counter: LineCounter } | undefined;

  return {
    ok: true,
    value: {
      file,
      data,
      positionOf(value) {
        if (value === null || typeof value !== 'object') return undefined;
        const start = starts.get(value);
        return start === undefined ? undefined : lines.position(skipBlankAndComments(text, start));
      },
      locate(path) {
        // Collections know their start already; only scalars and missing keys need the Document.
        const target = valueAt(data, path);
        const known = target !== null && typeof target === 'object' ? starts.get(target) : undefined;
        if (known !== undefined) return lines.position(skipBlankAndComments(text, known));
        document ??= buildDocument(text);
        const offset = nodeOffset(document.doc.contents as YamlNode | null, path);
        const { line, col } = document.counter.linePos(offset);
        return { line, column: col };
      },
    },
  };
}

/**
 * True when walking `data` with every alias expanded would visit more than `limit` values.
 * Each shared node's expanded size is computed once, so this costs one pass over the distinct
 * nodes however large the expansion; a node that contains itself counts as too large.
 */
function expandsPast(data: unknown, limit: number): boolean {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const size = (value: unknown): number => {
    if (value === null || typeof value !== 'object') return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) return Infinity;
    open.add(value);
    let total = 1;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      total += size(child);
      if (total > limit) break;
    }
    open.delete(value);
    sizes.set(value, total);
    return total;
  };
  return size(data) > limit;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

function syntaxError(file: string, err: unknown): YamlSyntaxError {
  if (err instanceof jsyaml().YAMLException) {
    return { file, line: err.mark.line + 1, column: err.mark.column + 1, message: `YAML syntax error: ${err.reason}` };
  }
  return { file, line: 1, column: 1, message: `YAML could not be read: ${err instanceof Error ? err.message : String(err)}` };
}

function buildDocument(text: string) {
  const { LineCounter: Counter, parseDocument } = yamlApi();
  const counter = new Counter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  return { doc, counter };
}

/** Walks the `yaml` node tree as far as `path` exists and returns that node's start offset. */
function nodeOffset(root: YamlNode | null, path: readonly PathSegment[]): number {
  const { isCollection, isScalar } = yamlApi();
  let node: YamlNode | null = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of path) {
    if (!node || !isCollection(node)) break;
    const child: unknown = node.get(segment, true);
    if (!child || !(isCollection(child) || isScalar(child))) break;
    node = child;
    offset = child.range?.[0] ?? offset;
  }
  return offset;
}

/** js-yaml reports a collection's start before the whitespace and comments that lead to it. */
function skipBlankAndComments(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) i++;
    else if (ch === 0x23 /* # */) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol + 1;
    } else break;
  }
  return i;
}

/** Offset -> 1-based line/column, with the line starts found once per file on first use. */
class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  position(offset: number): Position {
    this.starts ??= lineStarts(this.text);
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
