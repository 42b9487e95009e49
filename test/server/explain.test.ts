import { describe, expect, it } from 'vitest';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { ExplainResult, UnknownIdError, explain, renderExplain, suggestIds } from '../../src/skills/explain.js';
import { dbTuner, performanceHunter } from './make-skills.js';

const catalog = new SkillCatalog([dbTuner(), performanceHunter()]);

describe('explain', () => {
  it('explains a sharp edge with its validations, example code, source and the other skill using the id', () => {
    const result = ExplainResult.parse(explain(catalog, { id: 'n-plus-one-queries' }));
    expect(result).toMatchObject({
      kind: 'sharp-edge',
      skillId: 'performance-hunter',
      ref: 'performance-hunter/n-plus-one-queries',
      uri: 'skill://performance-hunter/sharp-edges/n-plus-one-queries',
      source: '/virtual/sharp-edges/performance-hunter.yaml:3',
      otherMatches: ['db-tuner/sharp-edges/n-plus-one-queries'],
    });
    expect(result.content['severity']).toBe('critical');
    expect(result.validations?.map((v) => v['id'])).toEqual(['n-plus-one']);
    expect(result.examples?.['python']).toContain('id__in=ids');
    expect(result.related.map((r) => `${r.kind}:${r.ref}`)).toEqual([
      'skill:performance-hunter',
      'validation:performance-hunter/validations/n-plus-one',
      'anti-pattern:performance-hunter/anti-patterns/premature-optimization',
    ]);
  });

  it('cuts long text and says where the full text is; unlimited keeps it', () => {
    const short = explain(catalog, { id: 'performance-hunter/n-plus-one-queries' });
    expect(short.truncated).toEqual([expect.objectContaining({ path: 'content.solution', shown: 4000 })]);
    expect(String(short.content['solution']).length).toBeLessThan(4100);
    expect(renderExplain(short)).toContain('Read skill://performance-hunter/sharp-edges/n-plus-one-queries for the full text');
    const full = explain(catalog, { id: 'performance-hunter/n-plus-one-queries' }, { maxTextChars: Infinity });
    expect(full.truncated).toEqual([]);
    expect(String(full.content['solution']).length).toBeGreaterThan(8000);
  });

  it('explains a validation with the sharp edge it proves', () => {
    const result = explain(catalog, { id: 'sync-read-in-async' });
    expect(result.kind).toBe('validation');
    expect(result.sharpEdge?.['id']).toBe('blocking-event-loop');
    expect(result.related.map((r) => r.relation)).toContain('the sharp edge its findings prove');
    expect(renderExplain(result)).toMatch(/## Proves sharp edge\n- `performance-hunter\/blocking-event-loop` \(high\)/);
  });

  it('explains a skill with its identity and caps the item list by limit', () => {
    const result = explain(catalog, { id: 'performance-hunter', limit: 2 });
    expect(result.kind).toBe('skill');
    expect(result.content).not.toHaveProperty('sharpEdges');
    expect(result.related).toHaveLength(2);
    expect(result.relatedTotal).toBe(6);
    const text = renderExplain(result);
    expect(text).toContain('# Skill: Performance Hunter');
    expect(text).toContain('Profile first, optimise second.');
    expect(text).toContain('(2 of 6 related items shown; raise limit to see more)');
  });

  it('renders a pattern with its examples as fenced code per language', () => {
    const text = renderExplain(explain(catalog, { id: 'profiled-optimization' }));
    expect(text).toContain('### python\n```python\nimport cProfile');
    expect(text).toContain('### typescript\n```typescript');
    expect(text).toContain('source: /virtual/performance-hunter/skill.yaml:30');
  });

  it('rejects an unknown id with the closest ids as suggestions', () => {
    let error: unknown;
    try {
      explain(catalog, { id: 'n-plus-one-query' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownIdError);
    expect((error as UnknownIdError).suggestions[0]).toBe('n-plus-one-queries');
    expect((error as Error).message).toMatch(/^unknown id "n-plus-one-query": .*Did you mean: n-plus-one-queries/);
  });

  it('suggests qualified ids for a qualified typo, and nothing for noise', () => {
    expect(suggestIds(catalog, 'db-tuner/n-plus-one-queriez')).toEqual(['db-tuner/n-plus-one-queries']);
    expect(suggestIds(catalog, 'zzzzzzzzzzzzzzzzzzzz')).toEqual([]);
  });

  it('says so when nothing is loaded, and rejects an empty id', () => {
    expect(() => explain(new SkillCatalog([]), { id: 'x' })).toThrow(/no skills are loaded/);
    expect(() => explain(catalog, { id: '  ' })).toThrow(/id is empty/);
  });
});
