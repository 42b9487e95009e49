/**
 * A cheap pre-filter, as Semgrep does: the literal text a regex cannot match without. Every plain
 * run of characters a top-level alternative must contain is required, and so is every group of
 * literal alternatives it cannot skip (`(?:SELECT|select)` then `(?:FROM|from)`: one of each),
 * so a file lacking any of them cannot match and the regex need not run (RE2 is ~25x slower than
 * V8 on plain text; the worker costs a round trip). Anything unclear (a class, an escape that is
 * not a character, a lookaround) requires nothing; an alternative without a literal of at least
 * MIN_LITERAL characters gives the whole pattern no pre-filter.
 */
const MIN_LITERAL = 3;
/** Shorter literals are not worth a scan of the file, beside a strong one. */
const MIN_EXTRA_LITERAL = 2;
/** Escapes that stand for a class, an anchor or a reference, not a character. */
const NOT_LITERAL_ESCAPES = new Set([...'dDwWsSbBAZzkpPuxcntrfv0123456789']);

/** Text of which the file must contain at least one. */
type Group = string[];
/** Groups that must all be satisfied. */
type Conjunction = Group[];

export interface Prefilter {
  /**
   * The file may match only if it satisfies one of these (one per top-level alternative): every
   * group of it, a group by any one of its strings (lower-cased when `ignoreCase`).
   */
  alternatives: Conjunction[];
  ignoreCase: boolean;
}

export function prefilterOf(source: string, flags: string): Prefilter | undefined {
  const alternatives = alternativesOf(source);
  if (!alternatives) return undefined;
  const ignoreCase = flags.includes('i') || /\(\?[a-z]*i/.test(source);
  const kept = alternatives.map((conjunction) =>
    conjunction
      .filter((group) => group.every((literal) => literal.length >= MIN_EXTRA_LITERAL))
      .map((group) => [...new Set(group.map((literal) => (ignoreCase ? literal.toLowerCase() : literal)))])
      // The most selective group first: a file lacking it is dismissed after one scan.
      .sort((a, b) => shortest(b) - shortest(a) || a.length - b.length),
  );
  if (kept.some((conjunction) => !conjunction.some((group) => shortest(group) >= MIN_LITERAL))) return undefined;
  return { alternatives: kept, ignoreCase };
}

function shortest(group: Group): number {
  return Math.min(...group.map((literal) => literal.length));
}

/** Each top-level alternative's requirement; undefined when the source is unbalanced. */
function alternativesOf(source: string): Conjunction[] | undefined {
  const out: Conjunction[] = [];
  let from = 0;
  for (let i = 0; i <= source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = skipClass(source, i);
    else if (c === '(') {
      i = skipGroup(source, i);
      if (i < 0) return undefined;
    } else if (c === '|' || c === undefined) {
      const conjunction = sequenceOf(source.slice(from, i));
      if (!conjunction) return undefined;
      out.push(conjunction);
      from = i + 1;
    }
  }
  return out;
}

/** What one alternative (no top-level `|`) requires. */
function sequenceOf(source: string): Conjunction | undefined {
  const groups: Conjunction = [];
  let run = '';
  /** What the last atom added, so that a quantifier allowing zero of it takes it back. */
  let last: { kind: 'char' } | { kind: 'group'; groups: number } | { kind: 'other' } = { kind: 'other' };
  const breakRun = (): void => {
    if (run) groups.push([run]);
    run = '';
  };
  const dropLast = (): void => {
    if (last.kind === 'char') {
      // A surrogate pair is one atom under the `u` flag: drop both halves (dropping more is always safe).
      const low = run.charCodeAt(run.length - 1);
      run = run.slice(0, low >= 0xdc00 && low <= 0xdfff ? -2 : -1);
      breakRun();
    } else {
      breakRun();
      if (last.kind === 'group') groups.splice(groups.length - last.groups, last.groups);
    }
    last = { kind: 'other' };
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      i++;
      if (next === undefined || NOT_LITERAL_ESCAPES.has(next)) {
        breakRun();
        last = { kind: 'other' };
        if (next !== undefined) i += payloadLength(source, i + 1, next);
      } else {
        run += next;
        last = { kind: 'char' };
      }
      continue;
    }
    if (c === '[') {
      i = skipClass(source, i);
      breakRun();
      last = { kind: 'other' };
      continue;
    }
    if (c === '(') {
      const close = skipGroup(source, i);
      if (close < 0) return undefined;
      const inner = groupRequirement(source.slice(i + 1, close));
      if (!inner) return undefined;
      breakRun();
      groups.push(...inner);
      last = { kind: 'group', groups: inner.length };
      i = close;
      continue;
    }
    if (c === '*' || c === '?') {
      dropLast();
      continue;
    }
    if (c === '{') {
      const counted = /^\{(\d*)(,\d*)?\}/.exec(source.slice(i));
      if (counted) {
        if (!counted[1] || Number(counted[1]) === 0) dropLast();
        else breakRun();
        last = { kind: 'other' };
        i += counted[0].length - 1;
        continue;
      }
      run += c;
      last = { kind: 'char' };
      continue;
    }
    if (c === '+' || c === '.' || c === '^' || c === '$' || c === ')') {
      breakRun();
      last = { kind: 'other' };
      continue;
    }
    run += c;
    last = { kind: 'char' };
  }
  breakRun();
  return groups;
}

