/** zod building blocks detectors share for their options, so YAML reads the same everywhere. */
import { z } from 'zod';

/**
 * A list of call shapes per language. YAML may give one flat list (used for both languages: the
 * shapes rarely collide) or `{ typescript, javascript, python }`; a given list replaces the
 * defaults of its language, so a user copies the defaults from the docs and extends them.
 */
export function perLanguageShapes(defaults: { typescript: string[]; python: string[] }) {
  const full = { typescript: defaults.typescript, javascript: [] as string[], python: defaults.python };
  return z
    .preprocess(
      (raw) => (Array.isArray(raw) ? { typescript: raw, python: raw } : raw),
      z.object({
        typescript: z.array(z.string()).default(defaults.typescript),
        javascript: z.array(z.string()).default([]),
        python: z.array(z.string()).default(defaults.python),
      }),
    )
    .default(full);
}

/** The TS/JS list of a `perLanguageShapes` value: TypeScript's and JavaScript's together. */
export function tsShapes(value: { typescript: string[]; javascript: string[] }): string[] {
  return [...value.typescript, ...value.javascript];
}
