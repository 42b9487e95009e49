/**
 * Agent Skills export: one loaded skill becomes a folder an agent runner installs as is
 * (`<name>/SKILL.md` + `references/`). SKILL.md holds what an agent needs up front (identity,
 * principles, workflow, how to call perf-hunter's tools); each sharp edge, pattern and
 * anti-pattern goes to its own reference file, read only when a step calls for it.
 *
 * Rendering is pure and deterministic (no dates, no absolute paths) so the committed export of
 * our own skill can be checked for staleness by regenerating it. Writing is separate.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_SKILL_ID } from '../catalog.js';
import type { AntiPattern, Pattern, SharpEdge, Skill } from '../model.js';

/** Limits of the Agent Skills specification (agentskills.io), checked by `skills-ref validate`. */
export const AGENT_SKILL_LIMITS = { name: 64, description: 1024, bodyLines: 500 } as const;

export interface AgentSkillExport {
  /** The folder and front-matter name: lowercase letters, digits and single hyphens. */
  name: string;
  /** File contents keyed by path relative to the skill folder (`SKILL.md`, `references/...`). */
  files: Map<string, string>;
}

/** `Performance Hunter`, `ml_memory` -> `performance-hunter`, `ml-memory`; never empty, at most 64 chars. */
export function agentSkillName(id: string): string {
  const slug = id
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, AGENT_SKILL_LIMITS.name)
    .replace(/-+$/g, '');
  return slug || 'skill';
}

/**
 * What it does, then when to use it: runners pick skills by this text alone, so the triggers
 * people type go in. Cut at a word boundary to fit 1024 chars.
 */
export function agentSkillDescription(skill: Skill): string {
  const what = oneLine(skill.description) || `${skill.name}.`;
  const topics = [...new Set([...skill.triggers, ...skill.owns.map((o) => o.replace(/-/g, ' '))])];
  const when = topics.length > 0 ? ` Use when the task involves ${topics.join(', ')}.` : '';
  return fit(`${what}${/[.!?]$/.test(what) ? '' : '.'}${when}`, AGENT_SKILL_LIMITS.description);
}

export function renderAgentSkill(skill: Skill): AgentSkillExport {
  const name = agentSkillName(skill.id);
  const files = new Map<string, string>();
  const refs: Array<{ file: string; title: string; kind: string }> = [];
  const add = (kind: string, id: string, title: string, text: string): void => {
    let file = `references/${kind}-${agentSkillName(id)}.md`;
    for (let n = 2; files.has(file); n++) file = `references/${kind}-${agentSkillName(id)}-${n}.md`;
    files.set(file, text);
    refs.push({ file, title, kind });
  };
  for (const edge of skill.sharpEdges) add('sharp-edge', edge.id, `${edge.summary} (${edge.severity})`, sharpEdgeMarkdown(edge, skill));
  for (const pattern of skill.patterns) add('pattern', pattern.id, pattern.name, patternMarkdown(pattern));
  for (const anti of skill.antiPatterns) add('anti-pattern', anti.id, anti.name, antiPatternMarkdown(anti));
  const full = skillMarkdown(skill, name, refs);
  files.set('SKILL.md', fitBody(full, files));
  return { name, files };
}

/**
 * Writes the export into `<outDir>/<name>/`, each file atomically (temp file + rename), and
 * removes reference files a previous export wrote that no longer exist. Other files in the
 * folder are left alone: our own skill exports next to its YAML.
 */
export async function writeAgentSkill(outDir: string, exported: AgentSkillExport): Promise<string> {
  const dir = path.join(outDir, exported.name);
  for (const [relative, text] of exported.files) {
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text, 'utf8');
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
  const referencesDir = path.join(dir, 'references');
  const existing = await readdir(referencesDir).catch(() => [] as string[]);
  for (const file of existing) {
    if (file.endsWith('.md') && !exported.files.has(`references/${file}`)) await rm(path.join(referencesDir, file), { force: true });
  }
  return dir;
}

/**
 * The spec wants the body under 500 lines. Ours is far below; a huge upstream skill (long prose,
 * hundreds of items) keeps its head in SKILL.md and the whole body moves to a reference file.
 */
