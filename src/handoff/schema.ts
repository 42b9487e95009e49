/**
 * What `handoff` takes and answers. A skills runner validates the answer against HandoffResult
 * (printed as JSON Schema by `perf-hunter handoff --schema`); the MCP tool declares the same shapes.
 */
import { z } from 'zod';
import { limitParam } from '../schema/limit.js';
import { DelegationPattern } from '../skills/model.js';

const MAX_TEXT = 20_000;
const MAX_LIMIT = 20;
const DEFAULT_LIMIT = 5;

/** A lint finding as `lint` reports it; only the fields handoff reads are required. */
export const HandoffFinding = z.looseObject({
  ruleId: z.string({ error: 'a finding needs ruleId (the lint rule id)' }),
  message: z.string().default(''),
  sharpEdge: z.string().optional(),
  file: z.string().optional(),
  line: z.number().optional(),
  handoff: z.looseObject({ skill: z.string(), reason: z.string().optional(), when: z.string().optional() }).optional(),
});
export type HandoffFinding = z.infer<typeof HandoffFinding>;

/** A hotspot from `profile` (`function`) or written by hand (`name`). */
export const HandoffHotspot = z.looseObject({
  name: z.string().optional(),
  function: z.string().optional(),
  file: z.string().nullable().optional(),
  package: z.string().nullable().optional(),
});

/** A `profile` report, whole or cut down to what matters here: the bottleneck and the hotspots. */
export const HandoffProfile = z.looseObject({
  bottleneck: z.union([z.string(), z.looseObject({ sentence: z.string().default('') })]).optional(),
  hotspots: z.array(HandoffHotspot).optional(),
  topSelf: z.array(HandoffHotspot).optional(),
  topTotal: z.array(HandoffHotspot).optional(),
});
export type HandoffProfile = z.infer<typeof HandoffProfile>;

const MAX_EVIDENCE = 20;

