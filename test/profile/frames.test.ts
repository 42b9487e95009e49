/** Which package a profiled frame's time is charged to: the split between "our code" and dependencies. */
import { describe, expect, it } from 'vitest';
import { nodePackageOf } from '../../src/profile/frames.js';

describe('nodePackageOf', () => {
  it.each([
    ['/app/src/routes.js', null],
    ['/app/node_modules/pg/lib/client.js', 'pg'],
    ['/app/node_modules/@electric-sql/pglite/dist/index.js', '@electric-sql/pglite'],
    ['/app/node_modules/a/node_modules/b/index.js', 'b'],
    ['node:fs', 'node'],
    ['wasm://wasm/022a9842', 'WebAssembly'],
    [null, 'native'],
  ])('%s -> %s', (file, expected) => {
    expect(nodePackageOf(file)).toBe(expected);
  });
});
