/**
 * `.perf-hunter.yaml`: what a team decided about the linter, next to its code.
 *
 * ```yaml
 * rules: { n-plus-one: off, sync-io-in-async: warning }   # off | error | warning | info
 * ignore: ["generated/**", "**\/*.gen.ts"]                # globs, relative to the config's folder
 * options: { n-plus-one: { db_calls: ["repo.fetch"] } }   # extra call shapes, per detector id
 * failOn: warning                                          # the CLI's --fail-on when not given
 * hook: { enabled: true, severity: warning }              # the lint-on-edit hook's settings
 * ```
 *
 * Found in the working directory or the nearest parent, stopping at the repository root (a
 * folder with `.git`) or the filesystem root. Problems are reported at `file:line:col`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { FindingSeverity } from '../skills/model.js';
import { recorder } from './replay/stamps.js';

export const CONFIG_FILE = '.perf-hunter.yaml';

export const RuleSetting = z.enum(['off', 'error', 'warning', 'info']);

export const LintConfig = z.strictObject({
  rules: z.record(z.string(), RuleSetting).default({}),
  ignore: z.array(z.string().min(1)).default([]),
  options: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  failOn: z.enum(['error', 'warning', 'info', 'never']).optional(),
  /** Read by the lint-on-edit hook (src/hook), which applies its own defaults; checked here so a typo is reported. */
  hook: z.strictObject({ enabled: z.boolean(), severity: FindingSeverity }).partial().optional(),
});
export type LintConfig = z.infer<typeof LintConfig>;

export interface LoadedConfig {
  file: string;
  dir: string;
  config: LintConfig;
  /** `file:line:col` of a key path (e.g. `['rules', 'n-plus-one']`), for problems found later. */
  at(keyPath: readonly (string | number)[]): string;
}

export class LintConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintConfigError';
  }
}

/** The nearest `.perf-hunter.yaml` from `cwd` upwards, or undefined. */
export async function findConfig(cwd: string): Promise<string | undefined> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (await exists(candidate)) return candidate;
    recorder.file(candidate); // absent: a new one would apply
    const git = path.join(dir, '.git');
    const atTop = await exists(git);
    recorder.exists(git, atTop);
    if (atTop || dir === path.dirname(dir)) return undefined;
  }
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
    recorder.file(file, undefined, text);
  } catch (error) {
    throw new LintConfigError(`cannot read config ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Loaded only when a config exists: most runs have none, and a warm cached run is counted in ms.
  const { isMap, isScalar, LineCounter, parseDocument } = await import('yaml');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const position = (offset: number): string => {
    const { line, col } = counter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new LintConfigError(`${position(first.pos[0])}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const at = (keyPath: readonly (string | number)[]): string => {
    // The deepest node that exists on the path: an unknown key points at its own place.
    // The key itself when it exists (`rules.typo: off` points at `typo`), else the deepest node on the path.
    const parent = doc.getIn(keyPath.slice(0, -1), true);
    if (keyPath.length > 0 && isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === keyPath[keyPath.length - 1]);
      if (pair && isScalar(pair.key) && pair.key.range) return position(pair.key.range[0]);
    }
    for (let n = keyPath.length; n >= 0; n--) {
      const node = doc.getIn(keyPath.slice(0, n), true) as YamlNode | undefined;
      if (node && typeof node === 'object' && 'range' in node && node.range) return position(node.range[0]);
    }
    return `${file}:1:1`;
  };
  const parsed = LintConfig.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const where = keys.filter((k): k is string | number => typeof k !== 'symbol');
      return `${at(where)}: ${where.join('.') || 'config'}: ${issue.message}`;
    });
    throw new LintConfigError(problems.join('\n'));
  }
  return { file, dir: path.dirname(file), config: parsed.data, at };
}

/**
 * Options from the config over a rule's own: lists are appended (extra call shapes extend, like
 * YAML options extend the defaults), anything else is replaced.
 */
export function mergeOptions(base: Record<string, unknown>, extra: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!extra) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const old = merged[key];
    merged[key] = Array.isArray(old) && Array.isArray(value) ? [...new Set([...old, ...value])] : value;
  }
  return merged;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
