/**
 * Builds one Skill from its (up to) four files. Each file is parsed on its own, so a broken
 * sharp-edges file costs the edges, not the skill; a broken skill.yaml costs the skill.
 */
import { readFileSync } from 'node:fs';
import type { Collaboration, Identity, Skill, SharpEdge, Validation } from './model.js';
import { RawIdentity, RawSkillMeta } from './raw-schema.js';
import { emptyIdentity, identityFromMapping, identityFromProse } from './identity.js';
import {
  IdSet,
  entriesOf,
  normalizeAntiPattern,
  normalizeComplement,
  normalizeDelegation,
  normalizePattern,
  normalizePrerequisites,
  normalizeSharpEdge,
  normalizeValidation,
  titleCase,
  type Entry,
} from './normalize.js';
import { checkItem, describeValue, issueText, type ItemContext, type ProblemLog } from './problems.js';
import { parseYaml, type PathSegment, type YamlFile } from './yaml-file.js';
import type { SkillSource } from './discover.js';

export interface AssembledSkill {
  skill?: Skill;
  /**
   * Where the skill's id is declared, for the duplicate-id problem: plain data (not a closure) so
   * it can be cached on disk; `locateInFile` turns it into line:column when a duplicate needs it.
   */
  idAt?: { file: string; path: PathSegment[]; position?: { line: number; column: number } };
  /** Files that existed and were read. */
  filesRead: number;
}

type Mapping = Record<string, unknown>;

/**
 * Synchronous on purpose: reading 2,000 small files with fs/promises costs four thread-pool
 * round trips each and keeps every text alive at once (measured: most of the load time went to
 * GC). load.ts yields to the event loop between small batches instead.
 */
export function assembleSkill(source: SkillSource, log: ProblemLog): AssembledSkill {
  const skillFile = readYaml(source.files.skill, log);
  const edgesFile = readYaml(source.files.sharpEdges, log);
  const validationsFile = readYaml(source.files.validations, log);
  const collaborationFile = readYaml(source.files.collaboration, log);
  const filesRead = [skillFile, edgesFile, validationsFile, collaborationFile].filter((f) => f !== 'absent').length;
  if (!skillFile || skillFile === 'absent') return { filesRead };

  const data = skillFile.data;
  if (!isMapping(data)) {
    log.add('error', skillFile, [], `skill.yaml must be a mapping (got ${data === undefined ? 'an empty file' : describeValue(data)}); skill skipped`);
    return { filesRead };
  }
  const { meta, pathOf } = checkMeta(data, skillFile, log);
  const id = meta.id ?? meta.skill_id;
  if (!id) {
    log.add('error', skillFile, [], 'missing required field "id" (or "skill_id"); skill skipped');
    return { filesRead };
  }
  const ctx: ItemContext = { file: skillFile, log, skillId: id };

  const patternIds = new IdSet('pattern');
  const antiIds = new IdSet('anti-pattern');
  const patterns = entriesOf(data, 'patterns', ctx)
    .map((e) => admitted(normalizePattern(e, ctx), e, patternIds, ctx))
    .filter(defined);
  const antiPatterns = entriesOf(data, 'anti_patterns', ctx)
    .map((e) => admitted(normalizeAntiPattern(e, ctx), e, antiIds, ctx))
    .filter(defined);

  const sharpEdges = readSharpEdges(edgesFile, log, id);
  const validations = readValidations(validationsFile, log, id);
  linkEdgesAndValidations(sharpEdges, validations, log, id, edgesFile, validationsFile);

  const collaboration = readCollaboration(collaborationFile, data, skillFile, log, id);

  const {
    id: _id, skill_id: _skillId, name, version, description, category, layer, tags, triggers, owns,
    pairs_with, requires, ...metaRest
  } = meta;
  const { identity: _identity, patterns: _p, anti_patterns: _a, prerequisites: _pre, ...unknownFields } = metaRest;

  const skill: Skill = {
    ...unknownFields,
    ...extrasOf(validationsFile, ['validations', 'code_smells', 'id', 'skill', 'skill_id', 'version'], unknownFields),
    id,
    name: name ?? titleCase(id),
    version: version ?? '0.0.0',
    description: description?.trim() ?? '',
    tags: tags ?? [],
    triggers: triggers ?? [],
    owns: owns ?? [],
    pairsWith: pairs_with ?? [],
    requires: requires ?? [],
    identity: readIdentity(data, ctx),
    patterns,
    antiPatterns,
    sharpEdges,
    validations,
    collaboration,
    origin: {
      format: source.format,
      dir: source.dir,
      files: [skillFile, edgesFile, validationsFile, collaborationFile]
        .filter((f): f is YamlFile => f !== undefined && f !== 'absent')
        .map((f) => f.file),
    },
  };
  if (category !== undefined) skill.category = category;
  if (layer !== undefined) skill.layer = layer;
  const idPath = pathOf(meta.id !== undefined ? 'id' : 'skill_id');
  // Located on demand (the file is re-read): holding every skill.yaml's text for a rare duplicate would cost memory.
  return { skill, filesRead, idAt: { file: skillFile.file, path: idPath } };
}

