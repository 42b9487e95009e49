/** Shared by the plugin tests: the repo root, the built CLI and Claude Code's CLI, run offline. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'dist/cli/main.js');
export const claudeBin = path.join(repoRoot, 'node_modules/.bin/claude');
export const skillsRefBin = path.join(repoRoot, 'node_modules/.bin/skills-ref');
export const spawnerFixture = path.join(repoRoot, 'test/fixtures/plugin/spawner');

export const run = promisify(execFile);

/** No ANTHROPIC_*, CLAUDE_* or PERF_HUNTER_* from the developer's shell; a throwaway HOME; no traffic. */
export function offlineEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(ANTHROPIC_|CLAUDE_|PERF_HUNTER_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', ...extra };
}

/** Runs a command and returns its exit code and output, whatever the code. */
export async function runAny(file: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, timeout: 90_000 });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
