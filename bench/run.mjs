// `npm run bench`: runs every benchmark, each against a peer measured in the same run, and prints a
// table of ratios. The raw JSON lines go to bench/.out/latest.json for BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const benches = ['cold-start.mjs', 'skills-load.mjs', 'lint.mjs', 'profile.mjs', 'loadtest.mjs'].filter(
  (file) => existsSync(`${root}bench/${file}`) && (only.length === 0 || only.some((o) => file.includes(o))),
);

const results = [];
for (const file of benches) {
  process.stderr.write(`bench: ${file} ...\n`);
  const run = spawnSync(process.execPath, [`${root}bench/${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) {
    process.stderr.write(`bench: ${file} failed with exit ${run.status}\n`);
    process.exitCode = 1;
    continue;
  }
  for (const line of run.stdout.split('\n').filter(Boolean)) {
    const result = JSON.parse(line);
    results.push(result);
    console.log(JSON.stringify(result));
  }
}
mkdirSync(`${root}bench/.out`, { recursive: true });
writeFileSync(`${root}bench/.out/latest.json`, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
