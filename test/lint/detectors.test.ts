/** Option-driven cases per detector (fixtures cover the default shapes), and the tester's own strictness. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineDetector } from '../../src/lint/define.js';
import nPlusOne from '../../src/lint/detectors/database/n-plus-one.js';
import syncIoInAsync from '../../src/lint/detectors/async/sync-io-in-async.js';
import { checkCase, detectorTester } from './detector-tester.js';

detectorTester.run('n-plus-one', nPlusOne, {
  valid: [
    'for (const id of ids) { await cache.lookup(id); }',
    { code: 'for (const id of ids) { await db.query("select 1"); }', options: { ignore: ['db.query'] }, name: 'ignored by option' },
    { code: 'for (const r of ["a", "b", "c", "d"]) { await db.query(r); }', name: 'small literal list' },
    { code: 'for x in ids:\n    cache.lookup(x)\n', filename: 'case.py' },
  ],
  invalid: [
    {
      code: 'for (const id of ids) { await cache.lookup(id); }',
      options: { db_calls: ['*.lookup'] },
      name: 'YAML snake_case db_calls extends what counts',
      errors: [{ messageId: 'callInLoop', line: 1 }],
    },
    {
      code: 'for x in ids:\n    cache.lookup(x)\n',
      filename: 'case.py',
      options: { db_calls: { python: ['*.lookup'] } },
      errors: [{ messageId: 'callInLoop', line: 2 }],
    },
    {
      code: 'for (const r of ["a", "b", "c", "d"]) { await db.query(r); }',
      options: { small_literal_max: 2 },
      name: 'small_literal_max lowers the bar',
      errors: [{ messageId: 'callInLoop' }],
    },
    {
      code: 'const users = await Promise.all(\n  ids.map((id) =>\n    prisma.user\n      .findUnique({ where: { id } }),\n  ),\n);',
      name: 'a multi-line call is reported where the callee starts',
      errors: [{ messageId: 'fanOut', line: 3 }],
    },
  ],
});

detectorTester.run('sync-io-in-async', syncIoInAsync, {
  valid: [
    'import { readFileSync } from "fs";\nexport function load() { return readFileSync("x"); }',
    {
      code: 'import { readFileSync } from "fs";\nexport async function load() { return readFileSync("x"); }',
      options: { allow: ['fs.readFileSync'] },
      name: 'allowed by option',
    },
    { code: 'import time\nasync def f():\n    await asyncio.sleep(1)\n', filename: 'case.py' },
  ],
  invalid: [
    {
      code: 'import { readFileSync as r } from "node:fs";\nexport async function load() {\n  return r("x");\n}',
      errors: [{ messageId: 'blockingCall', line: 3 }],
    },
    {
      code: 'import legacy\nasync def f():\n    legacy.fetch_blocking()\n',
      filename: 'case.py',
      options: { blocking_calls: ['legacy.fetch_blocking'] },
      name: 'YAML flat blocking_calls list',
      errors: [{ messageId: 'blockingCall', line: 3 }],
    },
  ],
});

describe('detector tester strictness', () => {
  const flagged = 'for (const id of ids) { await db.query(id); }';

  it('fails an invalid case that lists no errors', async () => {
    expect(await checkCase(nPlusOne, { code: flagged, errors: [] }, 'invalid')).toEqual(['invalid case lists no errors']);
  });

  it('fails on a wrong count', async () => {
    const problems = await checkCase(nPlusOne, { code: flagged, errors: [{ messageId: 'callInLoop' }, { messageId: 'callInLoop' }] }, 'invalid');
    expect(problems.join()).toMatch(/expected 2 finding\(s\), got 1/);
  });

  it('fails on an unknown messageId', async () => {
    const problems = await checkCase(nPlusOne, { code: flagged, errors: [{ messageId: 'noSuchMessage' }] }, 'invalid');
    expect(problems.join()).toMatch(/unknown messageId "noSuchMessage"/);
  });

  it('fails on a wrong messageId or line', async () => {
    const problems = await checkCase(nPlusOne, { code: flagged, errors: [{ messageId: 'fanOut', line: 4 }] }, 'invalid');
    expect(problems.join('\n')).toMatch(/expected messageId fanOut, got callInLoop[\s\S]*expected line 4, got 1/);
  });

  it('fails on a valid case that is flagged', async () => {
    expect((await checkCase(nPlusOne, flagged, 'valid')).join()).toMatch(/expected 0 finding\(s\), got 1/);
  });

  it('fails on options that break the schema, naming the path', async () => {
    const problems = await checkCase(nPlusOne, { code: flagged, options: { small_literal_max: 'five' } }, 'valid');
    expect(problems.join()).toMatch(/invalid options for detector n-plus-one: smallLiteralMax: /);
  });

  it('fails when a visitor mutates the tree', async () => {
    const mutating = defineDetector({
      ...nPlusOne,
      requires: undefined, // its own pre-filter would hide files from this test detector
      id: 'mutating',
      messages: { x: 'x' },
      options: z.object({}),
      visit: {
        typescript: () => ({
          Identifier(node) {
            (node as { escapedText: string }).escapedText = 'changed';
          },
        }),
      },
    });
    expect((await checkCase(mutating, 'const a = 1;', 'valid')).join()).toMatch(/mutated the syntax tree/);
  });
});
