/**
 * The `perf-hunter` command tree. Each command lives in its own module under ./commands and
 * registers itself here; modules import only commander types at load time and pull in their
 * engine lazily, so `perf-hunter --help` never pays for ts-morph, tree-sitter or the MCP SDK.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError, ExitCode, reportAndExit } from './errors.js';
import { commands } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('perf-hunter')
    .description('Measure, don\'t guess: the Performance Hunter skill as a CLI and MCP server.')
    .version(pkg.version, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Commander prints its own message; we add nothing but keep its one line and our exit code.
    .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `perf-hunter: ${text}` : text) });
  for (const register of commands) register(program);
  return program;
}

export async function runProgram(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
    }
    reportAndExit(error instanceof Error || error instanceof CliError ? error : new CliError(String(error)));
  }
}
