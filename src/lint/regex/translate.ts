/**
 * Upstream skills write regexes for Python's `re` and PCRE. This turns one into what we can run:
 * a source for RE2 (linear time, so no budget needed) when RE2 accepts it, and always a source
 * plus flags for JavaScript's engine (run under a time budget in a worker). Syntax neither can
 * express faithfully (possessive quantifiers, atomic groups, `(?x)`) is refused with a reason, so
 * the caller reports it once per rule instead of running a different regex than the author wrote.
 */
export type Translated =
  | { ok: true; js: { source: string; flags: string }; re2?: { source: string; flags: number } }
  | { ok: false; reason: string };

/** RE2JS flag bits (RE2JS.CASE_INSENSITIVE, DOTALL, MULTILINE), kept here so this file needs no import. */
export const RE2_FLAGS = { i: 1, s: 4, m: 2 } as const;

/**
 * Matching is grep-like: `^` and `$` anchor lines (the `m` flag is always on), since upstream
 * patterns were written for line-oriented tools. `\A` and `\Z` keep their whole-text meaning.
 */
export function translatePattern(pattern: string, compileRe2?: (source: string, flags: number) => unknown): Translated {
  let rest = pattern;
  const flags = new Set<string>(['m']);
  // Leading inline flags, possibly several groups: (?i)(?s)...
  for (let lead = /^\(\?([a-zA-Z]+)\)/.exec(rest); lead; lead = /^\(\?([a-zA-Z]+)\)/.exec(rest)) {
    for (const flag of lead[1]!) {
      if (flag === 'i' || flag === 's' || flag === 'm') flags.add(flag);
      else if (flag === 'u' || flag === 'a' || flag === 'L') continue; // Unicode/ASCII modes: close enough
      else return { ok: false, reason: `inline flag (?${flag}) is not supported` };
    }
    rest = rest.slice(lead[0].length);
  }

  let js = '';
  let re2 = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const next = rest[i + 1] ?? '';
      i++;
      if (!inClass && next === 'Z') {
        js += '(?=\\n?(?![\\s\\S]))';
        re2 += '(?:\\n?\\z)';
      } else if (!inClass && next === 'z') {
        js += '(?![\\s\\S])';
        re2 += '\\z';
      } else if (!inClass && next === 'A') {
        js += '(?<![\\s\\S])';
        re2 += '\\A';
      } else {
        js += c + next;
        re2 += c + next;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      js += c;
      re2 += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A leading `]` or `^]` is a literal inside the class.
      const lead = rest.startsWith('^]', i + 1) ? '^]' : rest.startsWith(']', i + 1) ? ']' : '';
      js += c + lead;
      re2 += c + lead;
      i += lead.length;
      continue;
    }
    if (rest.startsWith('(?>', i)) return { ok: false, reason: 'atomic groups (?>...) are not supported' };
    if ((c === '+' || c === '*' || c === '?' || c === '}') && rest[i + 1] === '+' && quantifies(rest, i)) {
      return { ok: false, reason: `possessive quantifier ${c}+ is not supported` };
    }
    const named = /^\(\?P<([A-Za-z_]\w*)>/.exec(rest.slice(i));
    if (named) {
      js += `(?<${named[1]}>`;
      re2 += `(?P<${named[1]}>`;
      i += named[0].length - 1;
      continue;
    }
    const backref = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest.slice(i));
    if (backref) {
      js += `\\k<${backref[1]}>`;
      re2 += '\u0000'; // RE2 has no backreferences: make its compile fail
      i += backref[0].length - 1;
      continue;
    }
    js += c;
    re2 += c;
  }

  const jsFlags = [...flags].sort().join('');
  try {
    new RegExp(js, jsFlags);
  } catch (error) {
    return { ok: false, reason: `not a valid regex: ${error instanceof Error ? error.message : String(error)}` };
  }
  let re2Out: { source: string; flags: number } | undefined;
  if (compileRe2 && !re2.includes('\u0000')) {
    const re2Flags = [...flags].reduce((sum, f) => sum + RE2_FLAGS[f as keyof typeof RE2_FLAGS], 0);
    try {
      compileRe2(re2, re2Flags);
      re2Out = { source: re2, flags: re2Flags };
    } catch {
      re2Out = undefined; // lookaround, backreference ...: the JS engine under a budget runs it
    }
  }
  return { ok: true, js: { source: js, flags: jsFlags }, ...(re2Out ? { re2: re2Out } : {}) };
}

/** The `+` after `c` at `i` makes a possessive quantifier only if `c` is itself a quantifier (`a++`, not `\++`). */
function quantifies(pattern: string, i: number): boolean {
  const c = pattern[i];
  if (c === '}') return /\{\d+(,\d*)?\}$/.test(pattern.slice(0, i + 1));
  if (i === 0) return false;
  // `(?` and `(+` are not quantifiers; an escaped char before was consumed by the caller's loop.
  return pattern[i - 1] !== '(' ;
}