export function locateInFile(file: string, path: PathSegment[]) {
  const parsed = parseYaml(file, readFileSync(file, 'utf8'));
  return { file, ...(parsed.ok ? parsed.value.locate(path) : { line: 1, column: 1 }) };
}

/** `undefined` when the file exists but is broken (already reported); `'absent'` when it is not there. */
function readYaml(file: string, log: ProblemLog): YamlFile | undefined | 'absent' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    log.push({ severity: 'error', file, line: 1, column: 1, message: `cannot read file: ${(err as Error).message}` });
    return undefined;
  }
  const parsed = parseYaml(file, text);
  if (parsed.ok) return parsed.value;
  log.push({ severity: 'error', ...parsed.error });
  return undefined;
}

/**
 * Checks metadata field by field: a field with the wrong type is reported and ignored, the
 * skill still loads. Metadata may sit under a `skill:` or `metadata:` wrapper.
 */
function checkMeta(data: Mapping, file: YamlFile, log: ProblemLog) {
  const wrapperKey = ['skill', 'metadata'].find((k) => isMapping(data[k]) && data.id === undefined && data.skill_id === undefined);
  const wrapper = wrapperKey ? (data[wrapperKey] as Mapping) : {};
  const merged: Mapping = { ...wrapper, ...data };
  if (wrapperKey) delete merged[wrapperKey];
  const pathOf = (key: string | number): PathSegment[] => (wrapperKey && key in wrapper && !(key in data) ? [wrapperKey, key] : [key]);

  for (let attempt = 0; attempt < 20; attempt++) {
    const result = RawSkillMeta.safeParse(merged);
    if (result.success) return { meta: result.data, pathOf };
    for (const issue of result.error.issues) {
      const [key, ...inner] = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
      if (key === undefined) break;
      const text = issueText(issue, merged[key], inner);
      const field = inner.length ? text : text.replace(/^value/, `"${key}"`);
      log.add('error', file, [...pathOf(key), ...inner], `${field}; ignored`, typeof merged.id === 'string' ? merged.id : undefined);
      delete merged[key];
    }
  }
  return { meta: {} as ReturnType<typeof RawSkillMeta.parse>, pathOf };
}

function readIdentity(data: Mapping, ctx: ItemContext): Identity {
  let identity = emptyIdentity();
  if (data.identity !== undefined && data.identity !== null) {
    const raw = checkItem(RawIdentity, data.identity, ['identity'], 'identity', ctx);
    if (typeof raw === 'string') identity = identityFromProse(raw);
    else if (raw) identity = identityFromMapping(raw);
  }
  // Some upstream skills keep these beside the identity instead of inside it.
  const limits = data.limits;
  if (!identity.doesNotCover.length && isMapping(limits) && Array.isArray(limits.does_not_cover)) {
    identity.doesNotCover = limits.does_not_cover.filter((x): x is string => typeof x === 'string');
  }
  if (!identity.contrarianInsight && Array.isArray(data.contrarian_insights)) {
    const lines = data.contrarian_insights.filter(isMapping).map((c) => {
      const answer = c.reality ?? c.counter;
      return typeof c.claim === 'string' && typeof answer === 'string' ? `"${c.claim}": ${answer}` : undefined;
    }).filter(defined);
    if (lines.length) identity.contrarianInsight = lines.join('\n');
  }
  return identity;
}

function readSharpEdges(file: YamlFile | undefined | 'absent', log: ProblemLog, skillId: string): SharpEdge[] {
  if (!file || file === 'absent') return [];
  const ctx: ItemContext = { file, log, skillId };
  const ids = new IdSet('sharp edge');
  return listEntries(file, ['sharp_edges', 'edges'], ctx)
    .map(({ entry }) => admitted(normalizeSharpEdge(entry, ctx), entry, ids, ctx))
    .filter(defined);
}

function readValidations(file: YamlFile | undefined | 'absent', log: ProblemLog, skillId: string): Validation[] {
  if (!file || file === 'absent') return [];
  const ctx: ItemContext = { file, log, skillId };
  const ids = new IdSet('validation');
  return listEntries(file, ['validations', 'code_smells'], ctx)
    .map(({ entry, key }) => admitted(normalizeValidation(entry, ctx, key === 'code_smells' ? 'info' : 'warning'), entry, ids, ctx))
    .filter(defined);
}

