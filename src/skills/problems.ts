/**
 * Collects load problems with the place they point at, and checks one raw item against its
 * schema so a bad item is reported and skipped on its own (the rest of the file still loads).
 */
import type { z } from 'zod';
import type { LoadProblem } from './model.js';
import type { PathSegment, YamlFile } from './yaml-file.js';

export class ProblemLog {
  readonly problems: LoadProblem[] = [];

  add(severity: LoadProblem['severity'], at: YamlFile, path: readonly PathSegment[], message: string, skillId?: string): void {
    const { line, column } = at.locate(path);
    this.push({ severity, file: at.file, line, column, message, path: renderPath(path), skillId });
  }

  /** A problem about a file or folder as a whole (missing dir, YAML syntax error). */
  push(problem: Omit<LoadProblem, 'path' | 'skillId'> & { path?: string | undefined; skillId?: string | undefined }): void {
    const clean: LoadProblem = { severity: problem.severity, file: problem.file, line: problem.line, column: problem.column, message: problem.message };
    if (problem.path) clean.path = problem.path;
    if (problem.skillId) clean.skillId = problem.skillId;
    this.problems.push(clean);
  }
}

/** `['validations', 2, 'pattern']` -> `validations[2].pattern`. */
export function renderPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

export interface ItemContext {
  file: YamlFile;
  log: ProblemLog;
  skillId?: string | undefined;
}

/**
 * Parses `value` with `schema`. On failure every issue is reported at its own node and
 * `undefined` comes back; `what` names the item in the message ("validation \"x\"").
 */
export function checkItem<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: readonly PathSegment[],
  what: string,
  ctx: ItemContext,
): z.infer<S> | undefined {
  const result = schema.safeParse(withoutNulls(value));
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const issuePath = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    ctx.log.add('error', ctx.file, [...path, ...issuePath], `${issueText(issue, value, issuePath)}; ${what} skipped`, ctx.skillId);
  }
  return undefined;
}

/** `pattern:` or `pattern: null` in YAML means "not given", so it is treated as absent. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (!Object.values(value).includes(null)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

export function issueText(issue: z.core.$ZodIssue, root: unknown, issuePath: readonly PathSegment[]): string {
  const field = issuePath.length ? `"${renderPath(issuePath)}"` : 'value';
  const actual = valueAt(root, issuePath);
  if (actual === undefined && issuePath.length) return `missing required field ${field}`;
  return `${field} ${issue.message} (got ${describeValue(actual)})`;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}
