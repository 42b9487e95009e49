// Lint throughput and latency. Prints JSON lines (like cold-start.mjs).
//
// 1. Files/s on a real corpus: the .js files of three installed packages (eslint/lib, the MCP SDK's
//    dist/esm, zod/v4; about 580 files), copied to a temp folder because every linter skips
//    node_modules. perf-hunter (`validate`, all rules) against ESLint (flat config, only
//    `no-await-in-loop`) and oxlint (only `no-await-in-loop`), each as the CLI a user runs, start-up
//    included, alternating runs so machine noise hits all alike. Ratios are perf-hunter's time over
//    the peer's (below 1 = faster).
// 2. Single-file `lint` latency over MCP: the built server over stdio, `lint` with inline code
//    50 times after one warm-up call (which loads the parser and the skills), median and p95.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const calls = Number(process.env.BENCH_CALLS ?? 50);
const SOURCES = ['eslint/lib', '@modelcontextprotocol/sdk/dist/esm', 'zod/v4'];

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

// --- the corpus ---------------------------------------------------------------------------
const corpus = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-lint-bench-'));
let files = 0;
let bytes = 0;
for (const source of SOURCES) {
  const from = path.join(root, 'node_modules', source);
  for (const file of jsFiles(from)) {
    const to = path.join(corpus, 'src', source.replaceAll('/', '_'), path.relative(from, file));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(file, to);
    files++;
    bytes += statSync(file).size;
  }
}
const eslintConfig = path.join(corpus, 'eslint.config.mjs');
writeFileSync(
  eslintConfig,
  `export default [{ files: ['**/*.js'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module' }, rules: { 'no-await-in-loop': 'error' } }];\n`,
);

function time(command, args, expectStatus) {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: corpus, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.error || !expectStatus.includes(run.status)) {
    throw new Error(`${path.basename(args[0] ?? command)} exited ${run.status}: ${run.error?.message ?? run.stderr.slice(0, 500)}`);
  }
  return { ms, stdout: run.stdout };
}

const tools = {
  perfHunter: () => time(process.execPath, [path.join(root, 'dist/cli/main.js'), 'validate', 'src', '--format', 'json', '--fail-on', 'never'], [0]),
  eslint: () => time(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--config', eslintConfig, '--no-warn-ignored', 'src'], [0, 1]),
  oxlint: () => time(path.join(root, 'node_modules/.bin/oxlint'), ['-A', 'all', '-D', 'no-await-in-loop', 'src'], [0, 1]),
};
const times = { perfHunter: [], eslint: [], oxlint: [] };
let ours;
try {
  for (let i = 0; i < runs; i++) {
    for (const [name, run] of Object.entries(tools)) {
      const { ms, stdout } = run();
      times[name].push(ms);
      if (name === 'perfHunter') ours = JSON.parse(stdout);
    }
  }
} finally {
  rmSync(corpus, { recursive: true, force: true });
}
const ms = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
const perSecond = (t) => round(files / (t / 1000), 0);
console.log(
  JSON.stringify({
    bench: 'lint-throughput',
    runs,
    corpus: { sources: SOURCES, files, mb: round(bytes / 1e6, 1), lintedByPerfHunter: ours.files.scanned, findings: ours.total },
    perfHunterMs: round(ms.perfHunter),
    eslintMs: round(ms.eslint),
    oxlintMs: round(ms.oxlint),
    perfHunterFilesPerSec: perSecond(ms.perfHunter),
    eslintFilesPerSec: perSecond(ms.eslint),
    oxlintFilesPerSec: perSecond(ms.oxlint),
    ratioVsEslint: round(ms.perfHunter / ms.eslint, 2),
    ratioVsOxlint: round(ms.perfHunter / ms.oxlint, 2),
    note: 'CLI wall time incl. start-up; perf-hunter runs all its rules, the peers one rule (no-await-in-loop); oxlint is multi-threaded',
  }),
);

// --- single-file latency over MCP ---------------------------------------------------------
const { Client } = await import(path.join(root, 'node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js'));
const { StdioClientTransport } = await import(path.join(root, 'node_modules/@modelcontextprotocol/sdk/dist/esm/client/stdio.js'));
const code = `import fs from 'node:fs';
export async function handler(ids, db) {
  const rows = [];
  for (const id of ids) rows.push(await db.query('select * from t where id = $1', [id]));
  return { rows, config: fs.readFileSync('config.json', 'utf8') };
}
`;
const client = new Client({ name: 'bench', version: '0' });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(root, 'dist/cli/main.js'), 'serve'], stderr: 'ignore' }));
try {
  const call = async () => {
    const started = process.hrtime.bigint();
    const result = await client.callTool({ name: 'lint', arguments: { code, filename: 'handler.js' } });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.isError || !result.structuredContent.totals.byRule['n-plus-one'] || !result.structuredContent.totals.byRule['sync-io-in-async']) throw new Error(`unexpected lint answer: ${JSON.stringify(result).slice(0, 300)}`);
    return elapsed;
  };
  const firstMs = await call();
  const latencies = [];
  for (let i = 0; i < calls; i++) latencies.push(await call());
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'lint-mcp-latency',
      calls,
      firstCallMs: round(firstMs),
      medianMs: round(median(latencies), 2),
      p95Ms: round(latencies[Math.min(latencies.length - 1, Math.ceil(0.95 * latencies.length) - 1)], 2),
    }),
  );
} finally {
  await client.close();
}
