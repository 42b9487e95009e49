/** Options every command that reads skills shares, so `--skills-dir` means the same everywhere. */
import type { Command } from 'commander';
import { CliError } from './errors.js';

export interface SkillDirOptions {
  skillsDir?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the repeatable `--skills-dir DIR` option (extra skill folders; also PERF_HUNTER_SKILLS_DIR). */
export function withSkillDirs(command: Command): Command {
  return command.option(
    '--skills-dir <dir>',
    'extra skill folder: a perf-hunter layout or a Spawner tree (repeatable; also $PERF_HUNTER_SKILLS_DIR)',
    collect,
  );
}

/** The directories to load, from the flags and the environment. Lazy so commands stay cheap to parse. */
export async function skillDirsFrom(options: SkillDirOptions): Promise<string[]> {
  const { resolveSkillDirs } = await import('../skills/load.js');
  return resolveSkillDirs({ cliDirs: options.skillsDir ?? [], env: process.env });
}

/** Writes JSON for machines: stable key order as built, two-space indent, trailing newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A numeric flag value; anything else is a one-line usage error naming the flag. */
export function numberFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag} must be a number, got "${value}"`);
  return n;
}
