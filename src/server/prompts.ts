/**
 * The `performance-review` prompt: the Performance Hunter persona (from the skill's own identity,
 * so editing the YAML changes the prompt) and the profile -> find -> fix -> measure workflow.
 */
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { BUILTIN_SKILL_ID } from '../skills/catalog.js';
import type { Skill } from '../skills/model.js';
import type { ServerContext } from './context.js';
import type { Completions } from './completions.js';

export const PerformanceReviewArgs = {
  target: z.string().min(1).describe('What to review: a file, folder, endpoint or symptom, e.g. "src/api/orders.ts" or "GET /search is slow".'),
  goal: z.string().optional().describe('The target to reach, e.g. "p99 under 200 ms at 500 rps".'),
};

/** Goals worth reaching for, offered as completions of `goal`: each is measurable, as the workflow asks. */
const EXAMPLE_GOALS = [
  'p99 under 200 ms at 500 rps',
  'p95 under 100 ms',
  'throughput over 1000 rps with no errors',
  'CPU time of the hot path halved',
  'peak memory under 512 MB',
  'no event-loop block over 50 ms',
];

export function registerPrompts(server: McpServer, ctx: ServerContext, completions?: Completions): void {
  completions?.forPrompt('performance-review', {
    target: (value) => completePath(ctx.cwd ?? process.cwd(), value),
    goal: (value) => EXAMPLE_GOALS.filter((g) => g.toLowerCase().startsWith(value.toLowerCase())),
  });
  server.registerPrompt(
    'performance-review',
    {
      title: 'Performance review',
      description: 'Review a target as the Performance Hunter: profile, find the cause, fix it, measure the gain.',
      argsSchema: PerformanceReviewArgs,
    },
    async ({ target, goal }) => {
      let skill: Skill | undefined;
      try {
        skill = (await ctx.catalog()).getSkill(BUILTIN_SKILL_ID);
      } catch (error) {
        // A broken skill folder must not take the prompt down; the generic persona still works.
        ctx.log(`performance-review without the skill's identity: ${error instanceof Error ? error.message : String(error)}`, 'warning');
      }
      return {
        description: `Performance review of ${target}`,
        messages: [{ role: 'user', content: { type: 'text', text: reviewPrompt(target, goal, skill) } }],
      };
    },
  );
}

/**
 * File and folder names under the working directory that continue `value` (folders end in `/`).
 * Anything that would leave the working directory completes to nothing: a prompt argument is no
 * way to list the rest of the disk.
 */
export async function completePath(cwd: string, value: string): Promise<string[]> {
  if (value.includes('\0') || path.isAbsolute(value)) return [];
  const dir = value.endsWith('/') ? value : path.posix.dirname(value);
  const prefix = value.endsWith('/') ? '' : path.posix.basename(value);
  try {
    // Real paths: a symlink inside the working directory must not list what it points to outside.
    const [root, absolute] = await Promise.all([realpath(cwd), realpath(path.resolve(cwd, dir))]);
    if (absolute !== root && !absolute.startsWith(root + path.sep)) return [];
    const entries = await readdir(absolute, { withFileTypes: true });
    return entries
      .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
      .map((e) => (dir === '.' ? '' : dir.endsWith('/') ? dir : `${dir}/`) + e.name + (e.isDirectory() ? '/' : ''))
      .sort();
  } catch {
    return [];
  }
}

export function reviewPrompt(target: string, goal: string | undefined, skill: Skill | undefined): string {
  const identity = skill?.identity;
  const lines: string[] = [];
  lines.push(identity?.role?.trim() || identity?.text.trim() || 'You are the Performance Hunter: a performance engineer who measures before and after every change.');
  if (identity?.principles.length) lines.push('', 'Principles:', ...identity.principles.map((p) => `- ${p.trim()}`));
  if (identity?.contrarianInsight) lines.push('', `Keep in mind: ${identity.contrarianInsight.trim()}`);
  const defers = identity?.defersTo ?? [];
  if (identity?.doesNotCover.length || defers.length) {
    lines.push('', 'Out of scope (hand these off instead of guessing):');
    for (const topic of identity?.doesNotCover ?? []) lines.push(`- ${topic}`);
    for (const d of defers) lines.push(`- ${d.when}: defer to ${d.skill}`);
  }
  lines.push(
    '',
    `Target: ${target}`,
    goal ? `Goal: ${goal}` : 'Goal: none given; state a measurable one (e.g. a p99 latency or throughput) before changing code, and ask if unsure.',
    '',
    'Workflow — measure, don\'t guess:',
    '1. Profile: get a baseline with the `profile` tool (CPU/wall time of the real workload) and, for services, the `load_test` tool (p50/p95/p99, throughput, errors). Record the numbers.',
    '2. Find: run the `lint` tool on the code involved to spot known sharp edges (N+1 queries, blocking I/O in async code, ...); read any finding with `explain <id>` and check it against the profile — only hot paths matter.',
    '3. Fix: change one thing at a time, the biggest measured cost first; follow the pattern `explain` gives and avoid its anti-patterns.',
    '4. Measure: repeat the same `profile` / `load_test` run and compare with the baseline; keep the change only if the numbers improve, and report before -> after.',
    '5. Hand off: if the cause is outside this skill, use the `handoff` tool to pass the evidence to the right specialist.',
    '',
    'If a tool is not available in this server, do that step by hand with the usual tools of the language and say so. ' +
      'Use `list_skills` and `explain` (or the skill:// resources) to read the skill\'s sharp edges and patterns.',
  );
  return lines.join('\n');
}
