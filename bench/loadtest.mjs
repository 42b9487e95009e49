// Load generation: requests/s that `perf-hunter load-test` (closed model, as built in dist/) drives
// against a trivial local server (its own process), side by side with the autocannon CLI and wrk
// at the same connections and duration. Runs rotate between the three so machine drift hits all
// alike; each figure is the median of BENCH_RUNS (>= 5) runs. Prints one JSON line.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, round } from './lib.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const autocannonBin = `${root}node_modules/.bin/autocannon`;
const wrkAvailable = await run('wrk', ['--version']).then(
  () => true,
  (error) => !/ENOENT/.test(String(error.code ?? error.message)),
);

const server = spawn(
  process.execPath,
  ['-e', "const s=require('http').createServer((q,r)=>r.end('ok\\n'));s.keepAliveTimeout=60000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/`;

const generators = {
  async perfHunter() {
    const { stdout } = await run(process.execPath, [`${root}dist/cli/main.js`, 'load-test', url, '-c', String(connections), '-d', String(seconds), '--json'], { maxBuffer: 1 << 26 });
    return JSON.parse(stdout).requests.perSecond.mean;
  },
  async autocannon() {
    const { stdout } = await run(autocannonBin, ['-c', String(connections), '-d', String(seconds), '-j', url], { maxBuffer: 1 << 26 });
    const result = JSON.parse(stdout);
    // The same measure as ours: answered requests over the run's measured duration.
    return result.requests.total / result.duration;
  },
  async wrk() {
    const { stdout } = await run('wrk', ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, url]);
    return Number(/Requests\/sec:\s*([\d.]+)/.exec(stdout)[1]);
  },
};
const names = Object.keys(generators).filter((name) => name !== 'wrk' || wrkAvailable);
if (!existsSync(`${root}dist/cli/main.js`)) throw new Error('run `npm run build` first');

const results = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let i = 0; i < runs; i++) {
    // Rotate the order each round: no generator always runs first (cold) or last (warm).
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const name of order) results[name].push(await generators[name]());
  }
} finally {
  server.kill('SIGTERM');
}
const perfHunterRps = median(results.perfHunter);
const autocannonRps = median(results.autocannon);
const wrkRps = wrkAvailable ? median(results.wrk) : null;
const pairRatios = results.perfHunter.map((v, i) => v / results.autocannon[i]);
console.log(
  JSON.stringify({
    bench: 'loadtest-throughput',
    runs,
    connections,
    seconds,
    perfHunterRps: round(perfHunterRps, 0),
    autocannonCliRps: round(autocannonRps, 0),
    wrkRps: wrkRps === null ? null : round(wrkRps, 0),
    ratioVsAutocannon: round(perfHunterRps / autocannonRps, 3),
    medianPairRatioVsAutocannon: round(median(pairRatios), 3),
    ratioVsWrk: wrkRps === null ? null : round(perfHunterRps / wrkRps, 3),
    target: 0.95,
  }),
);
