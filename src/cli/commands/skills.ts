/**
 * `perf-hunter skills list` and `perf-hunter skills check [DIR...]`.
 * `check` is the CI gate for skill authors: it loads everything, prints every problem the way a
 * compiler does (file:line:column), and exits 1 when any is an error.
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { printJson, skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface CheckOptions extends SkillDirOptions {
  json?: boolean;
  builtin?: boolean;
}

export function register(program: Command): void {
  const skills = program.command('skills').description('list and check the loaded skills');

  withSkillDirs(
    skills
      .command('check')
      .description('load skill folders and report every problem as file:line:column; exit 1 on any error')
      .argument('[dirs...]', 'folders to check (default: the built-in skill and --skills-dir folders)')
      .option('--no-builtin', 'do not load the built-in Performance Hunter skill')
      .option('--json', 'print the problems and counts as JSON'),
  ).action(async (dirArgs: string[], options: CheckOptions) => {
    const [{ loadSkills }, { formatProblem }, extraDirs] = await Promise.all([
      import('../../skills/load.js'),
      import('../../skills/model.js'),
      skillDirsFrom(options),
    ]);
    const explicit = dirArgs.length > 0;
    const result = await loadSkills({
      dirs: [...dirArgs, ...extraDirs],
      // Checking a named folder should not drag our own skill's problems (or ids) into the report.
      includeBuiltin: explicit ? false : options.builtin !== false,
    });
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    const warnings = result.problems.length - errors;
    const runnable = result.skills.reduce((n, s) => n + s.validations.filter((v) => v.runnable).length, 0);
    const validations = result.skills.reduce((n, s) => n + s.validations.length, 0);
    if (options.json) {
      printJson({ ...result.stats, errors, warnings, validations, runnableValidations: runnable, problems: result.problems });
    } else {
      for (const problem of result.problems) process.stdout.write(`${formatProblem(problem)}\n`);
      process.stdout.write(
        `${result.stats.skills} skill(s) from ${result.stats.files} file(s) in ${Math.round(result.stats.ms)} ms; ` +
          `${validations} validation(s), ${runnable} runnable; ${errors} error(s), ${warnings} warning(s)\n`,
      );
    }
    if (errors > 0) process.exitCode = ExitCode.findings;
  });
}
