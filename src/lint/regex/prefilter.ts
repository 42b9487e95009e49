/**
 * A cheap pre-filter, as Semgrep does: the literal text a regex cannot match without. For each
 * top-level alternative the longest run of plain characters is required, so a file containing
 * none of them cannot match and the regex (RE2 is ~25x slower than V8 on plain text; the worker
 * costs a round trip) need not run. Anything unclear breaks the run; a pattern whose alternatives
 * do not all have a literal of at least MIN_LITERAL characters gets no pre-filter.
 */
const MIN_LITERAL = 3;
/** Escapes that stand for a class, an anchor or a reference, not a character. */
const NOT_LITERAL_ESCAPES = new Set([...'dDwWsSbBAZzkpPuxcntrfv0123456789']);

export interface Prefilter {
  /** The file must contain one of these (lower-cased when `ignoreCase`). */
  anyOf: string[];
  ignoreCase: boolean;
}

export function prefilterOf(source: string, flags: string): Prefilter | undefined {
  const alternatives: string[][] = [];
  let best = '';
  /** A required group of literal alternatives, `(?:send|emit)`: any of them will do. */
  let bestGroup: string[] | undefined;
  let run = '';
  const breakRun = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  const endAlternative = (): void => {
    breakRun();
    alternatives.push(best.length >= MIN_LITERAL || !bestGroup ? [best] : bestGroup);
    best = '';
    bestGroup = undefined;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      i++;
      if (next === undefined || NOT_LITERAL_ESCAPES.has(next)) {
        breakRun();
        if (next !== undefined) i += payloadLength(source, i + 1, next);
      } else {
        run += next;
      }
      continue;
    }
    if (c === '[') {
      i = skipClass(source, i);
      breakRun();
      continue;
    }
    if (c === '(') {
      const close = skipGroup(source, i);
      if (close < 0) return undefined;
      const literals = literalAlternatives(source.slice(i + 1, close));
      const optional = /^(?:[?*]|\{0?,)/.test(source.slice(close + 1));
      if (literals && literals.every((l) => l.length >= MIN_LITERAL) && !optional && !bestGroup) bestGroup = literals;
      i = close;
      breakRun();
      continue;
    }
    if (c === '|') {
      endAlternative();
      continue;
    }
    if (c === '*' || c === '?') {
      run = run.slice(0, -1); // the character before may be absent
      breakRun();
      continue;
    }
    if (c === '{') {
      const counted = /^\{(\d*)(,\d*)?\}/.exec(source.slice(i));
      if (counted) {
        if (!counted[1] || Number(counted[1]) === 0) run = run.slice(0, -1);
        breakRun();
        i += counted[0].length - 1;
        continue;
      }
      run += c;
      continue;
    }
    if (c === '+' || c === '.' || c === '^' || c === '$' || c === ')') {
      breakRun();
      continue;
    }
    run += c;
  }
  endAlternative();
  if (alternatives.some((a) => a.some((literal) => literal.length < MIN_LITERAL))) return undefined;
  const ignoreCase = flags.includes('i') || /\(\?[a-z]*i/.test(source);
  return { anyOf: [...new Set(alternatives.flat().map((a) => (ignoreCase ? a.toLowerCase() : a)))], ignoreCase };
}

/** `send|emit` (the inside of a group) as plain strings, or undefined when any part is more than text. */
function literalAlternatives(inner: string): string[] | undefined {
  const body = inner.replace(/^\?(?::|<[A-Za-z_]\w*>|P<[A-Za-z_]\w*>)/, '');
  if (body.startsWith('?')) return undefined; // lookaround and other special groups
  const parts = body.split('|');
  const out: string[] = [];
  for (const part of parts) {
    if (!/^(?:[^\\[\](){}|.*+?^$]|\\[^A-Za-z0-9])+$/.test(part)) return undefined;
    out.push(part.replace(/\\(.)/g, '$1'));
  }
  return out;
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
  return filter.anyOf.some((literal) => haystack.includes(literal));
}
