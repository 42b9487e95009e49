/**
 * Loads skills from disk into the one model (see model.ts).
 * STUB: the real implementation replaces this file (same exports).
 */
import type { LoadResult } from './model.js';

export interface LoadSkillsOptions {
  /**
   * Directories to read. Each may be a perf-hunter layout root (has `skills/<id>/skill.yaml`,
   * optionally `sharp-edges/<id>.yaml`, `validations/<id>.yaml`), a Spawner tree
   * (`<category>/<skill>/skill.yaml` ...), or a single skill directory.
   */
  dirs?: string[];
  /** Also load the Performance Hunter skill shipped with this package (default true). */
  includeBuiltin?: boolean;
}

export async function loadSkills(_options: LoadSkillsOptions = {}): Promise<LoadResult> {
  throw new Error('loadSkills is not implemented yet');
}
