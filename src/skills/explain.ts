/**
 * `explain`: an id in, the item's full normalised content out, with what it connects to (a sharp
 * edge's validations, a validation's sharp edge) and where it was declared. One result object
 * feeds the MCP tool (structuredContent), the CLI (`--json` or text) and the resources (Markdown).
 *
 * Answers are sized for an agent's context: long text fields are cut with a note pointing at the
 * resource URI that serves the whole item, and related lists are capped by `limit`.
 */
import { z } from 'zod';
import { limitParam } from '../schema/limit.js';
import {
  ItemKind,
  qualifiedId,
  resourceUri,
  type CatalogEntry,
  type SkillCatalog,
} from './catalog.js';
import type { SharpEdge, Skill, SourceLocation, Validation } from './model.js';
import { DetectorDoc } from '../lint/docs.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
/** Longest text field an answer carries before it is cut (a few thousand tokens at most). */
export const DEFAULT_MAX_TEXT_CHARS = 4000;

export const ExplainInput = z.object({
  id: z
    .string({ error: 'id must be text: a skill, sharp edge, pattern, anti-pattern or validation id, e.g. "performance-hunter"' })
    .trim()
    .min(1, { error: 'id is empty: pass a skill, sharp edge, pattern, anti-pattern or validation id (list_skills shows skills)' })
    .describe(
      'What to explain: a skill id, or an item id, bare ("n-plus-one-queries") or qualified by skill ' +
        '("performance-hunter/n-plus-one-queries"), or a skill:// resource URI.',
    ),
  limit: limitParam(MAX_LIMIT, DEFAULT_LIMIT, `How many related items to list (default ${DEFAULT_LIMIT}); relatedTotal always gives the full count.`),
});
export type ExplainInput = z.input<typeof ExplainInput>;

export const RelatedItem = z.object({
  kind: ItemKind,
  ref: z.string().describe('Pass this to explain to read the item.'),
  title: z.string(),
  relation: z.string().describe('How it relates, e.g. "proves this sharp edge".'),
  uri: z.string(),
});
export type RelatedItem = z.infer<typeof RelatedItem>;

export const TruncatedField = z.object({
  path: z.string().describe('Where in the result, e.g. content.solution.'),
  chars: z.number().int(),
  shown: z.number().int(),
});

const Content = z.record(z.string(), z.unknown());

export const ExplainResult = z.object({
  kind: ItemKind,
  id: z.string(),
  skillId: z.string(),
  ref: z.string().describe('The unique id: skill-id for skills, skill-id/item-id for items.'),
  title: z.string(),
  uri: z.string().describe('Resource serving the full, untruncated item as Markdown.'),
  source: z.string().optional().describe('file:line where the item was declared.'),
  content: Content.describe("The item's normalised fields, unknown upstream fields included."),
  sharpEdge: Content.optional().describe('For a validation: the sharp edge its findings prove.'),
  validations: z.array(Content).optional().describe('For a sharp edge: the validations (detectors) that prove it.'),
  examples: z.record(z.string(), z.string()).optional().describe('Example code keyed by language.'),
  detector: DetectorDoc.optional().describe('For an AST validation: the detector\'s own docs (what it flags, what it leaves alone).'),
  related: z.array(RelatedItem),
  relatedTotal: z.number().int(),
  otherMatches: z.array(z.string()).describe('Other items with the same bare id, in other skills or kinds.'),
  truncated: z.array(TruncatedField).describe('Text fields cut to keep the answer small; read uri for all of it.'),
});
export type ExplainResult = z.infer<typeof ExplainResult>;

/** The id names nothing; `suggestions` are the closest ids the catalog knows. */
export class UnknownIdError extends Error {
  override name = 'UnknownIdError';
  constructor(readonly id: string, readonly suggestions: string[], catalogIsEmpty: boolean) {
    super(unknownIdMessage(id, suggestions, catalogIsEmpty));
  }
}

function unknownIdMessage(id: string, suggestions: string[], empty: boolean): string {
  if (empty) return `unknown id "${id}": no skills are loaded (check the skill folders with \`perf-hunter skills check\`)`;
  const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  return `unknown id "${id}": no skill, sharp edge, pattern, anti-pattern or validation has this id.${hint} (list_skills lists skills; explain a skill id to see its items)`;
}

