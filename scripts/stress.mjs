#!/usr/bin/env node
/**
 * `npm run stress`: the long versions of the reliability tests (test/reliability), run against the
 * BUILT package (`npm run build` first; the npm script does it). Not part of `npm test`.
 *
 *   calls    10,000 tool calls over one stdio connection; the server's RSS and high-water mark
 *   fuzz     the fixed-seed JSON-RPC fuzz of test/reliability/fuzz.test.ts with FUZZ_COUNT messages
 *   tree     lint of a generated 100,000-file directory (temp dir, removed afterwards)
 *   corpus   load a ~/.spawner/skills-shaped tree (--skills DIR) and run every regex validation
 *            over a large source tree (--source DIR, default this repo's node_modules)
 *
 * Usage: node scripts/stress.mjs [calls] [fuzz] [tree] [corpus] [--calls N] [--fuzz N] [--files N]
 *                                [--skills DIR] [--source DIR] [--timeout S] [--json FILE]
 * With no part named, runs calls, fuzz and tree, and corpus when --skills is given. Prints one
 * summary per part and exits 1 when a part failed or hung.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const dist = (p) => pathToFileURL(path.join(repo, 'dist', p)).href;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: 'string', default: '10000' },
    fuzz: { type: 'string', default: '50000' },
    files: { type: 'string', default: '100000' },
    skills: { type: 'string' },
    source: { type: 'string', default: path.join(repo, 'node_modules') },
    timeout: { type: 'string', default: '1800' },
    json: { type: 'string' },
  },
});
const parts = positionals.length ? positionals : ['calls', 'fuzz', 'tree', ...(values.skills ? ['corpus'] : [])];
const timeoutMs = Number(values.timeout) * 1000;
const results = {};
let failed = false;

/** VmRSS and VmHWM (the kernel's own high-water mark) of a live process, in MB. */
async function memory(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

/** Live processes whose parent chain reaches `pid` (after a part: there should be none). */
async function descendants(pid) {
  const { readdir } = await import('node:fs/promises');
  const parent = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone
    }
  }
  const found = [];
  let frontier = [pid];
  while (frontier.length) {
    const next = [...parent].filter(([, p]) => frontier.includes(p)).map(([c]) => c);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s: HUNG`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function partCalls() {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const total = Number(values.calls);
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, 'serve'], stderr: 'ignore', cwd: repo });
  const client = new Client({ name: 'stress', version: '1' });
  await client.connect(transport);
  const pid = transport.pid;
  const start = await memory(pid);
  const calls = [
    () => client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-queries' } }),
    () => client.callTool({ name: 'list_skills', arguments: {} }),
    () => client.callTool({ name: 'lint', arguments: { code: 'async function f(u, db) { for (const x of u) { await db.query(x); } }', filename: 'a.ts' } }),
    () => client.callTool({ name: 'handoff', arguments: { text: 'our vector search got really slow' } }),
    () => client.readResource({ uri: 'skill://performance-hunter' }),
    () => client.callTool({ name: 'explain', arguments: { id: 'no-such-id' } }),
  ];
  let done = 0;
  let errors = 0;
  const samples = [];
  const started = performance.now();
  // 10 in flight at a time, on one connection.
  const worker = async () => {
    while (done < total) {
      const n = done++;
      try {
        const result = await calls[n % calls.length]();
        if (result.isError && n % calls.length !== 5) errors++;
      } catch {
        errors++;
      }
      if (n % 1000 === 999) samples.push({ calls: n + 1, ...(await memory(pid)) });
    }
  };
  await withTimeout(Promise.all(Array.from({ length: 10 }, worker)), 'calls');
  const end = await memory(pid);
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  const left = await descendants(process.pid);
  results.calls = { calls: total, unexpectedErrors: errors, seconds: Number(seconds.toFixed(1)), startRssMb: start.rssMb, endRssMb: end.rssMb, highWaterMb: end.hwmMb, samples, orphans: left.length };
  console.log(`calls: ${total} calls in ${seconds.toFixed(1)} s, ${errors} unexpected errors; server RSS ${start.rssMb} -> ${end.rssMb} MB, high-water ${end.hwmMb} MB`);
  if (errors > 0) failed = true;
}

async function partFuzz() {
  const count = Number(values.fuzz);
  const output = await withTimeout(
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repo, 'node_modules/vitest/vitest.mjs'), 'run', 'test/reliability/fuzz.test.ts'], {
        cwd: repo,
        env: { ...process.env, FUZZ_COUNT: String(count) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, text }));
    }),
    'fuzz',
  );
  // vitest colours its output; the figures are the test's own `stdio fuzz:` / `HTTP fuzz:` lines.
  // eslint-disable-next-line no-control-regex
  const lines = output.text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => /^(stdio|HTTP) fuzz:/.test(l));
  results.fuzz = { messages: count, passed: output.code === 0, lines };
  console.log(`fuzz: ${count} stdio messages + ${Math.round(count / 2)} HTTP POSTs: ${output.code === 0 ? 'passed' : 'FAILED'}`);
  for (const line of lines) console.log(`  ${line}`);
  if (output.code !== 0) {
    failed = true;
    console.log(output.text.slice(-4000));
  }
}

async function partTree() {
  const files = Number(values.files);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'perf-hunter-stress-tree-'));
  try {
    const perDir = 100;
    for (let d = 0; d < Math.ceil(files / perDir); d++) {
      const sub = path.join(dir, `pkg${d}`);
      await mkdir(sub);
      await Promise.all(
        Array.from({ length: Math.min(perDir, files - d * perDir) }, (_, i) =>
          writeFile(
            path.join(sub, `m${i}.${i % 3 === 0 ? 'py' : 'ts'}`),
            i % 3 === 0 ? `def f${i}(rows):\n    return [r * 2 for r in rows]\n` : `export async function f${i}(users: string[], db: any) {\n  for (const u of users) { await db.query(u); }\n}\n`,
          ),
        ),
      );
    }
    const started = performance.now();
    const run = await withTimeout(
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, 'validate', '--format', 'json', '--no-cache', '--no-config', '--fail-on', 'never', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        let hwmMb = 0;
        const poll = setInterval(() => memory(child.pid).then((m) => (hwmMb = Math.max(hwmMb, m.hwmMb)), () => undefined), 200);
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.once('error', reject);
        child.once('exit', (code) => {
          clearInterval(poll);
          resolve({ code, out, err, hwmMb });
        });
      }),
      'tree',
    );
    const seconds = (performance.now() - started) / 1000;
    let report;
    try {
      report = JSON.parse(run.out);
    } catch {
      throw new Error(`validate printed no JSON report (exit ${run.code}): ${run.err.slice(-2000)}`);
    }
    results.tree = { files, scanned: report.files.scanned, findings: report.totals?.bySeverity ?? null, findingsTotal: report.total ?? report.findings.length, seconds: Number(seconds.toFixed(1)), highWaterMb: run.hwmMb, exit: run.code };
    console.log(`tree: ${files} files generated, ${report.files.scanned} scanned in ${seconds.toFixed(1)} s, ${results.tree.findingsTotal} findings, lint high-water ${run.hwmMb} MB (sampled every 200 ms)`);
    if (run.code !== 0 || report.files.scanned < files) failed = true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function partCorpus() {
  if (!values.skills) throw new Error('corpus needs --skills DIR (a ~/.spawner/skills-shaped tree)');
  const { loadSkills } = await import(dist('skills/load.js'));
  const { runLint } = await import(dist('lint/run-lint.js'));
  const started = performance.now();
  const loaded = await withTimeout(loadSkills({ dirs: [path.resolve(values.skills)], includeBuiltin: false, cache: false, agentSkillDirs: false }), 'corpus load');
  const loadSeconds = (performance.now() - started) / 1000;
  const why = {};
  for (const p of loaded.problems) {
    const reason = p.message.replace(/"[^"]*"|\/[^/]+\/|\d+/g, '…').slice(0, 80);
    why[`${p.severity}: ${reason}`] = (why[`${p.severity}: ${reason}`] ?? 0) + 1;
  }
  const regexRules = loaded.skills.flatMap((s) => s.validations.filter((v) => v.kind === 'regex' && v.runnable !== false).map((v) => v.id));
  console.log(`corpus: ${loaded.skills.length} skills loaded in ${loadSeconds.toFixed(1)} s, ${loaded.problems.length} problems, ${regexRules.length} regex validations`);
  const top = Object.entries(why).sort((a, b) => b[1] - a[1]).slice(0, 15);
  for (const [reason, n] of top) console.log(`  ${String(n).padStart(5)}  ${reason}`);

  const scanStarted = performance.now();
  const controller = new AbortController();
  const report = await withTimeout(
    runLint({ paths: [path.resolve(values.source)], rules: [...new Set(regexRules)] }, { cwd: path.resolve(values.source), skills: loaded.skills, cache: false, all: true, config: false, signal: controller.signal }),
    'corpus scan',
  ).finally(() => controller.abort());
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  const skippedRules = report.errors.filter((e) => /skipped/.test(e.message));
  results.corpus = {
    skills: loaded.skills.length,
    problems: loaded.problems.length,
    problemsBySeverity: { error: loaded.problems.filter((p) => p.severity === 'error').length, warning: loaded.problems.filter((p) => p.severity === 'warning').length },
    topReasons: Object.fromEntries(top),
    regexValidations: regexRules.length,
    rulesRun: report.rules.length,
    filesScanned: report.files.scanned,
    filesSkipped: report.files.skipped,
    skippedBy: report.files.skippedBy,
    findings: report.findings.length,
    ruleSkipsOverBudget: skippedRules.length,
    loadSeconds: Number(loadSeconds.toFixed(1)),
    scanSeconds: Number(scanSeconds.toFixed(1)),
    hung: false,
  };
  console.log(`  scan of ${values.source}: ${report.files.scanned} files (${report.files.skipped} skipped), ${report.rules.length} rules, ${report.findings.length} findings, ${skippedRules.length} rule/file pairs over budget, ${scanSeconds.toFixed(1)} s: nothing hung`);
}

const table = { calls: partCalls, fuzz: partFuzz, tree: partTree, corpus: partCorpus };
for (const part of parts) {
  if (!table[part]) {
    console.error(`unknown part "${part}": use calls, fuzz, tree or corpus`);
    process.exit(2);
  }
  try {
    await table[part]();
  } catch (error) {
    failed = true;
    results[part] = { error: error.message };
    console.log(`${part}: FAILED: ${error.message}`);
  }
}
const orphans = await descendants(process.pid);
results.orphansAtEnd = orphans.length;
console.log(`child processes left at the end: ${orphans.length}`);
if (values.json) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
process.exit(failed || orphans.length ? 1 : 0);
