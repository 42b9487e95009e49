/**
 * The one skill model. Every on-disk format (perf-hunter's own layout and every variant of the
 * public Spawner 4-file format) is normalised into these shapes by the loader; the rest of
 * perf-hunter (server, lint, handoff) reads only these. Types come from the schemas.
 *
 * Objects are `looseObject`s on purpose: fields a skill author added that we do not model are
 * kept, so `explain` can still show them and a round trip loses nothing.
 */
import { z } from 'zod';

/** Where an item was declared, so problems and `explain` can point at file:line. */
export const SourceLocation = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
});
export type SourceLocation = z.infer<typeof SourceLocation>;

/** Sharp edges rank by how badly they hurt in production. */
export const EdgeSeverity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type EdgeSeverity = z.infer<typeof EdgeSeverity>;

/** Findings rank like ESLint/SARIF levels; the loader maps other words (critical, high...) here. */
export const FindingSeverity = z.enum(['error', 'warning', 'info']);
export type FindingSeverity = z.infer<typeof FindingSeverity>;

export const Deferral = z.looseObject({
  /** Skill id to defer to, e.g. `ml-memory`. */
  skill: z.string(),
  /** The topic that makes this skill step back, e.g. "memory systems". */
  when: z.string(),
});
export type Deferral = z.infer<typeof Deferral>;

export const Identity = z.looseObject({
  /** The whole identity as prose, as an upstream skill wrote it or as we render it. */
  text: z.string().default(''),
  role: z.string().optional(),
  principles: z.array(z.string()).default([]),
  contrarianInsight: z.string().optional(),
  doesNotCover: z.array(z.string()).default([]),
  defersTo: z.array(Deferral).default([]),
});
export type Identity = z.infer<typeof Identity>;

export const Pattern = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().default(''),
  when: z.string().optional(),
  /** Worked examples keyed by language (`python`, `typescript`, ...), or `code` when unlabeled. */
  examples: z.record(z.string(), z.string()).default({}),
  source: SourceLocation.optional(),
});
export type Pattern = z.infer<typeof Pattern>;

export const AntiPattern = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().default(''),
  why: z.string().optional(),
  instead: z.string().default(''),
  source: SourceLocation.optional(),
});
export type AntiPattern = z.infer<typeof AntiPattern>;

export const SharpEdge = z.looseObject({
  id: z.string(),
  summary: z.string(),
  severity: EdgeSeverity,
  situation: z.string().default(''),
  why: z.string().default(''),
  solution: z.string().default(''),
  symptoms: z.array(z.string()).default([]),
  /** Upstream text patterns that hint at the edge (`detection_pattern(s)` / `detection.pattern`). */
  detectionPatterns: z.array(z.string()).default([]),
  detectionFileTypes: z.array(z.string()).default([]),
  /** Validation ids whose findings prove this edge (filled from both sides: edge and validation). */
  detectors: z.array(z.string()).default([]),
  versionRange: z.string().optional(),
  source: SourceLocation.optional(),
});
export type SharpEdge = z.infer<typeof SharpEdge>;

/**
 * `regex` and `ast` are what perf-hunter runs. Any other kind (`conceptual`, `checklist`, ...) is
 * kept for `explain` but marked not runnable, with the reason, so scans can say so in one line.
 */
export const Validation = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  runnable: z.boolean(),
  notRunnableReason: z.string().optional(),
  severity: FindingSeverity,
  message: z.string().default(''),
  fix: z.string().default(''),
  /** Regex validations: every pattern is tried; `negativePatterns` suppress a hit. */
  patterns: z.array(z.string()).default([]),
  negativePatterns: z.array(z.string()).default([]),
  /** Globs (`applies_to` / `file_glob`); empty means every file. */
  appliesTo: z.array(z.string()).default([]),
  /** AST validations: the detector that implements it, its languages and options as data. */
  detector: z.string().optional(),
  languages: z.array(z.string()).default([]),
  options: z.record(z.string(), z.unknown()).default({}),
  /** The sharp edge a finding of this validation proves. */
  sharpEdge: z.string().optional(),
  source: SourceLocation.optional(),
});
export type Validation = z.infer<typeof Validation>;

