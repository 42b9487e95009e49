/**
 * Shapes: what makes two queries "the same query" and two requests "the same route". Literals,
 * placeholders and ids vary per call; the shape is what stays. Shared by the probe (in the
 * target) and the tests; node builtins only, so it stays cheap to preload.
 */

const MAX_SHAPE_LENGTH = 300;

/** `SELECT * FROM t WHERE id = 42 AND name = 'x' AND k IN (1, 2, 3)` -> `SELECT * FROM t WHERE id = ? AND name = ? AND k IN (?)`. */
export function queryShape(text: string): string {
  const shape = text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+|(?<![:\w]):[A-Za-z_]\w*|@[A-Za-z_]\w*/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    // After the literals: every list of placeholders is one placeholder, so IN (1,2) and IN (1,2,3) agree.
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
    .replace(/\(\?\)(?:\s*,\s*\(\?\))+/g, '(?)')
    .trim();
  return shape.length > MAX_SHAPE_LENGTH ? `${shape.slice(0, MAX_SHAPE_LENGTH)}…` : shape;
}

/** `GET /orders/42/items?x=1` -> `GET /orders/:id/items`: a path segment holding a digit is an id. */
export function routeOf(method: string | undefined, url: string | undefined): string {
  const pathname = (url ?? '/').split(/[?#]/, 1)[0] || '/';
  const normalised = pathname
    .split('/')
    .map((segment) => (/\d/.test(segment) || segment.length > 40 ? ':id' : segment))
    .join('/');
  return `${(method ?? 'GET').toUpperCase()} ${normalised}`;
}
