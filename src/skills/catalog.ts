/**
 * The loaded skills as one searchable catalog: every skill and every item inside it (sharp edge,
 * pattern, anti-pattern, validation) is indexed by id, so `explain`, the MCP resources and the
 * CLI all resolve ids the same way.
 *
 * Item ids are only unique inside a skill (two Spawner skills may both have `n-plus-one`), so an
 * id can be written `skill-id/item-id`, `skill-id/<kind>s/item-id` (the resource URI path) or bare;
 * a bare id returns every match, the built-in Performance Hunter first.
 */
import { z } from 'zod';
import { limitParam } from '../schema/limit.js';
import type { LoadSkillsOptions } from './load.js';
import type { AntiPattern, LoadProblem, Pattern, SharpEdge, Skill, Validation } from './model.js';

/** The skill perf-hunter ships; it wins ties so bare ids mean what our docs say they mean. */
export const BUILTIN_SKILL_ID = 'performance-hunter';

export const ItemKind = z.enum(['skill', 'sharp-edge', 'pattern', 'anti-pattern', 'validation']);
export type ItemKind = z.infer<typeof ItemKind>;

/** The plural path segment each kind uses in resource URIs (`skill://<skill>/sharp-edges/<id>`). */
export const KIND_SEGMENT = {
  'sharp-edge': 'sharp-edges',
  pattern: 'patterns',
  'anti-pattern': 'anti-patterns',
  validation: 'validations',
} as const satisfies Record<Exclude<ItemKind, 'skill'>, string>;
export type ItemSegment = (typeof KIND_SEGMENT)[keyof typeof KIND_SEGMENT];

const SEGMENT_KIND = Object.fromEntries(Object.entries(KIND_SEGMENT).map(([kind, seg]) => [seg, kind])) as Record<
  ItemSegment,
  Exclude<ItemKind, 'skill'>
>;

export type CatalogEntry =
  | { kind: 'skill'; skill: Skill; id: string; item: Skill }
  | { kind: 'sharp-edge'; skill: Skill; id: string; item: SharpEdge }
  | { kind: 'pattern'; skill: Skill; id: string; item: Pattern }
  | { kind: 'anti-pattern'; skill: Skill; id: string; item: AntiPattern }
  | { kind: 'validation'; skill: Skill; id: string; item: Validation };

/** `skill-id/item-id` for items, `skill-id` for skills: the id that is unique in a catalog. */
export function qualifiedId(entry: Pick<CatalogEntry, 'kind' | 'skill' | 'id'>): string {
  return entry.kind === 'skill' ? entry.skill.id : `${entry.skill.id}/${entry.id}`;
}

/** The resource URI that serves the full, untruncated entry. */
export function resourceUri(entry: Pick<CatalogEntry, 'kind' | 'skill' | 'id'>): string {
  const skill = encodeURIComponent(entry.skill.id);
  if (entry.kind === 'skill') return `skill://${skill}`;
  return `skill://${skill}/${KIND_SEGMENT[entry.kind]}/${encodeURIComponent(entry.id)}`;
}

export class SkillCatalog {
  /** Skills in lookup order: the built-in first, then load order. First of a duplicated id wins. */
  readonly skills: readonly Skill[];
  readonly problems: readonly LoadProblem[];
  private readonly byId = new Map<string, CatalogEntry[]>();
  private readonly skillsById = new Map<string, Skill>();

  /** Loads skills from disk. The loader is imported here, not at module load, to keep startup cheap. */
  static async load(options: LoadSkillsOptions = {}): Promise<SkillCatalog> {
    const { loadSkills } = await import('./load.js');
    const result = await loadSkills(options);
    return new SkillCatalog(result.skills, result.problems);
  }

  constructor(skills: readonly Skill[], problems: readonly LoadProblem[] = []) {
    // A stable sort keeps the loader's order among the rest.
    this.skills = [...skills].sort((a, b) => Number(b.id === BUILTIN_SKILL_ID) - Number(a.id === BUILTIN_SKILL_ID));
    this.problems = problems;
    for (const skill of this.skills) {
      if (!this.skillsById.has(skill.id)) this.skillsById.set(skill.id, skill);
      for (const entry of entriesOf(skill)) {
        const list = this.byId.get(entry.id) ?? [];
        list.push(entry);
        this.byId.set(entry.id, list);
      }
    }
  }

