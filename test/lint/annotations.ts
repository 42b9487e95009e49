/**
 * Semgrep-style fixture annotations: `// ruleid: id` (or `# ruleid: id`) above a line that must be
 * flagged, `ok:` above one that must not, `todoruleid:`/`todook:` for known gaps (counted, not failing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { lintSource } from '../../src/lint/run.js';
import type { Finding } from '../../src/lint/schema.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/lint/', import.meta.url));
export const FIXTURE_EXTENSIONS = ['.ts', '.tsx', '.js', '.py'];

export type AnnotationKind = 'ruleid' | 'ok' | 'todoruleid' | 'todook';

export interface Annotations {
  /** 1-based target line -> kind, for one rule id. */
  byLine: Map<number, AnnotationKind>;
  counts: Record<AnnotationKind, number>;
}

const ANNOTATION = /^\s*(?:\/\/|#)\s*(todoruleid|todook|ruleid|ok)\s*:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;

export function parseAnnotations(code: string, ruleId: string): Annotations {
  const lines = code.split(/\r?\n/);
  const byLine = new Map<number, AnnotationKind>();
  const counts: Record<AnnotationKind, number> = { ruleid: 0, ok: 0, todoruleid: 0, todook: 0 };
  lines.forEach((text, index) => {
    const match = ANNOTATION.exec(text);
    if (!match) return;
    const kind = match[1] as AnnotationKind;
    const ids = match[2]!.split(',').map((s) => s.trim());
    if (!ids.includes(ruleId)) return;
    // The target is the next line that is not itself an annotation (annotations may stack).
    let target = index + 1;
    while (target < lines.length && ANNOTATION.test(lines[target]!)) target++;
    if (target >= lines.length) throw new Error(`annotation on line ${index + 1} has no line below it`);
    byLine.set(target + 1, kind);
    counts[kind]++;
  });
  return { byLine, counts };
}

export interface FixtureFile {
  ruleId: string;
  file: string;
  name: string;
}

export function listFixtures(): FixtureFile[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => FIXTURE_EXTENSIONS.includes(path.extname(name)))
    .sort()
    .map((name) => ({ ruleId: path.basename(name, path.extname(name)), file: path.join(FIXTURE_DIR, name), name }));
}

export interface FixtureOutcome {
  missed: number[];
  falsePositives: Finding[];
  todoFixed: number[];
  counts: Record<AnnotationKind, number>;
  findings: Finding[];
  /** A readable diff for the failure message; empty when the fixture passes. */
  diff: string;
}

/** Runs one detector over one fixture and compares both ways. */
export async function checkFixture(fixture: FixtureFile): Promise<FixtureOutcome> {
  const code = readFileSync(fixture.file, 'utf8');
  const lines = code.split(/\r?\n/);
  const { byLine, counts } = parseAnnotations(code, fixture.ruleId);
  const findings = await lintSource({ code, filename: fixture.name, detectors: [fixture.ruleId] });
  const flagged = new Set(findings.map((f) => f.line));
  const missed = [...byLine].filter(([line, kind]) => kind === 'ruleid' && !flagged.has(line)).map(([line]) => line);
  const falsePositives = findings.filter((f) => {
    const kind = byLine.get(f.line);
    return kind !== 'ruleid' && kind !== 'todook' && kind !== 'todoruleid';
  });
  const todoFixed = [...byLine].filter(([line, kind]) => kind === 'todoruleid' && flagged.has(line)).map(([line]) => line);
  const out: string[] = [];
  for (const line of missed) out.push(`- missed   ${fixture.name}:${line}: ${lines[line - 1]?.trim()}`);
  for (const f of falsePositives) {
    const kind = byLine.get(f.line) ? `(annotated ${byLine.get(f.line)})` : '(not annotated)';
    out.push(`+ extra    ${fixture.name}:${f.line}:${f.column}: ${f.sourceLine.trim()}  ${kind}  -- ${f.message}`);
  }
  return { missed, falsePositives, todoFixed, counts, findings, diff: out.join('\n') };
}
