/**
 * RE2 (re2js) is ~25-100x slower than V8 on plain text, most of all when a pattern has no literal
 * prefix to skip to (`\b(?:SELECT|select)\s+...`). This finds the patterns V8 may run instead,
 * in this thread and without a time budget, because two things are proven from their syntax:
 *
 * 1. Same matches. Only syntax whose meaning is the same in both engines is accepted, with RE2's
 *    classes spelt out where V8's differ (`\s` is `[\t\n\f\r ]` in RE2, wider in V8). No `.`,
 *    `^`, `$`, case folding, Unicode escapes, backreferences or lookaround, no set that takes a
 *    surrogate (`\S`, `[^x]`: RE2 steps over code points); no pattern that can match the empty
 *    string (the engines step past empty matches differently).
 * 2. No catastrophic backtracking. Only a single character (a literal, a class) may repeat; every
 *    repeat is followed by something that cannot start with a character it takes, so giving
 *    characters back can never help and each attempt fails or succeeds in one pass (as if the
 *    repeat were possessive); and no repeated class contains a character that may start a match,
 *    so attempts from different positions do not rescan the same run. Groups may only be
 *    optional (`?`), at most MAX_OPTIONAL_GROUPS of them.
 *
 * Anything else stays on RE2 (or on the budgeted worker, for what RE2 refuses).
 */

/** A set of UTF-16 code units. */
interface CharSet {
  /** Sorted, merged, inclusive [from, to] ranges over 0..0xFFFF. */
  ranges: [number, number][];
}

type Node =
  | { kind: 'chars'; set: CharSet; min: number; max: number }
  | { kind: 'boundary' }
  | { kind: 'group'; alternatives: Node[][]; optional: boolean };

const MAX_OPTIONAL_GROUPS = 4;
const RE2_SPACE: [number, number][] = [[9, 10], [12, 13], [32, 32]];
const DIGIT: [number, number][] = [[48, 57]];
const WORD: [number, number][] = [[48, 57], [65, 90], [95, 95], [97, 122]];

class Unsupported extends Error {}

/** A V8 source with RE2's meaning, when the pattern is in the class above; otherwise undefined. */
export function linearV8Source(re2Source: string, re2Flags: number, flagBits: { i: number; s: number }): string | undefined {
  if ((re2Flags & flagBits.i) !== 0) return undefined;
  try {
    const parser = new Parser(re2Source);
    const sequence = parser.alternation();
    if (parser.pos !== re2Source.length) return undefined;
    if (sequence.some(takesSurrogates) || !isLinear(sequence)) return undefined;
    return parser.v8;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------- parsing (and the V8 spelling)

class Parser {
  pos = 0;
  v8 = '';
  optionalGroups = 0;

  constructor(private readonly src: string) {}

  /** Alternatives at this level; the top level must have exactly one (a top-level `|` is a group too). */
  alternation(): Node[][] {
    const alternatives: Node[][] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      this.v8 += '|';
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Node[] {
    const nodes: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      nodes.push(this.quantified(this.atom()));
    }
    return nodes;
  }

  private atom(): Node {
    const c = this.src[this.pos]!;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') {
      const next = this.src[this.pos + 1];
      if (next === undefined) throw new Unsupported();
      this.pos += 2;
      if (next === 'b' || next === 'B') {
        this.v8 += `\\${next}`;
        return { kind: 'boundary' };
      }
      const set = this.classEscape(next);
      if (set) return { kind: 'chars', set, min: 1, max: 1 };
      if (/[A-Za-z0-9]/.test(next)) throw new Unsupported(); // \x, \u, \p, \A, \z, backreferences ...
      return this.literal(next);
    }
    if ('.^$*+?{}'.includes(c) || c.charCodeAt(0) >= 128) throw new Unsupported();
    this.pos++;
    return this.literal(c);
  }

  private literal(c: string): Node {
    const code = c.charCodeAt(0);
    if (code >= 128) throw new Unsupported();
    this.v8 += /[A-Za-z0-9 _'"%,:;<=>@#&!~`-]/.test(c) ? c : `\\${c}`;
    return { kind: 'chars', set: { ranges: [[code, code]] }, min: 1, max: 1 };
  }

  /** `\s \S \d \D \w \W`, written out for V8 with RE2's meaning. */
  private classEscape(letter: string): CharSet | undefined {
    const positive = letter === 's' || letter === 'S' ? RE2_SPACE : letter === 'd' || letter === 'D' ? DIGIT : letter === 'w' || letter === 'W' ? WORD : undefined;
    if (!positive) return undefined;
    const negated = letter === letter.toUpperCase();
    this.v8 += `[${negated ? '^' : ''}${rangesSource(positive)}]`;
    return { ranges: negated ? complement(positive) : positive };
  }

  private charClass(): Node {
    this.pos++; // [
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: [number, number][] = [];
    let first = true;
    while (this.pos < this.src.length && (this.src[this.pos] !== ']' || first)) {
      first = false;
      const from = this.classChar();
      if (from === undefined) continue; // a class escape, already added
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const to = this.classChar();
        if (to === undefined || to < from) throw new Unsupported();
        ranges.push([from, to]);
      } else ranges.push([from, from]);
    }
    if (this.src[this.pos] !== ']') throw new Unsupported();
    this.pos++;
    const merged = merge(ranges.concat(this.pendingClassRanges));
    this.pendingClassRanges = [];
    if (merged.length === 0) throw new Unsupported();
    this.v8 += `[${negated ? '^' : ''}${rangesSource(merged)}]`;
    return { kind: 'chars', set: { ranges: negated ? complement(merged) : merged }, min: 1, max: 1 };
  }

  private pendingClassRanges: [number, number][] = [];

  /** One character of a class (its code), or undefined for `\s`/`\d`/`\w` (their ranges are collected). */
  private classChar(): number | undefined {
    const c = this.src[this.pos]!;
    if (c === '[') throw new Unsupported(); // POSIX classes [:alpha:] and friends
    if (c === '\\') {
      const next = this.src[this.pos + 1];
      if (next === undefined) throw new Unsupported();
      this.pos += 2;
      if (next === 's' || next === 'd' || next === 'w') {
        this.pendingClassRanges.push(...(next === 's' ? RE2_SPACE : next === 'd' ? DIGIT : WORD));
        return undefined;
      }
      if (/[A-Za-z0-9]/.test(next) || next.charCodeAt(0) >= 128) throw new Unsupported();
      return next.charCodeAt(0);
    }
    if (c.charCodeAt(0) >= 128) throw new Unsupported();
    this.pos++;
    return c.charCodeAt(0);
  }

  private group(): Node {
    this.pos++; // (
    if (this.src[this.pos] === '?') {
      const named = /^\?P?<[A-Za-z_]\w*>/.exec(this.src.slice(this.pos));
      if (this.src.startsWith('?:', this.pos)) this.pos += 2;
      else if (named) this.pos += named[0].length;
      else throw new Unsupported(); // lookaround, inline flags
    }
    // Captures do not change where matches are; V8 gets a plain group.
    this.v8 += '(?:';
    const alternatives = this.alternation();
    if (this.src[this.pos] !== ')') throw new Unsupported();
    this.pos++;
    this.v8 += ')';
    return { kind: 'group', alternatives, optional: false };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.pos];
    let min = 1;
    let max = 1;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      this.v8 += c;
    } else if (c === '{') {
      const counted = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!counted) throw new Unsupported();
      min = Number(counted[1]);
      max = counted[2] ? (counted[3] ? Number(counted[3]) : Infinity) : min;
      if (max < min || min > 1000 || (max !== Infinity && max > 1000)) throw new Unsupported();
      this.pos += counted[0].length;
      this.v8 += counted[0];
    } else return node;
    if (this.src[this.pos] === '?' || this.src[this.pos] === '+') throw new Unsupported(); // lazy or possessive
    if (node.kind === 'boundary') throw new Unsupported();
    if (node.kind === 'group') {
      if (min !== 0 || max !== 1 || ++this.optionalGroups > MAX_OPTIONAL_GROUPS) throw new Unsupported();
      return { ...node, optional: true };
    }
    return { kind: 'chars', set: node.set, min, max };
  }
}

