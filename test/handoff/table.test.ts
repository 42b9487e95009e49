/** The case table against the built-in skill alone and with the fixture specialists loaded. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { runHandoff } from '../../src/handoff/run.js';
import { HandoffResult } from '../../src/handoff/schema.js';
import { CASES } from './cases.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/handoff');
let own: SkillCatalog;
let withFixtures: SkillCatalog;

beforeAll(async () => {
  own = await SkillCatalog.load({ dirs: [] });
  withFixtures = await SkillCatalog.load({ dirs: [fixtures] });
  expect(withFixtures.problems).toEqual([]);
  expect(withFixtures.skills).toHaveLength(8);
});

/** The outcome in the table's notation: a skill id, stay, defer[:skill] or none. */
function outcome(result: HandoffResult): string {
  switch (result.decision) {
    case 'handoff':
      return result.handoffs[0]!.skill;
    case 'defer':
      return result.defer?.skill ? `defer:${result.defer.skill}` : 'defer';
    default:
      return result.decision;
  }
}

function check(catalog: SkillCatalog, text: string, expected: string) {
  const result = HandoffResult.parse(runHandoff(catalog, { text }));
  expect(outcome(result), `${text}\n${JSON.stringify(result, null, 2)}`).toBe(expected);
  // The shape follows the decision: handoffs only with handoff, stay/defer only with their decision.
  expect(result.handoffs.length > 0).toBe(result.decision === 'handoff');
  if (result.decision === 'defer') expect(result.defer).toBeDefined();
  if (result.decision === 'stay') expect(result.stay?.matched.length).toBeGreaterThan(0);
  for (const h of result.handoffs) expect(h.matched.length).toBeGreaterThan(0);
  return result;
}

it('the table has at least 40 cases, all different, covering every outcome', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(40);
  expect(new Set(CASES.map((c) => c.text)).size).toBe(CASES.length);
  const outcomes = new Set(CASES.flatMap((c) => [c.own, c.fixtures ?? c.own]).map((o) => o.split(':')[0]));
  for (const o of ['stay', 'defer', 'none', 'vector-specialist', 'graph-engineer', 'temporal-craftsman', 'event-architect', 'ml-memory', 'privacy-guardian', 'postgres-wizard']) {
    expect(outcomes).toContain(o);
  }
});

describe('with the built-in skill only', () => {
  it.each(CASES)('$text -> $own', ({ text, own: expected }) => {
    const result = check(own, text, expected);
    for (const h of result.handoffs) expect(h.loaded).toBe(false);
  });
});

describe('with the fixture specialists loaded', () => {
  it.each(CASES)('$text', ({ text, own: ownExpected, fixtures: expected }) => {
    const result = check(withFixtures, text, expected ?? ownExpected);
    for (const h of result.handoffs) {
      expect(h.loaded).toBe(true);
      expect(h.name).toBeTruthy();
    }
  });
});
