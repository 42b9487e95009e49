/**
 * Python through the standard library: the target runs under `python3 -m cProfile -o FILE`, and
 * pstats-to-json.py (shipped beside this file) turns the dump into JSON. cProfile is deterministic:
 * self (tt) and total (ct) times are exact per function but every call pays tracing overhead.
 * The flame tree is rebuilt from the caller graph, so it is an estimate where a function is
 * reached along several paths.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { displayPath, type FlameNode, type FrameCategory, type FunctionStat } from './frames.js';

const run = promisify(execFile);

export const PSTATS_HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pstats-to-json.py');

const PstatsJson = z.object({
  functions: z.array(
    z.object({
      file: z.string(),
      line: z.number(),
      name: z.string(),
      calls: z.number(),
      primitiveCalls: z.number(),
      selfSeconds: z.number(),
      totalSeconds: z.number(),
      callers: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
    }),
  ),
  stdlib: z.array(z.string()),
});
type PstatsJson = z.infer<typeof PstatsJson>;

export function isPythonCommand(command: string): boolean {
  return /^python(\d+(\.\d+)?)?(\.exe)?$/i.test(path.basename(command));
}

export async function readPstats(python: string, statsFile: string, outJson: string, env: NodeJS.ProcessEnv): Promise<PstatsJson> {
  await run(python, [PSTATS_HELPER, statsFile, outJson], { env, timeout: 60_000, maxBuffer: 1 << 20 });
  const { readFile } = await import('node:fs/promises');
  return PstatsJson.parse(JSON.parse(await readFile(outJson, 'utf8')));
}

/** Where a Python program waits rather than computes: sleeping, select/poll, socket and lock waits. */
const WAITING = /^<(built-in method (time\.sleep|select\.\w+|_socket\.\w+|posix\.(read|waitpid|wait\w*))|method '(acquire|recv\w*|accept|poll|select|control|wait)' of )/;
/** cProfile's own wrapper frames: they hold the whole run and say nothing. */
const WRAPPER = (f: { file: string; name: string }): boolean =>
  f.name === '<built-in method builtins.exec>' || f.file === '<string>' || f.name === "<method 'disable' of '_lsprof.Profiler' objects>";

export interface PythonAnalysis {
  sampledMs: number;
  byCategory: Record<FrameCategory, number>;
  stats: Map<string, FunctionStat>;
  flame: FlameNode;
}

export function analyzePstats(data: PstatsJson, cwd: string): PythonAnalysis {
  const stdlib = data.stdlib;
  const packageOf = (file: string): string | null => {
    if (file === '~' || file.startsWith('<')) return 'python';
    const parts = file.split(/[\\/]/);
    const site = parts.findLastIndex((p) => p === 'site-packages' || p === 'dist-packages');
    if (site >= 0 && parts[site + 1]) return parts[site + 1]!.replace(/\.py$/, '');
    return stdlib.some((dir) => file.startsWith(dir + path.sep)) ? 'python' : null;
  };

  const byCategory: Record<FrameCategory, number> = { code: 0, gc: 0, idle: 0, native: 0, root: 0 };
  const stats = new Map<string, FunctionStat>();
  let sampledMs = 0;
  data.functions.forEach((f, i) => {
    const builtin = f.file === '~';
    const category: FrameCategory = WRAPPER(f) ? 'root' : WAITING.test(f.name) ? 'idle' : 'code';
    const stat: FunctionStat = {
      key: String(i),
      name: builtin ? f.name : f.name,
      file: builtin ? null : displayPath(f.file, cwd),
      line: builtin || f.line <= 0 ? null : f.line,
      column: null,
      package: packageOf(f.file),
      category,
      selfMs: f.selfSeconds * 1000,
      totalMs: f.totalSeconds * 1000,
      calls: f.calls,
    };
    stats.set(stat.key, stat);
    byCategory[category] += stat.selfMs;
    sampledMs += stat.selfMs;
  });
  return { sampledMs, byCategory, stats, flame: callerGraphToFlame(data, stats) };
}

const MAX_DEPTH = 64;
const MAX_NODES = 20_000;

/**
 * Top-down tree from the caller graph: a function's time under a caller is the caller edge's
 * cumulative time, and its callees' edges are scaled by the share of its time that call stands for.
 */
function callerGraphToFlame(data: PstatsJson, stats: Map<string, FunctionStat>): FlameNode {
  const callees = data.functions.map(() => [] as Array<{ index: number; ct: number }>);
  data.functions.forEach((f, i) => {
    for (const [caller, , , ct] of f.callers) callees[caller]?.push({ index: i, ct: ct * 1000 });
  });
  const roots = data.functions.map((f, i) => ({ f, i })).filter(({ f }) => f.callers.length === 0);
  let budget = MAX_NODES;
  const build = (index: number, value: number, onPath: Set<number>, depth: number): FlameNode => {
    const stat = stats.get(String(index))!;
    const own = data.functions[index]!.totalSeconds * 1000;
    const scale = own > 0 ? Math.min(1, value / own) : 0;
    const node: FlameNode = { name: stat.name, file: stat.file, line: stat.line, value, children: [] };
    if (depth >= MAX_DEPTH) return node;
    onPath.add(index);
    for (const edge of callees[index]!.sort((a, b) => b.ct - a.ct)) {
      if (onPath.has(edge.index) || budget <= 0) continue;
      const childValue = edge.ct * scale;
      if (childValue < value * 0.001) continue;
      budget--;
      node.children.push(build(edge.index, childValue, onPath, depth + 1));
    }
    onPath.delete(index);
    const childSum = node.children.reduce((s, c) => s + c.value, 0);
    if (childSum > node.value) node.value = childSum; // edge times can round above the caller's
    return node;
  };
  const children = roots.map(({ i }) => build(i, data.functions[i]!.totalSeconds * 1000, new Set(), 0)).filter((c) => c.value > 0);
  return { name: '(root)', file: null, line: null, value: children.reduce((s, c) => s + c.value, 0), children };
}
