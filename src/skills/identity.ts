/**
 * Identity comes as prose (most upstream skills), as a mapping (`role`, `principles`, ...), or
 * not at all. Prose keeps its text and we pull out the parts upstream authors label by
 * convention: "Your core principles:", "Contrarian insight:", "What you don't cover:",
 * "When to defer:". Unlabeled prose before the first label is the role.
 */
import type { Deferral, Identity } from './model.js';
import type { RawIdentity } from './raw-schema.js';

type Section = 'intro' | 'principles' | 'contrarian' | 'doesNotCover' | 'defers';

const LABELS: ReadonlyArray<[Section, RegExp]> = [
  ['principles', /^(?:your\s+)?(?:core\s+)?principles\s*:\s*/i],
  ['contrarian', /^contrarian\s+insights?\s*:\s*/i],
  ['doesNotCover', /^what\s+you\s+don['’]?t\s+cover\s*:\s*/i],
  ['defers', /^when\s+to\s+defer\s*:\s*/i],
];

const BULLET = /^(?:\d+[.)]|[-*•])\s+/;

export function identityFromProse(text: string): Identity {
  const parts: Record<Section, string[]> = { intro: [], principles: [], contrarian: [], doesNotCover: [], defers: [] };
  let section: Section = 'intro';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    const label = LABELS.find(([, re]) => re.test(line));
    if (label) {
      section = label[0];
      const rest = line.replace(label[1], '');
      if (rest) parts[section].push(rest);
      continue;
    }
    // A blank line closes a labelled block; more unlabeled prose after it is still about the role.
    if (!line) {
      if (section !== 'intro') section = 'intro';
      parts.intro.push('');
      continue;
    }
    parts[section].push(line);
  }

  const identity: Identity = {
    text: text.trim(),
    principles: listItems(parts.principles),
    doesNotCover: splitTopLevel(sentence(parts.doesNotCover)).filter(Boolean),
    defersTo: splitTopLevel(sentence(parts.defers)).map(parseDeferral).filter((d): d is Deferral => d !== undefined),
  };
  const role = paragraphs(parts.intro);
  if (role) identity.role = role;
  const contrarian = parts.contrarian.join(' ').trim();
  if (contrarian) identity.contrarianInsight = contrarian;
  return identity;
}

export function identityFromMapping(raw: Exclude<RawIdentity, string>): Identity {
  const {
    text, role, personality, principles, core_principles, contrarian_insight, does_not_cover, defers_to,
    ...rest
  } = raw;
  const identity: Identity = {
    ...rest,
    text: '',
    principles: principles ?? core_principles ?? [],
    doesNotCover: typeof does_not_cover === 'string' ? splitTopLevel(sentence([does_not_cover])) : (does_not_cover ?? []),
    defersTo: (defers_to ?? [])
      .map((d) => (typeof d === 'string' ? parseDeferral(d) : { ...d, when: d.when ?? '' }))
      .filter((d): d is Deferral => d !== undefined),
  };
  const roleText = [role, personality].filter(Boolean).map((s) => s!.trim()).join('\n\n');
  if (roleText) identity.role = roleText;
  if (contrarian_insight) identity.contrarianInsight = contrarian_insight.trim();
  identity.text = text?.trim() || renderIdentity(identity);
  return identity;
}

export function emptyIdentity(): Identity {
  return { text: '', principles: [], doesNotCover: [], defersTo: [] };
}

/** The prose form of a structured identity, in the upstream authors' own conventions. */
function renderIdentity(identity: Identity): string {
  const blocks: string[] = [];
  if (identity.role) blocks.push(identity.role);
  if (identity.principles.length) {
    blocks.push(['Your core principles:', ...identity.principles.map((p, i) => `${i + 1}. ${p}`)].join('\n'));
  }
  if (identity.contrarianInsight) blocks.push(`Contrarian insight: ${identity.contrarianInsight}`);
  if (identity.doesNotCover.length) blocks.push(`What you don't cover: ${identity.doesNotCover.join(', ')}.`);
  if (identity.defersTo.length) {
    blocks.push(`When to defer: ${identity.defersTo.map((d) => `${d.when} (${d.skill})`).join(', ')}.`);
  }
  return blocks.join('\n\n');
}

/** Numbered or bulleted lines; an unbulleted line continues the item above it. */
function listItems(lines: string[]): string[] {
  const items: string[] = [];
  for (const line of lines) {
    if (BULLET.test(line) || items.length === 0) items.push(line.replace(BULLET, ''));
    else items[items.length - 1] += ` ${line}`;
  }
  return items.filter(Boolean);
}

function paragraphs(lines: string[]): string {
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

function sentence(lines: string[]): string {
  return lines.join(' ').trim().replace(/\.$/, '');
}

/** Splits on commas and semicolons outside parentheses: "a (x, y), b" -> ["a (x, y)", "b"]. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if ((ch === ',' || ch === ';') && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim().replace(/^and\s+/i, '')).filter(Boolean);
}

/** "Memory systems (ml-memory)" -> {skill: 'ml-memory', when: 'Memory systems'}. */
function parseDeferral(text: string): Deferral | undefined {
  const match = /^(.*?)\s*\(\s*([^),\s]+)[^)]*\)\s*$/.exec(text.trim());
  if (!match) return undefined;
  return { skill: match[2]!, when: match[1]!.trim() };
}
