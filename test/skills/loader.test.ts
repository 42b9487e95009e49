import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSkills } from '../../src/skills/load.js';
import { LoadResult, formatProblem, type Skill } from '../../src/skills/model.js';
import { packageRoot } from '../../src/paths.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'skills');
const layoutDir = path.join(fixtures, 'layout');
const spawnerDir = path.join(fixtures, 'spawner');
const brokenDir = path.join(fixtures, 'broken');

function skillOf(result: LoadResult, id: string): Skill {
  const skill = result.skills.find((s) => s.id === id);
  if (!skill) throw new Error(`skill ${id} not loaded; have ${result.skills.map((s) => s.id).join(', ')}`);
  return skill;
}

/** Problems as `relative/file:line:col: severity: message (at path)`, easy to compare exactly. */
function rendered(result: LoadResult): string[] {
  return result.problems.map((p) => formatProblem({ ...p, file: path.relative(fixtures, p.file) }));
}

describe('perf-hunter layout root', () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadSkills({ dirs: [layoutDir], includeBuiltin: false });
  });

  it('loads the skill from its four files with no problems, and the result matches the model schema', () => {
    expect(result.problems).toEqual([]);
    expect(result.stats).toMatchObject({ dirs: 1, files: 4, skills: 1 });
    expect(() => LoadResult.parse(result)).not.toThrow();
    const skill = skillOf(result, 'cache-keeper');
    expect(skill.origin).toEqual({
      format: 'perf-hunter',
      dir: path.join(layoutDir, 'skills', 'cache-keeper'),
      files: [
        path.join(layoutDir, 'skills', 'cache-keeper', 'skill.yaml'),
        path.join(layoutDir, 'sharp-edges', 'cache-keeper.yaml'),
        path.join(layoutDir, 'validations', 'cache-keeper.yaml'),
        path.join(layoutDir, 'skills', 'cache-keeper', 'collaboration.yaml'),
      ],
    });
  });

  it('maps snake_case metadata and the structured identity', () => {
    const skill = skillOf(result, 'cache-keeper');
    expect(skill).toMatchObject({
      name: 'Cache Keeper', version: '2.1.0', category: 'backend', layer: 1, owns: ['cache-invalidation'],
      pairsWith: ['queue-runner'], requires: [], triggers: ['stale cache', 'ttl|expiry'],
    });
    expect(skill.identity).toMatchObject({
      role: 'A cache engineer who has been paged for stale data.',
      principles: ['Every entry has a TTL.', 'Invalidate on write.'],
      contrarianInsight: 'The cheapest cache is the one you never fill.',
      doesNotCover: ['message brokers'],
      defersTo: [{ skill: 'queue-runner', when: 'background refresh' }],
    });
    expect(skill.identity.text).toContain('Your core principles:\n1. Every entry has a TTL.');
  });

  it('keeps examples by language and gives every item its source', () => {
    const skill = skillOf(result, 'cache-keeper');
    const file = path.join(layoutDir, 'skills', 'cache-keeper', 'skill.yaml');
    expect(skill.patterns[0]).toMatchObject({
      id: 'write-through', when: 'Reads dominate writes',
      examples: { python: 'cache.set(key, value, ttl=60)\n', typescript: 'await cache.set(key, value, { ttl: 60 });\n' },
      source: { file, line: 23, column: 5 },
    });
    expect(skill.antiPatterns[0]).toMatchObject({ id: 'forever-keys', why: 'Memory grows until eviction storms.', instead: 'Give every key a TTL.', source: { file, line: 33, column: 5 } });
  });

  it('joins edge detectors from both sides: the edge list and the validation sharp_edge', () => {
    const skill = skillOf(result, 'cache-keeper');
    expect(skill.sharpEdges[0]).toMatchObject({ id: 'stampede', severity: 'critical', symptoms: ['origin CPU spikes'], detectors: ['no-ttl', 'loop-fetch'] });
    expect(skill.validations.map((v) => [v.id, v.kind, v.runnable, v.severity])).toEqual([
      ['no-ttl', 'regex', true, 'warning'],
      ['loop-fetch', 'ast', true, 'error'],
    ]);
    expect(skill.validations[1]).toMatchObject({ detector: 'n-plus-one', languages: ['typescript', 'python'], options: { calls: ['fetch'] }, sharpEdge: 'stampede', fix: 'Batch the calls.' });
  });

  it('reads collaboration', () => {
    expect(skillOf(result, 'cache-keeper').collaboration).toEqual({
      prerequisites: { skills: ['queue-runner'], knowledge: ['HTTP caching headers'] },
      complementary: [{ skill: 'queue-runner', relationship: 'Refreshes caches off the request path', brings: 'Durable background jobs' }],
      delegation: [{ trigger: 'queue backlog|consumer lag', delegateTo: 'queue-runner', pattern: 'parallel', context: 'Which keys are refreshed by jobs', receive: 'A refresh schedule' }],
    });
  });
});

