/** Lint findings carry a handoff hint when their topic belongs to another skill. */
import { describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/run-lint.js';
import { loadSkills } from '../../src/skills/load.js';

const code = `import { Pool as PgPool } from 'pg';
const pool = new PgPool({ max: 10 });
export async function similar(docs: { vec: number[] }[]) {
  const out = [];
  for (const doc of docs) {
    out.push(await pool.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 5', [doc.vec]));
  }
  return out;
}
export async function names(ids: string[]) {
  const out = [];
  for (const id of ids) out.push(await pool.query('SELECT name FROM users WHERE id = $1', [id]));
  return out;
}
`;

describe('handoff hints on findings', () => {
  it('a per-item pgvector query goes to vector-specialist; a plain one keeps the rule-wide postgres-wizard hint', async () => {
    const { skills } = await loadSkills({});
    const report = await runLint({ code, filename: 'search.ts', rules: ['n-plus-one'] }, { cwd: process.cwd(), skills });
    const byLine = Object.fromEntries(report.findings.map((f) => [f.line, f.handoff?.skill]));
    expect(byLine).toEqual({ 6: 'vector-specialist', 12: 'postgres-wizard' });
  });

  it('without loaded skills there is nothing to hand off to, and no hint is invented', async () => {
    const report = await runLint({ code, filename: 'search.ts', rules: ['n-plus-one'] }, { cwd: process.cwd() });
    expect(report.findings.map((f) => f.handoff)).toEqual([undefined, undefined]);
  });
});