  getSkill(id: string): Skill | undefined {
    return this.skillsById.get(id);
  }

  /** Every entry of one skill, in the order: skill, patterns, anti-patterns, sharp edges, validations. */
  entriesOf(skillId: string): CatalogEntry[] {
    const skill = this.getSkill(skillId);
    return skill ? entriesOf(skill) : [];
  }

  /** One item by skill, kind and id: what a resource URI names. */
  getItem(skillId: string, kind: ItemKind, id: string): CatalogEntry | undefined {
    return this.entriesOf(skillId).find((e) => e.kind === kind && e.id === id);
  }

  /**
   * Every entry a reference names. Accepts `skill://...` URIs, `skill/kinds/item`, `skill/item`
   * and bare ids; bare ids may match several skills (built-in first) and several kinds.
   */
  lookup(reference: string): CatalogEntry[] {
    const ref = reference.trim();
    if (ref.startsWith('skill://')) return this.lookupUri(ref);
    const parts = ref.split('/');
    if (parts.length === 3) {
      const [skillId, segment, id] = parts as [string, string, string];
      const kind = SEGMENT_KIND[segment as ItemSegment];
      const entry = kind ? this.getItem(skillId, kind, id) : undefined;
      return entry ? [entry] : [];
    }
    if (parts.length === 2) {
      const [skillId, id] = parts as [string, string];
      return (this.byId.get(id) ?? []).filter((e) => e.kind !== 'skill' && e.skill.id === skillId);
    }
    return this.byId.get(ref) ?? [];
  }

  /** Every id a user could type: bare ids and qualified ones, for "did you mean" and completion. */
  allReferences(): string[] {
    const refs = new Set<string>();
    for (const list of this.byId.values()) {
      for (const entry of list) {
        refs.add(entry.id);
        refs.add(qualifiedId(entry));
      }
    }
    return [...refs];
  }

  private lookupUri(uri: string): CatalogEntry[] {
    const rest = uri.slice('skill://'.length).split('/').map(safeDecode);
    if (rest.length === 1 && rest[0]) {
      const skill = this.getSkill(rest[0]);
      return skill ? [skillEntry(skill)] : [];
    }
    const [skillId, segment, id] = rest;
    if (rest.length !== 3 || !skillId || !segment || !id) return [];
    const kind = SEGMENT_KIND[segment as ItemSegment];
    const entry = kind ? this.getItem(skillId, kind, id) : undefined;
    return entry ? [entry] : [];
  }
}

function skillEntry(skill: Skill): CatalogEntry {
  return { kind: 'skill', skill, id: skill.id, item: skill };
}

function entriesOf(skill: Skill): CatalogEntry[] {
  return [
    skillEntry(skill),
    ...skill.patterns.map((item): CatalogEntry => ({ kind: 'pattern', skill, id: item.id, item })),
    ...skill.antiPatterns.map((item): CatalogEntry => ({ kind: 'anti-pattern', skill, id: item.id, item })),
    ...skill.sharpEdges.map((item): CatalogEntry => ({ kind: 'sharp-edge', skill, id: item.id, item })),
    ...skill.validations.map((item): CatalogEntry => ({ kind: 'validation', skill, id: item.id, item })),
  ];
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

// ---------------------------------------------------------------------------------------------
// list_skills

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

export const ListSkillsInput = z.object({
  query: z
    .string({ error: 'query must be text, e.g. "latency" or "database"' })
    .optional()
    .describe('Free text; every word must appear in the id, name, description, tags or triggers (case-insensitive).'),
  tag: z
    .string({ error: 'tag must be text, e.g. "performance"' })
    .optional()
    .describe('Only skills carrying this tag (exact, case-insensitive).'),
  limit: limitParam(MAX_LIMIT, DEFAULT_LIMIT, `How many skills to return (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).`, '; page with cursor instead'),
  cursor: z
    .string({ error: 'cursor must be the nextCursor string of a previous answer' })
    .optional()
    .describe('Opaque: pass the nextCursor of the previous answer, with the same query and tag, to get the next page.'),
});
export type ListSkillsInput = z.input<typeof ListSkillsInput>;

export const SkillSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  category: z.string().optional(),
  tags: z.array(z.string()),
  format: z.string(),
  counts: z.object({
    patterns: z.number().int(),
    antiPatterns: z.number().int(),
    sharpEdges: z.number().int(),
    validations: z.number().int(),
  }),
  uri: z.string().describe('Resource with the full overview of the skill.'),
});
export type SkillSummary = z.infer<typeof SkillSummary>;

