/**
 * Just enough Markdown for Agent Skills: the YAML front matter block, the `# ` title and `## `
 * sections, with code fences respected (a `## ` line inside a fence is code, not a heading).
 */

export interface FrontMatter {
  /** The YAML text between the `---` lines. */
  yaml: string;
  /** 1-based line of the first YAML line (the line after the opening `---`). */
  yamlLine: number;
  body: string;
  /** 1-based line where the body starts. */
  bodyLine: number;
}

export type FrontMatterResult = { ok: true; value: FrontMatter } | { ok: false; line: number; message: string };

export function splitFrontMatter(text: string): FrontMatterResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') {
    return { ok: false, line: 1, message: 'SKILL.md must start with YAML front matter: a "---" line, name: and description:, then "---"' };
  }
  const close = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (close === -1) return { ok: false, line: 1, message: 'the front matter opened on line 1 is never closed: add a "---" line after description:' };
  return {
    ok: true,
    value: { yaml: lines.slice(1, close).join('\n'), yamlLine: 2, body: lines.slice(close + 1).join('\n'), bodyLine: close + 2 },
  };
}

export interface MarkdownDoc {
  /** The first `# ` heading, if any. */
  title?: string;
  /** Text between the title and the first `## ` heading. */
  lead: string;
  /** `## ` sections in order; a heading that repeats keeps both. */
  sections: Array<{ heading: string; text: string }>;
}

export function parseMarkdown(text: string): MarkdownDoc {
  const doc: MarkdownDoc = { lead: '', sections: [] };
  let fence: string | undefined;
  let current: string[] = [];
  const flush = () => {
    const body = current.join('\n').trim();
    const last = doc.sections.at(-1);
    if (last) last.text = body;
    else doc.lead = body;
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const fenceMark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark) {
      if (!fence) fence = fenceMark;
      else if (fenceMark[0] === fence[0] && fenceMark.length >= fence.length && line.trim() === fenceMark) fence = undefined;
    }
    if (!fence && !fenceMark) {
      const h1 = /^#\s+(.*?)\s*#*\s*$/.exec(line);
      if (h1 && doc.title === undefined && doc.sections.length === 0) {
        doc.title = h1[1]!;
        current = [];
        continue;
      }
      const h2 = /^##\s+(.*?)\s*#*\s*$/.exec(line);
      if (h2) {
        flush();
        doc.sections.push({ heading: h2[1]!, text: '' });
        continue;
      }
    }
    current.push(line);
  }
  flush();
  return doc;
}

export function section(doc: MarkdownDoc, heading: string | RegExp): string {
  const found = doc.sections.find((s) => (typeof heading === 'string' ? s.heading.toLowerCase() === heading.toLowerCase() : heading.test(s.heading)));
  return found?.text ?? '';
}

/** `- item` / `* item` / `1. item` lines; a line that is not a bullet continues the item above. */
export function bulletList(text: string): string[] {
  const items: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const bullet = /^(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (bullet) items.push(bullet[1]!);
    else if (items.length) items[items.length - 1] += ` ${line}`;
  }
  return items;
}

/** The code of the first fenced block in `text` (without the fence lines). */
export function firstFence(text: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*(`{3,}|~{3,})/.test(l));
  if (start === -1) return undefined;
  const mark = /^\s*(`{3,}|~{3,})/.exec(lines[start]!)![1]!;
  const end = lines.findIndex((l, i) => i > start && l.trim().startsWith(mark[0]!.repeat(mark.length)) && /^[`~]+$/.test(l.trim()));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}
