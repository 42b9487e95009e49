/**
 * What the loader accepts on disk, before normalisation: every spelling the two formats use
 * (see docs/skill-format.md). These schemas only check types; choosing between aliases and
 * filling defaults is normalize.ts's job. Every object is loose, so unknown fields survive.
 *
 * Messages are written to finish the sentence "<field> ...", e.g. "must be a string".
 */
import { z } from 'zod';

const Str = z.string({ error: 'must be a string' });
/** YAML turns `- 404` or `- yes` into numbers and booleans; in a list of words they mean text. */
const Word = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }).transform(String);
const WordList = z.array(Word, { error: 'must be a list of strings' });
const StrOrList = z.union([Str, z.array(Word)], { error: 'must be a string or a list of strings' });
/** `version: 1.0` is a float to YAML; keep it as text. */
const Version = z.union([z.string(), z.number()], { error: 'must be a string' }).transform(String);
const Mapping = z.record(z.string(), z.unknown(), { error: 'must be a mapping' });

export const RawSkillMeta = z.looseObject({
  id: Str.optional(),
  skill_id: Str.optional(),
  name: Str.optional(),
  version: Version.optional(),
  description: Str.optional(),
  category: Str.optional(),
  layer: z.number({ error: 'must be a number' }).optional(),
  tags: WordList.optional(),
  triggers: WordList.optional(),
  owns: WordList.optional(),
  pairs_with: WordList.optional(),
  requires: WordList.optional(),
});
export type RawSkillMeta = z.infer<typeof RawSkillMeta>;

const RawDeferral = z.union(
  [Str, z.looseObject({ skill: Str, when: Str.optional() })],
  { error: 'must be a string or a mapping with `skill` and `when`' },
);

export const RawIdentity = z.union(
  [
    Str,
    z.looseObject({
      text: Str.optional(),
      role: Str.optional(),
      personality: Str.optional(),
      principles: WordList.optional(),
      core_principles: WordList.optional(),
      contrarian_insight: Str.optional(),
      does_not_cover: StrOrList.optional(),
      defers_to: z.array(RawDeferral, { error: 'must be a list' }).optional(),
    }),
  ],
  { error: 'must be prose (a string) or a mapping' },
);
export type RawIdentity = z.infer<typeof RawIdentity>;

export const RawPattern = z.looseObject({
  id: Str.optional(),
  name: Str.optional(),
  description: Str.optional(),
  when: Str.optional(),
  when_to_use: Str.optional(),
  example: z.union([Str, z.record(z.string(), Str)], { error: 'must be a string or a mapping of strings' }).optional(),
  examples: z.union([Str, z.record(z.string(), Str)], { error: 'must be a string or a mapping of strings' }).optional(),
  implementation: Str.optional(),
});
export type RawPattern = z.infer<typeof RawPattern>;

export const RawAntiPattern = z.looseObject({
  id: Str.optional(),
  name: Str.optional(),
  description: Str.optional(),
  why: Str.optional(),
  why_bad: Str.optional(),
  instead: Str.optional(),
  what_to_do_instead: Str.optional(),
  right: Str.optional(),
});
export type RawAntiPattern = z.infer<typeof RawAntiPattern>;

export const RawSharpEdge = z.looseObject({
  id: Str,
  summary: Str.optional(),
  title: Str.optional(),
  name: Str.optional(),
  severity: Word.optional(),
  situation: Str.optional(),
  why: Str.optional(),
  solution: Str.optional(),
  symptoms: StrOrList.optional(),
  detectors: StrOrList.optional(),
  detection_pattern: StrOrList.optional(),
  detection_patterns: StrOrList.optional(),
  detection: z.looseObject({ pattern: StrOrList.optional(), file_types: StrOrList.optional() }, { error: 'must be a mapping' }).optional(),
  version_range: Version.optional(),
});
export type RawSharpEdge = z.infer<typeof RawSharpEdge>;

/** Spawner's object form: `pattern: {match, file_glob, exclude, context_lines}`. */
const RawPatternObject = z.looseObject({
  match: StrOrList.optional(),
  file_glob: StrOrList.optional(),
  exclude: StrOrList.optional(),
});

export const RawValidation = z.looseObject({
  id: Str,
  name: Str.optional(),
  type: Str.optional(),
  kind: Str.optional(),
  severity: Word.optional(),
  pattern: z.union([Str, z.array(Word), RawPatternObject], { error: 'must be a string, a list of strings or a mapping with `match`' }).optional(),
  patterns: StrOrList.optional(),
  negative_pattern: StrOrList.optional(),
  negative_patterns: StrOrList.optional(),
  applies_to: StrOrList.optional(),
  file_glob: StrOrList.optional(),
  message: Str.optional(),
  description: Str.optional(),
  fix: Str.optional(),
  fix_action: Str.optional(),
  suggestion: Str.optional(),
  autofix: z.union([Str, z.boolean(), Mapping], { error: 'must be a string, a boolean or a mapping' }).optional(),
  detector: Str.optional(),
  languages: StrOrList.optional(),
  options: Mapping.optional(),
  sharp_edge: Str.optional(),
});
export type RawValidation = z.infer<typeof RawValidation>;

export const RawDelegation = z.looseObject({
  trigger: StrOrList,
  delegate_to: Str.optional(),
  to: Str.optional(),
  pattern: Str.optional(),
  context: Str.optional(),
  receive: Str.optional(),
});
export type RawDelegation = z.infer<typeof RawDelegation>;

export const RawComplement = z.union(
  [Str, z.looseObject({ skill: Str, relationship: Str.optional(), brings: Str.optional() })],
  { error: 'must be a skill id or a mapping with `skill`' },
);
export type RawComplement = z.infer<typeof RawComplement>;

/** `skills` upstream also appears as `required` (ids or `{skill, reason}`). */
const SkillRef = z.union([Word, z.looseObject({ skill: Str })], { error: 'must be a skill id or a mapping with `skill`' });
export const RawPrerequisites = z.union(
  [
    WordList,
    z.looseObject({
      skills: z.array(SkillRef, { error: 'must be a list' }).optional(),
      required: z.array(SkillRef, { error: 'must be a list' }).optional(),
      knowledge: WordList.optional(),
    }),
  ],
  { error: 'must be a list of strings or a mapping with `skills` and `knowledge`' },
);
export type RawPrerequisites = z.infer<typeof RawPrerequisites>;
