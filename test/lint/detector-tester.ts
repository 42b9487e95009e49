/**
 * RuleTester-strict checks for one detector, ESLint style: `valid` code must produce no finding,
 * each `invalid` case exactly its listed errors (by messageId, and line when given). A run fails on
 * an invalid case with no errors listed, a wrong count, an unknown messageId, a duplicate case,
 * options that break the detector's schema, an unresolved `{{placeholder}}`, or an AST mutation.
 */
import { describe, expect, it } from 'vitest';
import type { ts } from 'ts-morph';
import type { AnyDetector, TsHandlers } from '../../src/lint/define.js';
import { lintSource } from '../../src/lint/run.js';
import type { Finding } from '../../src/lint/schema.js';

export interface ValidCase {
  code: string;
  /** Picks the language; `case.ts` when omitted. */
  filename?: string;
  options?: unknown;
  name?: string;
}

export interface ExpectedError {
  messageId: string;
  line?: number;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
}

export interface TesterCases {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

const normalise = (c: string | ValidCase): ValidCase => (typeof c === 'string' ? { code: c } : c);
const keyOf = (c: ValidCase): string => JSON.stringify([c.code, c.filename ?? 'case.ts', c.options ?? null]);
const titleOf = (c: ValidCase): string => c.name ?? c.code.trim().split('\n').slice(0, 2).join(' ⏎ ').slice(0, 80);

/** Every node's kind, span and identifier text: changes if a visitor mutates the tree. */
function fingerprint(api: typeof ts, root: ts.Node): string {
  const parts: string[] = [];
  const walk = (n: ts.Node): void => {
    parts.push(`${n.kind}:${n.pos}:${n.end}${api.isIdentifier(n) ? `:${n.text}` : ''}`);
    api.forEachChild(n, walk);
  };
  walk(root);
  return parts.join(',');
}

/** Wraps a detector so its TS visitor fails if the tree differs after the walk. */
function guardAgainstMutation(detector: AnyDetector): AnyDetector {
  const build = detector.visit.typescript;
  if (!build) return detector;
  return {
    ...detector,
    visit: {
      ...detector.visit,
      typescript: (ctx, options) => {
        const before = fingerprint(ctx.ts, ctx.sourceFile);
        const handlers = build(ctx, options) as TsHandlers;
        const own = handlers['SourceFile:exit'];
        return {
          ...handlers,
          'SourceFile:exit': (node: ts.SourceFile) => {
            own?.(node);
            if (fingerprint(ctx.ts, ctx.sourceFile) !== before) {
              throw new Error(`detector ${detector.id} mutated the syntax tree; visitors must be read-only`);
            }
          },
        } as TsHandlers;
      },
    },
  };
}

/** The problems with one case; empty when it passes. Exported so the tester itself is tested. */
export async function checkCase(detector: AnyDetector, raw: string | ValidCase | InvalidCase, kind: 'valid' | 'invalid'): Promise<string[]> {
  const testCase = normalise(raw);
  const problems: string[] = [];
  const expected = kind === 'invalid' ? (raw as InvalidCase).errors ?? [] : [];
  if (kind === 'invalid' && expected.length === 0) return ['invalid case lists no errors'];
  for (const e of expected) {
    if (!Object.hasOwn(detector.messages, e.messageId)) {
      problems.push(`unknown messageId "${e.messageId}" (known: ${Object.keys(detector.messages).join(', ')})`);
    }
  }
  if (problems.length > 0) return problems;
  let findings: Finding[];
  try {
    findings = await lintSource({
      code: testCase.code,
      filename: testCase.filename ?? 'case.ts',
      detectors: [guardAgainstMutation(detector)],
      options: testCase.options === undefined ? undefined : { [detector.id]: testCase.options },
    });
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  for (const f of findings) {
    if (/\{\{\s*\w+\s*\}\}/.test(f.message)) problems.push(`line ${f.line}: unresolved placeholder in "${f.message}"`);
  }
  if (findings.length !== expected.length) {
    problems.push(
      `expected ${expected.length} finding(s), got ${findings.length}:\n` +
        findings.map((f) => `    ${f.line}:${f.column} ${f.message}`).join('\n'),
    );
    return problems;
  }
  const messageIdOf = (f: Finding): string | undefined =>
    Object.entries(detector.messages).find(([, template]) => matchesTemplate(template as string, f.message))?.[0];
  expected.forEach((e, i) => {
    const f = findings[i]!;
    const got = messageIdOf(f);
    if (got !== e.messageId) problems.push(`error ${i + 1}: expected messageId ${e.messageId}, got ${got ?? '?'} ("${f.message}")`);
    if (e.line !== undefined && e.line !== f.line) problems.push(`error ${i + 1}: expected line ${e.line}, got ${f.line}`);
  });
  return problems;
}

/** Findings carry text, not ids: a template matches when its fixed parts line up. */
function matchesTemplate(template: string, message: string): boolean {
  const pattern = template
    .split(/\{\{\s*\w+\s*\}\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(message);
}

export const detectorTester = {
  run(id: string, detector: AnyDetector, cases: TesterCases): void {
    describe(id, () => {
      it('has the id it is registered under', () => {
        expect(detector.id).toBe(id);
      });
      it('has no duplicate cases', () => {
        const seen = new Set<string>();
        const duplicates: string[] = [];
        for (const c of [...cases.valid.map(normalise), ...cases.invalid]) {
          const key = keyOf(c);
          if (seen.has(key)) duplicates.push(titleOf(c));
          seen.add(key);
        }
        expect(duplicates, 'duplicate cases').toEqual([]);
      });
      for (const c of cases.valid) {
        it(`valid: ${titleOf(normalise(c))}`, async () => {
          expect((await checkCase(detector, c, 'valid')).join('\n')).toBe('');
        });
      }
      for (const c of cases.invalid) {
        it(`invalid: ${titleOf(c)}`, async () => {
          expect((await checkCase(detector, c, 'invalid')).join('\n')).toBe('');
        });
      }
    });
  },
};
