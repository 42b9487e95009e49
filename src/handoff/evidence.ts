/**
 * Reads one text against one skill's collaboration: which delegation triggers, which target skills'
 * own vocabulary (when loaded), which of our own triggers and which identity boundaries it hits.
 * Pure: no I/O, no MCP or CLI; run.ts combines the evidence into a decision.
 */
import type { Delegation, DelegationPattern, Skill } from '../skills/model.js';
import { AnalysedText, hitConfidence, matchPhrase, matchTrigger, type PhraseHit } from './match.js';
import { GENERIC_KEYS, mentionsSpeed, PERF_KEYS, phraseKeys } from './text.js';

export type EvidenceSource = 'delegation' | 'skill-vocabulary' | 'complementary' | 'finding' | 'profile';

export interface Evidence {
  source: EvidenceSource;
  confidence: number;
  trigger: string;
  matched: string[];
  why: string;
}

export interface DeferEvidence {
  skill?: string;
  boundary: string;
  confidence: number;
  matched: string[];
  why: string;
}

export interface StayEvidence {
  phrase: string;
  matched: string[];
  confidence: number;
  keys: string;
}

/** Where a skill id leads: from a delegation entry, else from a complementary one. */
export interface Route {
  skill: string;
  pattern: DelegationPattern;
  context: string;
  receive: string;
  via: 'delegation' | 'complementary';
}

export interface Assessment {
  /** Whether the text is about speed at all (our triggers, or words like slow, latency, p99, "takes 2s"). */
  perf: boolean;
  handoffs: Map<string, Evidence[]>;
  stay: StayEvidence[];
  defers: DeferEvidence[];
}

/** What `assess` needs besides the text: the skill handing off and a way to find loaded skills. */
export interface AssessContext {
  self: Skill;
  getSkill(id: string): Skill | undefined;
  /**
   * Loaded skills a handoff may name without a route in our collaboration: the Agent Skills the
   * user installed (`.claude/skills`), picked by the triggers their description gives.
   */
  installed?: readonly Skill[];
}

/** No delegation entry names it, so its own vocabulary counts for a bit less than a routed skill's. */
const UNROUTED_PENALTY = 0.05;

/** Without a speed complaint, a delegation trigger is weaker evidence: delegations are about speed. */
const NO_PERF_FACTOR = 0.75;

export function routesOf(self: Skill): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const d of self.collaboration.delegation) {
    if (!routes.has(d.delegateTo)) routes.set(d.delegateTo, routeFrom(d));
  }
  for (const c of self.collaboration.complementary) {
    if (routes.has(c.skill)) continue;
    routes.set(c.skill, {
      skill: c.skill,
      pattern: 'parallel',
      context: c.relationship ? `The measurements behind: ${c.relationship}.` : 'The measurements and the profile.',
      receive: c.brings,
      via: 'complementary',
    });
  }
  return routes;
}

function routeFrom(d: Delegation): Route {
  return { skill: d.delegateTo, pattern: d.pattern, context: d.context, receive: d.receive, via: 'delegation' };
}

/**
 * `mode` says where the text came from: a lint finding or a profile is about speed by definition,
 * so those never lose confidence for lacking words like "slow".
 */
