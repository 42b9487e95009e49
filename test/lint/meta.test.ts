/**
 * Keeps every detector honest about itself (typescript-eslint's docs test, ruff's doc checks):
 * name = file, docs present, messages used, fixtures both ways, doc examples behave, the sharp
 * edge exists, no eager parser imports, and `src/lint` stays free of the MCP server and the CLI.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AnyDetector } from '../../src/lint/define.js';
import { detectors } from '../../src/lint/detectors/index.js';
import { lintSource } from '../../src/lint/run.js';
import { FIXTURE_DIR, parseAnnotations } from './annotations.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const detectorDir = path.join(root, 'src/lint/detectors');
const FIXTURE_EXT = { typescript: ['.ts', '.tsx', '.js'], python: ['.py'] } as const;
const EXAMPLE_FILE = { typescript: 'example.ts', python: 'example.py' } as const;

interface DetectorFile {
  family: string;
  id: string;
  file: string;
}

function detectorFiles(): DetectorFile[] {
  return readdirSync(detectorDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(detectorDir, d.name))
        .filter((f) => f.endsWith('.ts') && f !== 'helpers.ts')
        .map((f) => ({ family: d.name, id: path.basename(f, '.ts'), file: path.join(detectorDir, d.name, f) })),
    );
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)],
  );
}

const files = detectorFiles();

describe('detector registry', () => {
  it('registers exactly the detector files, once each', () => {
    expect(detectors.map((d) => d.id).sort()).toEqual(files.map((f) => f.id).sort());
    expect(new Set(detectors.map((d) => d.id)).size).toBe(detectors.length);
  });
});

describe.each(files.map((f) => [f.id, f] as const))('%s', (_id, meta) => {
  const source = readFileSync(meta.file, 'utf8');
  let detector: AnyDetector;

  it('has the id and family of its file', async () => {
    detector = (await import(meta.file)).default as AnyDetector;
    expect(detector.id).toBe(meta.id);
    expect(detector.family).toBe(meta.family);
    expect(detector.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(detector.languages.length).toBeGreaterThan(0);
  });

  it('documents why, example, useInstead and whenNotToUse for each language', () => {
    expect(detector.docs.why.length).toBeGreaterThan(40);
    expect(detector.docs.whenNotToUse.length).toBeGreaterThan(40);
    expect(detector.fix.length).toBeGreaterThan(10);
    for (const lang of detector.languages) {
      expect(detector.docs.example[lang], `docs.example.${lang}`).toBeTruthy();
      expect(detector.docs.useInstead[lang], `docs.useInstead.${lang}`).toBeTruthy();
    }
  });

  it('uses every messageId it declares, and each id is camelCase', () => {
    for (const id of Object.keys(detector.messages)) {
      expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(source, `messageId ${id} is never reported`).toMatch(new RegExp(`messageId: '${id}'`));
    }
  });

  it('declares requiresTypeInfo truthfully', () => {
    const usesTypes = /getTypeChecker|createProgram|\.getType\(/.test(source);
    expect(usesTypes).toBe(detector.requiresTypeInfo);
  });

  it('imports the parsers as types only (they load lazily)', () => {
    expect(source).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'(ts-morph|typescript|web-tree-sitter)'/m);
  });

  it('parses its own defaults', () => {
    expect(() => detector.parseOptions({})).not.toThrow();
  });

  it('has a fixture per language with at least one ruleid and one ok', () => {
    for (const lang of detector.languages) {
      const fixture = FIXTURE_EXT[lang].map((ext) => path.join(FIXTURE_DIR, `${meta.id}${ext}`)).find((f) => existsSync(f));
      expect(fixture, `test/fixtures/lint/${meta.id}.{${FIXTURE_EXT[lang].join(',')}}`).toBeDefined();
      const { counts } = parseAnnotations(readFileSync(fixture!, 'utf8'), meta.id);
      expect(counts.ruleid, `${fixture} ruleid count`).toBeGreaterThanOrEqual(1);
      expect(counts.ok, `${fixture} ok count`).toBeGreaterThanOrEqual(1);
    }
  });

  it('flags its doc example and leaves useInstead alone', async () => {
    for (const lang of detector.languages) {
      const filename = EXAMPLE_FILE[lang];
      const flagged = await lintSource({ code: detector.docs.example[lang]!, filename, detectors: [detector] });
      expect(flagged.length, `docs.example.${lang} is flagged`).toBeGreaterThan(0);
      const clean = await lintSource({ code: detector.docs.useInstead[lang]!, filename, detectors: [detector] });
      expect(clean, `docs.useInstead.${lang} is not flagged`).toEqual([]);
    }
  });

  const edgesFile = path.join(root, 'sharp-edges/performance-hunter.yaml');
  it.skipIf(!existsSync(edgesFile))('proves a sharp edge that exists', () => {
    const doc = parse(readFileSync(edgesFile, 'utf8')) as { sharp_edges?: { id: string }[]; edges?: { id: string }[] };
    const ids = (doc.sharp_edges ?? doc.edges ?? []).map((e) => e.id);
    expect(ids).toContain(detector.sharpEdge);
  });
});

describe('src/lint boundaries', () => {
  it('imports nothing from the MCP SDK, the server or the CLI', () => {
    const offenders = walk(path.join(root, 'src/lint'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from\s+'(@modelcontextprotocol\/[^']*|(\.\.\/)+(server|cli)\/[^']*)'/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
