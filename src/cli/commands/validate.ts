/**
 * `perf-hunter validate [PATH...]`: the CI gate. Runs the same `runLint` as the MCP `lint` tool
 * and feeds its one report to the text, JSON or SARIF formatter. Exit codes: 0 clean, 1 when a
 * finding at or above `--fail-on` exists, 2 for usage errors (one line on stderr).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isatty } from 'node:tty';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import { skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';
import { renderReport } from '../render-report.js';
import { codeStamps, recordKey, recordLocation, writeRecord, type RenderOptions } from '../../lint/replay/replay.js';
import { recorder } from '../../lint/replay/stamps.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
type Format = (typeof FORMATS)[number];
type FailOn = (typeof FAIL_ON)[number];

interface ValidateFlags extends SkillDirOptions {
  format: string;
  output?: string;
  failOn?: string;
  /** A path; `false` from `--no-config`; commander's `true` when neither is given. */
  config?: string | boolean;
  rule?: string[];
  maxFindings?: string;
  builtin?: boolean;
  changed?: string | boolean;
  shard?: string;
  /** `false` from `--no-cache`. */
  cache?: boolean;
  cacheLocation?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  withSkillDirs(
    program
      .command('validate')
      .description('lint files and folders for the Performance Hunter sharp edges (N+1, blocking I/O in async code, ...)')
      .argument('[paths...]', 'files or folders to lint (default: the current folder)')
      .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
      .option('-o, --output <file>', 'write the report to this file (atomically) instead of stdout')
      .option('--fail-on <severity>', `exit 1 when a finding at or above this severity exists: ${FAIL_ON.join(', ')} (default: the config's failOn, else error)`)
      .option('--config <file>', 'use this .perf-hunter.yaml (default: the nearest one from the current folder up to the repository root)')
      .option('--no-config', 'use no .perf-hunter.yaml')
      .option('--changed [ref]', 'lint only files changed since REF (default: the merge base with the default branch) and untracked files')
      .option('--shard <i/n>', 'lint only share i of n of the files (stable split by path), for parallel CI jobs')
      .option('--no-cache', 'lint every file anew: neither read nor write the content-hash cache')
      .option('--cache-location <dir>', 'keep the lint cache in this folder (default: $PERF_HUNTER_CACHE_DIR/lint or ~/.cache/perf-hunter/lint)')
      .option('-r, --rule <id>', 'run only this rule (repeatable)', collect)
      .option('--max-findings <n>', 'text format: show at most this many findings (JSON and SARIF carry all)')
      .option('--no-builtin', 'do not load the built-in Performance Hunter skill (detectors then run with their defaults)'),
  ).action(async (paths: string[], flags: ValidateFlags) => {
    const format = oneOf('--format', flags.format, FORMATS);
    if (flags.failOn !== undefined) oneOf('--fail-on', flags.failOn, FAIL_ON); // a usage error before any work
    const maxFindings = flags.maxFindings === undefined ? undefined : Number(flags.maxFindings);
    if (maxFindings !== undefined && (!Number.isInteger(maxFindings) || maxFindings < 0)) {
      throw new CliError(`--max-findings must be a whole number of 0 or more, got "${flags.maxFindings}"`);
    }
    const cwd = process.cwd();
    const targets = paths.length > 0 ? paths : ['.'];
    // What this run reads is stamped, so the next identical run over an unchanged tree can replay it.
    const args = process.argv[2] === 'validate' ? process.argv.slice(3) : undefined;
    const records = args && recordLocation(args, process.env, cwd);
    if (records) {
      recorder.start();
      // The paths as given: a symlink among them may be pointed elsewhere without any walked stamp moving.
      for (const target of targets) recorder.file(path.resolve(cwd, target));
    }

    const [{ runLint, LintInputError }, { loadSkills }, { SEVERITY_RANK }, dirs] = await Promise.all([
      import('../../lint/run-lint.js'),
      import('../../skills/load.js'),
      import('../../lint/schema.js'),
      skillDirsFrom(flags),
    ]);
    const loaded = await loadSkills({ dirs, includeBuiltin: flags.builtin !== false });
    const skillErrors = loaded.problems.filter((p) => p.severity === 'error').length;
    if (skillErrors > 0) process.stderr.write(`perf-hunter: ${skillErrors} skill file error(s) while loading rules; run \`perf-hunter skills check\`\n`);

    let report;
    try {
      report = await runLint(
        {
          paths: targets,
          ...(flags.rule ? { rules: flags.rule } : {}),
          ...(flags.changed !== undefined && flags.changed !== false ? { changed: flags.changed } : {}),
          ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
        },
        // The command line names its own paths, so each is a root besides the working directory.
        {
          cwd,
          roots: [cwd, ...targets.map((p) => path.resolve(cwd, p))],
          skills: loaded.skills,
          all: true,
          ...(flags.cache === false ? { cache: false as const } : flags.cacheLocation !== undefined ? { cache: { location: path.resolve(cwd, flags.cacheLocation) } } : {}),
          ...(flags.config !== undefined && flags.config !== true ? { config: flags.config } : {}),
        },
      );
    } catch (error) {
      if (error instanceof LintInputError) throw new CliError(error.message);
      throw error;
    }

    const failOn = oneOf('--fail-on', flags.failOn ?? (await configFailOn(report.config)) ?? 'error', FAIL_ON);
    const toFile = flags.output !== undefined;
    const rendering: RenderOptions = {
      format,
      cwd,
      color: !toFile && Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
      ...(maxFindings !== undefined ? { maxFindings } : {}),
    };
    const text = await renderReport(report, rendering);
    if (flags.output !== undefined) {
      await writeAtomically(path.resolve(cwd, flags.output), text);
      if (format !== 'text') {
        const { summaryLine } = await import('../../lint/format/text.js');
        process.stderr.write(`${summaryLine(report)}; report written to ${flags.output}\n`);
      }
    } else {
      process.stdout.write(text);
    }

    const failed = failOn !== 'never' && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
    if (failed) process.exitCode = ExitCode.findings;

    const stamps = recorder.finish();
    // Errors (unparsable files, skill load errors) are reported afresh each run, never replayed.
    if (records && args && report.errors.length === 0 && skillErrors === 0 && report.stats.cache) {
      writeRecord(records, {
        key: recordKey(args, process.env, cwd, isatty(1)),
        stamps: [...stamps, ...codeStamps()],
        report,
        render: rendering,
        exitCode: failed ? ExitCode.findings : ExitCode.ok,
      });
    }
  });
}

/** The `failOn` of the config the run used, read again only when `--fail-on` was not given. */
async function configFailOn(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const { loadConfig } = await import('../../lint/config.js');
  return (await loadConfig(file)).config.failOn;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** A reader (CI uploading SARIF) never sees half a report: write a temp file beside it, then rename. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(`cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
