/**
 * Trigger strings are written two ways upstream: plain phrases ("vector search is slow") and regex
 * alternations ("orchestration|coordination", "slow (vector|similarity) search", "ef_?search").
 * This expands the common regex shapes into the plain phrases they stand for, so each phrase can be
 * matched by words (any order, word forms, synonyms) and not only as an exact substring.
 */

/** Expansion stops here: a trigger with more variants than this is matched by its first ones only. */
const MAX_VARIANTS = 64;

/** Every plain phrase a trigger stands for, trimmed and de-duplicated. */
export function expandTrigger(trigger: string): readonly string[] {
  let expanded = expansions.get(trigger);
  if (!expanded) {
    if (expansions.size >= MEMO_LIMIT) expansions.clear();
    expansions.set(trigger, (expanded = Object.freeze(expandUncached(trigger))));
  }
  return expanded;
}

/** Triggers are few and matched against every finding's text: expand and compile each once (bounded). */
const MEMO_LIMIT = 10_000;
const expansions = new Map<string, readonly string[]>();
const regexes = new Map<string, RegExp | undefined>();

function expandUncached(trigger: string): string[] {
  let variants: string[];
  try {
    variants = new Parser(trigger).parse();
  } catch {
    // Not a shape we understand: read it as words around `|`.
    variants = trigger.split('|').map((part) => part.replace(/[\\^$.*+?()[\]{}]/g, ' '));
  }
  // Authors also write plain phrases that happen to hold regex characters ("N+1", "node.js"): keep them as written too.
  if (/[+.]/.test(trigger)) variants.push(...trigger.split('|').filter((part) => !/[()[\]]/.test(part)));
  const clean = variants.map((v) => v.replace(/\s+/g, ' ').trim()).filter(Boolean);
  return [...new Set(clean)];
}

/** The trigger as a case-insensitive regex anchored at a word start, or undefined when it does not compile. */
export function triggerRegex(trigger: string): RegExp | undefined {
  const key = `t\0${trigger}`;
  if (regexes.has(key)) return regexes.get(key);
  if (regexes.size >= MEMO_LIMIT) regexes.clear();
  const regex = compileTrigger(trigger);
  regexes.set(key, regex);
  return regex;
}

function compileTrigger(trigger: string): RegExp | undefined {
  try {
    // A left word boundary only: "quantiz" must still find "quantization", "auth" must not find "oauth".
    // Global, so the caller can pick the longest of several hits.
    return new RegExp(`(?<![a-z0-9])(?:${trigger})`, 'gi');
  } catch {
    return undefined;
  }
}

/** The trigger taken literally, for plain phrases with regex characters in them ("N+1"). */
export function literalRegex(trigger: string): RegExp {
  const key = `l\0${trigger}`;
  let regex = regexes.get(key);
  if (regex) return regex;
  if (regexes.size >= MEMO_LIMIT) regexes.clear();
  regex = compileLiteral(trigger);
  regexes.set(key, regex);
  return regex;
}

function compileLiteral(trigger: string): RegExp {
  return new RegExp(`(?<![a-z0-9])${trigger.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`, 'gi');
}

class ExpandError extends Error {}

/** A small recursive-descent reader for alternation, groups, `?`/`*`/`+`, escapes and classes. */
class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): string[] {
    const out = this.alternation();
    if (this.i < this.src.length) throw new ExpandError(`unexpected ${this.src[this.i]}`);
    return out;
  }

  private alternation(): string[] {
    const out = this.sequence();
    while (this.src[this.i] === '|') {
      this.i++;
      out.push(...this.sequence());
    }
    return out.slice(0, MAX_VARIANTS);
  }

  private sequence(): string[] {
    let acc = [''];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      let atom = this.atom();
      const q = this.src[this.i];
      if (q === '?' || q === '*') {
        this.i++;
        atom = [...atom, ''];
      } else if (q === '+') {
        this.i++;
      } else if (q === '{') {
        const close = this.src.indexOf('}', this.i);
        if (close < 0) throw new ExpandError('unclosed {');
        const min = Number(this.src.slice(this.i + 1, close).split(',')[0]);
        this.i = close + 1;
        if (min === 0) atom = [...atom, ''];
      }
      if (this.src[this.i] === '?') this.i++; // lazy quantifier: same words
      const next: string[] = [];
      for (const head of acc) for (const tail of atom) if (next.length < MAX_VARIANTS) next.push(head + tail);
      acc = next;
    }
    return acc;
  }

  private atom(): string[] {
    const ch = this.src[this.i++]!;
    if (ch === '(') {
      if (this.src[this.i] === '?') {
        // (?:...) groups read like plain ones; lookarounds add no words.
        const kind = this.src.slice(this.i, this.i + 3);
        const look = /^\?<?[=!]/.test(kind);
        this.i += kind.startsWith('?<') && look ? 3 : 2;
        const inner = this.alternation();
        this.expect(')');
        return look ? [''] : inner;
      }
      const inner = this.alternation();
      this.expect(')');
      return inner;
    }
    if (ch === '\\') {
      const esc = this.src[this.i++];
      if (esc === undefined) throw new ExpandError('trailing backslash');
      if (esc === 'b' || esc === 'B') return [''];
      if (/[sSwWdD]/.test(esc)) return [' '];
      return [esc];
    }
    if (ch === '[') {
      const close = this.src.indexOf(']', this.i + 1);
      if (close < 0) throw new ExpandError('unclosed [');
      this.i = close + 1;
      return [' '];
    }
    if (ch === '.') return [' '];
    if (ch === '^' || ch === '$') return [''];
    if (ch === ')' || ch === '*' || ch === '+' || ch === '?') throw new ExpandError(`unexpected ${ch}`);
    return [ch];
  }

  private expect(ch: string): void {
    if (this.src[this.i] !== ch) throw new ExpandError(`expected ${ch}`);
    this.i++;
  }
}
