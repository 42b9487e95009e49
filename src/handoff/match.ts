/**
 * Phrase matching on analysed text: a phrase matches when all its content words appear (as word
 * forms or synonyms, in any order) close together in one sentence. Triggers are tried first as the
 * regex their author wrote, then as the plain phrases the regex stands for.
 */
import { analyse, GENERIC_KEYS, keyOf, phraseKeys, type Token } from './text.js';
import { expandTrigger, literalRegex, triggerRegex } from './phrases.js';

/** How many other words may sit between the words of a phrase ("vector search got really slow"). */
const WINDOW_SLACK = 3;

/**
 * A few words mean something else next to certain others: a "graph" on a dashboard is a chart, a
 * "performance review" is about people. In such a sentence the word does not count as evidence.
 */
const OTHER_SENSES_WORDS: Record<string, string> = {
  graph: 'dashboard chart plot axis poem draw render excel visualize visualise',
  performance: 'review appraisal employee concert stage actor bonus',
  event: 'calendar meetup conference party wedding invite invitation ticket',
  workflow: 'github ci actions zapier jira',
  temporal: 'logic lobe reasoning',
  vacuum: 'cleaner robot carpet',
  memory: 'ram dimm laptop',
};
const OTHER_SENSES: Record<string, string[]> = Object.fromEntries(
  Object.entries(OTHER_SENSES_WORDS).map(([word, others]) => [keyOf(word), others.split(' ').map(keyOf)]),
);

export class AnalysedText {
  readonly tokens: Token[];
  private readonly byKey = new Map<string, Token[]>();

  constructor(readonly raw: string) {
    this.tokens = analyse(raw);
    const sentences = new Map<number, Set<string>>();
    for (const t of this.tokens) {
      const s = Math.floor(t.pos / 1000);
      if (!sentences.has(s)) sentences.set(s, new Set());
      sentences.get(s)!.add(t.key);
    }
    for (const t of this.tokens) {
      if (t.stop) continue;
      const others = OTHER_SENSES[t.key];
      if (others?.some((k) => sentences.get(Math.floor(t.pos / 1000))!.has(k))) continue;
      const list = this.byKey.get(t.key) ?? [];
      list.push(t);
      this.byKey.set(t.key, list);
    }
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  occurrences(key: string): Token[] {
    return this.byKey.get(key) ?? [];
  }

  get isEmpty(): boolean {
    return this.byKey.size === 0;
  }
}

export interface PhraseHit {
  /** The phrase (or trigger alternative) that matched. */
  phrase: string;
  /** The phrase's content keys, and which of them the text has. */
  keys: readonly string[];
  found: readonly string[];
  /** The user's words that matched, in text order. */
  matched: string[];
  /** True when the trigger's own regex matched the text as written. */
  exact: boolean;
  /** False for a lone common word ("graph", "memory"), which proves no domain by itself. */
  specific: boolean;
}

export interface MatchOptions {
  /** Words of the phrase that may be missing (for long descriptive phrases); at least two must be found. */
  allowMissing?: number;
  /** Count a lone common word as specific (a skill's own triggers: the author chose them). */
  trustSingleWords?: boolean;
}

export function matchPhrase(text: AnalysedText, phrase: string, options: MatchOptions = {}): PhraseHit | undefined {
  const keys = phraseKeys(phrase);
  if (keys.length === 0) return undefined;
  const present = keys.filter((k) => text.has(k));
  const missing = keys.length - present.length;
  if (missing > 0 && (missing > (options.allowMissing ?? 0) || present.length < 2)) return undefined;
  const window = smallestWindow(text, present);
  if (!window) return undefined;
  return {
    phrase,
    keys,
    found: present,
    matched: window.map((t) => t.raw),
    exact: false,
    specific: present.length >= 2 || options.trustSingleWords === true || !GENERIC_KEYS.has(present[0]!),
  };
}

/** A trigger as its author wrote it (regex), else as words; the hit with most words wins. */
export function matchTrigger(text: AnalysedText, trigger: string, options: MatchOptions = {}): PhraseHit | undefined {
  const exact = longestHit(text.raw, [triggerRegex(trigger), literalRegex(trigger)]);
  if (exact) {
    const keys = phraseKeys(exact);
    // The regex may hit inside a sense we exclude ("graph" on a dashboard): only count words the text keeps.
    if (keys.length > 0 && keys.every((k) => text.has(k) || /\d/.test(k))) {
      return {
        phrase: exact,
        keys,
        found: keys,
        matched: [exact],
        exact: true,
        specific: keys.length >= 2 || options.trustSingleWords === true || !GENERIC_KEYS.has(keys[0]!),
      };
    }
  }
  let best: PhraseHit | undefined;
  for (const phrase of expandTrigger(trigger)) {
    const hit = matchPhrase(text, phrase, options);
    if (hit && (!best || hit.found.length > best.found.length)) best = hit;
  }
  return best;
}

/** The hit with most words among every match of the given regexes (the leftmost is not always the best). */
function longestHit(raw: string, regexes: Array<RegExp | undefined>): string | undefined {
  let best: string | undefined;
  for (const regex of regexes) {
    if (!regex) continue;
    for (const m of raw.matchAll(regex)) {
      const hit = m[0].trim();
      if (hit && (!best || phraseKeys(hit).length > phraseKeys(best).length)) best = hit;
    }
  }
  return best;
}

/** The tightest run of tokens holding every key once, if it is short enough to read as one phrase. */
function smallestWindow(text: AnalysedText, keys: string[]): Token[] | undefined {
  const events = keys.flatMap((key) => text.occurrences(key).map((t) => ({ key, t }))).sort((a, b) => a.t.pos - b.t.pos);
  const counts = new Map<string, number>();
  let covered = 0;
  let best: { from: number; to: number } | undefined;
  let left = 0;
  for (let right = 0; right < events.length; right++) {
    const k = events[right]!.key;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (counts.get(k) === 1) covered++;
    while (covered === keys.length) {
      const span = events[right]!.t.pos - events[left]!.t.pos;
      if (!best || span < events[best.to]!.t.pos - events[best.from]!.t.pos) best = { from: left, to: right };
      const lk = events[left]!.key;
      counts.set(lk, counts.get(lk)! - 1);
      if (counts.get(lk) === 0) covered--;
      left++;
    }
  }
  if (!best) return undefined;
  const span = events[best.to]!.t.pos - events[best.from]!.t.pos;
  if (span > keys.length - 1 + WINDOW_SLACK) return undefined;
  const seen = new Set<string>();
  return events
    .slice(best.from, best.to + 1)
    .filter(({ key }) => (seen.has(key) ? false : (seen.add(key), true)))
    .map(({ t }) => t);
}

/** How much a hit says on its own: longer and exact phrases say more; a lone common word little. */
export function hitConfidence(hit: PhraseHit): number {
  if (!hit.specific) return 0.35;
  let c = hit.found.length >= 3 ? 0.8 : hit.found.length === 2 ? 0.75 : 0.6;
  if (hit.exact) c += 0.1;
  if (hit.found.length < hit.keys.length) c -= 0.1;
  return c;
}
