/**
 * Precompiled wasm (what the pool hands its workers): a thread given the compiled modules parses
 * with them instead of loading the files. Each test imports the engine afresh, so its parser
 * starts unloaded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { detectors } from '../../src/lint/detectors/index.js';
import { configureDetector } from '../../src/lint/engine/core.js';

const fixture = (id: string) => ({ filename: `${id}.py`, code: readFileSync(new URL(`../fixtures/lint/${id}.py`, import.meta.url), 'utf8') });
const rules = () => detectors.filter((d) => d.visit.python).map((d) => configureDetector(d));

async function freshEngine(): Promise<typeof import('../../src/lint/engine/python.js')> {
  vi.resetModules();
  return import('../../src/lint/engine/python.js');
}

describe('python wasm handed over compiled', () => {
  it('parses with the modules it is given and finds what the fixture expects', async () => {
    const engine = await freshEngine();
    engine.usePythonWasm(await engine.compilePythonWasm());
    const file = fixture('no-timeout');
    const result = await engine.lintPython(file, rules());
    expect(result.errors).toEqual([]);
    const expected = file.code.split('\n').filter((line) => line.includes('ruleid: no-timeout')).length;
    expect(expected).toBeGreaterThan(0);
    expect(result.findings.filter((f) => f.ruleId === 'no-timeout')).toHaveLength(expected);
  });

  it('really uses them: the runtime module in the grammar place fails to load', async () => {
    const engine = await freshEngine();
    const wasm = await engine.compilePythonWasm();
    engine.usePythonWasm({ runtime: wasm.runtime, grammar: wasm.runtime });
    await expect(engine.lintPython(fixture('no-timeout'), rules())).rejects.toThrow();
  });

  it('the first modules given win, as the parser is built once', async () => {
    const engine = await freshEngine();
    const wasm = await engine.compilePythonWasm();
    engine.usePythonWasm(wasm);
    engine.usePythonWasm({ runtime: wasm.runtime, grammar: wasm.runtime });
    const result = await engine.lintPython(fixture('sync-io-in-async'), rules());
    expect(result.errors).toEqual([]);
    expect(result.findings.length).toBeGreaterThan(0);
  });
});
