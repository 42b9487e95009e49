/**
 * The Python engine hands nodes to handlers from a tree-sitter query instead of walking every
 * node. Detectors rely on walk order (a node before its descendants, `:exit` after them and before
 * what follows), so the order is checked against a plain cursor walk written here, on every Python
 * fixture, on broken variants of them (error recovery makes zero-width and ERROR nodes), on an empty
 * file and with handler keys the grammar lacks or that name a supertype.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, type Node as PyNode, Parser } from 'web-tree-sitter';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyDetector } from '../../src/lint/define.js';
import type { ConfiguredDetector } from '../../src/lint/engine/core.js';
import { compilePythonWasm, lintPython } from '../../src/lint/engine/python.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/lint/', import.meta.url));
const ENTER = ['call', 'assignment', 'as_pattern', 'function_definition', 'keyword_argument', 'attribute', 'identifier', 'ERROR', 'await', 'block', 'import_from_statement'];
const EXIT = ['block', 'module', 'function_definition', 'call', 'ERROR', 'identifier'];

let parser: Parser;
beforeAll(async () => {
  await Parser.init();
  parser = new Parser().setLanguage(await Language.load(createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm')));
});

const event = (kind: '>' | '<', type: string, node: PyNode) => `${kind}${type}@${node.startIndex}-${node.endIndex}`;

/** A detector whose handlers only record what they were handed, in order. */
function recorder(keys: { enter: string[]; exit: string[] }, into: string[]): ConfiguredDetector {
  const handlers: Record<string, (node: PyNode) => void> = {};
  for (const type of keys.enter) handlers[type] = (node) => into.push(event('>', type, node));
  for (const type of keys.exit) handlers[`${type}:exit`] = (node) => into.push(event('<', type, node));
  const detector = { id: 'recorder', messages: {}, visit: { python: () => handlers } } as unknown as AnyDetector;
  return { detector, options: {}, ruleId: 'recorder', severity: 'info', fix: '', sharpEdge: '' };
}

/** The order a full cursor walk over named nodes gives. */
function walkOrder(code: string, keys: { enter: string[]; exit: string[] }): string[] {
  const tree = parser.parse(code)!;
  const cursor = tree.walk();
  const out: string[] = [];
  const visit = (exiting: boolean) => {
    if (!cursor.nodeIsNamed) return;
    const type = cursor.nodeType;
    if ((exiting ? keys.exit : keys.enter).includes(type)) out.push(event(exiting ? '<' : '>', type, cursor.currentNode));
  };
  for (;;) {
    visit(false);
    if (cursor.gotoFirstChild()) continue;
    visit(true);
    let done = false;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
      visit(true);
    }
    if (done) break;
  }
  cursor.delete();
  tree.delete();
  return out;
}

async function dispatchOrder(code: string, keys: { enter: string[]; exit: string[] }): Promise<string[]> {
  const got: string[] = [];
  const result = await lintPython({ code, filename: 'x.py' }, [recorder(keys, got)]);
  expect(result.errors).toEqual([]);
  return got;
}

function sources(): [string, string][] {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).map((f): [string, string] => [f, readFileSync(path.join(FIXTURES, f), 'utf8')]);
  const broken = fixtures.flatMap(([name, code]): [string, string][] => {
    const cut = Math.floor(code.length * 0.6);
    return [
      [`${name} cut short`, code.slice(0, cut)],
      [`${name} with garbage`, `${code.slice(0, cut)}(((\n  def :\n\tasync x = [\n${code.slice(cut)}`],
      [`${name} lines dropped`, code.slice(0, cut) + code.slice(cut + 37)],
    ];
  });
  return [...fixtures, ...broken, ['empty', ''], ['only a comment', '# nothing\n'], ['def with no body at end', 'async def f():\n    await a()\ndef g():']];
}

describe('python dispatch', () => {
  it('the fixtures are there to compare on', () => {
    expect(sources().length).toBeGreaterThan(20);
  });

  it.each(sources())('hands nodes to handlers in walk order: %s', async (_name, code) => {
    const keys = { enter: ENTER, exit: EXIT };
    const want = walkOrder(code, keys);
    expect(await dispatchOrder(code, keys)).toEqual(want);
  });

  it('finds the handled nodes: a recorder sees calls and exits', async () => {
    const got = await dispatchOrder('import a\nasync def f():\n    await a.b(1)\n', { enter: ['call'], exit: ['function_definition', 'module'] });
    expect(got).toEqual(['>call@34-40', '<function_definition@9-40', '<module@0-41']);
  });

  it('ignores handler keys the grammar lacks and supertypes, as a walk comparing type names did', async () => {
    const code = 'x = f(1)\n';
    const keys = { enter: ['no_such_node', 'expression', 'primary_expression', 'call'], exit: ['_compound_statement', 'module'] };
    expect(await dispatchOrder(code, keys)).toEqual(walkOrder(code, keys));
    expect(await dispatchOrder(code, keys)).toEqual(['>call@4-8', '<module@0-9']);
  });

  it('compiles the wasm a worker is handed', async () => {
    const wasm = await compilePythonWasm();
    expect(Object.keys(wasm).sort()).toEqual(['grammar', 'runtime']);
  });
});