describe('Spawner tree, one skill per variant', () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadSkills({ dirs: [spawnerDir], includeBuiltin: false });
  });

  it('finds skills at any depth, in path order, and reports only the one repair', () => {
    expect(result.skills.map((s) => s.id)).toEqual(['prose-skill', 'structured-skill', 'bare-skill']);
    expect(result.skills.every((s) => s.origin.format === 'spawner')).toBe(true);
    expect(rendered(result)).toEqual([
      'spawner/alpha/prose-skill/validations.yaml:51:14: warning: 1 pattern looks double-escaped (YAML single quotes keep "\\\\"), e.g. /widget\\\\.render\\\\(/; unescaped (at validations[6].pattern)',
    ]);
    expect(() => LoadResult.parse(result)).not.toThrow();
  });

  it('extracts principles, contrarian insight, what it does not cover and deferrals from prose', () => {
    const { identity } = skillOf(result, 'prose-skill');
    expect(identity.text.startsWith('You are a widget tuner')).toBe(true);
    expect(identity.role).toBe('You are a widget tuner who has shipped a thousand widgets.\nYou measure before you touch anything.');
    expect(identity.principles).toEqual([
      'Measure first - then change one thing',
      'Small widgets are fast widgets, and fast widgets are cheap',
      'Cache what is expensive',
    ]);
    expect(identity.contrarianInsight).toBe('Most widget work is wasted on the wrong widget.');
    expect(identity.doesNotCover).toEqual(['Gadgets', 'sprockets (all kinds)', 'gizmos']);
    expect(identity.defersTo).toEqual([
      { skill: 'gadget-smith', when: 'Gadget design' },
      { skill: 'sprocket-pro', when: 'sprocket tuning' },
    ]);
  });

  it('turns a structured identity (role, personality, core_principles) and limits/contrarian_insights into the model', () => {
    const skill = skillOf(result, 'structured-skill');
    expect(skill).toMatchObject({ id: 'structured-skill', version: '3', category: 'beta', description: 'A skill whose identity is a mapping.' });
    expect(skill.identity).toMatchObject({
      role: 'Budget Keeper\n\nCounts every millisecond.',
      principles: ['Budgets before features', 'Alert on the budget, not the cause'],
      doesNotCover: ['Pricing'],
      contrarianInsight: '"Faster hardware fixes it": The budget was never written down',
    });
    expect(skill.identity.text).toBe('Budget Keeper\n\nCounts every millisecond.\n\nYour core principles:\n1. Budgets before features\n2. Alert on the budget, not the cause');
  });

  it('gives a skill without identity an empty one', () => {
    expect(skillOf(result, 'bare-skill').identity).toEqual({ text: '', principles: [], doesNotCover: [], defersTo: [] });
    expect(skillOf(result, 'bare-skill').origin.files).toHaveLength(1);
  });

  it('names id-less patterns in kebab-case and reads keyed pattern mappings', () => {
    const prose = skillOf(result, 'prose-skill');
    expect(prose.patterns.map((p) => [p.id, p.name])).toEqual([['measured-change', 'Measured Change'], ['n-1-batching', 'N+1 Batching']]);
    expect(prose.patterns[0]!.examples).toEqual({ code: 'measure(); change(); measure()\n' });
    expect(prose.antiPatterns[0]).toMatchObject({ id: 'guess-work', why: 'You fix the wrong thing.', instead: 'Profile first.' });
    const structured = skillOf(result, 'structured-skill');
    expect(structured.patterns.map((p) => [p.id, p.name])).toEqual([['budget-first', 'Budget First'], ['measure-often', 'Measure Often']]);
    expect(structured.antiPatterns[0]).toMatchObject({ id: 'no-budget', instead: 'set a budget, then ship', wrong: 'ship()' });
    expect(structured.patterns[1]!.source).toEqual({ file: path.join(spawnerDir, 'beta/structured-skill/skill.yaml'), line: 31, column: 5 });
  });

  it('reads every detection variant and `edges:`', () => {
    const edges = skillOf(result, 'prose-skill').sharpEdges;
    expect(edges.map((e) => [e.id, e.severity, e.detectionPatterns, e.detectionFileTypes])).toEqual([
      ['widget-stampede', 'high', ['setInterval\\(refresh'], []],
      ['widget-leak', 'medium', ['new Widget\\(', 'widgets\\.push'], []],
      ['widget-blocking', 'low', ['readFileSync'], ['*.ts', '*.js']],
    ]);
    expect(edges[0]).toMatchObject({ versionRange: '>=2.0', symptoms: ['CPU spikes on the hour'], detectors: ['double-escaped'] });
    expect(edges[0]!.source).toEqual({ file: path.join(spawnerDir, 'alpha/prose-skill/sharp-edges.yaml'), line: 4, column: 5 });
    expect(skillOf(result, 'structured-skill').sharpEdges.map((e) => e.id)).toEqual(['budget-drift']);
  });

  it('normalises every validation variant', () => {
    const byId = new Map(skillOf(result, 'prose-skill').validations.map((v) => [v.id, v]));
    expect(byId.get('list-patterns')).toMatchObject({
      kind: 'regex', runnable: true, severity: 'error', patterns: ['widget\\.refresh\\(', 'widget\\.reload\\('],
      negativePatterns: ['// ok', 'jitter'], appliesTo: ['**/*.ts'], fix: 'Add jitter.',
    });
    expect(byId.get('untyped-string')).toMatchObject({
      kind: 'regex', runnable: true, severity: 'warning', patterns: ['new Widget\\(\\)'], negativePatterns: ['dispose'],
      appliesTo: ['**/*.js'], fix: 'Call dispose().',
    });
    expect(byId.get('thinking-only')).toMatchObject({ kind: 'conceptual', runnable: false, severity: 'info', notRunnableReason: 'kind "conceptual" is not run by perf-hunter (it runs regex and ast validations)' });
    expect(byId.get('review-list')).toMatchObject({ kind: 'checklist', runnable: false, severity: 'error' });
    expect(byId.get('object-pattern')).toMatchObject({
      kind: 'regex', runnable: true, severity: 'info', patterns: ['readFileSync\\('], negativePatterns: ['scripts/'], appliesTo: ['**/*.ts'],
      fix: 'Replace /readFileSync\\(/ with "await readFile("', pattern: { context_lines: 2 },
    });
    expect(byId.get('nothing-to-run')).toMatchObject({ kind: 'unspecified', runnable: false, severity: 'warning', notRunnableReason: 'no "type" and no "pattern": nothing to run' });
    expect(byId.get('double-escaped')).toMatchObject({ runnable: true, patterns: ['widget\\.render\\('], sharpEdge: 'widget-stampede' });
    // Python syntax the linter translates is kept as written (the linter turns it into JS/RE2).
    expect(byId.get('python-only')).toMatchObject({ runnable: true, patterns: ['(?P<name>widget)'] });
    expect(byId.get('list-patterns')!.source).toEqual({ file: path.join(spawnerDir, 'alpha/prose-skill/validations.yaml'), line: 2, column: 5 });
  });

  it('loads code_smells as advice-level validations and keeps sidecar extras', () => {
    const skill = skillOf(result, 'structured-skill');
    expect(skill.validations.map((v) => [v.id, v.kind, v.runnable, v.severity, v.fix])).toEqual([
      ['budget-comment', 'regex', true, 'warning', 'Write it down.'],
      ['giant-config', 'unspecified', false, 'info', 'Split it.'],
    ]);
    expect(skill.best_practices).toEqual({ budgets: { recommendation: 'Keep them in the repo.' } });
    expect(skill.handoffs).toEqual([{ trigger: 'widget', to: 'prose-skill' }]);
  });

  it('reads delegation_triggers and delegation, required prerequisites and bare complementary ids', () => {
    expect(skillOf(result, 'prose-skill').collaboration.delegation).toEqual([
      { trigger: 'gadget|gizmo', delegateTo: 'gadget-smith', pattern: 'review', context: 'The widget that talks to the gadget', receive: '' },
      { trigger: 'sprocket', delegateTo: 'sprocket-pro', pattern: 'sequential', context: 'Sprocket sizes', receive: '' },
    ]);
    expect(skillOf(result, 'prose-skill').collaboration.receives_from).toEqual([{ skill: 'structured-skill', receives: 'Widget budgets' }]);
    const collab = skillOf(result, 'structured-skill').collaboration;
    expect(collab.prerequisites).toEqual({ skills: ['prose-skill'], knowledge: ['SLOs'], recommended: [] });
    expect(collab.complementary).toEqual([{ skill: 'prose-skill', relationship: '', brings: '' }]);
    expect(collab.delegation[0]).toEqual({ trigger: 'widget', delegateTo: 'prose-skill', pattern: 'sequential', context: 'The budget', receive: 'Widget timings' });
  });

  it('keeps numbers in word lists as text', () => {
    expect(skillOf(result, 'prose-skill').triggers).toEqual(['widget', 'slow widget|widget latency', '404']);
  });
});

