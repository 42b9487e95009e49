/**
 * Agent Skills import: a folder with `SKILL.md` (YAML front matter `name` and `description`, then a
 * Markdown body) and optional `references/` becomes a Skill. The front matter is checked by the
 * rules of the Agent Skills specification (agentskills.io, what `skills-ref validate` checks);
 * a violation is a problem at file:line:column and the skill is skipped, like a skill.yaml with
 * no id. The body is kept whole (`body`) for `explain`; its parts perf-hunter's export writes
 * (title, Identity, Principles, Collaboration) and the export's reference files (one per sharp
 * edge, pattern, anti-pattern) are read back into the model, so export -> import round-trips.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AssembledSkill } from '../assemble.js';
import type { SkillSource } from '../discover.js';
import type { AntiPattern, Delegation, Deferral, EdgeSeverity, Identity, Pattern, SharpEdge, Skill } from '../model.js';
import { EdgeSeverity as EdgeSeveritySchema } from '../model.js';
import { titleCase } from '../normalize.js';
import { describeValue, type ProblemLog } from '../problems.js';
import { parseYaml, type PathSegment, type YamlFile } from '../yaml-file.js';
import { bulletList, firstFence, parseMarkdown, section, splitFrontMatter, type MarkdownDoc } from './markdown.js';

/** Limits of the specification. */
const NAME_MAX = 64;
const DESCRIPTION_MAX = 1024;
const NAME_RULE = /^[\p{Ll}\p{Nd}]+(?:-[\p{Ll}\p{Nd}]+)*$/u;
/** How our exporter ends a description (agentSkillDescription); split back into triggers on import. */
const EXPORT_WHEN = / Use when the task involves (.+?)\.?$/;
const REFERENCES = 'references';

type Mapping = Record<string, unknown>;

export function assembleAgentSkill(source: SkillSource, log: ProblemLog): AssembledSkill {
  const file = source.files.skill;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    log.push({ severity: 'error', file, line: 1, column: 1, message: `cannot read file: ${(err as Error).message}` });
    return { filesRead: 0 };
  }
  const split = splitFrontMatter(text);
  if (!split.ok) {
    log.push({ severity: 'error', file, line: split.line, column: 1, message: `${split.message}; skill skipped` });
    return { filesRead: 1 };
  }
  const { yaml, yamlLine, body } = split.value;
  const parsed = parseYaml(file, yaml);
  if (!parsed.ok) {
    const e = parsed.error;
    log.push({ severity: 'error', file, line: e.line + yamlLine - 1, column: e.column, message: `front matter: ${e.message}; skill skipped` });
    return { filesRead: 1 };
  }
  const front = shifted(parsed.value, yamlLine - 1);
  const data = front.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    log.add('error', front, [], `front matter must be a mapping with name: and description: (got ${data === undefined ? 'nothing' : describeValue(data)}); skill skipped`);
    return { filesRead: 1 };
  }
  const meta = data as Mapping;
  const name = checkName(meta, front, path.basename(source.dir), log);
  const description = checkDescription(meta, front, log, typeof name === 'string' ? name : undefined);
  if (name === undefined || description === undefined) return { filesRead: 1 };

  const doc = parseMarkdown(body);
  const refs = readReferences(source.dir, name, log);
  const metadata = isMapping(meta.metadata) ? meta.metadata : {};
  const generated = typeof metadata['generated-by'] === 'string' && metadata['generated-by'].startsWith('perf-hunter skills export');
  const { description: described, triggers } = splitDescription(description, generated);
  // Our export also writes the description as is under the title: the exact text, not one cut to fit.
  const ownDescription = generated && doc.lead && !doc.lead.includes('\n\n') ? doc.lead : described;
  const { name: _n, description: _d, ...extraFields } = meta;
  const collaboration = readCollaboration(doc);

  const skill: Skill = {
    ...extraFields,
    id: name,
    name: doc.title?.trim() || titleCase(name),
    version: [metadata.version, meta.version].find((v): v is string => typeof v === 'string') ?? '0.0.0',
    description: ownDescription,
    tags: [],
    triggers,
    owns: [],
    pairsWith: [],
    requires: [],
    identity: readIdentity(doc, collaboration.defersTo),
    patterns: refs.patterns,
    antiPatterns: refs.antiPatterns,
    sharpEdges: refs.sharpEdges,
    validations: [],
    collaboration: { prerequisites: { skills: [], knowledge: [] }, complementary: [], delegation: collaboration.delegation },
    body: body.trim(),
    references: refs.listed,
    origin: { format: 'agent-skill', dir: source.dir, files: [file, ...refs.read] },
  };
  const at = front.locate(['name']);
  return { skill, filesRead: 1 + refs.read.length, idAt: { file, path: ['name'], position: at } };
}