// ---------------------------------------------------------------- the linearity proof

/**
 * RE2 steps over code points, V8 (without `u`) over UTF-16 units: a set that takes a surrogate
 * (`\S`, `[^x]`) would take half an emoji in V8 and a whole one in RE2. Only sets without
 * surrogates are accepted, which leaves the ASCII ones (non-ASCII literals are refused too).
 */
function takesSurrogates(sequence: Node[]): boolean {
  return sequence.some((node) =>
    node.kind === 'chars' ? overlaps(node.set, SURROGATES) : node.kind === 'group' && node.alternatives.some(takesSurrogates),
  );
}

const SURROGATES: CharSet = { ranges: [[0xd800, 0xdfff]] };

function isLinear(top: Node[][]): boolean {
  // The whole pattern as one group, so a top-level `|` is handled like any other.
  const root: Node[] = [{ kind: 'group', alternatives: top, optional: false }];
  if (nullable(root)) return false;
  const starts = first(root);
  let ok = true;
  /** Walks every sequence, with what may follow it (`follow`: first characters; `end`: may end the match). */
  const check = (sequence: Node[], follow: CharSet, end: boolean): void => {
    for (let i = 0; i < sequence.length; i++) {
      const node = sequence[i]!;
      const rest = sequence.slice(i + 1);
      const restFirst = union(first(rest), nullable(rest) ? follow : EMPTY);
      const restEnd = nullable(rest) && end;
      if (node.kind === 'group') {
        for (const alternative of node.alternatives) check(alternative, restFirst, restEnd);
      } else if (node.kind === 'chars' && node.max > node.min) {
        // Giving back a character must leave one the rest cannot start with.
        if (overlaps(node.set, restFirst)) ok = false;
        if (node.max === Infinity && overlaps(node.set, starts)) ok = false;
      }
    }
  };
  check(root, EMPTY, true);
  return ok;
}

const EMPTY: CharSet = { ranges: [] };

function nullable(sequence: Node[]): boolean {
  return sequence.every((node) =>
    node.kind === 'boundary' ? true : node.kind === 'chars' ? node.min === 0 : node.optional || node.alternatives.some(nullable),
  );
}

/** Characters a match of `sequence` may start with (zero-width assertions are transparent). */
function first(sequence: Node[]): CharSet {
  let out = EMPTY;
  for (const node of sequence) {
    if (node.kind === 'boundary') continue;
    const own = node.kind === 'chars' ? node.set : node.alternatives.map(first).reduce(union, EMPTY);
    out = union(out, own);
    const skippable = node.kind === 'chars' ? node.min === 0 : node.optional || node.alternatives.some(nullable);
    if (!skippable) break;
  }
  return out;
}

// ---------------------------------------------------------------- character sets

function merge(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [from, to] of merge(ranges)) {
    if (from > next) out.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

function union(a: CharSet, b: CharSet): CharSet {
  return { ranges: merge([...a.ranges, ...b.ranges]) };
}

function overlaps(a: CharSet, b: CharSet): boolean {
  return a.ranges.some(([from, to]) => b.ranges.some(([f, t]) => from <= t && f <= to));
}

function rangesSource(ranges: [number, number][]): string {
  const char = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
  return ranges.map(([from, to]) => (from === to ? char(from) : `${char(from)}-${char(to)}`)).join('');
}
