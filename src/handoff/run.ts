/**
 * `runHandoff(skills, input)`: which specialist should take over, with what context — or stay,
 * defer, or nothing. Imports nothing from MCP or the CLI; both call this and render its result.
 *
 * Decision, in order:
 * - handoff: a delegation trigger (or a target skill's own vocabulary, a finding's hint, a profile)
 *   points at another skill at least as strongly as the text points at us;
 * - defer: the text hits a boundary our identity names (does-not-cover, defers-to) and is either not
 *   about speed or more about that boundary than about speed;
 * - stay: our own triggers and owned domains match;
 * - none: nothing matched.
 */
import { BUILTIN_SKILL_ID, type SkillCatalog } from '../skills/catalog.js';
import type { Skill } from '../skills/model.js';
import { AnalysedText } from './match.js';
import { assess, quote, routesOf, type AssessContext, type DeferEvidence, type Evidence, type StayEvidence } from './evidence.js';
import { HandoffError, HandoffInput, type HandoffFinding, type HandoffProfile, type HandoffResult, type HandoffTarget } from './schema.js';
import { buildPackage, evidenceInputs, readEvidence, renderBrief } from './package.js';

export type SkillSource = SkillCatalog | readonly Skill[];

/** Below this a candidate is not worth a runner's attention. */
const MIN_CONFIDENCE = 0.5;
const MAX_CONFIDENCE = 0.97;
const HANDOFF_MARGIN = 0.151;
/** A finding whose rule names a handoff: strong, but the hint is conditional ("when the query itself is slow"). */
const FINDING_HINT_CONFIDENCE = 0.7;
/** A finding with no hint proves one of our sharp edges: that part of the work is ours. */
const FINDING_OURS_CONFIDENCE = 0.6;

export function runHandoff(skills: SkillSource, rawInput: HandoffInput): HandoffResult {
  const parsed = HandoffInput.parse(rawInput);
  const ctx = contextFor(skills, parsed.from);
  // Evidence reports count like findings and a profile given inline (those come first).
  const evidence = readEvidence(parsed.evidence ?? []);
  const extra = evidenceInputs(evidence);
  const input = {
    ...parsed,
    findings: [...(parsed.findings ?? []), ...extra.findings],
    profile: parsed.profile ?? extra.profile,
  };
  const result = decide(ctx, input);
  if (!parsed.package) return result;
  const pkg = buildPackage(result, { task: parsed.text, findings: parsed.findings ?? [], profile: parsed.profile, evidence, self: ctx.self });
  return { ...result, package: pkg, brief: renderBrief(pkg) };
}

type ParsedInput = ReturnType<typeof HandoffInput.parse>;