describe('broken files: a problem at the right place, never a crash', () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadSkills({ dirs: [brokenDir], includeBuiltin: false });
  });

  it('reports each problem exactly, at file:line:column, in a stable order', () => {
    expect(rendered(result)).toEqual([
      'broken/bad-edges-syntax/sharp-edges.yaml:4:15: error: YAML syntax error: bad indentation of a mapping entry',
      'broken/bad-syntax/skill.yaml:4:1: error: YAML syntax error: missed comma between flow collection entries',
      'broken/duplicates/skill.yaml:4:5: error: duplicate pattern id "same-name" (first declared at ' + path.join(brokenDir, 'duplicates/skill.yaml') + ':3:5); this one is skipped (at patterns[1])',
      'broken/duplicates/sharp-edges.yaml:5:5: error: duplicate sharp edge id "twice" (first declared at ' + path.join(brokenDir, 'duplicates/sharp-edges.yaml') + ':2:5); this one is skipped (at sharp_edges[1])',
      'broken/duplicates/validations.yaml:4:5: error: duplicate validation id "again" (first declared at ' + path.join(brokenDir, 'duplicates/validations.yaml') + ':2:5); this one is skipped (at validations[1])',
      'broken/missing-ids/skill.yaml:1:1: error: missing required field "id" (or "skill_id"); skill skipped',
      'broken/missing-item-ids/skill.yaml:3:5: error: pattern has neither "id" nor "name"; skipped (at patterns[0])',
      'broken/missing-item-ids/sharp-edges.yaml:2:5: error: missing required field "id"; sharp edge skipped (at sharp_edges[0].id)',
      'broken/missing-item-ids/validations.yaml:2:5: error: missing required field "id"; validation skipped (at validations[0].id)',
      'broken/wrong-types/skill.yaml:3:8: error: "layer" must be a number (got a string); ignored (at layer)',
      'broken/wrong-types/skill.yaml:4:7: error: "tags" must be a list of strings (got a string); ignored (at tags)',
      'broken/wrong-types/skill.yaml:7:11: error: "name" must be a string (got a list); pattern skipped (at patterns[1].name)',
      'broken/wrong-types/sharp-edges.yaml:4:15: warning: unknown severity "severe"; using medium (expected critical, high, medium, low or info) (at sharp_edges[0].severity)',
      'broken/wrong-types/sharp-edges.yaml:9:7: error: "symptoms" must be a string or a list of strings (got a mapping); sharp edge "bad-symptoms" skipped (at sharp_edges[1].symptoms)',
      'broken/wrong-types/sharp-edges.yaml:10:5: warning: no severity; using medium (expected critical, high, medium, low or info) (at sharp_edges[2].severity)',
      'broken/wrong-types/validations.yaml:6:15: warning: unknown severity "urgent"; using warning (expected error, warning, info or critical, high, medium, low) (at validations[1].severity)',
      'broken/wrong-types/validations.yaml:8:14: error: "pattern" must be a string, a list of strings or a mapping with `match` (got a number); validation "third" skipped (at validations[2].pattern)',
      'broken/wrong-types/collaboration.yaml:4:14: warning: unknown delegation pattern "async"; using sequential (expected sequential, parallel or review) (at delegation_triggers[0].pattern)',
      'broken/wrong-types/collaboration.yaml:5:5: error: missing required field "delegate_to"; delegation skipped (at delegation_triggers[1])',
    ]);
  });

  it('tags item problems with the skill id', () => {
    const problem = result.problems.find((p) => p.path === 'validations[2].pattern');
    expect(problem).toMatchObject({ skillId: 'wrong-types', severity: 'error', line: 8, column: 14 });
  });

  it('still loads everything that is not broken', () => {
    expect(result.skills.map((s) => s.id)).toEqual(['bad-edges-syntax', 'prose-skill', 'duplicates', 'missing-item-ids', 'unknown-fields', 'wrong-types']);
    expect(skillOf(result, 'bad-edges-syntax')).toMatchObject({ sharpEdges: [], validations: [{ id: 'still-loads', runnable: true }] });
    const wrong = skillOf(result, 'wrong-types');
    expect(wrong.layer).toBeUndefined();
    expect(wrong.tags).toEqual([]);
    expect(wrong.patterns.map((p) => p.id)).toEqual(['good-pattern']);
    expect(wrong.sharpEdges.map((e) => [e.id, e.severity])).toEqual([['ok-edge', 'medium'], ['no-severity', 'medium']]);
    expect(wrong.validations.map((v) => [v.id, v.severity])).toEqual([['first', 'warning'], ['second', 'warning'], ['fourth', 'warning']]);
    expect(wrong.collaboration.delegation.map((d) => [d.delegateTo, d.pattern])).toEqual([['somebody', 'sequential']]);
    const dup = skillOf(result, 'duplicates');
    expect(dup.sharpEdges).toMatchObject([{ id: 'twice', summary: 'First.' }]);
    expect(dup.validations).toMatchObject([{ id: 'again', patterns: ['first'] }]);
    expect(skillOf(result, 'missing-item-ids').validations.map((v) => v.id)).toEqual(['has-id']);
  });

  it('keeps unknown fields at every level without complaint', () => {
    const skill = skillOf(result, 'unknown-fields');
    expect(skill.mascot).toBe('owl');
    expect(skill.patterns[0]).toMatchObject({ id: 'odd', difficulty: 3 });
    expect(skill.validations[0]).toMatchObject({ id: 'odd', owner: 'team-a' });
    expect(result.problems.some((p) => p.file.includes('unknown-fields'))).toBe(false);
  });

  it('reports a duplicate skill id across dirs on the later one; the first wins', async () => {
    const both = await loadSkills({ dirs: [spawnerDir, path.join(brokenDir, 'duplicate-skill')], includeBuiltin: false });
    expect(skillOf(both, 'prose-skill').name).toBe('Prose Skill');
    expect(both.skills.filter((s) => s.id === 'prose-skill')).toHaveLength(1);
    expect(rendered(both).at(-1)).toBe(
      `broken/duplicate-skill/skill.yaml:2:5: error: duplicate skill id "prose-skill": already loaded from ${path.join(spawnerDir, 'alpha/prose-skill')}; this one is skipped (at id)`,
    );
  });

  it('reports a missing directory and still loads the others', async () => {
    const missing = path.join(fixtures, 'no-such-dir');
    const r = await loadSkills({ dirs: [missing, layoutDir], includeBuiltin: false });
    expect(r.problems).toEqual([{ severity: 'error', file: missing, line: 1, column: 1, message: `skills directory not found: ${missing}` }]);
    expect(r.skills.map((s) => s.id)).toEqual(['cache-keeper']);
    expect(r.stats.dirs).toBe(2);
  });
});

