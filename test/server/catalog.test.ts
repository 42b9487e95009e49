import { describe, expect, it } from 'vitest';
import { ListSkillsError, ListSkillsResult, SkillCatalog, listSkills } from '../../src/skills/catalog.js';
import { dbTuner, manySkills, performanceHunter } from './make-skills.js';

describe('SkillCatalog', () => {
  // db-tuner is loaded first on purpose: the built-in must still win bare ids.
  const catalog = new SkillCatalog([dbTuner(), performanceHunter()]);

  it('puts the built-in skill first and finds skills by id', () => {
    expect(catalog.skills.map((s) => s.id)).toEqual(['performance-hunter', 'db-tuner']);
    expect(catalog.getSkill('db-tuner')?.name).toBe('DB Tuner');
    expect(catalog.getSkill('nope')).toBeUndefined();
  });

  it('resolves a bare id shared by two skills to both, built-in first', () => {
    const hits = catalog.lookup('n-plus-one-queries');
    expect(hits.map((h) => `${h.skill.id}:${h.kind}`)).toEqual(['performance-hunter:sharp-edge', 'db-tuner:sharp-edge']);
  });

  it('resolves qualified ids, kind paths and resource URIs to one item', () => {
    expect(catalog.lookup('db-tuner/n-plus-one-queries').map((h) => h.skill.id)).toEqual(['db-tuner']);
    expect(catalog.lookup('performance-hunter/validations/n-plus-one').map((h) => h.kind)).toEqual(['validation']);
    expect(catalog.lookup('skill://performance-hunter/patterns/profiled-optimization').map((h) => h.id)).toEqual(['profiled-optimization']);
    expect(catalog.lookup('skill://db-tuner').map((h) => h.kind)).toEqual(['skill']);
    expect(catalog.lookup('performance-hunter/patterns/n-plus-one')).toEqual([]);
    expect(catalog.lookup('skill://db-tuner/bogus/x')).toEqual([]);
  });

  it('indexes every kind of item', () => {
    const kinds = ['performance-hunter', 'profiled-optimization', 'premature-optimization', 'blocking-event-loop', 'sync-read-in-async'].map(
      (id) => catalog.lookup(id)[0]?.kind,
    );
    expect(kinds).toEqual(['skill', 'pattern', 'anti-pattern', 'sharp-edge', 'validation']);
  });
});

describe('listSkills', () => {
  const catalog = new SkillCatalog([...manySkills(120), performanceHunter(), dbTuner()]);

  it('caps the page at 50 by default, states the total and pages with an opaque cursor', () => {
    const first = ListSkillsResult.parse(listSkills(catalog, {}));
    expect(first.total).toBe(122);
    expect(first.returned).toBe(50);
    expect(first.skills[0]?.id).toBe('performance-hunter');
    const seen = new Set(first.skills.map((s) => s.id));
    let cursor = first.nextCursor;
    while (cursor) {
      const page = listSkills(catalog, { cursor });
      page.skills.forEach((s) => seen.add(s.id));
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(122);
  });

  it('filters by free text over id, name, description, tags and triggers, every word required', () => {
    expect(listSkills(catalog, { query: 'slow QUERY' }).skills.map((s) => s.id)).toEqual(['performance-hunter']);
    expect(listSkills(catalog, { query: 'database index' }).skills.map((s) => s.id)).toEqual(['db-tuner']);
    expect(listSkills(catalog, { query: 'database latency' }).total).toBe(0);
  });

  it('filters by tag, case-insensitively', () => {
    const result = listSkills(catalog, { tag: 'Performance', limit: 10 });
    expect(result.skills.map((s) => s.id)).toEqual(['performance-hunter', 'db-tuner']);
    expect(result.nextCursor).toBeUndefined();
    expect(listSkills(catalog, { tag: 'even', limit: 1 }).total).toBe(60);
  });

  it('summarises counts and the resource URI', () => {
    const ph = listSkills(catalog, { query: 'performance-hunter' }).skills[0];
    expect(ph?.counts).toEqual({ patterns: 1, antiPatterns: 1, sharpEdges: 2, validations: 2 });
    expect(ph?.uri).toBe('skill://performance-hunter');
  });

  it('refuses a cursor from another filter or a forged one, with how to fix it', () => {
    const cursor = listSkills(catalog, { tag: 'even', limit: 5 }).nextCursor;
    expect(cursor).toBeDefined();
    expect(() => listSkills(catalog, { tag: 'odd', cursor })).toThrow(/different query or tag/);
    expect(() => listSkills(catalog, { cursor: 'garbage' })).toThrow(ListSkillsError);
    expect(() => listSkills(catalog, { limit: 0 })).toThrow(/at least 1/);
  });
});