/** A YamlFile whose positions are those of the whole SKILL.md, not of the front matter alone. */
function shifted(inner: YamlFile, lines: number): YamlFile {
  const move = <T extends { line: number; column: number } | undefined>(p: T): T => (p ? { ...p, line: p.line + lines } : p);
  return {
    file: inner.file,
    data: inner.data,
    positionOf: (value) => move(inner.positionOf(value)),
    locate: (at: readonly PathSegment[]) => move(inner.locate(at)),
  };
}

function checkName(meta: Mapping, front: YamlFile, folder: string, log: ProblemLog): string | undefined {
  const name = meta.name;
  const skip = (message: string) => {
    log.add('error', front, name === undefined ? [] : ['name'], `${message}; skill skipped`, typeof name === 'string' ? name : undefined);
    return undefined;
  };
  if (name === undefined || name === null) return skip('missing required field "name" in the front matter');
  if (typeof name !== 'string') return skip(`"name" must be text (got ${describeValue(name)})`);
  const normal = name.normalize('NFKC');
  if (!normal) return skip('"name" is empty');
  if (normal.length > NAME_MAX) return skip(`"name" is ${normal.length} characters; the Agent Skills limit is ${NAME_MAX}`);
  if (!NAME_RULE.test(normal)) {
    return skip(`"name" must be lowercase letters, digits and single hyphens, not starting or ending with one (got "${name}")`);
  }
  if (normal !== folder.normalize('NFKC')) return skip(`"name" is "${name}" but the folder is "${folder}"; they must match`);
  return normal;
}

function checkDescription(meta: Mapping, front: YamlFile, log: ProblemLog, skillId: string | undefined): string | undefined {
  const value = meta.description;
  const skip = (message: string) => {
    log.add('error', front, value === undefined ? [] : ['description'], `${message}; skill skipped`, skillId);
    return undefined;
  };
  if (value === undefined || value === null) return skip('missing required field "description" in the front matter (what the skill does and when to use it)');
  if (typeof value !== 'string') return skip(`"description" must be text (got ${describeValue(value)})`);
  const text = value.trim();
  if (!text) return skip('"description" is empty: say what the skill does and when to use it');
  if (text.length > DESCRIPTION_MAX) return skip(`"description" is ${text.length} characters; the Agent Skills limit is ${DESCRIPTION_MAX}`);
  return text;
}

/**
 * The description is how runners pick a skill, so its "when" part becomes triggers for handoff
 * matching. Our own export's suffix is split off exactly (the description then round-trips);
 * another author's "Use when ..." clause stays in the description and is also read as triggers.
 */
export function splitDescription(description: string, generatedByUs: boolean): { description: string; triggers: string[] } {
  const ours = EXPORT_WHEN.exec(description);
  if (generatedByUs && ours) {
    return { description: description.slice(0, ours.index).trim(), triggers: ours[1]!.split(/,\s*/).map((t) => t.trim()).filter(Boolean) };
  }
  const when = /\b(?:use (?:this skill |it )?(?:when|for|if|whenever)|when (?:the user|you|asked)|triggers? (?:on|when))\b\s*(.*)$/i.exec(description);
  return { description, triggers: when ? phrasesOf(when[1]!) : [] };
}