export const DelegationPattern = z.enum(['sequential', 'parallel', 'review']);
export type DelegationPattern = z.infer<typeof DelegationPattern>;

export const Delegation = z.looseObject({
  /** A phrase ("vector search is slow") or a regex alternation ("orchestration|coordination"). */
  trigger: z.string(),
  delegateTo: z.string(),
  pattern: DelegationPattern.default('sequential'),
  context: z.string().default(''),
  receive: z.string().default(''),
});
export type Delegation = z.infer<typeof Delegation>;

export const Complement = z.looseObject({
  skill: z.string(),
  relationship: z.string().default(''),
  brings: z.string().default(''),
});
export type Complement = z.infer<typeof Complement>;

export const Collaboration = z.looseObject({
  prerequisites: z.looseObject({
    skills: z.array(z.string()).default([]),
    knowledge: z.array(z.string()).default([]),
  }).default({ skills: [], knowledge: [] }),
  complementary: z.array(Complement).default([]),
  delegation: z.array(Delegation).default([]),
});
export type Collaboration = z.infer<typeof Collaboration>;

/** `agent-skill`: an Agent Skills folder (`SKILL.md` with YAML front matter, optional `references/`). */
export const SkillFormat = z.enum(['perf-hunter', 'spawner', 'agent-skill']);
export type SkillFormat = z.infer<typeof SkillFormat>;

export const Skill = z.looseObject({
  id: z.string(),
  name: z.string(),
  version: z.string().default('0.0.0'),
  description: z.string().default(''),
  category: z.string().optional(),
  layer: z.number().optional(),
  tags: z.array(z.string()).default([]),
  triggers: z.array(z.string()).default([]),
  /** Domains this skill owns (upstream `owns`; the seed's "expertise areas"). */
  owns: z.array(z.string()).default([]),
  pairsWith: z.array(z.string()).default([]),
  requires: z.array(z.string()).default([]),
  identity: Identity,
  patterns: z.array(Pattern).default([]),
  antiPatterns: z.array(AntiPattern).default([]),
  sharpEdges: z.array(SharpEdge).default([]),
  validations: z.array(Validation).default([]),
  collaboration: Collaboration,
  /** Agent Skills only: the Markdown body of SKILL.md (the instructions an agent reads). */
  body: z.string().optional(),
  /** Agent Skills only: files under `references/`, relative to the skill folder. */
  references: z.array(z.string()).optional(),
  /** Where it came from: format and the files that made it up (absolute paths). */
  origin: z.object({
    format: SkillFormat,
    dir: z.string(),
    files: z.array(z.string()),
  }),
});
export type Skill = z.infer<typeof Skill>;

/** A problem found while loading. Errors mean something was skipped; warnings mean it was repaired. */
export const LoadProblem = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  message: z.string(),
  /** Path inside the document, rendered like `validations[2].pattern`. */
  path: z.string().optional(),
  skillId: z.string().optional(),
});
export type LoadProblem = z.infer<typeof LoadProblem>;

export const LoadResult = z.object({
  skills: z.array(Skill),
  problems: z.array(LoadProblem),
  stats: z.object({
    dirs: z.number().int(),
    files: z.number().int(),
    skills: z.number().int(),
    ms: z.number(),
    /** Skill folders taken from / not found in the on-disk load cache. */
    cacheHits: z.number().int().optional(),
    cacheMisses: z.number().int().optional(),
  }),
});
export type LoadResult = z.infer<typeof LoadResult>;

/** Formats a problem the way compilers do, so editors and terminals make it clickable. */
export function formatProblem(p: LoadProblem): string {
  const where = p.path ? ` (at ${p.path})` : '';
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}${where}`;
}
