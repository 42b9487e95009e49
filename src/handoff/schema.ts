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
  })
  .refine((input) => input.text.trim() !== '' || (input.findings?.length ?? 0) > 0 || input.profile !== undefined, {
    error: 'nothing to judge: give text (the task in plain words), findings or a profile',
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
});
export type HandoffResult = z.infer<typeof HandoffResult>;

/** Bad input (unknown `from` skill, ...); the message says what to change. */
export class HandoffError extends Error {
  override name = 'HandoffError';
}