/** "working with PDF files, forms or document extraction." -> ["PDF files", "forms", "document extraction"]. */
function phrasesOf(list: string): string[] {
  const filler = /^(?:the (?:task|user|request) (?:involves|mentions|asks (?:about|for))|(?:they|you) (?:are )?(?:work(?:ing)? (?:with|on)|need(?:s)? to|ask(?:s|ed)? (?:about|for|to))|working (?:with|on)|asked (?:about|to|for)|mentions?|about|with|to|the|a|an)\s+/i;
  const phrases = list
    .replace(/[.!]+\s*$/, '')
    .split(/\s*(?:[,;]|\bor\b|\band\b|\.\s)\s*/i)
    .map((p) => {
      let phrase = p.trim();
      for (let prior = ''; prior !== phrase;) {
        prior = phrase;
        phrase = phrase.replace(filler, '');
      }
      return phrase.replace(/^["'“]|["'”]$/g, '').trim();
    })
    .filter((p) => p.length > 1 && p.split(/\s+/).length <= 6);
  return [...new Set(phrases)];
}

function readIdentity(doc: MarkdownDoc, defersTo: Deferral[]): Identity {
  const role = section(doc, 'Identity');
  const principles = bulletList(section(doc, 'Principles'));
  const contrarian = section(doc, 'Contrarian insight');
  const notCovered = /^Not covered here: (.*?)\.?$/m.exec(section(doc, 'Collaboration'))?.[1];
  const identity: Identity = {
    text: role,
    principles,
    doesNotCover: notCovered ? notCovered.split(/;\s*/).filter(Boolean) : [],
    defersTo,
  };
  if (role) identity.role = role;
  if (contrarian) identity.contrarianInsight = contrarian;
  return identity;
}

/** The lines our export writes under "## Collaboration" ("- Defer to `x` for ...", "- Hand off to `x` ..."). */
function readCollaboration(doc: MarkdownDoc): { defersTo: Deferral[]; delegation: Delegation[] } {
  const defersTo: Deferral[] = [];
  const delegation: Delegation[] = [];
  for (const item of bulletList(section(doc, 'Collaboration'))) {
    const defer = /^Defer to `([^`]+)` for (.*?)\.?$/.exec(item);
    if (defer) defersTo.push({ skill: defer[1]!, when: defer[2]! });
    const hand = /^Hand off to `([^`]+)`(?: when the task is about "(.*?)")?(?:, with: (.*))?$/.exec(item);
    if (hand?.[2]) delegation.push({ trigger: hand[2], delegateTo: hand[1]!, pattern: 'sequential', context: hand[3] ?? '', receive: '' });
  }
  return { defersTo, delegation };
}

interface References {
  sharpEdges: SharpEdge[];
  patterns: Pattern[];
  antiPatterns: AntiPattern[];
  /** Every file under references/, relative to the skill folder. */
  listed: string[];
  /** The files read back as items. */
  read: string[];
}

/**
 * Files named the way our export names them (`sharp-edge-*.md`, `pattern-*.md`,
 * `anti-pattern-*.md`) and carrying its marker line ("Sharp edge `id` ...") become items; any
 * other reference file is listed only, for an agent to open when the body points at it.
 */
function readReferences(dir: string, skillId: string, log: ProblemLog): References {
  const out: References = { sharpEdges: [], patterns: [], antiPatterns: [], listed: [], read: [] };
  let names: string[];
  try {
    names = readdirSync(path.join(dir, REFERENCES), { recursive: true, encoding: 'utf8' }).sort();
  } catch {
    return out;
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, REFERENCES, name);
    const relative = `${REFERENCES}/${name.split(path.sep).join('/')}`;
    if (!name.endsWith('.md')) {
      if (!name.includes('.')) continue; // most likely a folder
      out.listed.push(relative);
      continue;
    }
    out.listed.push(relative);
    const base = path.basename(name);
    const kind = base.startsWith('sharp-edge-') ? 'sharp-edge' : base.startsWith('anti-pattern-') ? 'anti-pattern' : base.startsWith('pattern-') ? 'pattern' : undefined;
    if (!kind) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const doc = parseMarkdown(text);
    const item = kind === 'sharp-edge' ? sharpEdgeOf(doc, file) : kind === 'pattern' ? patternOf(doc, file) : antiPatternOf(doc, file);
    if (!item) continue;
    const key = `${kind}:${item.id}`;
    const first = seen.get(key);
    if (first) {
      log.push({ severity: 'warning', file, line: 1, column: 1, message: `${kind} "${item.id}" is also in ${first}; this one is skipped`, skillId });
      continue;
    }
    seen.set(key, file);
    out.read.push(file);
    if (kind === 'sharp-edge') out.sharpEdges.push(item as SharpEdge);
    else if (kind === 'pattern') out.patterns.push(item as Pattern);
    else out.antiPatterns.push(item as AntiPattern);
  }
  return out;
}

function sharpEdgeOf(doc: MarkdownDoc, file: string): SharpEdge | undefined {
  const marker = /^Sharp edge `([^`]+)`.*?;\s*severity:\s*([a-z]+)\.?$/m.exec(doc.lead);
  if (!marker) return undefined;
  const severity = EdgeSeveritySchema.safeParse(marker[2]);
  const versionRange = takeVersionRange(doc);
  const edge: SharpEdge = {
    id: marker[1]!,
    summary: doc.title?.trim() ?? marker[1]!,
    severity: severity.success ? severity.data : ('medium' satisfies EdgeSeverity),
    situation: section(doc, 'Situation'),
    why: section(doc, 'Why it hurts'),
    solution: section(doc, 'Solution'),
    symptoms: bulletList(section(doc, 'Symptoms')),
    detectionPatterns: [],
    detectionFileTypes: [],
    detectors: bulletList(section(doc, 'Checked by')).map((l) => /^`([^`]+)`/.exec(l)?.[1]).filter((id): id is string => id !== undefined),
    source: { file, line: 1, column: 1 },
  };
  if (versionRange) edge.versionRange = versionRange;
  return edge;
}

