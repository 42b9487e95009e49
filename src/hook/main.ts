#!/usr/bin/env node
/**
 * `node dist/hook/main.js post-edit`: the same as `perf-hunter hook post-edit`, without the CLI's
 * argument parser and command table (~0.1 s of start-up on a quiet machine, more on a busy one),
 * for hook runners that start a process per edit. Only Node built-ins load before the warm helper
 * answers. Always exit 0 (see post-edit.ts).
 */
import { postEditFast } from './warm.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  if (process.argv[2] !== 'post-edit') {
    process.stderr.write('usage: node dist/hook/main.js post-edit  (Claude Code PostToolUse JSON on stdin)\n');
    return;
  }
  if (process.stdin.isTTY) {
    process.stderr.write('perf-hunter hook post-edit: expects Claude Code\'s PostToolUse JSON on stdin\n');
    return;
  }
  const outcome = await postEditFast(await readStdin());
  if (outcome.stdout) process.stdout.write(outcome.stdout);
  if (outcome.stderr) process.stderr.write(outcome.stderr);
}

main()
  .catch((error: unknown) => process.stderr.write(`perf-hunter hook: skipped (${error instanceof Error ? error.message : String(error)})\n`))
  .finally(() => {
    process.exitCode = 0;
  });