export function assess(ctx: AssessContext, text: AnalysedText, mode: 'text' | 'finding' | 'profile'): Assessment {
  const { self } = ctx;
  const stay = stayEvidence(self, text);
  const perf = mode !== 'text' || stay.length > 0 || mentionsSpeed(text.raw, (k) => text.has(k));
  const handoffs = new Map<string, Evidence[]>();
  const defers: DeferEvidence[] = [];
  const add = (skill: string, e: Evidence) => handoffs.set(skill, [...(handoffs.get(skill) ?? []), e]);
  const source = (s: EvidenceSource): EvidenceSource => (mode === 'text' ? s : mode);

  for (const d of self.collaboration.delegation) {
    const hit = matchTrigger(text, d.trigger);
    if (!hit?.specific) continue;
    add(d.delegateTo, {
      source: source('delegation'),
      confidence: hitConfidence(hit),
      trigger: d.trigger,
      matched: hit.matched,
      why: `${quote(hit.matched)} matches ${self.id}'s delegation trigger ${quote([hit.phrase])}${howMatched(hit)}`,
    });
  }

  const routes = routesOf(self);
  const deferrals = new Map(self.identity.defersTo.map((d) => [d.skill, d.when]));
  const ownKeys = vocabularyKeys(self);
  const installed = (ctx.installed ?? []).map((s) => s.id);
  for (const id of new Set([...routes.keys(), ...deferrals.keys(), ...installed])) {
    const target = ctx.getSkill(id);
    if (!target || target.id === self.id) continue;
    const best = bestVocabularyHit(target, text, ownKeys);
    if (!best) continue;
    const why = `${quote(best.hit.matched)} is ${target.id}'s own ground (its ${best.kind} ${quote([best.phrase])})`;
    const confidence = hitConfidence(best.hit) - 0.1;
    if (routes.has(id)) add(id, { source: source('skill-vocabulary'), confidence, trigger: best.phrase, matched: best.hit.matched, why });
    else if (!deferrals.has(id)) {
      add(id, { source: source('skill-vocabulary'), confidence: confidence - UNROUTED_PENALTY, trigger: best.phrase, matched: best.hit.matched, why: `${why}, from its description` });
    }
    const when = deferrals.get(id);
    if (when !== undefined) defers.push({ skill: id, boundary: when || id, confidence, matched: best.hit.matched, why });
  }

  for (const d of self.identity.defersTo) {
    const hit = boundaryHit(text, d.when);
    if (hit) {
      defers.push({
        skill: d.skill,
        boundary: d.when,
        confidence: hitConfidence(hit),
        matched: hit.matched,
        why: `${quote(hit.matched)} falls under "${d.when}", which ${self.id} defers to ${d.skill}`,
      });
    }
  }
  for (const boundary of self.identity.doesNotCover) {
    const hit = matchPhrase(text, boundary, { allowMissing: phraseKeys(boundary).length >= 3 ? 1 : 0 });
    if (!hit?.specific) continue;
    const skill = deferralFor(self, boundary);
    defers.push({
      ...(skill ? { skill } : {}),
      boundary,
      confidence: hitConfidence(hit),
      matched: hit.matched,
      why: `${quote(hit.matched)} is "${boundary}", which ${self.id} does not cover`,
    });
  }

  if (!perf) {
    // Nobody complained about speed: for skills we defer to, this is their domain work, not a handoff.
    for (const [skill, evidence] of [...handoffs]) {
      if (deferrals.has(skill)) {
        const best = evidence.reduce((a, b) => (b.confidence > a.confidence ? b : a));
        defers.push({
          skill,
          boundary: deferrals.get(skill) || skill,
          confidence: best.confidence,
          matched: best.matched,
          why: `${best.why}, and nothing in the text is about speed, so it is ${skill}'s own work`,
        });
        handoffs.delete(skill);
      } else {
        handoffs.set(skill, evidence.map((e) => ({ ...e, confidence: e.confidence * NO_PERF_FACTOR, why: `${e.why}; nothing in the text is about speed` })));
      }
    }
  }
  return { perf, handoffs, stay, defers };
}

