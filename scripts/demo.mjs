#!/usr/bin/env node
/**
 * `npm run demo`: the whole hunt on examples/orders-api with perf-hunter's own CLI, in under a
 * minute on two cores: lint finds the planted problems; a load test with an SLO fails the N+1
 * route and the runtime probe proves the N+1; the fixed route passes and an A B A B comparison
 * shows it faster beyond noise; a profile under load names the hotspot and the queries per
 * request. Writes the flame graph and the latency pictures into one folder and prints a short
 * report. Usage: node scripts/demo.mjs [--out DIR] (default ./perf-hunter-demo). Exit 0 when
 * every step showed what it should, 1 otherwise (with what did not hold), 2 on a usage error.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli/main.js');
const app = path.join(root, 'examples/orders-api');
const MARKER = '.perf-hunter-demo';
const LIMIT = 50;
const SLO = 'p50=50ms';
const CONNECTIONS = '4';

function usage(message) {
  process.stderr.write(`demo: ${message}\nusage: node scripts/demo.mjs [--out DIR]\n`);
  process.exit(2);
}

function outDirFrom(argv) {
  if (argv.length === 0) return path.resolve('perf-hunter-demo');
  if (argv[0] === '--out' && argv[1] && argv.length === 2) return path.resolve(argv[1]);
  return usage(`unknown arguments: ${argv.join(' ')}`);
}

/** Our own folder from an earlier run is replaced; anything else is never deleted. */
function prepareOut(dir) {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(path.join(dir, MARKER))) usage(`${dir} exists and is not an earlier demo folder: pass --out NEW_DIR`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MARKER), 'written by npm run demo; safe to delete\n');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `perf-hunter ARGS` (no shell); resolves with its exit code and parsed --json output. */
function perfHunter(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      let json = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        // Not JSON: an error, reported below with stderr.
      }
      if (!json) reject(new Error(`perf-hunter ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve({ code, json });
    });
  });
}

const ms = (v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
const rps = (r) => `${Math.round(r.requests.perSecond.mean)} req/s`;
const rel = (file) => path.relative(process.cwd(), file) || '.';
const routeOf = (report, route) => report.queries?.routes.find((r) => r.route === route) ?? null;

async function main() {
  const out = outDirFrom(process.argv.slice(2));
  if (!existsSync(cli)) usage(`${cli} is missing: run \`npm run build\` first (npm install does it)`);
  prepareOut(out);
  const started = Date.now();
  const problems = [];
  const lines = [`perf-hunter demo: the hunt on examples/orders-api (PGlite in memory: 200 customers, 5,000 orders)`, ''];
  const serve = (port) => ['--start', '--', process.execPath, path.join(app, 'server.js'), '--port', String(port)];
  const [portA, portB, portC] = [await freePort(), await freePort(), await freePort()];
  const slowUrl = (port) => `http://127.0.0.1:${port}/orders?limit=${LIMIT}`;
  const fastUrl = (port) => `http://127.0.0.1:${port}/orders-fast?limit=${LIMIT}`;

  // 1 and 2 together: lint reads files while the app of the first load test starts.
  process.stderr.write('demo: 1/4 lint and 2/4 load test of the N+1 route...\n');
  const [lint, slow] = await Promise.all([
    perfHunter(['validate', app, '--format', 'json', '--no-cache', '--fail-on', 'never']),
    perfHunter(['load-test', slowUrl(portA), '-d', '4', '-c', CONNECTIONS, '--slo', SLO, '--json', '--out', path.join(out, 'load-orders'), ...serve(portA)]),
  ]);
  const findings = lint.json.findings ?? [];
  const byRule = new Map();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), `${path.basename(f.file)}:${f.line}`]);
  lines.push(`1. lint: ${findings.length} findings in the example`);
  for (const [rule, where] of byRule) lines.push(`     ${rule.padEnd(18)} ${where.join(', ')}`);
  for (const rule of ['n-plus-one', 'sync-io-in-async', 'no-timeout', 'cache-no-ttl']) {
    if (!byRule.has(rule)) problems.push(`lint did not find the planted ${rule}`);
  }

  const slowRoute = routeOf(slow.json, 'GET /orders');
  lines.push('', `2. load test, SLO ${SLO}, ${CONNECTIONS} connections:`);
  lines.push(`     GET /orders?limit=${LIMIT}       ${slow.json.slo?.pass ? 'PASS' : 'FAIL'}  ${rps(slow.json)}, p50 ${ms(slow.json.latencyMs.p50)}, p99 ${ms(slow.json.latencyMs.p99)}, ${slowRoute?.queriesPerRequest.mean ?? '?'} queries/request`);
  const nPlusOne = slow.json.queries?.nPlusOne.find((n) => n.route === 'GET /orders');
  if (nPlusOne) lines.push(`     runtime N+1 proven (${nPlusOne.sharpEdge}): \`${nPlusOne.shape}\``, `       ${nPlusOne.evidence}`);
  if (slow.json.slo?.pass !== false) problems.push('the N+1 route met the SLO (the machine may be unusually fast: the comparison below still counts)');
  if (!nPlusOne) problems.push('the runtime probe did not report the N+1 on GET /orders');

  // 3: the fixed route, with the N+1 route of the same server as the baseline, A B A B.
  process.stderr.write('demo: 3/4 load test of the fixed route against the N+1 route (A B A B)...\n');
  const fast = await perfHunter([
    'load-test', fastUrl(portB), '-d', '6', '--rounds', '6', '--warmup', '1', '-c', CONNECTIONS, '--slo', SLO,
    '--baseline', slowUrl(portB), '--json', '--out', path.join(out, 'load-orders-fast'), ...serve(portB),
  ]);
  const fastRoute = routeOf(fast.json, 'GET /orders-fast');
  lines.push(`     GET /orders-fast?limit=${LIMIT}  ${fast.json.slo?.pass ? 'PASS' : 'FAIL'}  ${rps(fast.json)}, p50 ${ms(fast.json.latencyMs.p50)}, p99 ${ms(fast.json.latencyMs.p99)}, ${fastRoute?.queriesPerRequest.mean ?? '?'} queries/request`);
  if (!fast.json.slo?.pass) problems.push('the fixed route did not meet the SLO');
  const c = fast.json.comparison;
  const figure = (name) => c?.figures.find((f) => f.figure === name);
  const rpsFig = figure('rps');
  const p50Fig = figure('p50');
  const better = [rpsFig, p50Fig].filter((f) => f?.significant && !f.worse);
  const beyondNoise = better.length > 0;
  const outcome = !c ? 'no comparison' : c.regression ? 'slower' : beyondNoise ? 'faster, beyond noise' : 'no difference beyond run-to-run noise';
  lines.push('', `3. before/after (same server, ${c?.rounds ?? '?'} alternating rounds each): ${outcome}`);
  if (rpsFig && p50Fig) {
    lines.push(`     requests/s ${rpsFig.ratio}x (p=${rpsFig.pValue}), p50 ${p50Fig.ratio}x (p=${p50Fig.pValue})`);
  }
  if (!beyondNoise) problems.push('the fix was not faster beyond noise in the comparison');

  // 4: where the N+1 route spends its time, with the probe's queries per request.
  process.stderr.write('demo: 4/4 profile of the N+1 route under load...\n');
  const profileDir = path.join(out, 'profile-orders');
  const profile = await perfHunter([
    'profile', '--json', '--top', '40', '--out', profileDir, '--load', slowUrl(portC), '--load-duration', '4', '--connections', CONNECTIONS,
    '--', process.execPath, path.join(app, 'server.js'), '--port', String(portC),
  ]);
  const top = profile.json.topSelf?.[0];
  const profiledRoute = routeOf(profile.json, 'GET /orders');
  lines.push('', `4. profile under load: ${profile.json.bottleneck?.sentence ?? 'no bottleneck named'}`);
  if (top) lines.push(`     top hotspot: ${top.function} (${top.file ?? 'native'}${top.line ? `:${top.line}` : ''}) ${top.selfPercent}% self`);
  // The route handler's share, callees included: where the time goes in the app's own code.
  const handler = profile.json.topTotal?.find((h) => h.file?.endsWith('routes.js'));
  if (handler) lines.push(`     in the app's code: ${handler.function} (${handler.file}:${handler.line}) ${handler.totalPercent}% with callees`);
  if (profiledRoute) lines.push(`     GET /orders: ${profiledRoute.queriesPerRequest.mean} queries/request${profiledRoute.nPlusOne ? ', runtime N+1' : ''}`);
  if (!profiledRoute?.nPlusOne) problems.push('the profile under load did not carry the runtime N+1');

  lines.push('', `Files in ${rel(out)}:`);
  lines.push(`     flame graph      ${rel(profile.json.output.flamegraph)}`);
  for (const r of [slow.json, fast.json]) if (r.output?.svg) lines.push(`     latency picture  ${rel(r.output.svg)}`);
  lines.push('', problems.length === 0
    ? `Verdict: lint flagged the N+1, the probe proved it at run time (${slowRoute?.queriesPerRequest.mean} vs ${fastRoute?.queriesPerRequest.mean} queries/request), and the fix is faster beyond noise (${better.map((f) => `${f.figure} ${f.ratio}x`).join(', ')}). (${Math.round((Date.now() - started) / 1000)} s)`
    : `The demo's story did not fully hold: ${problems.join('; ')}. (${Math.round((Date.now() - started) / 1000)} s)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(path.join(out, 'report.txt'), `${lines.join('\n')}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`demo: ${error.message}\n`);
  process.exitCode = 1;
});
