/**
 * The lint-on-edit hook: Claude Code runs `perf-hunter hook post-edit` after every Write, Edit or
 * MultiEdit (PostToolUse) with the hook JSON on stdin. We lint only the edited file and, when it
 * has findings at or above the configured severity, answer the way the hooks reference asks for
 * feedback to reach the model: JSON on stdout with `"decision": "block"` and a `reason` (the edit
 * itself already happened; "block" only makes Claude read the reason and act on it), exit 0.
 *
 * The hook must never get in the agent's way because of its own trouble: bad stdin, a missing
 * file, a broken config or a crash all end in exit 0 with at most a note on stderr (which Claude
 * Code shows only in verbose mode). Exit 2 is never used: it would turn our failure into Claude's.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FindingSeverity } from '../skills/model.js';

/** The part of the PostToolUse input we read; everything else Claude Code sends is ignored. */
export const PostToolUseInput = z.looseObject({
  hook_event_name: z.string().optional(),
  tool_name: z.string().optional(),
  tool_input: z.looseObject({ file_path: z.string().optional() }).optional(),
  cwd: z.string().optional(),
});
export type PostToolUseInput = z.infer<typeof PostToolUseInput>;

/** `.perf-hunter.yaml` `hook:` section. */
export const HookConfig = z.object({
  enabled: z.boolean().default(true),
  severity: FindingSeverity.default('warning'),
});
export type HookConfig = z.infer<typeof HookConfig>;

/** The tools that write files; others (Bash, Read, ...) pass through untouched. */
const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit']);

export interface HookOutcome {
  /** Always 0: the hook reports through stdout JSON, never through its exit code. */
  exitCode: 0;
  stdout: string;
  stderr: string;
}

export interface PostEditOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a hook input without `cwd` is resolved (default process.cwd(); the warm helper passes the caller's). */
  cwd?: string | undefined;
}

const quiet = (note = ''): HookOutcome => ({ exitCode: 0, stdout: '', stderr: note ? `perf-hunter hook: ${note}\n` : '' });

export async function runPostEdit(stdin: string, options: PostEditOptions = {}): Promise<HookOutcome> {
  try {
    return await postEdit(stdin, options.env ?? process.env, options.cwd ?? process.cwd());
  } catch (error) {
    return quiet(`skipped (${error instanceof Error ? error.message : String(error)})`);
  }
}

async function postEdit(stdin: string, env: NodeJS.ProcessEnv, defaultCwd: string): Promise<HookOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch {
    return quiet('skipped: stdin is not the hook JSON Claude Code sends');
  }
  const parsed = PostToolUseInput.safeParse(json);
  if (!parsed.success) return quiet('skipped: stdin is not a PostToolUse hook input');
  const input = parsed.data;
  const filePath = input.tool_input?.file_path;
  if (input.tool_name && !EDIT_TOOLS.has(input.tool_name)) return quiet();
  if (!filePath) return quiet();

  const cwd = path.resolve(defaultCwd, input.cwd ?? '.');
  const file = path.resolve(cwd, filePath);
  const { languageOf } = await import('../lint/engine/core.js');
  if (!languageOf(file)) return quiet();

  const settings = await hookSettings(cwd, env);
  if (!settings.enabled) return quiet();

  const [{ runLint }, { loadSkills, resolveSkillDirs }] = await Promise.all([import('../lint/run-lint.js'), import('../skills/load.js')]);
  // Agent Skills carry no lint rules: reading .claude/skills would only cost time here.
  const loaded = await loadSkills({ dirs: resolveSkillDirs({ env }), agentSkillDirs: false });
  // The file may lie outside the session's folder (an absolute path); its own folder is the root.
  const report = await runLint(
    { paths: [file], severity: settings.severity },
    { cwd, roots: [path.dirname(file)], skills: loaded.skills, all: true },
  );
  if (report.findings.length === 0) {
    const errors = report.errors.map((e) => e.message).join('; ');
    return quiet(errors ? `could not lint ${filePath}: ${errors}` : '');
  }
  const reason = feedback(path.relative(cwd, file) || file, report.findings);
  return { exitCode: 0, stdout: `${JSON.stringify({ decision: 'block', reason })}\n`, stderr: '' };
}

/**
 * The config file (nearest `.perf-hunter.yaml`, `hook:` section), then the environment:
 * `PERF_HUNTER_HOOK_SEVERITY=error|warning|info` or `off`. A broken config is not ours to
 * report here (`perf-hunter validate` does, at file:line); the hook falls back to the defaults.
 */
export async function hookSettings(cwd: string, env: NodeJS.ProcessEnv): Promise<HookConfig> {
  let settings = HookConfig.parse({});
  const { findConfig } = await import('../lint/config.js');
  const configFile = await findConfig(cwd);
  if (configFile) {
    const { parse } = await import('yaml');
    try {
      const doc = parse(await readFile(configFile, 'utf8')) as { hook?: unknown } | null;
      const hook = HookConfig.safeParse(doc?.hook ?? {});
      if (hook.success) settings = hook.data;
    } catch {
      // unreadable or invalid YAML: defaults (see above)
    }
  }
  const fromEnv = env.PERF_HUNTER_HOOK_SEVERITY?.trim().toLowerCase();
  if (fromEnv === 'off') return { ...settings, enabled: false };
  const severity = FindingSeverity.safeParse(fromEnv);
  return severity.success ? { ...settings, severity: severity.data } : settings;
}

interface HookFinding {
  ruleId: string;
  severity: string;
  message: string;
  line: number;
  fix: string;
}

/** What Claude reads: the rule, the line, the fix in one line, and where to read more. */
export function feedback(file: string, findings: readonly HookFinding[]): string {
  const lines = [`perf-hunter found ${findings.length} performance issue(s) in ${file} you just edited:`];
  for (const f of findings) {
    const fix = f.fix ? ` Fix: ${oneLine(f.fix)}` : '';
    lines.push(`- ${file}:${f.line} ${f.ruleId} (${f.severity}): ${oneLine(f.message)}${fix} More: \`perf-hunter explain ${f.ruleId}\``);
  }
  lines.push('Fix these unless they are intended; a finding that is a false positive can be left as is.');
  return lines.join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 240 ? `${flat.slice(0, 239)}…` : flat;
}
