/**
 * One entry for one file: pick the engine by extension, run every configured detector that has a
 * visitor for that language in a single walk. Engines load lazily (see each engine).
 */
import { type ConfiguredDetector, type FileInput, type FileResult, languageOf, mayReport, sortFindings, SUPPORTED_EXTENSIONS, TextIndex } from './core.js';

export class UnsupportedFileError extends Error {
  constructor(filename: string) {
    super(`cannot lint ${filename}: unsupported file type (lintable: ${SUPPORTED_EXTENSIONS.join(', ')})`);
    this.name = 'UnsupportedFileError';
  }
}

export interface LintFileOptions {
  /** Skip detectors whose required text the file lacks (default true; false only to test that it loses nothing). */
  prefilter?: boolean;
}

export async function lintFile(file: FileInput, detectors: ConfiguredDetector[], options: LintFileOptions = {}): Promise<FileResult> {
  const language = languageOf(file.filename);
  if (!language) throw new UnsupportedFileError(file.filename);
  const text = new TextIndex(file.code, language);
  const relevant = detectors.filter(
    (d) => d.detector.visit[language] !== undefined && (options.prefilter === false || mayReport(d, language, file.code, text)),
  );
  // No detector can report here: the parser (and its ~0.7 s import, for TS) is never touched.
  if (relevant.length === 0) return { findings: [], errors: [], parsed: false };
  const result =
    language === 'typescript'
      ? await (await import('./typescript.js')).lintTypeScript(file, relevant)
      : await (await import('./python.js')).lintPython(file, relevant);
  return { findings: sortFindings(result.findings), errors: result.errors };
}

export * from './core.js';
