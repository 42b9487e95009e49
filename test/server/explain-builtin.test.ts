/** Every item of the shipped skill, explained: sized for an agent and rendered without holes. */
import { describe, expect, it } from 'vitest';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { explain, renderExplain } from '../../src/skills/explain.js';

describe('explain over the built-in Performance Hunter skill', () => {
  it('answers every id within an agent-sized budget (text + JSON under 40,000 characters)', async () => {
    const catalog = await SkillCatalog.load({ includeBuiltin: true });
    const entries = catalog.entriesOf('performance-hunter');
    expect(entries.length).toBeGreaterThan(20);
    for (const entry of entries) {
      const result = explain(catalog, { id: entry.kind === 'skill' ? entry.id : `performance-hunter/${entry.id}` });
      const text = renderExplain(result);
      expect(text.length + JSON.stringify(result).length, entry.id).toBeLessThan(40_000);
      expect(text, entry.id).not.toMatch(/\[object Object\]|: undefined$/m);
    }
  });
});
