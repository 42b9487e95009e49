// Profiler overhead: wall time of the same CPU-bound program (a fixed amount of work, ~2-3 s) with
// and without the profiler that `perf-hunter profile` injects (dist/profile/preload.cjs through
// NODE_OPTIONS at the default 1000 µs interval, profile written at exit), alternating runs so
// machine noise hits both alike. The CLI's own start-up and analysis are reported separately
// (endToEndMs): they are a fixed cost, not a slowdown of the program. Prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 7);
const work = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-bench-profile-'));
const program = path.join(work, 'cpu-bound.js');
writeFileSync(
  program,
  `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function mix(n) { let h = 0; for (let i = 0; i < n; i++) h = (h * 31 + (i ^ (h >>> 7))) | 0; return h; }
let sink = 0;
for (let r = 0; r < 72; r++) sink += fib(27) + mix(2e7);
if (sink === 0.5) console.log(sink);
`,
);

function timeRun(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

const profileDir = path.join(work, 'profile');
mkdirSync(profileDir);
const profilerEnv = {
  ...process.env,
  NODE_OPTIONS: `--require ${JSON.stringify(`${root}dist/profile/preload.cjs`)}`,
  PERF_HUNTER_PROFILE_DIR: profileDir,
  PERF_HUNTER_PROFILE_CPU_INTERVAL_US: '1000',
};
const plain = [];
const profiled = [];
let endToEnd = 0;
try {
  for (let i = 0; i < runs; i++) {
    plain.push(await timeRun(process.execPath, [program]));
    profiled.push(await timeRun(process.execPath, [program], profilerEnv));
  }
  endToEnd = await timeRun(process.execPath, [`${root}dist/cli/main.js`, 'profile', '--json', '--out', path.join(work, 'out'), '--', process.execPath, program]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const plainMs = median(plain);
const profiledMs = median(profiled);
console.log(
  JSON.stringify({
    bench: 'profile-overhead',
    runs,
    plainMs: round(plainMs),
    profiledMs: round(profiledMs),
    ratio: round(profiledMs / plainMs, 2),
    budget: 1.05,
    endToEndMs: round(endToEnd),
  }),
);