export interface ExplainOptions {
  /** Cut text fields longer than this (default DEFAULT_MAX_TEXT_CHARS); Infinity keeps everything. */
  maxTextChars?: number;
}

export function explain(catalog: SkillCatalog, rawInput: ExplainInput, options: ExplainOptions = {}): ExplainResult {
  const input = ExplainInput.parse(rawInput);
  const matches = catalog.lookup(input.id);
  const entry = matches[0];
  if (!entry) throw new UnknownIdError(input.id, suggestIds(catalog, input.id), catalog.skills.length === 0);

  const related = relatedOf(entry);
  const truncated: z.infer<typeof TruncatedField>[] = [];
  const cut = (value: unknown, path: string) => truncateStrings(value, path, options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS, truncated);

  const result: ExplainResult = {
    kind: entry.kind,
    id: entry.id,
    skillId: entry.skill.id,
    ref: qualifiedId(entry),
    title: titleOf(entry),
    uri: resourceUri(entry),
    ...sourceField(entry),
    content: cut(contentOf(entry), 'content') as Record<string, unknown>,
    related: related.slice(0, input.limit),
    relatedTotal: related.length,
    otherMatches: matches.slice(1).map((m) => qualifiedRef(m)),
    truncated,
  };
  if (entry.kind === 'validation') {
    const edge = edgeOfValidation(entry.skill, entry.item);
    if (edge) result.sharpEdge = cut(withoutSource(edge), 'sharpEdge') as Record<string, unknown>;
  }
  if (entry.kind === 'sharp-edge') {
    result.validations = validationsOfEdge(entry.skill, entry.item).map(
      (v, i) => cut(withoutSource(v), `validations[${i}]`) as Record<string, unknown>,
    );
  }
  const examples = examplesOf(entry);
  if (Object.keys(examples).length > 0) result.examples = cut(examples, 'examples') as Record<string, string>;
  return result;
}

/**
 * `explain` plus what only the linter knows: for a validation run by an AST detector, the
 * detector's docs. Async because the detector registry is imported only when it is needed.
 */
export async function explainFully(catalog: SkillCatalog, rawInput: ExplainInput, options: ExplainOptions = {}): Promise<ExplainResult> {
  const result = explain(catalog, rawInput, options);
  const detectorId = result.kind === 'validation' ? result.content['detector'] : undefined;
  if (typeof detectorId === 'string') {
    const { detectorDoc } = await import('../lint/docs.js');
    const doc = await detectorDoc(detectorId);
    if (doc) result.detector = doc;
  }
  return result;
}

/** With several kinds sharing an id inside one skill, the kind segment keeps the ref unique. */
function qualifiedRef(entry: CatalogEntry): string {
  return entry.kind === 'skill' ? entry.skill.id : resourceUri(entry).slice('skill://'.length);
}

function titleOf(entry: CatalogEntry): string {
  switch (entry.kind) {
    case 'sharp-edge':
      return entry.item.summary;
    default:
      return entry.item.name;
  }
}

function sourceField(entry: CatalogEntry): { source?: string } {
  const source: SourceLocation | undefined = entry.kind === 'skill' ? undefined : entry.item.source;
  if (source) return { source: `${source.file}:${source.line}` };
  if (entry.kind === 'skill') {
    const file = entry.skill.origin.files.find((f) => /skill\.ya?ml$/.test(f)) ?? entry.skill.origin.files[0];
    if (file) return { source: `${file}:1` };
  }
  return {};
}

function withoutSource<T extends { source?: unknown }>(item: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = item;
  return rest;
}

/** A skill's own fields; its items are listed in `related` instead of inlined (they are explained one by one). */
function contentOf(entry: CatalogEntry): Record<string, unknown> {
  if (entry.kind !== 'skill') return withoutSource(entry.item);
  const { patterns: _p, antiPatterns: _a, sharpEdges: _s, validations: _v, ...rest } = entry.item;
  return rest;
}

