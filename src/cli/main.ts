#!/usr/bin/env node
/**
 * The `perf-hunter` command. A `validate` over an unchanged tree is answered first by the replay
 * path (src/lint/replay), which loads neither commander nor the skills; everything else, and any
 * run the replay cannot vouch for, goes to the full command tree in ./program.ts.
 */
import { reportAndExit, CliError } from './errors.js';

async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  if (args[0] === 'validate') {
    const { replayValidate } = await import('./replay.js');
    if (await replayValidate(args.slice(1))) return;
  }
  const { runProgram } = await import('./program.js');
  await runProgram(argv);
}

main(process.argv).catch((error: unknown) => reportAndExit(error instanceof Error ? error : new CliError(String(error))));
