/**
 * `perf-hunter hook post-edit`: the command Claude Code's PostToolUse hook runs (hooks/hooks.json).
 * It reads the hook JSON on stdin and never fails the agent's turn: whatever happens inside, the
 * exit code is 0 (see src/hook/post-edit.ts), so this command bypasses the CLI's usual exit codes.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  const hook = program.command('hook').description('commands run by coding-agent hooks (Claude Code plugin)');
  hook
    .command('post-edit')
    .description('PostToolUse hook for Write/Edit: lint the edited file, report findings to the agent as hook JSON')
    .action(async () => {
      let outcome: { stdout: string; stderr: string } = { stdout: '', stderr: '' };
      try {
        // Only Node built-ins at first: a warm helper, when one runs, answers without loading the linter here.
        const { postEditFast } = await import('../../hook/warm.js');
        // A terminal on stdin means a person ran it by hand: say what it expects instead of waiting.
        outcome = process.stdin.isTTY
          ? { stdout: '', stderr: 'perf-hunter hook post-edit: expects Claude Code\'s PostToolUse JSON on stdin\n' }
          : await postEditFast(await readStdin());
      } catch (error) {
        outcome = { stdout: '', stderr: `perf-hunter hook: skipped (${error instanceof Error ? error.message : String(error)})\n` };
      }
      if (outcome.stdout) process.stdout.write(outcome.stdout);
      if (outcome.stderr) process.stderr.write(outcome.stderr);
      process.exitCode = 0;
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
