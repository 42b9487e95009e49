/**
 * `perf-hunter handoff "TEXT"`: which specialist should take over, with what context — the same
 * answer as the MCP `handoff` tool. It is advice, so every valid answer exits 0 (even `none`);
 * usage errors exit 2. `-` reads the input from stdin: JSON `{text, findings, profile, evidence}`
 * from a skills runner, or plain text. `--package`/`--brief` write what the runner passes on to
 * the next skill (see src/handoff/package.ts), built from `--evidence` reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { printJson, skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface HandoffFlags extends SkillDirOptions {
  json?: boolean;
  schema?: boolean;
  findings?: string;
  profile?: string;
  from?: string;
  limit?: string;
  evidence?: string[];
  package?: string;
  brief?: string;
  packageSchema?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  withSkillDirs(
    program
      .command('handoff')
      .description('which specialist skill should take over a task, with what context (or stay, defer, none)')
      .argument('[text]', 'the task in plain words; "-" reads stdin (JSON {text, findings, profile} or plain text)')
      .option('--json', 'print the HandoffResult as JSON')
      .option('--schema', 'print the JSON Schema of the HandoffResult and exit')
      .option('--findings <file>', 'a lint JSON report (or an array of findings) whose handoff hints and sharp edges count')
      .option('--profile <file>', 'a profile JSON report whose bottleneck and hotspots count')
      .option('--from <skill>', 'the skill handing off (default performance-hunter)')
      .option('--limit <n>', 'at most this many handoffs (default 5)')
      .option('--evidence <file>', 'a lint, profile or load-test JSON report to pass on (repeatable); lint findings and the profile also count for the decision', collect)
      .option('--package <file>', 'write the handoff package for the next skill as JSON ("-" prints it instead of the answer)')
      .option('--brief <file>', 'write the package as a short Markdown brief ("-" prints it instead of the answer)')
      .option('--package-schema', 'print the JSON Schema of the handoff package and exit'),
  ).action(async (text: string | undefined, flags: HandoffFlags) => {
    const { HandoffInput, HandoffResult, HandoffError, HandoffPackage } = await import('../../handoff/schema.js');
    if (flags.schema || flags.packageSchema) {
      const { z } = await import('zod');
      printJson(z.toJSONSchema(flags.packageSchema ? HandoffPackage : HandoffResult));
      return;
    }
    if (text === undefined) throw new CliError('handoff needs the task text, e.g. perf-hunter handoff "our vector search got slow" (or - to read stdin)');

    const raw: Record<string, unknown> = text === '-' ? parseStdin(readFileSync(0, 'utf8')) : { text };
    if (flags.findings) raw['findings'] = findingsFrom(readJson(flags.findings, '--findings'));
    if (flags.profile) raw['profile'] = readJson(flags.profile, '--profile');
    if (flags.evidence?.length) {
      const given = Array.isArray(raw['evidence']) ? (raw['evidence'] as unknown[]) : [];
      raw['evidence'] = [...given, ...flags.evidence.map((file) => ({ report: readJson(file, '--evidence'), source: file }))];
    }
    if (flags.package || flags.brief) raw['package'] = true;
    if (flags.from) raw['from'] = flags.from;
    if (flags.limit !== undefined) {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 20) throw new CliError(`--limit must be a whole number from 1 to 20, got "${flags.limit}"`);
      raw['limit'] = limit;
    }
    const parsed = HandoffInput.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
      throw new CliError(`${issue?.message ?? 'invalid input'}${where}`);
    }

    const [{ SkillCatalog }, { runHandoff }, { renderHandoff }, dirs] = await Promise.all([
      import('../../skills/catalog.js'),
      import('../../handoff/run.js'),
      import('../../handoff/render.js'),
      skillDirsFrom(flags),
    ]);
    const catalog = await SkillCatalog.load({ dirs });
    let result;
    try {
      result = runHandoff(catalog, parsed.data);
    } catch (error) {
      if (error instanceof HandoffError) throw new CliError(error.message);
      throw error;
    }
    const { package: pkg, brief, ...answer } = result;
    if (flags.package && flags.package !== '-') writeOut(flags.package, `${JSON.stringify(pkg, null, 2)}\n`, '--package');
    if (flags.brief && flags.brief !== '-') writeOut(flags.brief, brief ?? '', '--brief');
    if (flags.package === '-') printJson(pkg);
    else if (flags.brief === '-') process.stdout.write(brief ?? '');
    // A runner that asked for the package in its stdin JSON gets it in the answer.
    else if (flags.json) printJson(flags.package || flags.brief ? answer : result);
    else process.stdout.write(renderHandoff(result));
  });
}

function writeOut(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new CliError(`${flag}: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A runner pipes JSON; a person may pipe plain text. */
function parseStdin(input: string): Record<string, unknown> {
  const trimmed = input.trim();
  if (!trimmed.startsWith('{')) return { text: trimmed };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new CliError(`stdin is not valid JSON: ${(error as Error).message}; pipe {"text": "...", "findings": [...]} or plain text`);
  }
  return value as Record<string, unknown>;
}

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${flag}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** `validate --format json` writes a report with `findings`; an array of findings is fine too. */
function findingsFrom(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { findings?: unknown }).findings)) return (value as { findings: unknown[] }).findings;
  throw new CliError('--findings: expected a lint JSON report ({"findings": [...]}) or an array of findings');
}
