/**
 * CLI error handling: bad input is reported as one line on stderr and a non-zero exit, never a
 * stack trace. Exit codes follow ESLint: 0 clean, 1 findings / failed checks, 2 usage or input errors.
 */
export const ExitCode = { ok: 0, findings: 1, usage: 2 } as const;

/** An error meant for the user: its message is the whole story, so no stack is printed. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.usage) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `perf-hunter: <message>` on one line; anything unexpected still gets one line, plus a hint. */
export function reportAndExit(error: unknown): never {
  if (error instanceof CliError) {
    process.stderr.write(`perf-hunter: ${oneLine(error.message)}\n`);
    process.exit(error.exitCode);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`perf-hunter: ${oneLine(message)} (set PERF_HUNTER_DEBUG=1 for the stack)\n`);
  if (process.env.PERF_HUNTER_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(ExitCode.usage);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