/** "Applies to versions: X" closes the export's sharp edge file, inside whatever section came last. */
function takeVersionRange(doc: MarkdownDoc): string | undefined {
  const last = doc.sections.at(-1);
  const match = last ? /^Applies to versions: (.*)$/m.exec(last.text) : null;
  if (!last || !match) return undefined;
  last.text = last.text.slice(0, match.index).trim();
  return match[1]!.trim();
}

function patternOf(doc: MarkdownDoc, file: string): Pattern | undefined {
  const marker = /^Pattern `([^`]+)`\.?$/m.exec(doc.lead);
  if (!marker) return undefined;
  const examples: Record<string, string> = {};
  for (const s of doc.sections) {
    const lang = /^Example \((.+)\)$/.exec(s.heading)?.[1];
    const code = lang ? firstFence(s.text) : undefined;
    if (lang && code !== undefined) examples[lang] = code;
  }
  const pattern: Pattern = {
    id: marker[1]!,
    name: doc.title?.trim() ?? marker[1]!,
    description: section(doc, 'What'),
    examples,
    source: { file, line: 1, column: 1 },
  };
  const when = section(doc, 'When');
  if (when) pattern.when = when;
  return pattern;
}

function antiPatternOf(doc: MarkdownDoc, file: string): AntiPattern | undefined {
  const marker = /^Anti-pattern `([^`]+)`\.?$/m.exec(doc.lead);
  if (!marker) return undefined;
  const anti: AntiPattern = {
    id: marker[1]!,
    name: doc.title?.trim() ?? marker[1]!,
    description: section(doc, 'What'),
    instead: section(doc, 'Instead'),
    source: { file, line: 1, column: 1 },
  };
  const why = section(doc, 'Why it is bad');
  if (why) anti.why = why;
  return anti;
}

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
