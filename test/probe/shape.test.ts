/** Query shapes and routes: what the probe treats as "the same query" and "the same route". */
import { describe, expect, it } from 'vitest';
import { queryShape, routeOf } from '../../src/probe/shape.js';

describe('queryShape', () => {
  it('turns literals and placeholders into ? and collapses IN and VALUES lists', () => {
    expect(queryShape("SELECT * FROM t WHERE id = 42 AND name = 'it''s' AND x = $1")).toBe('SELECT * FROM t WHERE id = ? AND name = ? AND x = ?');
    expect(queryShape('SELECT * FROM t WHERE k IN (1, 2, 3)')).toBe(queryShape('SELECT * FROM t WHERE k IN (7)'));
    expect(queryShape('SELECT * FROM t WHERE k IN ($1, $2)')).toBe('SELECT * FROM t WHERE k IN (?)');
    expect(queryShape('INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)')).toBe('INSERT INTO t (a, b) VALUES (?)');
    expect(queryShape('SELECT :name, @p FROM t')).toBe('SELECT ?, ? FROM t');
  });

  it('keeps what is not a literal: identifiers with digits, casts, and ignores comments and spacing', () => {
    expect(queryShape('SELECT col1 FROM t2 WHERE x::int = 5')).toBe('SELECT col1 FROM t2 WHERE x::int = ?');
    expect(queryShape('SELECT a -- why\n  FROM   t /* hint */ WHERE b = 1')).toBe('SELECT a FROM t WHERE b = ?');
    expect(queryShape(`SELECT '${'x'.repeat(400)}' || ${'a'.repeat(400)}`)).toHaveLength(301);
  });
});

describe('routeOf', () => {
  it('drops the query string and turns segments with digits into :id', () => {
    expect(routeOf('get', '/orders/42/items?x=1')).toBe('GET /orders/:id/items');
    expect(routeOf('POST', '/users/3f2a9c1e-1111-2222-3333-444455556666')).toBe('POST /users/:id');
    expect(routeOf('GET', '/orders?limit=50')).toBe('GET /orders');
    expect(routeOf(undefined, undefined)).toBe('GET /');
    expect(routeOf('GET', '/health')).toBe('GET /health');
  });
});
