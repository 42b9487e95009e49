/**
 * One entry for one file: pick the engine by extension, run every configured detector that has a
 * visitor for that language in a single walk. Engines load lazily (see each engine).
 */
import { type ConfiguredDetector, type FileInput, type FileResult, languageOf, sortFindings, SUPPORTED_EXTENSIONS } from './core.js';

export class UnsupportedFileError extends Error {
  constructor(filename: string) {
    super(`cannot lint ${filename}: unsupported file type (lintable: ${SUPPORTED_EXTENSIONS.join(', ')})`);
    this.name = 'UnsupportedFileError';
  }
}

export async function lintFile(file: FileInput, detectors: ConfiguredDetector[]): Promise<FileResult> {
  const language = languageOf(file.filename);
  if (!language) throw new UnsupportedFileError(file.filename);
  const relevant = detectors.filter((d) => d.detector.visit[language] !== undefined);
  if (relevant.length === 0) return { findings: [], errors: [] };
  const result =
    language === 'typescript'
      ? await (await import('./typescript.js')).lintTypeScript(file, relevant)
      : await (await import('./python.js')).lintPython(file, relevant);
  return { findings: sortFindings(result.findings), errors: result.errors };
}

export * from './core.js';
