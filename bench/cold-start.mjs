// Cold start: spawn -> `initialize` answer, perf-hunter's server against a minimal one-tool SDK server.
// Runs alternate between the two so machine noise hits both alike. Prints one JSON line.
import { fileURLToPath } from 'node:url';
import { median, round, timeToInitialize } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const ours = [];
const peer = [];
for (let i = 0; i < runs; i++) {
  peer.push(await timeToInitialize(process.execPath, [`${root}bench/minimal-server.mjs`]));
  ours.push(await timeToInitialize(process.execPath, [`${root}dist/cli/main.js`, 'serve']));
}
const oursMs = median(ours);
const peerMs = median(peer);
console.log(
  JSON.stringify({
    bench: 'cold-start',
    runs,
    perfHunterMs: round(oursMs),
    minimalSdkServerMs: round(peerMs),
    ratio: round(oursMs / peerMs, 2),
    budget: 1.5,
  }),
);