function fitBody(markdown: string, files: Map<string, string>): string {
  const lines = markdown.split('\n');
  const bodyStart = lines.indexOf('---', 1) + 1;
  if (lines.length - bodyStart < AGENT_SKILL_LIMITS.bodyLines) return markdown;
  files.set('references/full.md', `${lines.slice(bodyStart).join('\n').trim()}\n`);
  const keep = lines.slice(0, bodyStart + AGENT_SKILL_LIMITS.bodyLines - 10);
  // Never leave a code fence open at the cut.
  if (keep.filter((l) => l.trimStart().startsWith('```')).length % 2 === 1) keep.push('```');
  return `${[...keep, '', '(Cut to fit. The whole of this file, with every reference listed: [references/full.md](references/full.md).)'].join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// SKILL.md

interface ToolStep {
  step: string;
  mcp: string;
  cli: string;
}

/** The steps perf-hunter has a tool for; lint only when the skill has rules to run, handoff only when it delegates. */
function toolSteps(skill: Skill): ToolStep[] {
  const builtin = skill.id === BUILTIN_SKILL_ID;
  const skillsDir = builtin ? '' : ' --skills-dir <folder holding this skill>';
  const steps: ToolStep[] = [];
  if (builtin) {
    steps.push({ step: 'Profile the real workload (CPU, heap) before changing code', mcp: 'profile', cli: 'perf-hunter profile node server.js --load http://127.0.0.1:3000/' });
  }
  if (skill.validations.some((v) => v.runnable)) {
    steps.push({ step: 'Check the code for known sharp edges', mcp: 'lint', cli: `perf-hunter validate src/${skillsDir}` });
  }
  if (builtin) {
    steps.push({ step: 'Load-test an endpoint and compare before/after', mcp: 'load_test', cli: 'perf-hunter load-test http://127.0.0.1:3000/ --slo "p99<200ms"' });
  }
  steps.push({ step: 'Read a sharp edge, pattern or rule in full', mcp: 'explain', cli: `perf-hunter explain <id>${skillsDir}` });
  if (skill.collaboration.delegation.length > 0 || builtin) {
    steps.push({ step: 'Decide which specialist takes a topic outside this skill', mcp: 'handoff', cli: `perf-hunter handoff "<the task in plain words>"${skillsDir}` });
  }
  return steps;
}

function skillMarkdown(skill: Skill, name: string, refs: ReadonlyArray<{ file: string; title: string; kind: string }>): string {
  const { identity } = skill;
  const out: string[] = [
    '---',
    `name: ${name}`,
    `description: ${JSON.stringify(agentSkillDescription(skill))}`,
    'metadata:',
    `  version: ${JSON.stringify(skill.version)}`,
    `  generated-by: ${JSON.stringify(skill.origin.format === 'agent-skill'
      ? 'perf-hunter skills export (from an imported Agent Skill; edit the original SKILL.md, not this file)'
      : `perf-hunter skills export (from ${skill.origin.format} YAML; edit the YAML, not this file)`)}`,
    '---',
    '',
    `# ${skill.name}`,
    '',
  ];
  if (skill.description) out.push(oneLine(skill.description), '');

  const role = identity.role ?? identity.text;
  if (role.trim()) out.push('## Identity', '', role.trim(), '');
  if (identity.principles.length) out.push('## Principles', '', ...identity.principles.map((p) => `- ${oneLine(p)}`), '');
  if (identity.contrarianInsight) out.push('## Contrarian insight', '', identity.contrarianInsight.trim(), '');

  const steps = toolSteps(skill);
  out.push('## Workflow', '');
  const workflow: string[] = [];
  const tool = (mcp: string): string => {
    const s = steps.find((t) => t.mcp === mcp);
    return s ? ` Tool: MCP \`${s.mcp}\`, or \`${s.cli}\`.` : '';
  };
  if (skill.id === BUILTIN_SKILL_ID) workflow.push(`Measure first: profile the real workload and find the step that owns the time.${tool('profile')}`);
  workflow.push(`Match the situation against the sharp edges below; open the reference file of each that fits.${tool('explain')}`);
  if (steps.some((s) => s.mcp === 'lint')) workflow.push(`Check the code for those edges with the skill's rules.${tool('lint')}`);
  if (skill.patterns.length || skill.antiPatterns.length) workflow.push('Fix with the patterns below and avoid the anti-patterns; each reference file has the worked example.');
  if (skill.id === BUILTIN_SKILL_ID) workflow.push(`Measure again under load and keep the change only if the numbers (p95, p99, throughput) moved.${tool('load_test')}`);
  if (steps.some((s) => s.mcp === 'handoff')) workflow.push(`Hand off what belongs to another specialist (see Collaboration).${tool('handoff')}`);
  out.push(...workflow.map((w, i) => `${i + 1}. ${w}`), '');

  out.push('## Tools', '', 'perf-hunter serves these as MCP tools (`perf-hunter serve`) and as CLI commands:', '');
  out.push('| Step | MCP tool | CLI |', '| --- | --- | --- |', ...steps.map((s) => `| ${s.step} | \`${s.mcp}\` | \`${s.cli.replace(/\|/g, '\\|')}\` |`), '');

  const section = (title: string, kind: string): void => {
    const list = refs.filter((r) => r.kind === kind);
    if (list.length) out.push(`## ${title}`, '', ...list.map((r) => `- [${escapeLink(oneLine(r.title))}](${r.file})`), '');
  };
  section('Sharp edges', 'sharp-edge');
  section('Patterns', 'pattern');
  section('Anti-patterns', 'anti-pattern');

  const delegation = skill.collaboration.delegation;
  if (delegation.length || identity.defersTo.length || identity.doesNotCover.length) {
    out.push('## Collaboration', '');
    if (identity.doesNotCover.length) out.push(`Not covered here: ${identity.doesNotCover.map(oneLine).join('; ')}.`, '');
    for (const d of identity.defersTo) out.push(`- Defer to \`${d.skill}\` for ${oneLine(d.when)}.`);
    for (const d of delegation) {
      // Triggers are often regex alternations, written for matching, not for reading; the context reads better.
      const when = /[|()\\[\]?*+]/.test(d.trigger) ? '' : ` when the task is about "${oneLine(d.trigger)}"`;
      out.push(`- Hand off to \`${d.delegateTo}\`${when}${d.context ? `, with: ${oneLine(d.context)}` : ''}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------
// references/

function sharpEdgeMarkdown(edge: SharpEdge, skill: Skill): string {
  const out = [`# ${oneLine(edge.summary)}`, '', `Sharp edge \`${edge.id}\` of ${skill.name}; severity: ${edge.severity}.`, ''];
  block(out, 'Situation', edge.situation);
  block(out, 'Why it hurts', edge.why);
  block(out, 'Solution', edge.solution);
  if (edge.symptoms.length) out.push('## Symptoms', '', ...edge.symptoms.map((s) => `- ${oneLine(s)}`), '');
  const rules = skill.validations.filter((v) => v.sharpEdge === edge.id || edge.detectors.includes(v.id));
  if (rules.length) {
    out.push('## Checked by', '', ...rules.map((v) => `- \`${v.id}\` (${v.kind}${v.runnable ? '' : ', not run automatically'}): ${oneLine(v.message || v.name)}`), '');
  }
  if (edge.versionRange) out.push(`Applies to versions: ${edge.versionRange}`, '');
  return end(out);
}

function patternMarkdown(pattern: Pattern): string {
  const out = [`# ${oneLine(pattern.name)}`, '', `Pattern \`${pattern.id}\`.`, ''];
  block(out, 'What', pattern.description);
  block(out, 'When', pattern.when ?? '');
  for (const [language, code] of Object.entries(pattern.examples)) {
    out.push(`## Example (${language})`, '', ...fence(code, language === 'code' ? '' : language), '');
  }
  return end(out);
}

function antiPatternMarkdown(anti: AntiPattern): string {
  const out = [`# ${oneLine(anti.name)}`, '', `Anti-pattern \`${anti.id}\`.`, ''];
  block(out, 'What', anti.description);
  block(out, 'Why it is bad', anti.why ?? '');
  block(out, 'Instead', anti.instead);
  return end(out);
}

/** Text that already holds fenced code keeps it; plain code gets a fence long enough to hold it. */
function fence(code: string, language: string): string[] {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return [`${ticks}${language}`, code.trimEnd(), ticks];
}

function block(out: string[], title: string, text: string): void {
  if (text.trim()) out.push(`## ${title}`, '', text.trim(), '');
}

function end(out: string[]): string {
  return `${out.join('\n').trimEnd()}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeLink(text: string): string {
  return text.replace(/([[\]])/g, '\\$1');
}

function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, '')}…`;
}
