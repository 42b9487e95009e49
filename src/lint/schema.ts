/**
 * What the linter answers with. Types come from these schemas so the CLI formatters and the MCP
 * `lint` tool (other parts) validate and describe exactly the shape `lintSource` produces.
 */
import { z } from 'zod';
import { limitParam } from '../schema/limit.js';
import { FindingSeverity } from '../skills/model.js';

export { FindingSeverity };

/** Languages a detector can declare; TS and JS share one parser and one visitor. */
export const LintLanguage = z.enum(['typescript', 'python']);
export type LintLanguage = z.infer<typeof LintLanguage>;

export const Handoff = z.object({
  /** The skill the topic belongs to, e.g. `postgres-wizard` for a query plan. */
  skill: z.string(),
  reason: z.string(),
});
export type Handoff = z.infer<typeof Handoff>;

export const Finding = z.object({
  ruleId: z.string(),
  severity: FindingSeverity,
  message: z.string(),
  file: z.string(),
  /** 1-based; the line where the offending call starts (the callee of a multi-line call). */
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
  /** The text of `line`, so a report reads without opening the file. */
  sourceLine: z.string(),
  fix: z.string(),
  /** The sharp edge this finding proves, so `explain` can show the full solution. */
  sharpEdge: z.string(),
  handoff: Handoff.optional(),
});
export type Finding = z.infer<typeof Finding>;

/** A file that could not be linted: the run goes on, the report says why. */
export const LintError = z.object({
  file: z.string(),
  message: z.string(),
});
export type LintError = z.infer<typeof LintError>;


/** Severities from least to most serious, for floors (`--fail-on`, `severity`) and sorting. */
export const SEVERITY_RANK: Record<FindingSeverity, number> = { info: 0, warning: 1, error: 2 };

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
/** Inline code larger than this is refused: files that big are skipped by the walk too. */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * What to lint: files and folders by `paths`, or one in-memory file by `code` + `filename`.
 * The MCP `lint` tool takes exactly this; the CLI builds it from its flags.
 */
export const LintInput = z.object({
  paths: z
    .array(z.string().min(1, { error: 'a path is empty' }))
    .min(1, { error: 'paths is empty: pass at least one file or folder, or code + filename' })
    .optional()
    .describe('Files, folders or globs ("src/**/*.ts") to lint, absolute or relative to the working directory; they must lie inside the allowed roots. Folders and the folder part of a glob are walked (skipping .gitignore\'d files, node_modules, .git, build output, minified and >1 MB files).'),
  code: z
    .string()
    .max(MAX_FILE_BYTES, { error: `code is over ${MAX_FILE_BYTES} bytes: lint the file by path instead` })
    .optional()
    .describe('Source text to lint instead of paths (one file).'),
  filename: z
    .string()
    .min(1)
    .optional()
    .describe('With code: the name that picks the language by extension (.ts .tsx .js .mjs .cjs .jsx .py ...); default snippet.ts. Nothing is read from disk.'),
  rules: z
    .array(z.string().min(1))
    .min(1, { error: 'rules is empty: leave it out to run every rule' })
    .optional()
    .describe('Rule ids to run (validation or detector ids, e.g. n-plus-one); every rule when omitted.'),
  severity: FindingSeverity.optional().describe('Only findings at or above this severity (info < warning < error).'),
  limit: limitParam(MAX_LIMIT, DEFAULT_LIMIT, `Findings per answer (default ${DEFAULT_LIMIT}); total and totals always count every finding.`),
  cursor: z.string().min(1).optional().describe('nextCursor of a previous answer with the same input, to get the next page.'),
  changed: z
    .union([z.literal(true), z.string().min(1)])
    .optional()
    .describe('Only files changed since this git ref (plus untracked files); true: since the merge base with the default branch.'),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, { error: 'shard must be i/n, e.g. 2/4' })
    .optional()
    .describe('Lint only share i of n of the files (a stable split by path), to spread a large tree over CI jobs.'),
});
export type LintInput = z.input<typeof LintInput>;

const Count = z.number().int().min(0);

/** Why a file or folder was not linted. A pruned folder counts once, however many files it holds. */
export const SkipReason = z.enum(['ignored', 'nodeModules', 'buildOutput', 'minified', 'tooLarge', 'binary', 'unsupported', 'symlink']);
export type SkipReason = z.infer<typeof SkipReason>;

/** What a rule is, for formatters (SARIF's `rules[]`) and for readers of the JSON report. */
export const RuleInfo = z.object({
  id: z.string(),
  name: z.string(),
  detector: z.string(),
  severity: FindingSeverity,
  /** The validation's message, or the detector's `why` when no YAML describes the rule. */
  description: z.string(),
  fix: z.string(),
  sharpEdge: z.string(),
  /** From the sharp edge the rule proves, when the skill that declares it was loaded. */
  sharpEdgeSummary: z.string().optional(),
  situation: z.string().optional(),
  why: z.string().optional(),
  solution: z.string().optional(),
  /** From the detector's docs. */
  whenNotToUse: z.string().optional(),
  languages: z.array(LintLanguage),
  family: z.string(),
  skill: z.string().optional(),
});
export type RuleInfo = z.infer<typeof RuleInfo>;

/** One page of a lint run, with totals over the whole run; every formatter reads this one object. */
export const LintReport = z.object({
  /** This page of findings (all of them for the CLI), sorted by file, line, column. */
  findings: z.array(Finding),
  /** Findings in the whole run (after the severity floor), whatever the page size. */
  total: Count,
  returned: Count,
  /** Pass as `cursor` with the same input for the next page; absent on the last page. */
  nextCursor: z.string().optional(),
  totals: z.object({
    byRule: z.record(z.string(), Count),
    bySeverity: z.object({ error: Count, warning: Count, info: Count }),
  }),
  files: z.object({
    scanned: Count,
    skipped: Count,
    skippedBy: z.record(SkipReason, Count),
    withFindings: Count,
  }),
  /** Files that could not be linted (unreadable, unparsable, a detector crashed) and broken rule options. */
  errors: z.array(LintError).default([]),
  /** The rules that ran. */
  rules: z.array(z.string()),
  /** Full rule descriptions, for SARIF and JSON; the MCP tool leaves them out (explain has them). */
  ruleInfo: z.array(RuleInfo).optional(),
  stats: z.object({
    files: Count,
    ms: z.number().min(0),
    /** The content-hash cache of path runs: files answered from it, linted anew, and entries evicted to bound it. */
    cache: z.object({ hits: Count, misses: Count, evictions: Count, location: z.string() }).optional(),
    /** Files no AST rule could match by the text pre-filter, so never parsed. */
    prefiltered: Count.optional(),
    /** Worker threads the run spread parsing over (absent: all in-process). */
    workers: Count.optional(),
    /**
     * The CLI answered from the record of an identical earlier run: every file, folder, config and
     * skill it read was unchanged by size, mtime, ctime and inode (recently modified files also by
     * content), so nothing was read, parsed or loaded (see src/lint/replay).
     */
    replayed: z.boolean().optional(),
  }),
  /** Findings dropped by in-source suppressions (`perf-hunter-disable-next-line`, `perf-hunter: ignore`). */
  suppressed: Count.optional(),
  /** The `.perf-hunter.yaml` the run used. */
  config: z.string().optional(),
});
export type LintReport = z.infer<typeof LintReport>;