/** One report given as evidence; `source` names where it came from (a file path) for the package. */
export const EvidenceItem = z.object({
  report: z.unknown().describe('A lint JSON report or a list of findings, a profile report, or a load_test report.'),
  source: z.string().optional().describe('Where the report came from, e.g. its file path.'),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export const HandoffInput = z
  .object({
    text: z
      .string({ error: 'text must be the task or problem, in plain words' })
      .max(MAX_TEXT, { error: `text is over ${MAX_TEXT} characters: pass the problem statement, not a whole log` })
      .default('')
      .describe('The task or problem as the user put it, e.g. "our vector search got really slow".'),
    findings: z
      .array(HandoffFinding)
      .max(1000, { error: 'findings: at most 1000; pass the ones that matter' })
      .optional()
      .describe('Lint findings (the `findings` of a lint report): their handoff hints and sharp edges point at skills.'),
    profile: HandoffProfile.optional().describe('A profile report, or {bottleneck, hotspots: [{name, file, package}]}.'),
    from: z
      .string()
      .min(1)
      .optional()
      .describe('The skill handing off (default performance-hunter): its delegation, triggers and boundaries are used.'),
    limit: limitParam(MAX_LIMIT, DEFAULT_LIMIT, `How many handoffs to return at most (default ${DEFAULT_LIMIT}).`),
    evidence: z
      .array(EvidenceItem)
      .max(MAX_EVIDENCE, { error: `evidence: at most ${MAX_EVIDENCE} reports` })
      .optional()
      .describe('Reports to read as evidence, each whole as the tools return it: a lint report (or a list of findings), a profile report or a load_test report. Lint findings and the profile count like findings/profile; all of them go into the package.'),
    package: z
      .boolean()
      .default(false)
      .describe('Also return `package`: what a skills runner passes to the next skill (task, decision, findings with evidence, metrics, files, what to return), and `brief`, the same as short Markdown.'),
  })
  .refine((input) => input.text.trim() !== '' || (input.findings?.length ?? 0) > 0 || input.profile !== undefined || (input.evidence?.length ?? 0) > 0, {
    error: 'nothing to judge: give text (the task in plain words), findings, a profile or evidence reports',
  });
export type HandoffInput = z.input<typeof HandoffInput>;

export const HandoffDecision = z.enum(['handoff', 'stay', 'defer', 'none']);
export type HandoffDecision = z.infer<typeof HandoffDecision>;

export const HandoffSource = z.enum(['delegation', 'skill-vocabulary', 'complementary', 'finding', 'profile']);

export const HandoffTarget = z.object({
  skill: z.string().describe('The skill id to hand to.'),
  loaded: z.boolean().describe('Whether that skill is loaded here; a runner may need to install it when false.'),
  name: z.string().optional(),
  description: z.string().optional(),
  pattern: DelegationPattern.describe('sequential: they work, then we resume; parallel: both work at once; review: they check our change.'),
  context: z.string().describe('What to pass to the other skill.'),
  receive: z.string().describe('What to expect back.'),
  trigger: z.string().describe('The trigger (or vocabulary item, finding, hint) that matched.'),
  matched: z.array(z.string()).describe('The words of the input that matched.'),
  sources: z.array(HandoffSource).describe('Where the evidence came from.'),
  why: z.string().describe('Why this skill, and how sure, in one or two sentences.'),
  confidence: z.number().min(0).max(1),
});
export type HandoffTarget = z.infer<typeof HandoffTarget>;

// ---------------------------------------------------------------------------------------------
// The handoff package: what a skills runner passes to the next skill. Printed as JSON Schema by
// `perf-hunter handoff --package-schema`; `format` names the version a runner can check.

export const PACKAGE_FORMAT = 'perf-hunter.handoff-package/1';

export const EvidenceKind = z.enum(['lint', 'profile', 'load-test']);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const PackageFinding = z.object({
  ruleId: z.string(),
  severity: z.string().optional(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  fix: z.string().optional(),
  sharpEdge: z.string().optional(),
  /** The evidence item it came from (index into `evidence`), absent for findings given inline. */
  evidence: z.number().int().optional(),
});
export type PackageFinding = z.infer<typeof PackageFinding>;

export const PackageHotspot = z.object({
  function: z.string(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  package: z.string().nullable(),
  selfPercent: z.number().optional(),
  totalPercent: z.number().optional(),
});
export type PackageHotspot = z.infer<typeof PackageHotspot>;

export const PackageSlo = z.object({
  pass: z.boolean(),
  objectives: z.array(z.string()),
  violations: z.array(z.object({ figure: z.string(), limit: z.string(), actual: z.string(), message: z.string() })),
});

export const PackageLoadTest = z.object({
  url: z.string(),
  method: z.string().optional(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  rps: z.number().describe('Requests per second over the measured run.'),
  errorRate: z.number().optional().describe('Failed requests / requests sent (0..1).'),
  slo: PackageSlo.nullable().describe('The SLO verdict, when the run had objectives.'),
  verdict: z.string().optional(),
  evidence: z.number().int(),
});
export type PackageLoadTest = z.infer<typeof PackageLoadTest>;

export const HandoffPackage = z.object({
  format: z.literal(PACKAGE_FORMAT),
  createdAt: z.string().describe('ISO 8601 time the package was made.'),
  task: z.string().describe('The task in plain words, as given.'),
  decision: HandoffDecision,
  from: z.object({ skill: z.string(), name: z.string() }),
  to: z
    .object({
      skill: z.string(),
      name: z.string().optional(),
      description: z.string().optional(),
      loaded: z.boolean(),
      pattern: DelegationPattern,
      confidence: z.number().min(0).max(1),
      why: z.string(),
    })
    .nullable()
    .describe('The skill that takes the task next: the handoff target, the same skill for stay, the named skill for defer; null when nothing matched.'),
  alternatives: z.array(z.object({ skill: z.string(), confidence: z.number(), why: z.string() })),
  summary: z.string(),
  context: z.string().describe('What to tell the next skill besides the task.'),
  findings: z.array(PackageFinding),
  metrics: z.object({
    loadTests: z.array(PackageLoadTest),
    bottleneck: z.string().nullable(),
    hotspots: z.array(PackageHotspot),
  }),
  files: z.array(z.string()).describe('Files the findings and hotspots point at, in first-seen order.'),
  return: z.string().describe('What the next skill should give back.'),
  evidence: z.array(z.object({ kind: EvidenceKind, source: z.string() })),
});
export type HandoffPackage = z.infer<typeof HandoffPackage>;

export const HandoffResult = z.object({
  decision: HandoffDecision.describe('handoff: give it to handoffs[0]; stay: it is ours; defer: outside our identity; none: nothing matched.'),
  from: z.string().describe('The skill whose collaboration was read.'),
  handoffs: z.array(HandoffTarget).describe('Ranked, most confident first; empty unless decision is handoff.'),
  stay: z.object({ reason: z.string(), matched: z.array(z.string()), confidence: z.number().min(0).max(1) }).optional(),
  defer: z
    .object({
      skill: z.string().optional().describe('Who to defer to, when the boundary names one.'),
      loaded: z.boolean().optional(),
      boundary: z.string().describe('The boundary the identity names (does-not-cover item or defers-to topic).'),
      reason: z.string(),
      matched: z.array(z.string()),
      confidence: z.number().min(0).max(1),
    })
    .optional(),
  summary: z.string(),
  package: HandoffPackage.optional().describe('With input package: true: the package for the next skill.'),
  brief: z.string().optional().describe('With input package: true: the package as a short Markdown brief an agent can read.'),
});
export type HandoffResult = z.infer<typeof HandoffResult>;



/** Bad input (unknown `from` skill, ...); the message says what to change. */
export class HandoffError extends Error {
  override name = 'HandoffError';
}