function decide(ctx: AssessContext, input: ParsedInput): HandoffResult {
  const { self } = ctx;

  const text = assess(ctx, new AnalysedText(input.text), 'text');
  const handoffs = new Map<string, Evidence[]>(text.handoffs);
  const stay: StayEvidence[] = [...text.stay];
  const defers: DeferEvidence[] = [...text.defers];
  const merge = (more: Map<string, Evidence[]>) => {
    for (const [skill, list] of more) handoffs.set(skill, [...(handoffs.get(skill) ?? []), ...list]);
  };

  for (const finding of input.findings ?? []) {
    if (finding.handoff) {
      const when = finding.handoff.reason ?? finding.handoff.when;
      merge(new Map([[finding.handoff.skill, [{
        source: 'finding',
        confidence: FINDING_HINT_CONFIDENCE,
        trigger: `finding ${finding.ruleId}`,
        matched: [finding.ruleId],
        why: `lint finding ${finding.ruleId} names ${finding.handoff.skill}${when ? ` (when ${when})` : ''}`,
      } satisfies Evidence]]]));
      continue;
    }
    const topic = assess(ctx, new AnalysedText(findingTopic(self, finding)), 'finding');
    if (topic.handoffs.size > 0) merge(topic.handoffs);
    else stay.push({ phrase: `finding ${finding.ruleId}`, matched: [finding.ruleId], confidence: FINDING_OURS_CONFIDENCE, keys: `finding:${finding.ruleId}` });
  }

  if (input.profile) {
    const topic = profileTopic(input.profile);
    if (topic) merge(assess(ctx, new AnalysedText(topic), 'profile').handoffs);
  }

  const ranked = [...handoffs].map(([skill, evidence]) => target(ctx, skill, evidence, input)).sort((a, b) => b.confidence - a.confidence || a.skill.localeCompare(b.skill));
  const h = ranked[0]?.confidence ?? 0;
  const s = noisyOr(stay.map((e) => e.confidence));
  const bestDefer = defers.reduce<DeferEvidence | undefined>((a, b) => (!a || b.confidence > a.confidence ? b : a), undefined);
  const d = bestDefer?.confidence ?? 0;

  const stayPart = stay.length > 0 ? { reason: stayReason(self, stay), matched: stay.flatMap((e) => e.matched), confidence: round(s) } : undefined;
  // A delegation names a narrower topic than our broad triggers ("slow", "query"), so it wins near-ties.
  if (h >= MIN_CONFIDENCE && h >= s - HANDOFF_MARGIN) {
    const shown = ranked.filter((t) => t.confidence >= MIN_CONFIDENCE).slice(0, input.limit);
    return { decision: 'handoff', from: self.id, handoffs: shown, summary: handoffSummary(shown) };
  }
  if (bestDefer && d >= MIN_CONFIDENCE && (d > s || !text.perf)) return deferResult(ctx, bestDefer);
  if (stayPart && s >= MIN_CONFIDENCE) {
    return { decision: 'stay', from: self.id, handoffs: [], stay: stayPart, summary: `Stay: this is ${self.name}'s own work. ${stayPart.reason}` };
  }
  if (bestDefer && d >= MIN_CONFIDENCE) return deferResult(ctx, bestDefer);
  return {
    decision: 'none',
    from: self.id,
    handoffs: [],
    summary: `Nothing to hand off: the input matches no delegation trigger, boundary or trigger of ${self.id}.`,
  };
}

/**
 * For lint findings and profile reports: the skill a topic belongs to, if it is not ours. Give it
 * the finding's message plus its sharp edge summary, or a profile's bottleneck sentence and
 * hotspot names; speed is taken for granted (a finding or profile is about speed).
 */
export function handoffHintFor(skills: SkillSource, topicText: string, from?: string): { skill: string; reason: string } | undefined {
  if (!topicText.trim()) return undefined;
  const ctx = contextFor(skills, from);
  const { handoffs } = assess(ctx, new AnalysedText(topicText), 'finding');
  const best = [...handoffs]
    .map(([skill, evidence]) => ({ skill, top: evidence.reduce((a, b) => (b.confidence > a.confidence ? b : a)), confidence: noisyOr(evidence.map((e) => e.confidence)) }))
    .sort((a, b) => b.confidence - a.confidence)[0];
  if (!best || best.confidence < 0.6) return undefined;
  return { skill: best.skill, reason: best.top.why };
}

function contextFor(skills: SkillSource, from: string | undefined): AssessContext {
  const list: readonly Skill[] = 'skills' in skills ? (skills as SkillCatalog).skills : (skills as readonly Skill[]);
  const byId = new Map<string, Skill>();
  for (const s of list) if (!byId.has(s.id)) byId.set(s.id, s);
  const id = from ?? BUILTIN_SKILL_ID;
  const self = byId.get(id);
  if (!self) {
    const known = [...byId.keys()].slice(0, 10).join(', ') || 'none';
    throw new HandoffError(`skill "${id}" is not loaded, so it has no collaboration to read (loaded: ${known}); pass from with a loaded skill id or load its folder`);
  }
  const installed = [...byId.values()].filter((s) => s.origin.format === 'agent-skill');
  return { self, getSkill: (skillId) => byId.get(skillId), installed };
}

function target(ctx: AssessContext, skill: string, evidence: Evidence[], input: ParsedInput): HandoffTarget {
  const loaded = ctx.getSkill(skill);
  const route = routesOf(ctx.self).get(skill);
  const sorted = [...evidence].sort((a, b) => b.confidence - a.confidence);
  const top = sorted[0]!;
  const confidence = round(Math.min(MAX_CONFIDENCE, noisyOr(evidence.map((e) => e.confidence))));
  const reasons = [...new Set(sorted.map((e) => e.why))].slice(0, 3);
  const strength = confidence >= 0.85 ? 'strong' : confidence >= 0.65 ? 'good' : 'weak';
  const routeNote = route ? '' : `; ${ctx.self.id} has no delegation entry for ${skill}, so the pattern is a default`;
  return {
    skill,
    loaded: loaded !== undefined,
    ...(loaded ? { name: loaded.name, description: loaded.description } : {}),
    pattern: route?.pattern ?? 'sequential',
    context: withEvidence(route?.context || 'The problem statement and the measurements so far.', input),
    receive: route?.receive || 'Their recommendation, to re-measure before and after.',
    trigger: top.trigger,
    matched: [...new Set(sorted.flatMap((e) => e.matched))],
    sources: [...new Set(sorted.map((e) => e.source))],
    why: `${reasons.join('; ')}. Confidence ${confidence} (${strength}: ${evidence.length} piece(s) of evidence${routeNote}).`,
    confidence,
  };
}

