/**
 * The runtime probe inside real targets: exact queries per request for apps whose counts are
 * known (1, N+1 for N = 10 and 50, a fixed repeat of 3), PGlite for real through `import`, the
 * pg and mysql2 wrappers against small fake packages (a test of the wrapping mechanism, through
 * `require` and through the loader hooks), and a target using none of them behaving the same.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROBE, probeEnv, readProbe } from '../../src/probe/collect.js';
import type { ProbeReport, RouteQueries } from '../../src/probe/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function route(report: ProbeReport, name: string): RouteQueries {
  const found = report.routes.find((r) => r.route === name);
  if (!found) throw new Error(`no route ${name} in ${report.routes.map((r) => r.route).join(', ')}`);
  return found;
}

/** Starts `file` with the probe, sends `paths` one after another, stops it and reads the probe. */
async function probeRun(file: string, paths: string[], cwd: string): Promise<ProbeReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ph-probe-test-'));
  const child = spawn(process.execPath, [file], { cwd, env: probeEnv(process.env, dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening within 45 s: ${output}`)), 45_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`exited ${code} before listening: ${output}`)));
    });
    for (const p of paths) {
      const response = await fetch(base + p);
      expect(response.status, `${p}: ${output}`).toBe(200);
      await response.text();
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const report = await readProbe(dir);
  if (!report) throw new Error(`the probe wrote nothing; target output: ${output}`);
  return report;
}

describe('probe: queries per request', () => {
  it('counts PGlite queries exactly and calls only the growing route N+1', async () => {
    const report = await probeRun(
      path.join(fixtures, 'pglite-app.mjs'),
      ['/one', '/one', '/one', '/orders?n=10', '/orders?n=10', '/orders?n=50', '/orders?n=50', '/fixed', '/fixed'],
      fixtures,
    );
    expect(report.libraries).toEqual(['pglite']);
    const one = route(report, 'GET /one');
    expect(one).toMatchObject({ requests: 3, queriesPerRequest: { mean: 1, min: 1, max: 1 }, topRepeated: null, nPlusOne: null });

    const orders = route(report, 'GET /orders');
    expect(orders.requests).toBe(4);
    expect(orders.queriesPerRequest).toEqual({ mean: 31, min: 11, max: 51 });
    expect(orders.topRepeated).toMatchObject({
      shape: 'SELECT name FROM item WHERE id = ?',
      perRequest: { mean: 30, min: 10, max: 50 },
      requests: 4,
      parentShape: 'SELECT id FROM item ORDER BY id LIMIT ?',
      parentMatchedPercent: 100,
    });
    expect(orders.nPlusOne).toMatchObject({ sharpEdge: 'n-plus-one-queries', route: 'GET /orders', shape: 'SELECT name FROM item WHERE id = ?', perRequestMax: 50 });
    expect(orders.nPlusOne!.evidence).toMatch(/once per row of `SELECT id FROM item ORDER BY id LIMIT \?`/);

    // sql`` goes through query: counted once per call; 3 every time is a repeat, not N+1.
    const fixed = route(report, 'GET /fixed');
    expect(fixed.queriesPerRequest).toEqual({ mean: 3, min: 3, max: 3 });
    expect(fixed.topRepeated).toMatchObject({ perRequest: { min: 3, max: 3 } });
    expect(fixed.nPlusOne).toBeNull();
    expect(report.nPlusOne.map((n) => n.route)).toEqual(['GET /orders']);
  });

  describe('the pg, mysql2 and better-sqlite3 wrappers, on fake packages with the same method names', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ph-probe-fakes-'));
    const pkg = (name: string, source: string): void => {
      mkdirSync(path.join(root, 'node_modules', name), { recursive: true });
      writeFileSync(path.join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
      writeFileSync(path.join(root, 'node_modules', name, 'index.js'), source);
    };
    pkg(
      'pg',
      `class Client { async query(q, values) {
         const text = typeof q === 'string' ? q : q.text;
         const n = /LIMIT/.test(text) ? (values ?? q.values)[0] : 1;
         return { rows: Array.from({ length: n }, (_, i) => ({ id: i + 1 })) };
       } }
       class Pool { query(q, v) { return new Client().query(q, v); } }
       module.exports = { Client, Pool };
       Object.defineProperty(module.exports, 'native', { enumerable: true, get() { throw new Error('pg.native must not be touched'); } });`,
    );
    pkg(
      'mysql2',
      `class Connection {
         query(sql, values, cb) { if (typeof values === 'function') cb = values; setImmediate(() => cb(null, [{ x: 1 }], [])); }
         execute(sql, values, cb) { return this.query(sql, values, cb); }
       }
       exports.Connection = Connection;
       exports.createConnection = () => new Connection();`,
    );
    pkg(
      'better-sqlite3',
      `class Statement {
         constructor(source) { this.source = source; }
         all() { return [{ id: 1 }, { id: 2 }, { id: 3 }]; }
         get() { return { name: 'x' }; }
         run() { return { changes: 1 }; }
       }
       class Database {
         prepare(source) { return new Statement(source); }
         exec() { return this; }
       }
       module.exports = Database;`,
    );
    for (const file of ['fake-drivers-app.cjs', 'fake-pg-esm-app.mjs']) writeFileSync(path.join(root, file), readFileSync(path.join(fixtures, file), 'utf8'));

    it('counts pg, mysql2 and better-sqlite3 queries of a CommonJS app (require path)', async () => {
      const report = await probeRun(path.join(root, 'fake-drivers-app.cjs'), ['/pg?n=10', '/pg?n=50', '/mysql', '/sqlite'], root);
      expect(report.libraries).toEqual(['better-sqlite3', 'mysql2', 'pg']);
      // better-sqlite3 (synchronous): exec + prepare().all() + one prepare().get() per row = 1 + 1 + 3.
      const sqlite = route(report, 'GET /sqlite');
      expect(sqlite.queriesPerRequest).toEqual({ mean: 5, min: 5, max: 5 });
      expect(sqlite.nPlusOne).toMatchObject({ shape: 'SELECT name FROM u WHERE id = ?', perRequestMax: 3 });
      const pg = route(report, 'GET /pg');
      expect(pg.queriesPerRequest).toEqual({ mean: 31, min: 11, max: 51 });
      expect(pg.nPlusOne).toMatchObject({ shape: 'SELECT * FROM u WHERE t_id = ?', perRequestMax: 50 });
      const mysql = route(report, 'GET /mysql');
      expect(mysql.queriesPerRequest).toEqual({ mean: 2, min: 2, max: 2 });
      expect(mysql.topRepeated!.shape).toBe('SELECT ? FROM dual WHERE x IN (?)');
      expect(mysql.nPlusOne).toBeNull();
    });

    it('counts pg queries of an ES module app (loader-hook path)', async () => {
      const report = await probeRun(path.join(root, 'fake-pg-esm-app.mjs'), ['/?n=10', '/?n=10'], root);
      expect(report.libraries).toEqual(['pg']);
      expect(route(report, 'GET /').queriesPerRequest).toEqual({ mean: 11, min: 11, max: 11 });
      expect(route(report, 'GET /').nPlusOne).toMatchObject({ perRequestMax: 10 });
    });
  });

  it('adds no failure to a target that uses none of the wrapped libraries: same output, same exit code', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ph-probe-plain-'));
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [path.join(fixtures, 'plain.mjs'), 'a', 'b'], { env, encoding: 'utf8' });
    const without = run(process.env);
    const withProbe = run(probeEnv(process.env, dir));
    expect(without.status).toBe(3);
    expect(withProbe.status).toBe(3);
    expect(withProbe.stdout).toBe(without.stdout);
    expect(withProbe.stderr).toBe(without.stderr);
    expect(PROBE).toMatch(/probe\.js$/);
  });
});
