/** zod building blocks detectors share for their options, so YAML reads the same everywhere. */
import { z } from 'zod';

type Shapes = { typescript: string[]; javascript: string[]; python: string[] };

/**
 * A list of call shapes per language. YAML may give one flat list (used for every language: the
 * shapes rarely collide) or `{ typescript, javascript, python }`. Lists given in YAML EXTEND the
 * built-in defaults (ESLint-style replacement would make every user copy our list to add one
 * shape, and silently lose the shapes we add later); `ignore` lists exist to take names away.
 */
export function perLanguageShapes(defaults: { typescript: string[]; python: string[] }) {
  const base: Shapes = { typescript: defaults.typescript, javascript: [], python: defaults.python };
  return z
    .preprocess((raw) => {
      if (raw === undefined) return base;
      const given = Array.isArray(raw) ? { typescript: raw, javascript: raw, python: raw } : raw;
      if (given === null || typeof given !== 'object') return given; // let the schema report it
      const merged: Record<string, unknown> = {};
      for (const lang of ['typescript', 'javascript', 'python'] as const) {
        const extra = (given as Record<string, unknown>)[lang];
        merged[lang] = Array.isArray(extra) ? [...new Set([...base[lang], ...extra])] : extra ?? base[lang];
      }
      return merged;
    }, z.object({
      typescript: z.array(z.string()),
      javascript: z.array(z.string()),
      python: z.array(z.string()),
    }))
    .default(base);
}

/** The TS/JS list of a `perLanguageShapes` value: TypeScript's and JavaScript's together. */
export function tsShapes(value: { typescript: string[]; javascript: string[] }): string[] {
  return [...new Set([...value.typescript, ...value.javascript])];
}

/** The list of a `perLanguageShapes` value for one language (TS and JS share one parser). */
export function shapesFor(value: { typescript: string[]; javascript: string[]; python: string[] }, language: 'typescript' | 'python'): string[] {
  return language === 'typescript' ? tsShapes(value) : value.python;
}