function relatedOf(entry: CatalogEntry): RelatedItem[] {
  const skill = entry.skill;
  const item = (kind: ItemKind, id: string, title: string, relation: string): RelatedItem => {
    const ref = { kind, skill, id } as CatalogEntry;
    return { kind, ref: kind === 'skill' ? skill.id : qualifiedRef(ref), title, relation, uri: resourceUri(ref) };
  };
  const list: RelatedItem[] = [];
  switch (entry.kind) {
    case 'skill':
      for (const p of skill.patterns) list.push(item('pattern', p.id, p.name, 'pattern'));
      for (const a of skill.antiPatterns) list.push(item('anti-pattern', a.id, a.name, 'anti-pattern'));
      for (const e of skill.sharpEdges) list.push(item('sharp-edge', e.id, e.summary, `sharp edge (${e.severity})`));
      for (const v of skill.validations) list.push(item('validation', v.id, v.name, `validation (${v.kind})`));
      return list;
    case 'sharp-edge':
      list.push(item('skill', skill.id, skill.name, 'part of this skill'));
      for (const v of validationsOfEdge(skill, entry.item)) list.push(item('validation', v.id, v.name, 'proves this sharp edge'));
      break;
    case 'validation': {
      list.push(item('skill', skill.id, skill.name, 'part of this skill'));
      const edge = edgeOfValidation(skill, entry.item);
      if (edge) {
        list.push(item('sharp-edge', edge.id, edge.summary, 'the sharp edge its findings prove'));
        for (const v of validationsOfEdge(skill, edge)) {
          if (v.id !== entry.item.id) list.push(item('validation', v.id, v.name, `also proves ${edge.id}`));
        }
      }
      break;
    }
    default:
      list.push(item('skill', skill.id, skill.name, 'part of this skill'));
  }
  // Items whose text names this one: cheap, and it is how skill authors cross-reference.
  const seen = new Set(list.map((r) => `${r.kind}:${r.ref}`));
  for (const other of itemsOf(skill)) {
    if (other.kind === entry.kind && other.id === entry.id) continue;
    const key = `${other.kind}:${qualifiedRef({ ...other, skill } as CatalogEntry)}`;
    if (seen.has(key) || !JSON.stringify(other.item).includes(entry.id)) continue;
    seen.add(key);
    list.push(item(other.kind, other.id, other.title, `mentions ${entry.id}`));
  }
  return list;
}

function itemsOf(skill: Skill): Array<{ kind: Exclude<ItemKind, 'skill'>; id: string; title: string; item: object }> {
  return [
    ...skill.patterns.map((item) => ({ kind: 'pattern' as const, id: item.id, title: item.name, item })),
    ...skill.antiPatterns.map((item) => ({ kind: 'anti-pattern' as const, id: item.id, title: item.name, item })),
    ...skill.sharpEdges.map((item) => ({ kind: 'sharp-edge' as const, id: item.id, title: item.summary, item })),
    ...skill.validations.map((item) => ({ kind: 'validation' as const, id: item.id, title: item.name, item })),
  ];
}

/** Both directions count: the edge lists its detectors, or the validation names its edge. */
function validationsOfEdge(skill: Skill, edge: SharpEdge): Validation[] {
  return skill.validations.filter((v) => edge.detectors.includes(v.id) || v.sharpEdge === edge.id);
}

function edgeOfValidation(skill: Skill, validation: Validation): SharpEdge | undefined {
  return (
    skill.sharpEdges.find((e) => e.id === validation.sharpEdge) ??
    skill.sharpEdges.find((e) => e.detectors.includes(validation.id))
  );
}

/**
 * Example code: a pattern's `examples`; for other items an `examples`/`example` field an upstream
 * author added, else the fenced code blocks inside the solution or fix text.
 */
function examplesOf(entry: CatalogEntry): Record<string, string> {
  if (entry.kind === 'skill') return {};
  if (entry.kind === 'pattern') return entry.item.examples;
  const loose = entry.item as Record<string, unknown>;
  const declared = loose['examples'] ?? loose['example'];
  if (typeof declared === 'string' && declared.trim()) return { code: declared };
  if (declared && typeof declared === 'object' && !Array.isArray(declared)) {
    const out: Record<string, string> = {};
    for (const [lang, code] of Object.entries(declared)) if (typeof code === 'string') out[lang] = code;
    if (Object.keys(out).length > 0) return out;
  }
  const prose = entry.kind === 'sharp-edge' ? entry.item.solution : entry.kind === 'validation' ? entry.item.fix : entry.item.instead;
  return fencedBlocks(prose);
}

function fencedBlocks(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/```([\w+-]*)[^\n]*\n([\s\S]*?)```/g)) {
    const base = match[1] || 'code';
    let key = base;
    for (let n = 2; key in out; n++) key = `${base}-${n}`;
    out[key] = match[2] ?? '';
  }
  return out;
}

