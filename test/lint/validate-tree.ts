/**
 * A small project tree in a temp folder for the validate/lint tests: code with known findings,
 * plus the things a walk must skip (node_modules, build output, .gitignore'd, minified, binary,
 * too large, unsupported, a symlink out of the tree).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Two findings: an N+1 on line 5 and a blocking read on line 7. */
export const HANDLER_TS = `import { readFileSync as slurp } from 'node:fs';
export async function listOrders(ids: string[], db: { query(sql: string, args: unknown[]): Promise<unknown> }) {
  const rows = [];
  for (const id of ids) {
    rows.push(await db.query('select id, total from orders where id = $1', [id]));
  }
  const template = slurp('orders.html', 'utf8');
  return { rows, template };
}
`;

/** One finding: time.sleep inside async def on line 5. */
export const WORKER_PY = `import time


async def poll(job):
    time.sleep(1)
    return job
`;

/** Clean: batched query, async read. */
export const CLEAN_TS = `import { readFile } from 'node:fs/promises';
export async function listOrders(ids: string[], db: { query(sql: string, args: unknown[]): Promise<unknown> }) {
  const rows = await db.query('select id, total from orders where id = any($1)', [ids]);
  return { rows, template: await readFile('orders.html', 'utf8') };
}
`;

export interface Tree {
  dir: string;
  /** A folder outside `dir`, holding a file with findings. */
  outside: string;
  cleanup(): void;
}

export function makeTree(): Tree {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-validate-')));
  const dir = path.join(base, 'project');
  const outside = path.join(base, 'elsewhere');
  const write = (rel: string, text: string | Buffer): void => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write('src/orders.ts', HANDLER_TS);
  write('src/clean.ts', CLEAN_TS);
  write('workers/poll.py', WORKER_PY);
  write('README.md', '# not code\n');
  write('.gitignore', 'generated/\n*.gen.ts\n');
  write('generated/orders.ts', HANDLER_TS);
  write('src/orders.gen.ts', HANDLER_TS);
  write('node_modules/dep/index.js', HANDLER_TS);
  write('dist/orders.js', HANDLER_TS);
  write('vendor/lib.min.js', HANDLER_TS);
  write('src/blob.js', Buffer.from([0x63, 0x6f, 0x00, 0x64, 0x65]));
  write('src/huge.js', `// ${'x'.repeat(1024 * 1024 + 10)}\n`);
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.ts'), HANDLER_TS);
  symlinkSync(path.join(outside, 'secret.ts'), path.join(dir, 'src/link.ts'));
  symlinkSync(outside, path.join(dir, 'escape'));
  return { dir, outside, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
