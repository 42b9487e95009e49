/** The engine's shared parts: call shapes, import-aware names, configuration from YAML, bad input. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineDetector } from '../../src/lint/define.js';
import nPlusOne from '../../src/lint/detectors/database/n-plus-one.js';
import { configureFromValidation, lintFile } from '../../src/lint/engine/index.js';
import { compileShapes, matchesShape } from '../../src/lint/engine/names.js';
import { lintSource } from '../../src/lint/run.js';
import { Finding } from '../../src/lint/schema.js';
import { Validation } from '../../src/skills/model.js';

/** Reports the resolved name of every call, so tests see what detectors match against. */
const probe = defineDetector({
  ...nPlusOne,
  requires: undefined, // its own pre-filter would hide files from this test detector
  id: 'probe',
  messages: { name: '{{name}}' },
  options: z.object({}),
  visit: {
    typescript: (ctx) => ({
      CallExpression(node) {
        ctx.report({ node, messageId: 'name', data: { name: ctx.names.qualifiedName(node.expression) ?? '?' } });
      },
    }),
    python: (ctx) => ({
      call(node) {
        const fn = node.childForFieldName('function');
        ctx.report({ node, messageId: 'name', data: { name: fn ? ctx.names.qualifiedName(fn) ?? '?' : '?' } });
      },
    }),
  },
});

const namesIn = async (code: string, filename: string) =>
  (await lintSource({ code, filename, detectors: [probe] })).map((f) => f.message);

describe('call shapes', () => {
  const cases: [string, string, boolean][] = [
    ['*.query', 'pool.query', true],
    ['*.query', 'db.pool.query', true],
    ['*.query', 'query', true],
    ['*.query', 'pool.queryRaw', false],
    ['prisma.*.find*', 'prisma.user.findMany', true],
    ['prisma.*.find*', 'prisma.findMany', false],
    ['fs.*Sync', 'fs.readFileSync', true],
    ['fs.*Sync', 'fs.promises.readFile', false],
    ['fs.*Sync', 'fs.fsync', false],
    ['**.objects.*', 'shop.models.Book.objects.get', true],
    ['knex().**', 'knex().where().first', true],
    ['pathlib.Path().read_*', 'pathlib.Path().read_text', true],
    ['fetch', 'window.fetch', false],
  ];
  it.each(cases)('%s vs %s -> %s', (pattern, name, expected) => {
    expect(compileShapes([pattern])(name)).toBe(expected);
  });

  it('a list matches a name exactly when one of its shapes does, whatever the last segments', () => {
    const shapes = cases.map(([pattern]) => pattern).concat(['**.api.get', 'axios.create().get', '*Repository.save', 'a.b?', '**']);
    const list = compileShapes(shapes.slice(0, -1));
    const names = [...cases.map(([, name]) => name), 'clients.api.get', 'axios.create().get', 'axios.create().post', 'userRepository.save', 'a.bc', 'a.b', 'x.y.z', '<expr>.query', ''];
    for (const name of names) {
      expect(list(name), name).toBe(shapes.slice(0, -1).some((shape) => matchesShape(name, shape)));
    }
    expect(list(undefined)).toBe(false);
    expect(compileShapes(shapes)('x.y.z')).toBe(true);
    expect(compileShapes([])('query')).toBe(false);
  });
});

describe('import-aware names', () => {
  it('resolves TS/JS imports, requires and aliases', async () => {
    const code = [
      "import * as f from 'node:fs';",
      "import fsx from 'fs-extra';",
      "import { execSync as run } from 'child_process';",
      "import { User } from './models';",
      "const { readFileSync: rfs } = require('fs');",
      "const cp = require('node:child_process');",
      "import zlib = require('zlib');",
      'f.readFileSync(a); fsx.copySync(a); run(b); User.findOne(c); rfs(d); cp.spawnSync(e); zlib.gzipSync(g);',
      'this.pool.query(h); (await getDb()).query(i);',
    ].join('\n');
    expect(await namesIn(code, 'a.ts')).toEqual([
      'require', 'require', 'fs.readFileSync', 'fs-extra.copySync', 'child_process.execSync', 'User.findOne', 'fs.readFileSync',
      'child_process.spawnSync', 'zlib.gzipSync', 'pool.query', 'getDb().query', 'getDb',
    ]);
  });

  it('resolves Python imports, aliases and function-local imports', async () => {
    const code = [
      'import requests as r',
      'import os.path',
      'from time import sleep as zz',
      'from .models import Book as B',
      'def f(self):',
      '    import subprocess as sp',
      '    r.get(u); os.path.join(a, b); zz(1); B.objects.get(pk=1); sp.run(c); self.session.execute(q)',
    ].join('\n');
    expect(await namesIn(code, 'a.py')).toEqual([
      'requests.get', 'os.path.join', 'time.sleep', 'Book.objects.get', 'subprocess.run', 'session.execute',
    ]);
  });
});