/** Deep copy with every string longer than `max` cut; each cut is recorded so the answer can say so. */
function truncateStrings(value: unknown, path: string, max: number, cuts: z.infer<typeof TruncatedField>[]): unknown {
  if (typeof value === 'string') {
    if (value.length <= max) return value;
    cuts.push({ path, chars: value.length, shown: max });
    return `${value.slice(0, max)}… [cut: ${value.length - max} more characters]`;
  }
  if (Array.isArray(value)) return value.map((v, i) => truncateStrings(v, `${path}[${i}]`, max, cuts));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateStrings(v, `${path}.${k}`, max, cuts)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// "did you mean"

/** The closest known ids: edit distance on the typed form (bare or qualified), substrings first. */
export function suggestIds(catalog: SkillCatalog, typed: string, count = 3): string[] {
  const needle = typed.trim().toLowerCase().replace(/^skill:\/\//, '');
  const qualified = needle.includes('/');
  const candidates = catalog.allReferences().filter((ref) => ref.includes('/') === qualified);
  const limit = Math.max(3, Math.ceil(needle.length * 0.4));
  const scored = candidates.map((ref) => {
    const hay = ref.toLowerCase();
    const contains = hay.includes(needle) || needle.includes(hay);
    return { ref, distance: editDistance(needle, hay), contains };
  });
  // Close spellings first; a substring match (e.g. a shortened id) qualifies however far it is.
  return scored
    .filter((s) => s.distance <= limit || s.contains)
    .sort((a, b) => a.distance - b.distance || Number(b.contains) - Number(a.contains) || a.ref.localeCompare(b.ref))
    .slice(0, count)
    .map((s) => s.ref);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// rendering

const KIND_LABEL: Record<ItemKind, string> = {
  skill: 'Skill',
  'sharp-edge': 'Sharp edge',
  pattern: 'Pattern',
  'anti-pattern': 'Anti-pattern',
  validation: 'Validation',
};

/** Fields each kind renders as its own section, in reading order; anything else goes under "Other fields". */
const SECTIONS: Record<ItemKind, Array<[field: string, heading: string]>> = {
  skill: [
    ['description', 'Description'],
    ['identity', 'Identity'],
    ['owns', 'Owns'],
    ['tags', 'Tags'],
    ['triggers', 'Triggers'],
    ['collaboration', 'Collaboration'],
    // Agent Skills: the SKILL.md instructions and the files an agent opens from them.
    ['body', 'Instructions (SKILL.md)'],
    ['references', 'References'],
  ],
  'sharp-edge': [
    ['situation', 'Situation'],
    ['why', 'Why it hurts'],
    ['solution', 'Solution'],
    ['symptoms', 'Symptoms'],
    ['detectionPatterns', 'Detection patterns'],
  ],
  pattern: [
    ['description', 'Description'],
    ['when', 'When'],
  ],
  'anti-pattern': [
    ['description', 'Description'],
    ['why', 'Why it hurts'],
    ['instead', 'Instead'],
  ],
  validation: [
    ['message', 'Message'],
    ['fix', 'Fix'],
    ['patterns', 'Patterns'],
    ['negativePatterns', 'Negative patterns'],
    ['appliesTo', 'Applies to'],
    ['options', 'Options'],
  ],
};

/** Header-line fields: short facts shown once near the title, not as sections. */
const FACTS: Record<ItemKind, string[]> = {
  skill: ['version', 'category', 'layer'],
  'sharp-edge': ['severity', 'versionRange'],
  pattern: [],
  'anti-pattern': [],
  validation: ['kind', 'severity', 'runnable', 'notRunnableReason', 'detector', 'languages', 'sharpEdge'],
};

/** Never repeated in the body: already in the title line, or bookkeeping. */
const HIDDEN = new Set(['id', 'name', 'summary', 'examples', 'origin', 'detectors', 'detectionFileTypes', 'pairsWith', 'requires']);

/** Readable Markdown for terminals and for the tool's text content. */
export function renderExplain(result: ExplainResult): string {
  const out: string[] = [];
  const c = result.content;
  out.push(`# ${KIND_LABEL[result.kind]}: ${result.title}`);
  out.push('');
  const facts = FACTS[result.kind]
    .filter((f) => c[f] !== undefined && !(Array.isArray(c[f]) && (c[f] as unknown[]).length === 0))
    .map((f) => `${f}: ${inline(c[f])}`);
  out.push(`id: \`${result.ref}\` · ${[...facts, result.source ? `source: ${result.source}` : ''].filter(Boolean).join(' · ')}`);
  out.push(`full text: ${result.uri}`);
  if (result.otherMatches.length > 0) out.push(`also named "${result.id}": ${result.otherMatches.map((m) => `\`${m}\``).join(', ')}`);

  const shown = new Set([...FACTS[result.kind], ...HIDDEN]);
  for (const [field, heading] of SECTIONS[result.kind]) {
    shown.add(field);
    const special = SPECIAL_RENDERERS[field];
    let block = special ? special(c[field]) : renderValue(c[field]);
    // Code fences in prose were lifted into `examples`; print them once, under Examples.
    if (result.examples && PROSE_WITH_CODE.has(field) && block.includes('```')) {
      block = `${block.replace(/```[^\n]*\n[\s\S]*?```\n?/g, '').trim()}\n(code: see Examples below)`;
    }
    if (block) out.push('', `## ${heading}`, block);
  }
  if (result.kind === 'skill') {
    for (const kind of ['pattern', 'anti-pattern', 'sharp-edge', 'validation'] as const) {
      const items = result.related.filter((r) => r.kind === kind);
      if (items.length > 0) {
        out.push('', `## ${KIND_LABEL[kind]}s`, ...items.map((r) => `- \`${r.ref}\`: ${r.title}${kind === 'sharp-edge' ? ` — ${r.relation}` : ''}`));
      }
    }
  }
  if (result.sharpEdge) {
    const e = result.sharpEdge;
    out.push('', '## Proves sharp edge', `- \`${result.skillId}/${String(e['id'])}\` (${String(e['severity'])}): ${String(e['summary'])}`);
  }
  if (result.validations && result.validations.length > 0) {
    out.push('', '## Proved by');
    for (const v of result.validations) {
      const how = v['detector'] ? `${String(v['kind'])}, detector ${String(v['detector'])}` : String(v['kind']);
      out.push(`- \`${result.skillId}/${String(v['id'])}\` (${how}${v['runnable'] === false ? ', not run' : ''}): ${String(v['message'] || v['name'])}`);
    }
  }
  if (result.detector) {
    const d = result.detector;
    out.push('', `## Detector \`${d.id}\` (${d.languages.join(', ')}; confidence ${d.confidence})`, d.why.trim());
    out.push('', '### Leaves alone', d.whenNotToUse.trim());
    for (const [lang, code] of Object.entries(d.example)) out.push('', `### Flagged (${lang})`, '```' + lang, code.replace(/\n$/, ''), '```');
    for (const [lang, code] of Object.entries(d.useInstead)) out.push('', `### Instead (${lang})`, '```' + lang, code.replace(/\n$/, ''), '```');
  }
  if (result.examples) {
    out.push('', '## Examples');
    for (const [lang, code] of Object.entries(result.examples)) {
      out.push('', `### ${lang}`, '```' + (lang === 'code' ? '' : lang), code.replace(/\n$/, ''), '```');
    }
  }
  const other = Object.entries(c).filter(([k, v]) => !shown.has(k) && renderValue(v));
  if (other.length > 0) {
    out.push('', '## Other fields');
    for (const [k, v] of other) out.push(`- ${k}: ${inline(v)}`);
  }
  const related = result.kind === 'skill' ? [] : result.related;
  if (related.length > 0) {
    out.push('', '## Related', ...related.map((r) => `- ${KIND_LABEL[r.kind].toLowerCase()} \`${r.ref}\` (${r.relation}): ${r.title}`));
  }
  if (result.relatedTotal > result.related.length) {
    out.push('', `(${result.related.length} of ${result.relatedTotal} related items shown; raise limit to see more)`);
  }
  if (result.truncated.length > 0) {
    out.push('', `> Shortened to fit: ${result.truncated.map((t) => `${t.path} (${t.chars} chars)`).join(', ')}. Read ${result.uri} for the full text.`);
  }
  return `${out.join('\n')}\n`;
}

