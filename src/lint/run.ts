/**
 * The linter's entry points for the CLI and the MCP tool (which live elsewhere: nothing here
 * imports them). Errors thrown from here say what to fix.
 */
import type { AnyDetector } from './define.js';
import { detectors as builtinDetectors, detectorById } from './detectors/index.js';
import { configureDetector, type ConfiguredDetector } from './engine/core.js';
import { lintFile } from './engine/index.js';
import type { Finding } from './schema.js';

export interface LintSourceInput {
  code: string;
  filename: string;
  /** Detector ids or detector objects; every built-in detector when omitted. */
  detectors?: readonly (string | AnyDetector)[];
  /** Options per detector id, camelCase or YAML snake_case keys. */
  options?: Record<string, unknown>;
}

export function resolveDetectors(selection?: readonly (string | AnyDetector)[]): AnyDetector[] {
  if (!selection) return [...builtinDetectors];
  return selection.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const found = detectorById.get(entry);
    if (!found) {
      throw new Error(`unknown detector "${entry}" (known: ${[...detectorById.keys()].join(', ')})`);
    }
    return found;
  });
}

export function configureAll(
  selection: readonly AnyDetector[],
  options: Record<string, unknown> = {},
): ConfiguredDetector[] {
  const ids = new Set(selection.map((d) => d.id));
  const stray = Object.keys(options).filter((id) => !ids.has(id));
  if (stray.length > 0) {
    throw new Error(`options given for detectors not selected: ${stray.join(', ')} (selected: ${[...ids].join(', ')})`);
  }
  return selection.map((detector) => configureDetector(detector, { options: options[detector.id] }));
}

/** Lints one in-memory file. A detector that crashes makes this throw, naming it and the place. */
export async function lintSource(input: LintSourceInput): Promise<Finding[]> {
  const configured = configureAll(resolveDetectors(input.detectors), input.options);
  const result = await lintFile({ code: input.code, filename: input.filename }, configured);
  if (result.errors.length > 0) {
    throw new Error(result.errors.map((e) => e.message).join('\n'));
  }
  return result.findings;
}
