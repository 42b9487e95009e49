import { PGlite } from '@electric-sql/pglite';
import { writeFileSync, readFileSync } from 'node:fs';
let t = Date.now();
const db = new PGlite(); await db.waitReady; console.log('init', Date.now() - t); t = Date.now();
await db.exec('create table c(id int primary key); insert into c select g from generate_series(1,5000) g'); console.log('seed', Date.now()-t); t=Date.now();
const dump = await db.dumpDataDir('gzip'); const buf = Buffer.from(await dump.arrayBuffer()); writeFileSync('/tmp/p-snap.tgz', buf); console.log('dump', buf.length, Date.now()-t); t=Date.now();
const db2 = new PGlite({ loadDataDir: new Blob([readFileSync('/tmp/p-snap.tgz')]) }); await db2.waitReady; console.log('load', Date.now()-t, (await db2.query('select count(*) from c')).rows);
