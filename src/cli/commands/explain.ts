/** `perf-hunter explain ID`: the same answer as the MCP `explain` tool, as text or JSON. */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { printJson, skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface ExplainFlags extends SkillDirOptions {
  json?: boolean;
  full?: boolean;
  limit?: string;
  builtin?: boolean;
}

export function register(program: Command): void {
  withSkillDirs(
    program
      .command('explain')
      .description('explain a skill, sharp edge, pattern, anti-pattern or validation by id')
      .argument('<id>', 'an id, bare (n-plus-one-queries) or qualified (performance-hunter/n-plus-one-queries), or a skill:// URI')
      .option('--json', 'print the result as JSON (the tool\'s structuredContent)')
      .option('--full', 'do not shorten long text')
      .option('--limit <n>', 'how many related items to list (default 20)')
      .option('--no-builtin', 'do not load the built-in Performance Hunter skill'),
  ).action(async (id: string, flags: ExplainFlags) => {
    const limit = flags.limit === undefined ? undefined : Number(flags.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 200)) {
      throw new CliError(`--limit must be a whole number from 1 to 200, got "${flags.limit}"`);
    }
    const [{ SkillCatalog }, { explainFully, renderExplain, UnknownIdError }, dirs] = await Promise.all([
      import('../../skills/catalog.js'),
      import('../../skills/explain.js'),
      skillDirsFrom(flags),
    ]);
    const catalog = await SkillCatalog.load({ dirs, includeBuiltin: flags.builtin !== false });
    let result;
    try {
      result = await explainFully(catalog, { id, ...(limit ? { limit } : {}) }, flags.full ? { maxTextChars: Infinity } : {});
    } catch (error) {
      if (!(error instanceof UnknownIdError)) throw error;
      const errors = catalog.problems.filter((p) => p.severity === 'error').length;
      const note = errors > 0 ? ` (${errors} skill file error(s) while loading; run \`perf-hunter skills check\`)` : '';
      throw new CliError(`${error.message}${note}`);
    }
    if (flags.json) printJson(result);
    else process.stdout.write(renderExplain(result));
  });
}