describe('single skill folder', () => {
  it('loads a Spawner skill folder given directly', async () => {
    const r = await loadSkills({ dirs: [path.join(spawnerDir, 'beta', 'structured-skill')], includeBuiltin: false });
    expect(r.skills.map((s) => [s.id, s.origin.format, s.origin.files.length])).toEqual([['structured-skill', 'spawner', 4]]);
  });

  it('recognises skills/<id>/ of a layout root and finds its sidecar files', async () => {
    const r = await loadSkills({ dirs: [path.join(layoutDir, 'skills', 'cache-keeper')], includeBuiltin: false });
    expect(r.problems).toEqual([]);
    expect(r.skills[0]).toMatchObject({ id: 'cache-keeper', origin: { format: 'perf-hunter' }, sharpEdges: [{ id: 'stampede' }] });
  });
});

describe('built-in Performance Hunter skill', () => {
  const builtinFiles = [
    'skills/performance-hunter/skill.yaml',
    'sharp-edges/performance-hunter.yaml',
    'validations/performance-hunter.yaml',
  ].map((f) => path.join(packageRoot, f));

  it.skipIf(!builtinFiles.every((f) => existsSync(f)))('loads with zero problems', async () => {
    const r = await loadSkills({ dirs: [] });
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.skills.map((s) => [s.id, s.origin.format])).toEqual([['performance-hunter', 'perf-hunter']]);
    const skill = r.skills[0]!;
    expect(skill.sharpEdges.length).toBeGreaterThan(0);
    expect(skill.validations.length).toBeGreaterThan(0);
    expect(() => LoadResult.parse(r)).not.toThrow();
  });
});
