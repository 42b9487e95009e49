/**
 * Upstream regexes are written for many engines and often through YAML single quotes, where
 * `'\\.'` stays two backslashes: the author meant `\.` but JavaScript reads "a backslash, then
 * any character" (or, with `\\(`, an unterminated group). About one regex in ten in the Spawner
 * sample is like that. We repair that one mistake (and say so) and reject what still does not
 * compile, so the linter only ever gets regexes that run.
 */
import { translatePattern } from '../lint/regex/translate.js';

export type RegexCheck =
  | { ok: true; pattern: string; repairedFrom?: string }
  | { ok: false; pattern: string; error: string };

/** A doubled backslash before something a regex escapes: `\\.`, `\\(`, `\\s` ... */
const DOUBLED_ESCAPE = /\\\\[.()[\]{}|?*+^$sdwbSDWB]/;

export function checkRegex(pattern: string): RegexCheck {
  const error = compileError(pattern);
  const undoubled = pattern.replace(/\\\\/g, '\\');
  if (error === undefined) {
    if (looksDoubleEscaped(pattern) && compileError(undoubled) === undefined) {
      return { ok: true, pattern: undoubled, repairedFrom: pattern };
    }
    return { ok: true, pattern };
  }
  if (undoubled !== pattern && compileError(undoubled) === undefined) {
    return { ok: true, pattern: undoubled, repairedFrom: pattern };
  }
  return { ok: false, pattern, error };
}

/**
 * Whether the linter can run the pattern: Python/PCRE forms it translates (`(?i)`, `(?P<n>...)`,
 * `\Z`) pass and keep their original text; forms it refuses (possessive quantifiers) fail here.
 */
function compileError(pattern: string): string | undefined {
  const translated = translatePattern(pattern);
  if (!translated.ok) return translated.reason;
  try {
    new RegExp(translated.js.source, translated.js.flags);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Every backslash is doubled and at least one pair escapes a regex metacharacter. */
function looksDoubleEscaped(pattern: string): boolean {
  return DOUBLED_ESCAPE.test(pattern) && !pattern.replace(/\\\\/g, '').includes('\\');
}
