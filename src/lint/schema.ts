/**
 * What the linter answers with. Types come from these schemas so the CLI formatters and the MCP
 * `lint` tool (other parts) validate and describe exactly the shape `lintSource` produces.
 */
import { z } from 'zod';
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

export const LintReport = z.object({
  findings: z.array(Finding),
  errors: z.array(LintError).default([]),
  stats: z.object({
    files: z.number().int().min(0),
    ms: z.number().min(0),
  }),
});
export type LintReport = z.infer<typeof LintReport>;
