/**
 * V8 .cpuprofile (the DevTools format) -> per-function self/total time and a flame tree.
 * Self time is the sum of the sample durations whose top frame is the function; total time adds
 * every sample where the function is anywhere on the stack, counted once per stack (recursion
 * does not double-count).
 */
import { z } from 'zod';
import { displayPath, nodePackageOf, urlToPath, type FlameNode, type FrameCategory, type FunctionStat } from './frames.js';

const CallFrame = z.looseObject({
  functionName: z.string(),
  url: z.string().default(''),
  lineNumber: z.number().default(-1),
  columnNumber: z.number().default(-1),
});
export const CpuProfile = z.looseObject({
  nodes: z.array(z.looseObject({ id: z.number(), callFrame: CallFrame, children: z.array(z.number()).optional() })),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()).default([]),
  timeDeltas: z.array(z.number()).default([]),
});
export type CpuProfile = z.infer<typeof CpuProfile>;

const SPECIAL: Record<string, FrameCategory> = {
  '(root)': 'root',
  '(program)': 'native',
  '(idle)': 'idle',
  '(garbage collector)': 'gc',
};

export interface CpuAnalysis {
  wallMs: number;
  sampledMs: number;
  byCategory: Record<FrameCategory, number>;
  stats: Map<string, FunctionStat>;
  flame: FlameNode;
}

/** Each sample's timestamp (µs, monotonic clock). */
export function sampleTimes(profile: CpuProfile): number[] {
  let t = profile.startTime;
  return profile.samples.map((_, i) => (t += profile.timeDeltas[i] ?? 0));
}

/** Milliseconds each sample stands for: the time until the next sample (the last one: until the end). */
export function sampleDurations(profile: CpuProfile): number[] {
  const times = sampleTimes(profile);
  return times.map((t, i) => Math.max(0, (i + 1 < times.length ? times[i + 1]! : profile.endTime) - t) / 1000);
}

/**
 * `skipWindows` ([startUs, endUs] on the profile's clock): samples inside are left out. A launcher
 * (npm, npx, a spawnSync wrapper) spends its child's lifetime waiting, idle or blocked in native
 * code; that time belongs to the child's profile, not to the launcher.
 */
export function analyzeCpuProfile(profile: CpuProfile, cwd: string, options: { skipWindows?: Array<[number, number]> } = {}): CpuAnalysis {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfByNode = new Map<number, number>();
  const durations = sampleDurations(profile);
  const times = sampleTimes(profile);
  const windows = options.skipWindows ?? [];
  profile.samples.forEach((id, i) => {
    if (windows.some(([from, to]) => times[i]! >= from && times[i]! <= to)) return;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + durations[i]!);
  });

  const keyOf = new Map<number, string>();
  const stats = new Map<string, FunctionStat>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    const category = SPECIAL[functionName] ?? 'code';
    const key = `${url}\0${functionName}\0${lineNumber}\0${columnNumber}`;
    keyOf.set(n.id, key);
    if (!stats.has(key)) {
      const file = urlToPath(url);
      stats.set(key, {
        key,
        name: functionName || '(anonymous)',
        file: displayPath(file, cwd),
        line: lineNumber >= 0 ? lineNumber + 1 : null,
        column: columnNumber >= 0 ? columnNumber + 1 : null,
        package: category === 'code' ? nodePackageOf(file) : null,
        category,
        selfMs: 0,
        totalMs: 0,
      });
    }
  }

  const byCategory: Record<FrameCategory, number> = { code: 0, gc: 0, idle: 0, native: 0, root: 0 };
  let sampledMs = 0;
  for (const [id, ms] of selfByNode) {
    const stat = stats.get(keyOf.get(id)!)!;
    stat.selfMs += ms;
    byCategory[stat.category] += ms;
    sampledMs += ms;
    // Inclusive time: each function once per stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf.get(at)!;
      if (seen.has(key)) continue;
      seen.add(key);
      stats.get(key)!.totalMs += ms;
    }
  }

  const root = profile.nodes.find((n) => !parent.has(n.id)) ?? profile.nodes[0];
  const flame = root ? toFlame(root.id) : { name: '(root)', file: null, line: null, value: 0, children: [] };
  function toFlame(id: number): FlameNode {
    const node = byId.get(id)!;
    const stat = stats.get(keyOf.get(id)!)!;
    const children = (node.children ?? []).map(toFlame).filter((c) => c.value > 0);
    const value = (selfByNode.get(id) ?? 0) + children.reduce((s, c) => s + c.value, 0);
    return { name: stat.name, file: stat.file, line: stat.line, value, children };
  }

  return { wallMs: (profile.endTime - profile.startTime) / 1000, sampledMs, byCategory, stats, flame };
}
