/** Locations inside the installed package, resolved from this file so they work from src/ and dist/. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root: the folder holding package.json, skills/, sharp-edges/ and validations/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