/** The items under any of `keys`, or the document itself when it is a bare list. */
function listEntries(file: YamlFile, keys: string[], ctx: ItemContext): Array<{ entry: Entry; key: string }> {
  const data = file.data;
  if (data === undefined || data === null) return [];
  if (Array.isArray(data)) return data.map((value, i) => ({ entry: { value, path: [i] }, key: keys[0]! }));
  if (!isMapping(data)) {
    ctx.log.add('error', file, [], `expected a mapping with ${keys.map((k) => `"${k}"`).join(' or ')} (got ${describeValue(data)}); file ignored`, ctx.skillId);
    return [];
  }
  return keys.flatMap((key) => entriesOf(data, key, ctx).map((entry) => ({ entry, key })));
}

/** An edge's detectors = its own list + every validation that says it proves the edge. */
function linkEdgesAndValidations(
  edges: SharpEdge[], validations: Validation[], log: ProblemLog, skillId: string,
  edgesFile: YamlFile | undefined | 'absent', validationsFile: YamlFile | undefined | 'absent',
): void {
  const edgeById = new Map(edges.map((e) => [e.id, e]));
  const validationIds = new Set(validations.map((v) => v.id));
  validations.forEach((v) => {
    if (!v.sharpEdge) return;
    const edge = edgeById.get(v.sharpEdge);
    if (edge) {
      if (!edge.detectors.includes(v.id)) edge.detectors.push(v.id);
    } else if (validationsFile && validationsFile !== 'absent' && v.source) {
      log.push({ severity: 'warning', file: v.source.file, line: v.source.line, column: v.source.column, message: `validation "${v.id}" names sharp edge "${v.sharpEdge}", which this skill does not have`, skillId });
    }
  });
  if (!edgesFile || edgesFile === 'absent') return;
  for (const edge of edges) {
    for (const detector of edge.detectors) {
      if (!validationIds.has(detector) && edge.source) {
        log.push({ severity: 'warning', file: edge.source.file, line: edge.source.line, column: edge.source.column, message: `sharp edge "${edge.id}" lists detector "${detector}", which is not a validation of this skill`, skillId });
      }
    }
  }
}

const COLLABORATION_CONSUMED = ['id', 'skill', 'skill_id', 'version', 'prerequisites', 'complementary_skills', 'delegation', 'delegation_triggers'];

function readCollaboration(file: YamlFile | undefined | 'absent', skillData: Mapping, skillFile: YamlFile, log: ProblemLog, skillId: string): Collaboration {
  const skillCtx: ItemContext = { file: skillFile, log, skillId };
  // skill.yaml's own `prerequisites` counts when collaboration.yaml has none.
  const fallbackPrerequisites = () => normalizePrerequisites(skillData.prerequisites, ['prerequisites'], skillCtx);
  if (!file || file === 'absent' || file.data === undefined || file.data === null) {
    return { prerequisites: fallbackPrerequisites(), complementary: [], delegation: [] };
  }
  const ctx: ItemContext = { file, log, skillId };
  const data = file.data;
  if (!isMapping(data)) {
    log.add('error', file, [], `collaboration.yaml must be a mapping (got ${describeValue(data)}); file ignored`, skillId);
    return { prerequisites: fallbackPrerequisites(), complementary: [], delegation: [] };
  }
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => !COLLABORATION_CONSUMED.includes(k)));
  return {
    ...rest,
    prerequisites: data.prerequisites !== undefined && data.prerequisites !== null
      ? normalizePrerequisites(data.prerequisites, ['prerequisites'], ctx)
      : fallbackPrerequisites(),
    complementary: entriesOf(data, 'complementary_skills', ctx).map((e) => normalizeComplement(e, ctx)).filter(defined),
    delegation: [...entriesOf(data, 'delegation', ctx), ...entriesOf(data, 'delegation_triggers', ctx)]
      .map((e) => normalizeDelegation(e, ctx))
      .filter(defined),
  };
}

/** Top-level keys of a sidecar file we do not model (`best_practices`, `pre_commit` ...). */
function extrasOf(file: YamlFile | undefined | 'absent', consumed: string[], taken: Mapping): Mapping {
  if (!file || file === 'absent' || !isMapping(file.data)) return {};
  return Object.fromEntries(Object.entries(file.data).filter(([k]) => !consumed.includes(k) && !(k in taken)));
}

function admitted<T extends { id: string }>(item: T | undefined, entry: Entry, ids: IdSet, ctx: ItemContext): T | undefined {
  return item && ids.admit(item.id, entry, ctx) ? item : undefined;
}

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