/** The delegation's context plus what this request already holds, so the runner can pass it on. */
function withEvidence(context: string, input: ParsedInput): string {
  const extra: string[] = [];
  const bottleneck = input.profile ? bottleneckSentence(input.profile) : '';
  if (bottleneck) extra.push(`Profile: ${bottleneck}`);
  const findings = (input.findings ?? []).slice(0, 5).map((f) => `${f.ruleId}${f.file ? ` at ${f.file}${f.line ? `:${f.line}` : ''}` : ''}`);
  if (findings.length) extra.push(`Findings: ${findings.join(', ')}${(input.findings?.length ?? 0) > 5 ? ', …' : ''}`);
  return extra.length ? `${context} ${extra.join(' ')}` : context;
}

function deferResult(ctx: AssessContext, e: DeferEvidence): HandoffResult {
  const loaded = e.skill ? ctx.getSkill(e.skill) !== undefined : undefined;
  const who = e.skill ? `Defer to ${e.skill}` : 'Defer';
  return {
    decision: 'defer',
    from: ctx.self.id,
    handoffs: [],
    defer: {
      ...(e.skill ? { skill: e.skill, loaded } : {}),
      boundary: e.boundary,
      reason: `${e.why}. Confidence ${round(e.confidence)}.`,
      matched: e.matched,
      confidence: round(e.confidence),
    },
    summary: `${who}: "${e.boundary}" is outside what ${ctx.self.name} covers${e.skill ? '' : ' (no skill named for it)'}.`,
  };
}

function stayReason(self: Skill, stay: StayEvidence[]): string {
  const top = [...stay].sort((a, b) => b.confidence - a.confidence).slice(0, 4);
  return `${top.map((e) => `${quote(e.matched)} (${e.phrase})`).join(', ')} ${top.length === 1 ? 'is' : 'are'} ${self.id}'s own triggers or domains, and no delegation matched more strongly.`;
}

function handoffSummary(shown: HandoffTarget[]): string {
  const [first, ...rest] = shown;
  if (!first) return 'Nothing to hand off.';
  const also = rest.length ? ` Also: ${rest.map((t) => `${t.skill} (${t.confidence})`).join(', ')}.` : '';
  return `Hand off to ${first.skill} (${first.pattern}, confidence ${first.confidence})${first.loaded ? '' : ' — not loaded here'}: ${quote(first.matched.slice(0, 3))}.${also}`;
}

function findingTopic(self: Skill, finding: HandoffFinding): string {
  const edge = finding.sharpEdge ? self.sharpEdges.find((e) => e.id === finding.sharpEdge) : undefined;
  return [finding.message, finding.sharpEdge?.replace(/-/g, ' '), edge?.summary].filter(Boolean).join('. ');
}

function bottleneckSentence(profile: HandoffProfile): string {
  const b = profile.bottleneck;
  return (typeof b === 'string' ? b : b?.sentence ?? '').trim();
}

/** The words of a profile that can name a domain: the bottleneck, hotspot functions, packages and file names. */
function profileTopic(profile: HandoffProfile): string {
  const spots = [...(profile.hotspots ?? []), ...(profile.topSelf ?? []), ...(profile.topTotal ?? [])].slice(0, 30);
  const lines = spots.map((h) => [h.name ?? h.function, h.package, h.file?.split(/[\\/]/).pop()].filter(Boolean).join(' ').replace(/[@/_.-]+/g, ' '));
  return [bottleneckSentence(profile), ...lines].filter(Boolean).join('\n');
}

function noisyOr(values: number[]): number {
  return 1 - values.reduce((acc, v) => acc * (1 - Math.max(0, Math.min(1, v))), 1);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