describe('findings', () => {
  it('are valid Finding objects with 1-based positions and the source line', async () => {
    const code = "import fs from 'fs';\nexport async function h() {\n  return fs.readFileSync('x');\n}\n";
    const [finding] = await lintSource({ code, filename: 'src/h.ts', detectors: ['sync-io-in-async'] });
    expect(Finding.parse(finding)).toEqual(finding);
    expect(finding).toMatchObject({
      ruleId: 'sync-io-in-async', severity: 'error', file: 'src/h.ts', line: 3, column: 10, endLine: 3, endColumn: 30,
      sourceLine: "  return fs.readFileSync('x');", sharpEdge: 'async-not-parallel',
    });
  });

  it('take rule id, severity, fix, sharp edge, handoff and snake_case options from a YAML validation', async () => {
    const validation = Validation.parse({
      id: 'my-n1', name: 'n+1', kind: 'ast', runnable: true, severity: 'warning', detector: 'n-plus-one',
      fix: 'batch it', sharpEdge: 'custom-edge', options: { db_calls: ['*.lookup'] },
      handoff: { skill: 'postgres-wizard', when: 'the batched query is slow' },
    });
    const result = await lintFile(
      { code: 'for (const id of ids) { await cache.lookup(id); await db.query(id); }', filename: 'x.ts' },
      [configureFromValidation(validation, nPlusOne)],
    );
    // YAML lists extend the built-in call shapes: the added `*.lookup` and the default `*.query` both count.
    expect(result.findings.map((f) => f.sourceLine.slice(f.column - 1, f.endColumn - 1))).toEqual(['cache.lookup(id)', 'db.query(id)']);
    expect(result.findings[0]).toMatchObject({
      ruleId: 'my-n1', severity: 'warning', fix: 'batch it', sharpEdge: 'custom-edge',
      handoff: { skill: 'postgres-wizard', reason: 'the batched query is slow' },
    });
  });
});

describe('bad input gets a clear error', () => {
  it('unknown detector', async () => {
    await expect(lintSource({ code: '', filename: 'a.ts', detectors: ['nope'] })).rejects.toThrow(/^unknown detector "nope" \(known: [a-z-]+(, [a-z-]+)*\)$/);
  });
  it('unsupported file type', async () => {
    await expect(lintSource({ code: '', filename: 'a.rb' })).rejects.toThrow(/cannot lint a\.rb: unsupported file type/);
  });
  it('options of the wrong type', async () => {
    await expect(lintSource({ code: '', filename: 'a.ts', options: { 'n-plus-one': { db_calls: 3 } } })).rejects.toThrow(/invalid options for detector n-plus-one: dbCalls/);
  });
  it('options for a detector not selected', async () => {
    await expect(lintSource({ code: '', filename: 'a.ts', detectors: ['n-plus-one'], options: { 'no-timeout': {} } })).rejects.toThrow(/not selected: no-timeout/);
  });
  it('broken source is linted as far as it parses, without a crash', async () => {
    await expect(lintSource({ code: 'async function f( { fs.readFileSync(', filename: 'a.ts' })).resolves.toBeInstanceOf(Array);
    await expect(lintSource({ code: 'async def f(:\n    time.sleep(', filename: 'a.py' })).resolves.toBeInstanceOf(Array);
  });
  it('a crashing detector is named with the place, and other files still lint', async () => {
    const crashing = defineDetector({ ...probe, id: 'crashing', visit: { python: () => ({ call() { throw new Error('boom'); } }) } });
    await expect(lintSource({ code: 'x = 1\nf()\n', filename: 'a.py', detectors: [crashing] })).rejects.toThrow(/detector crashing failed at a\.py:2:1: boom/);
    const ok = await lintSource({ code: 'f()\n', filename: 'b.py', detectors: [probe] });
    expect(ok.map((f) => f.message)).toEqual(['f']);
  });
});