export const ListSkillsResult = z.object({
  total: z.number().int().describe('Skills matching the filter, over all pages.'),
  returned: z.number().int(),
  skills: z.array(SkillSummary),
  nextCursor: z.string().optional().describe('Present when more skills match; pass it back as cursor.'),
  loadProblems: z.number().int().describe('Problems met while loading skills; read skill://problems for them.'),
});
export type ListSkillsResult = z.infer<typeof ListSkillsResult>;

/** A bad list_skills argument (a stale or foreign cursor); the message says how to fix it. */
export class ListSkillsError extends Error {
  override name = 'ListSkillsError';
}

export function listSkills(catalog: SkillCatalog, rawInput: ListSkillsInput = {}): ListSkillsResult {
  const input = ListSkillsInput.parse(rawInput);
  const words = (input.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const tag = input.tag?.trim().toLowerCase();
  const matching = catalog.skills.filter((skill) => {
    if (tag && !skill.tags.some((t) => t.toLowerCase() === tag)) return false;
    if (words.length === 0) return true;
    const haystack = [skill.id, skill.name, skill.description, ...skill.tags, ...skill.triggers].join('\n').toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  const filterKey = JSON.stringify([words, tag ?? '']);
  const offset = input.cursor === undefined ? 0 : decodeCursor(input.cursor, filterKey, matching.length);
  const page = matching.slice(offset, offset + input.limit);
  const next = offset + page.length;
  return {
    total: matching.length,
    returned: page.length,
    skills: page.map(summarize),
    ...(next < matching.length ? { nextCursor: encodeCursor(next, filterKey) } : {}),
    loadProblems: catalog.problems.length,
  };
}

function summarize(skill: Skill): SkillSummary {
  return {
    id: skill.id,
    name: skill.name,
    description: skill.description,
    version: skill.version,
    ...(skill.category ? { category: skill.category } : {}),
    tags: skill.tags,
    format: skill.origin.format,
    counts: {
      patterns: skill.patterns.length,
      antiPatterns: skill.antiPatterns.length,
      sharpEdges: skill.sharpEdges.length,
      validations: skill.validations.length,
    },
    uri: resourceUri(skillEntry(skill)),
  };
}

/**
 * Cursors carry the offset and a fingerprint of the filter, so a cursor reused with another query
 * is refused instead of silently skipping results.
 */
function encodeCursor(offset: number, filterKey: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint(filterKey) })).toString('base64url');
}

function decodeCursor(cursor: string, filterKey: string, total: number): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const shape = z.object({ o: z.number().int().min(0), f: z.string() }).safeParse(parsed);
  if (!shape.success) {
    throw new ListSkillsError('cursor is not one this server issued; omit it to start from the first page');
  }
  if (shape.data.f !== fingerprint(filterKey)) {
    throw new ListSkillsError('cursor belongs to a different query or tag; repeat the same filter or omit cursor');
  }
  if (shape.data.o > total) {
    throw new ListSkillsError('cursor is past the end of the list (skills changed?); omit it to start again');
  }
  return shape.data.o;
}

function fingerprint(text: string): string {
  // FNV-1a: enough to tell filters apart, and cheap to import (no node:crypto at startup).
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
