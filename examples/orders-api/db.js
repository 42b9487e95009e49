/**
 * The orders database: PGlite (Postgres compiled to WASM) in memory, so the example needs no
 * server, no network and no download. Seeded with enough rows that one query per order shows:
 * 200 customers, 5,000 orders, 3 items per order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const SCHEMA = `
  CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL);
  CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers(id),
    total_cents int NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE TABLE order_items (
    id serial PRIMARY KEY,
    order_id int NOT NULL REFERENCES orders(id),
    product text NOT NULL,
    quantity int NOT NULL
  );
  CREATE INDEX order_items_order_id ON order_items (order_id);
`;

// generate_series keeps the seed to three statements: row-by-row inserts would take seconds.
const SEED = `
  INSERT INTO customers
    SELECT g, 'Customer ' || g, 'customer' || g || '@example.test' FROM generate_series(1, 200) g;
  INSERT INTO orders
    SELECT g, 1 + (g * 7919) % 200, 500 + (g * 104729) % 20000, now() - g * interval '1 hour'
    FROM generate_series(1, 5000) g;
  INSERT INTO order_items (order_id, product, quantity)
    SELECT o, 'product-' || ((o * 31 + k) % 97), 1 + (o + k) % 4
    FROM generate_series(1, 5000) o, generate_series(1, 3) k;
`;

/**
 * A fresh PGlite runs initdb, which takes 5-20 s on a busy 2-core machine; loading a saved data
 * folder takes about 2 s. So the first start saves the seeded database as a tarball in the temp
 * folder (keyed by the PGlite version and this file's SQL) and later starts load it, each process
 * into its own memory. ORDERS_API_NO_SNAPSHOT=1 always starts from scratch.
 */
function snapshotFile() {
  // The package's exports hide package.json: read it beside the resolved entry (dist/index.cjs).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')).version;
  const key = createHash('sha256').update(`${version}\n${SCHEMA}\n${SEED}`).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), 'perf-hunter-orders-api', `seeded-${key}.tar.gz`);
}

async function readSnapshot(file) {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

export async function openDatabase({ snapshot = process.env.ORDERS_API_NO_SNAPSHOT !== '1' } = {}) {
  const file = snapshot ? snapshotFile() : null;
  const saved = file ? await readSnapshot(file) : null;
  if (saved) {
    try {
      const db = new PGlite({ loadDataDir: new Blob([saved]) });
      await db.waitReady;
      return db;
    } catch {
      // A damaged snapshot: build the database again below and overwrite it.
    }
  }
  const db = new PGlite();
  await db.exec(SCHEMA);
  await db.exec(SEED);
  if (file) {
    try {
      const tarball = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, tarball);
      await rename(temp, file); // atomic: a concurrent start reads a whole snapshot or none
    } catch {
      // No snapshot this time; the next start builds the database again.
    }
  }
  return db;
}