/**
 * What a group (its inside) requires: all of it for a single alternative; for several, the union
 * of each alternative's most selective group (`send|emit`: one of them), or nothing if one
 * alternative requires nothing. Lookarounds require nothing here.
 */
function groupRequirement(inner: string): Conjunction | undefined {
  let body = inner;
  if (inner.startsWith('?')) {
    const opening = /^\?(?::|<[A-Za-z_]\w*>|P<[A-Za-z_]\w*>)/.exec(inner);
    if (!opening) return []; // lookaround, inline flags, anything else
    body = inner.slice(opening[0].length);
  }
  const alternatives = alternativesOf(body);
  if (!alternatives) return undefined;
  if (alternatives.length === 1) return alternatives[0]!;
  const union: string[] = [];
  for (const conjunction of alternatives) {
    const usable = conjunction.filter((group) => group.every((literal) => literal.length >= MIN_EXTRA_LITERAL));
    if (usable.length === 0) return [];
    const best = usable.reduce((a, b) => (shortest(b) > shortest(a) || (shortest(b) === shortest(a) && b.length < a.length) ? b : a));
    union.push(...best);
  }
  return [union];
}

/** How many characters after `\\<letter>` belong to the escape: `\\k<name>`, `\\p{L}`, `\\x41`, `\\u00e9`, `\\cA`, `\\12`. */
function payloadLength(source: string, from: number, letter: string): number {
  const rest = source.slice(from);
  const found =
    letter === 'k' ? /^<[^>]*>/.exec(rest)
    : letter === 'p' || letter === 'P' ? /^\{[^}]*\}/.exec(rest)
    : letter === 'x' ? /^[0-9a-fA-F]{2}/.exec(rest)
    : letter === 'u' ? /^(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4})/.exec(rest)
    : letter === 'c' ? /^[A-Za-z]/.exec(rest)
    : /[0-9]/.test(letter) ? /^[0-9]*/.exec(rest)
    : null;
  return found ? found[0].length : 0;
}

/** Index of the class's closing `]`. */
function skipClass(source: string, open: number): number {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return source.length;
}

/** Index of the group's closing `)`, or -1 when unbalanced. */
function skipGroup(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = skipClass(source, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Whether `text` (and its lower-cased copy, made once per file by the caller) may match. */
export function mayMatch(filter: Prefilter | undefined, text: string, lower: () => string): boolean {
  if (!filter) return true;
  const haystack = filter.ignoreCase ? lower() : text;
  return filter.alternatives.some((conjunction) => conjunction.every((group) => group.some((literal) => haystack.includes(literal))));
}