const PROSE_WITH_CODE = new Set(['solution', 'fix', 'instead']);

/** Sections whose shape is known well enough to read better than the generic rendering. */
const SPECIAL_RENDERERS: Record<string, (value: unknown) => string> = {
  identity: renderIdentity,
  collaboration: renderCollaboration,
  owns: inlineList,
  tags: inlineList,
  triggers: inlineList,
};

function inlineList(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : renderValue(value);
}

/** The structured identity when there is one; the prose `text` only when that is all there is. */
function renderIdentity(value: unknown): string {
  if (!value || typeof value !== 'object') return renderValue(value);
  const { text, role, principles, contrarianInsight, doesNotCover, defersTo, ...rest } = value as Record<string, unknown>;
  const structured = Boolean(role) || (Array.isArray(principles) && principles.length > 0);
  const out: string[] = [];
  if (role) out.push(String(role).trim());
  else if (!structured && text) out.push(String(text).trim());
  if (Array.isArray(principles) && principles.length > 0) {
    out.push('', 'Principles:', ...principles.map((p, i) => `${i + 1}. ${inline(p)}`));
  }
  if (contrarianInsight) out.push('', `Contrarian insight: ${inline(contrarianInsight)}`);
  if (Array.isArray(doesNotCover) && doesNotCover.length > 0) out.push('', `Does not cover: ${doesNotCover.map(inline).join(', ')}`);
  if (Array.isArray(defersTo) && defersTo.length > 0) {
    out.push('', 'Defers to:', ...defersTo.map((d) => {
      const { skill, when } = d as Record<string, unknown>;
      return `- ${inline(skill)} for ${inline(when)}`;
    }));
  }
  const other = renderValue(rest);
  if (other) out.push('', other);
  return out.join('\n').trim();
}

