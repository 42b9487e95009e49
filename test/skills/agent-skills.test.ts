/**
 * Agent Skills import: SKILL.md folders from `.claude/skills` (project), `~/.claude/skills` (a
 * temporary HOME) and --skills-dir load as skills; malformed ones are problems at file:line:col
 * and the rest still load; a folder with both YAML and SKILL.md loads once, from the YAML; and
 * an upstream skill exported with `skills export --format agent-skill` loads back the same.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillCatalog, listSkills } from '../../src/skills/catalog.js';
import { explain, renderExplain } from '../../src/skills/explain.js';
import { loadSkills } from '../../src/skills/load.js';
import { LoadResult, formatProblem, type Skill } from '../../src/skills/model.js';
import { runHandoff } from '../../src/handoff/run.js';
import { createServer } from '../../src/server/create-server.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { packageRoot } from '../../src/paths.js';
import { cliPath, offlineEnv, runAny, skillsRefBin } from '../plugin/helpers.js';

const spawnerFixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'spawner');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-agent-skills-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function skillMd(folder: string, front: string, body = '# Title\n\nDo the thing.\n'): void {
  write(path.join(folder, 'SKILL.md'), `---\n${front}\n---\n${body}`);
}

function rendered(result: LoadResult): string[] {
  return result.problems.map((p) => formatProblem({ ...p, file: path.relative(tmp, p.file) }));
}

describe('Agent Skills folders in .claude/skills and ~/.claude/skills', () => {
  let project: string;
  let home: string;
  let result: LoadResult;

  beforeAll(async () => {
    project = path.join(tmp, 'project');
    home = path.join(tmp, 'home');
    const projectSkills = path.join(project, '.claude', 'skills');
    skillMd(
      path.join(projectSkills, 'pdf-forms'),
      'name: pdf-forms\ndescription: Fills and extracts PDF forms. Use when working with PDF forms or document extraction.\nlicense: MIT',
      '# PDF Forms\n\nRead the form fields first.\n\n## Steps\n\n1. Run `scripts/fields.py`.\n',
    );
    write(path.join(projectSkills, 'pdf-forms', 'references', 'fields.md'), '# Field types\n');
    // Line 3 opens a flow sequence that never closes: a YAML syntax error inside the front matter.
    skillMd(path.join(projectSkills, 'broken-yaml'), 'name: broken-yaml\ndescription: [unclosed');
    skillMd(path.join(projectSkills, 'no-description'), 'name: no-description');
    skillMd(path.join(projectSkills, 'wrong-folder'), 'name: other-name\ndescription: Says it is someone else.');
    skillMd(path.join(projectSkills, 'Bad_Name'), 'name: Bad_Name\ndescription: Capitals and an underscore.');
    write(path.join(projectSkills, 'no-front-matter', 'SKILL.md'), '# Just Markdown\n');
    skillMd(path.join(home, '.claude', 'skills', 'grafana-dashboards'), 'name: grafana-dashboards\ndescription: Builds Grafana dashboards. Use when the user asks for grafana panels or prometheus alert rules.', '# Grafana Dashboards\n');
    // Same name as the project's: a duplicate, the first (project) wins.
    skillMd(path.join(home, '.claude', 'skills', 'pdf-forms'), 'name: pdf-forms\ndescription: A personal copy.');
    result = await loadSkills({ agentSkillDirs: { cwd: project, home } });
  });

  it('loads the valid ones after the built-in skill, and the result matches the model schema', () => {
    expect(() => LoadResult.parse(result)).not.toThrow();
    expect(result.skills.map((s) => `${s.id}:${s.origin.format}`)).toEqual([
      'performance-hunter:perf-hunter',
      'pdf-forms:agent-skill',
      'grafana-dashboards:agent-skill',
    ]);
  });

  it('reports every malformed SKILL.md at file:line:column, and the duplicate from HOME', () => {
    expect(rendered(result).sort()).toEqual([
      'home/.claude/skills/pdf-forms/SKILL.md:2:7: error: duplicate skill id "pdf-forms": already loaded from ' +
        `${path.join(project, '.claude', 'skills', 'pdf-forms')}; this one is skipped (at id)`,
      'project/.claude/skills/Bad_Name/SKILL.md:2:7: error: "name" must be lowercase letters, digits and single hyphens, not starting or ending with one (got "Bad_Name"); skill skipped (at name)',
      'project/.claude/skills/broken-yaml/SKILL.md:4:1: error: front matter: YAML syntax error: unexpected end of the stream within a flow collection; skill skipped',
      'project/.claude/skills/no-description/SKILL.md:2:1: error: missing required field "description" in the front matter (what the skill does and when to use it); skill skipped',
      'project/.claude/skills/no-front-matter/SKILL.md:1:1: error: SKILL.md must start with YAML front matter: a "---" line, name: and description:, then "---"; skill skipped',
      'project/.claude/skills/wrong-folder/SKILL.md:2:7: error: "name" is "other-name" but the folder is "wrong-folder"; they must match; skill skipped (at name)',
    ]);
  });

  it('keeps name, description, body, references and the description\'s "when" part as triggers', () => {
    const pdf = result.skills.find((s) => s.id === 'pdf-forms')!;
    expect(pdf).toMatchObject({
      name: 'PDF Forms',
      description: 'Fills and extracts PDF forms. Use when working with PDF forms or document extraction.',
      triggers: ['PDF forms', 'document extraction'],
      references: ['references/fields.md'],
      license: 'MIT',
      origin: { format: 'agent-skill', files: [path.join(project, '.claude', 'skills', 'pdf-forms', 'SKILL.md')] },
    });
    expect(pdf.body).toBe('# PDF Forms\n\nRead the form fields first.\n\n## Steps\n\n1. Run `scripts/fields.py`.');
  });

  it('list_skills and explain show them, with the body and references', () => {
    const catalog = new SkillCatalog(result.skills, result.problems);
    const listed = listSkills(catalog, { query: 'pdf' });
    expect(listed.skills.map((s) => [s.id, s.format])).toEqual([['pdf-forms', 'agent-skill']]);
    const explained = explain(catalog, { id: 'pdf-forms' });
    expect(explained.source).toBe(`${path.join(project, '.claude', 'skills', 'pdf-forms', 'SKILL.md')}:1`);
    const text = renderExplain(explained);
    expect(text).toContain('## Instructions (SKILL.md)\n# PDF Forms\n\nRead the form fields first.');
    expect(text).toContain('## References\n- references/fields.md');
  });

  it('handoff names an installed Agent Skill by its description, and not for unrelated text', () => {
    const handed = runHandoff(result.skills, { text: 'our grafana panels are slow to load' });
    expect(handed.decision).toBe('handoff');
    expect(handed.handoffs[0]).toMatchObject({ skill: 'grafana-dashboards', loaded: true, name: 'Grafana Dashboards' });
    expect(handed.handoffs[0]!.why).toContain('from its description');
    const ours = runHandoff(result.skills, { text: 'our API p99 latency doubled after the last deploy' });
    expect(ours.handoffs.map((h) => h.skill)).not.toContain('grafana-dashboards');
    expect(ours.handoffs.map((h) => h.skill)).not.toContain('pdf-forms');
  });

  it('the MCP list_skills, explain and handoff tools show and name them', async () => {
    const catalog = new SkillCatalog(result.skills, result.problems);
    const server = createServer({ catalog: async () => catalog, log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'agent-skills-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const listed = (await client.callTool({ name: 'list_skills', arguments: {} })).structuredContent as { skills: Array<{ id: string; format: string }> };
      expect(listed.skills.filter((s) => s.format === 'agent-skill').map((s) => s.id)).toEqual(['pdf-forms', 'grafana-dashboards']);
      const explained = await client.callTool({ name: 'explain', arguments: { id: 'pdf-forms' } });
      expect(JSON.stringify(explained.content)).toContain('Read the form fields first.');
      const handed = (await client.callTool({ name: 'handoff', arguments: { text: 'our grafana panels are slow to load' } })).structuredContent as { handoffs: Array<{ skill: string }> };
      expect(handed.handoffs[0]?.skill).toBe('grafana-dashboards');
    } finally {
      await client.close();
    }
  });

  it('the CLI reads them from the cwd and HOME: skills list shows them, skills check reports the broken ones (exit 1)', async () => {
    const env = offlineEnv(home);
    const listed = await runAny(process.execPath, [cliPath, 'skills', 'list', '--json'], { cwd: project, env });
    expect(listed.code, listed.out).toBe(0);
    const ids = (JSON.parse(listed.out) as { skills: Array<{ id: string }> }).skills.map((s) => s.id);
    expect(ids).toEqual(['performance-hunter', 'pdf-forms', 'grafana-dashboards']);
    const checked = await runAny(process.execPath, [cliPath, 'skills', 'check'], { cwd: project, env });
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(`${path.join(project, '.claude', 'skills', 'Bad_Name', 'SKILL.md')}:2:7: error:`);
  });

  it('skills export leaves installed Agent Skills alone unless named', async () => {
    const out = path.join(tmp, 'export-all');
    const run = await runAny(process.execPath, [cliPath, 'skills', 'export', '--out', out], { cwd: project, env: offlineEnv(home) });
    expect(run.code, run.out).toBe(0);
    expect(readdirSync(out)).toEqual(['performance-hunter']);
    expect(run.out).toContain('skipped 2 installed Agent Skill(s) (pdf-forms, grafana-dashboards)');
  });

  it('does not read .claude/skills when only named folders are loaded', async () => {
    const named = await loadSkills({ dirs: [], includeBuiltin: false });
    expect(named.skills).toEqual([]);
    const off = await loadSkills({ agentSkillDirs: false });
    expect(off.skills.map((s) => s.id)).toEqual(['performance-hunter']);
  });
});

describe('a folder with both YAML and SKILL.md', () => {
  it('loads our own skill once, from the YAML, however the folder is named', async () => {
    const ownFolder = path.join(packageRoot, 'skills', 'performance-hunter');
    for (const dirs of [[], [path.join(ownFolder, 'SKILL.md')]]) {
      const loaded = await loadSkills({ dirs, includeBuiltin: dirs.length === 0 });
      const hunters = loaded.skills.filter((s) => s.id === 'performance-hunter');
      expect(hunters).toHaveLength(1);
      expect(hunters[0]!.origin.format).toBe('perf-hunter');
    }
  });

  it('treats our export installed in .claude/skills as the same skill: a warning, not an error', async () => {
    const project = path.join(tmp, 'installed');
    const target = path.join(project, '.claude', 'skills');
    const out = await runAny(process.execPath, [cliPath, 'skills', 'export', 'performance-hunter', '--out', target], { cwd: tmp, env: offlineEnv(path.join(tmp, 'empty-home')) });
    expect(out.code, out.out).toBe(0);
    const loaded = await loadSkills({ agentSkillDirs: { cwd: project, home: path.join(tmp, 'empty-home') } });
    expect(loaded.skills.filter((s) => s.id === 'performance-hunter')).toHaveLength(1);
    expect(loaded.problems.map((p) => [p.severity, p.line, p.message.replace(/ from .*;/, ' from …;')])).toEqual([
      ['warning', 2, 'skill "performance-hunter" is perf-hunter\'s own Agent Skills export of the skill loaded from …; this copy is skipped'],
    ]);
  });
});

describe('export -> import round trip of an upstream Spawner skill', () => {
  let original: Skill;
  let imported: Skill;
  let out: string;

  beforeAll(async () => {
    const loaded = await loadSkills({ dirs: [spawnerFixture], includeBuiltin: false });
    expect(loaded.problems).toEqual([]);
    original = loaded.skills[0]!;
    out = path.join(tmp, 'roundtrip');
    const exported = await runAny(
      process.execPath,
      [cliPath, 'skills', 'export', 'queue-tamer', '--format', 'agent-skill', '--no-builtin', '--skills-dir', spawnerFixture, '--out', out],
      { cwd: tmp, env: offlineEnv(path.join(tmp, 'empty-home')) },
    );
    expect(exported.code, exported.out).toBe(0);
    const again = await loadSkills({ dirs: [out], includeBuiltin: false });
    expect(again.problems).toEqual([]);
    expect(again.skills).toHaveLength(1);
    imported = again.skills[0]!;
  });

  it('the export is a valid Agent Skill (skills-ref validate)', async () => {
    const check = await runAny(skillsRefBin, ['validate', path.join(out, 'queue-tamer')], { cwd: tmp, env: offlineEnv(path.join(tmp, 'empty-home')) });
    expect(check.out).toContain('Valid skill');
    expect(check.code).toBe(0);
  });

  it('comes back with the same id, name, version and description', () => {
    expect(imported.origin.format).toBe('agent-skill');
    expect(original.origin.format).toBe('spawner');
    for (const field of ['id', 'name', 'version', 'description'] as const) expect(imported[field], field).toBe(original[field]);
    expect(imported.triggers).toEqual([...original.triggers, 'background jobs']);
  });

  it('comes back with the same sharp edges, patterns and anti-patterns', () => {
    const edge = ({ id, summary, severity, situation, why, solution, symptoms }: Skill['sharpEdges'][number]) => ({
      id, summary, severity, situation: situation.trim(), why: why.trim(), solution: solution.trim(), symptoms,
    });
    expect(imported.sharpEdges.map(edge)).toEqual(original.sharpEdges.map(edge));
    expect(imported.sharpEdges).toHaveLength(2);
    const pattern = ({ id, name, description, when, examples }: Skill['patterns'][number]) => ({
      id, name, description, when, examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, v.trimEnd()])),
    });
    expect(imported.patterns.map(pattern)).toEqual(original.patterns.map(pattern));
    const anti = ({ id, name, description, why, instead }: Skill['antiPatterns'][number]) => ({ id, name, description, why, instead });
    expect(imported.antiPatterns.map(anti)).toEqual(original.antiPatterns.map(anti));
  });

  it('keeps the identity principles and the delegation the export wrote', () => {
    expect(imported.identity.principles).toEqual(original.identity.principles);
    expect(imported.identity.contrarianInsight).toBe(original.identity.contrarianInsight);
    expect(imported.collaboration.delegation).toEqual([]);
    // The exporter writes regex triggers as context only (they read badly); the target is kept in the body.
    expect(imported.body).toContain('Hand off to `redis-keeper`');
  });
});