/** Our own triggers (trusted as written), owned domains and tags; one hit per set of words. */
function stayEvidence(self: Skill, text: AnalysedText): StayEvidence[] {
  const out = new Map<string, StayEvidence>();
  const keep = (phrase: string, hit: PhraseHit | undefined, confidence: number) => {
    if (!hit?.specific) return;
    const keys = [...hit.found].sort().join(' ');
    const prior = out.get(keys);
    if (!prior || prior.confidence < confidence) out.set(keys, { phrase, matched: hit.matched, confidence, keys });
  };
  for (const t of self.triggers) {
    const hit = matchTrigger(text, t, { trustSingleWords: true });
    keep(t, hit, hit && hit.found.length >= 2 ? 0.8 : 0.65);
  }
  for (const o of self.owns) keep(o, matchPhrase(text, words(o)), 0.7);
  for (const tag of self.tags) keep(tag, matchPhrase(text, words(tag)), 0.5);
  // A hit whose words another hit already covers adds nothing ("slow" inside "slow query").
  const all = [...out.values()];
  return all.filter((e) => !all.some((o) => o !== e && o.keys.length > e.keys.length && e.keys.split(' ').every((k) => o.keys.split(' ').includes(k))));
}

/** The best hit among a target skill's triggers, owned domains and tags; words we share with it do not count. */
function bestVocabularyHit(target: Skill, text: AnalysedText, ownKeys: Set<string>): { hit: PhraseHit; phrase: string; kind: string } | undefined {
  let best: { hit: PhraseHit; phrase: string; kind: string } | undefined;
  const consider = (phrase: string, kind: string, hit: PhraseHit | undefined) => {
    if (!hit?.specific) return;
    if (hit.found.every((k) => ownKeys.has(k))) return;
    if (!best || hitConfidence(hit) > hitConfidence(best.hit)) best = { hit, phrase, kind };
  };
  for (const t of target.triggers) consider(t, 'trigger', matchTrigger(text, t));
  for (const o of target.owns) consider(o, 'owned domain', matchPhrase(text, words(o)));
  for (const tag of target.tags) consider(tag, 'tag', matchPhrase(text, words(tag)));
  return best;
}

/** Keys of our own vocabulary: a target that also says "latency" proves nothing by it. */
function vocabularyKeys(self: Skill): Set<string> {
  const keys = new Set<string>([...PERF_KEYS, ...phraseKeys(words(self.id))]);
  for (const phrase of [...self.triggers, ...self.owns, ...self.tags]) for (const k of phraseKeys(words(phrase))) keys.add(k);
  return keys;
}

/**
 * A defers-to topic is prose ("graph data models and Cypher query design"). It matches when one of
 * its clauses matches (one word may be missing from a clause of three or more), or when two of its
 * uncommon words stand close together in the text.
 */
function boundaryHit(text: AnalysedText, when: string): PhraseHit | undefined {
  let best: PhraseHit | undefined;
  for (const clause of when.split(/[,;()]|\band\b|\bor\b/i)) {
    const n = phraseKeys(clause).length;
    if (n === 0) continue;
    const hit = matchPhrase(text, clause, { allowMissing: n >= 3 ? 1 : 0 });
    if (hit?.specific && (!best || hit.found.length > best.found.length)) best = hit;
  }
  if (best) return best;
  const uncommon = phraseKeys(when).filter((k) => !GENERIC_KEYS.has(k) && text.has(k));
  if (uncommon.length < 2) return undefined;
  return matchPhrase(text, uncommon.join(' '), { allowMissing: uncommon.length - 2 });
}

/** The deferral whose topic shares most words with a does-not-cover item ("privacy implementation" -> privacy-guardian). */
function deferralFor(self: Skill, boundary: string): string | undefined {
  const keys = phraseKeys(boundary).filter((k) => !GENERIC_KEYS.has(k) || k === 'memory');
  let best: { skill: string; overlap: number } | undefined;
  for (const d of self.identity.defersTo) {
    const overlap = phraseKeys(d.when).filter((k) => keys.includes(k)).length;
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { skill: d.skill, overlap };
  }
  return best?.skill;
}

function words(id: string): string {
  return id.replace(/[-_/]+/g, ' ');
}

function howMatched(hit: PhraseHit): string {
  if (hit.exact) return '';
  if (hit.found.length < hit.keys.length) return ` (${hit.found.length} of its ${hit.keys.length} words)`;
  return ' (by word forms and synonyms)';
}

export function quote(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(' … ');
}