function renderCollaboration(value: unknown): string {
  if (!value || typeof value !== 'object') return renderValue(value);
  const { prerequisites, complementary, delegation, ...rest } = value as Record<string, unknown>;
  const out: string[] = [];
  const pre = (prerequisites ?? {}) as Record<string, unknown>;
  if (Array.isArray(pre['skills']) && pre['skills'].length > 0) out.push(`Prerequisite skills: ${pre['skills'].map(inline).join(', ')}`);
  if (Array.isArray(pre['knowledge']) && pre['knowledge'].length > 0) {
    out.push('Prerequisite knowledge:', ...pre['knowledge'].map((k) => `- ${inline(k)}`));
  }
  if (Array.isArray(complementary) && complementary.length > 0) {
    out.push('', 'Works with:', ...complementary.map((c) => {
      const { skill, relationship, brings } = c as Record<string, unknown>;
      return `- ${inline(skill)}${relationship ? `: ${inline(relationship)}` : ''}${brings ? ` (brings ${inline(brings)})` : ''}`;
    }));
  }
  if (Array.isArray(delegation) && delegation.length > 0) {
    out.push('', 'Delegates:', ...delegation.map((d) => {
      const { trigger, delegateTo, pattern, context, receive } = d as Record<string, unknown>;
      const parts = [`- to ${inline(delegateTo)} (${inline(pattern ?? 'sequential')}) when \`${inline(trigger)}\``];
      if (context) parts.push(`  - pass: ${inline(context)}`);
      if (receive) parts.push(`  - get back: ${inline(receive)}`);
      return parts.join('\n');
    }));
  }
  const other = renderValue(rest);
  if (other) out.push('', other);
  return out.join('\n').trim();
}

function renderValue(value: unknown, depth = 0): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'string') return value.replace(/\s+$/, '');
  if (typeof value !== 'object') return String(value);
  const pad = '  '.repeat(depth);
  if (Array.isArray(value)) {
    // Nested lists of short values (option globs, languages) read better on one line.
    if (depth > 0 && value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(', ');
    return value
      .map((v) => (v && typeof v === 'object' ? `${pad}- ${inline(v)}` : `${pad}- ${String(v).replace(/\s+$/, '')}`))
      .join('\n');
  }
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const rendered = renderValue(v, depth + 1);
    if (!rendered) continue;
    const nestedObject = v !== null && typeof v === 'object' && !Array.isArray(v);
    if (!nestedObject && !rendered.includes('\n')) lines.push(`${pad}- **${k}**: ${rendered}`);
    else lines.push(`${pad}- **${k}**:`, rendered);
  }
  return lines.join('\n');
}

/** One line: strings as they are, objects as `key: value` pairs, lists comma-joined. */
function inline(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ').trim();
  if (Array.isArray(value)) return value.map(inline).join(', ');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}: ${inline(v)}`)
      .join('; ');
  }
  return String(value);
}
