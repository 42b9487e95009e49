/**
 * `perf-hunter skills list`, `perf-hunter skills check [DIR...]` and `perf-hunter skills export`.
 * `check` is the CI gate for skill authors: it loads everything, prints every problem the way a
 * compiler does (file:line:column), and exits 1 when any is an error.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { CliError, ExitCode } from '../errors.js';
import { printJson, skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface CheckOptions extends SkillDirOptions {
  json?: boolean;
  builtin?: boolean;
}

interface ListOptions extends SkillDirOptions {
  json?: boolean;
  tag?: string;
  limit?: string;
  cursor?: string;
}

export function register(program: Command): void {
  const skills = program.command('skills').description('list and check the loaded skills');

  withSkillDirs(
    skills
      .command('list')
      .description('list loaded skills (the built-in one, --skills-dir folders and $PERF_HUNTER_SKILLS_DIR)')
      .argument('[query]', 'free text matched against id, name, description, tags and triggers')
      .option('--tag <tag>', 'only skills with this tag')
      .option('--limit <n>', 'at most this many (default 50)')
      .option('--cursor <cursor>', 'continue from a previous page')
      .option('--json', 'print JSON'),
  ).action(async (query: string | undefined, options: ListOptions) => {
    const [{ SkillCatalog, listSkills, ListSkillsInput, ListSkillsError }, dirs] = await Promise.all([
      import('../../skills/catalog.js'),
      skillDirsFrom(options),
    ]);
    const input = parseFlags(ListSkillsInput, { query, tag: options.tag, limit: options.limit, cursor: options.cursor });
    const catalog = await SkillCatalog.load({ dirs });
    let result: ReturnType<typeof listSkills>;
    try {
      result = listSkills(catalog, input);
    } catch (error) {
      if (error instanceof ListSkillsError) throw new CliError(`--cursor: ${error.message}`);
      throw error;
    }
    if (options.json) return printJson(result);
    for (const s of result.skills) {
      process.stdout.write(`${s.id.padEnd(28)} ${s.name}${s.description ? ` — ${s.description}` : ''}\n`);
    }
    const more = result.nextCursor ? ` (more: --cursor ${result.nextCursor})` : '';
    process.stdout.write(`${result.skills.length} of ${result.total} skill(s)${more}\n`);
  });

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

  withSkillDirs(
    skills
      .command('export')
      .description('write loaded skills as Agent Skills folders (<name>/SKILL.md + references/) for Claude Code and other runners')
      .argument('[skills...]', 'skill ids to export (default: every loaded skill)')
      .requiredOption('--out <dir>', 'folder to write into, e.g. .claude/skills')
      .option('--format <format>', 'export format: agent-skill', 'agent-skill')
      .option('--no-builtin', 'do not load the built-in Performance Hunter skill'),
  ).action(async (ids: string[], options: ExportOptions) => {
    if (options.format !== 'agent-skill') throw new CliError(`--format must be agent-skill, got "${options.format}"`);
    const [{ loadSkills }, { renderAgentSkill, writeAgentSkill }, dirs] = await Promise.all([
      import('../../skills/load.js'),
      import('../../skills/export/agent-skill.js'),
      skillDirsFrom(options),
    ]);
    const result = await loadSkills({ dirs, includeBuiltin: options.builtin !== false });
    const unknown = ids.filter((id) => !result.skills.some((s) => s.id === id));
    if (unknown.length > 0) {
      throw new CliError(`unknown skill ${unknown.join(', ')}; loaded: ${result.skills.map((s) => s.id).join(', ') || 'none'} (add --skills-dir?)`);
    }
    // Installed Agent Skills already are Agent Skills: re-rendering them from the model would
    // replace their own SKILL.md body with ours, so only an explicit id exports one.
    const chosen = ids.length > 0 ? result.skills.filter((s) => ids.includes(s.id)) : result.skills.filter((s) => s.origin.format !== 'agent-skill');
    const skipped = ids.length > 0 ? [] : result.skills.filter((s) => s.origin.format === 'agent-skill');
    if (skipped.length > 0) {
      process.stderr.write(`skipped ${skipped.length} installed Agent Skill(s) (${skipped.map((s) => s.id).join(', ')}): they are in the format already; name one to re-export it from the model\n`);
    }
    if (chosen.length === 0) throw new CliError('no skills loaded: pass --skills-dir or leave out --no-builtin');
    for (const skill of chosen) {
      const exported = renderAgentSkill(skill);
      const dir = await writeAgentSkill(path.resolve(options.out), exported);
      process.stdout.write(`${skill.id} -> ${dir}${path.sep}SKILL.md (+ ${exported.files.size - 1} reference file(s))\n`);
    }
  });
}

interface ExportOptions extends SkillDirOptions {
  out: string;
  format: string;
  builtin?: boolean;
}

/** Turns flag strings into the tool's input, so the CLI accepts exactly what the MCP tool accepts. */
function parseFlags<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.input<T> {
  const cleaned = Object.fromEntries(
    Object.entries(raw)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k === 'limit' ? Number(v) : v]),
  );
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return cleaned as z.input<T>;
  const issue = parsed.error.issues[0];
  throw new CliError(`--${String(issue?.path[0] ?? 'input')}: ${issue?.message ?? 'invalid value'}`);
}
