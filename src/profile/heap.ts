/**
 * Heap: V8 sampling heap profiles (.heapprofile) -> top allocation sites with bytes and call
 * paths; a heap-size timeline -> does the post-GC floor keep growing (leak suspicion)?
 * The sampling heap profiler records functions, not statements: a site's line is the line where
 * its function starts.
 */
import { z } from 'zod';
import { displayPath, label, nodePackageOf, urlToPath } from './frames.js';
import type { ProfileReport } from './schema.js';

type AllocationSite = NonNullable<ProfileReport['heap']>['topSites'][number];
type HeapTimeline = NonNullable<NonNullable<ProfileReport['heap']>['timeline']>;

interface HeapNode {
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: HeapNode[];
}
const HeapNodeSchema: z.ZodType<HeapNode> = z.lazy(() =>
  z.object({
    callFrame: z.object({ functionName: z.string(), scriptId: z.coerce.string().default('0'), url: z.string().default(''), lineNumber: z.number().default(-1), columnNumber: z.number().default(-1) }),
    selfSize: z.number(),
    children: z.array(HeapNodeSchema).default([]),
  }),
);
export const HeapProfile = z.looseObject({ head: HeapNodeSchema });
export type HeapProfile = z.infer<typeof HeapProfile>;

const MAX_PATHS = 3;
const MAX_PATH_FRAMES = 12;

type Location = { url: string; lineNumber: number; columnNumber: number };

/**
 * Heap samples taken through the in-process session often lack the script's URL and line; the
 * CPU profile of the same process has them for the same script id and function name.
 */
export function locationsFromCpuProfile(cpu: { nodes: Array<{ callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: unknown } }> }): Map<string, Location> {
  const map = new Map<string, Location>();
  for (const { callFrame: cf } of cpu.nodes) {
    const key = `${String(cf.scriptId ?? '')}\0${cf.functionName}`;
    if (cf.url && !map.has(key)) map.set(key, { url: cf.url, lineNumber: cf.lineNumber, columnNumber: cf.columnNumber });
  }
  return map;
}

export function topAllocationSites(
  profiles: Array<{ heap: HeapProfile; locations?: Map<string, Location> }>,
  cwd: string,
  top: number,
): { totalBytes: number; topSites: AllocationSite[] } {
  interface Site {
    name: string;
    file: string | null;
    line: number | null;
    package: string | null;
    bytes: number;
    paths: Map<string, { frames: string[]; bytes: number }>;
  }
  const sites = new Map<string, Site>();
  let totalBytes = 0;
  let locations: Map<string, Location> | undefined;
  const walk = (node: HeapNode, stack: string[]): void => {
    const known = node.callFrame.url ? undefined : locations?.get(`${node.callFrame.scriptId}\0${node.callFrame.functionName}`);
    const { functionName } = node.callFrame;
    const { url, lineNumber, columnNumber } = known ?? node.callFrame;
    const file = urlToPath(url);
    const shown = displayPath(file, cwd);
    const line = lineNumber >= 0 ? lineNumber + 1 : null;
    const name = functionName || '(anonymous)';
    const here = [...stack, label({ name, file: shown, line })];
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      const key = `${url}\0${functionName}\0${lineNumber}\0${columnNumber}`;
      let site = sites.get(key);
      if (!site) sites.set(key, (site = { name, file: shown, line, package: url ? nodePackageOf(file) : 'native', bytes: 0, paths: new Map() }));
      site.bytes += node.selfSize;
      const frames = here.slice(1).slice(-MAX_PATH_FRAMES); // drop "(root)"
      const pathKey = frames.join('\n');
      const p = site.paths.get(pathKey) ?? { frames, bytes: 0 };
      p.bytes += node.selfSize;
      site.paths.set(pathKey, p);
    }
    for (const child of node.children) walk(child, here);
  };
  for (const profile of profiles) {
    locations = profile.locations;
    walk(profile.heap.head, []);
  }
  const topSites = [...sites.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((s) => ({
      function: s.name,
      file: s.file,
      line: s.line,
      package: s.package,
      bytes: s.bytes,
      percent: totalBytes > 0 ? Math.round((s.bytes / totalBytes) * 1000) / 10 : 0,
      paths: [...s.paths.values()].sort((a, b) => b.bytes - a.bytes).slice(0, MAX_PATHS).map((p) => p.frames),
    }));
  return { totalBytes, topSites };
}

const WINDOW = 10; // samples: 1 s at the preload's 100 ms period
const MIN_WINDOWS = 3;
const MIN_R2 = 0.8;
const MIN_GROWTH_BYTES = 1024 * 1024;

/**
 * Leak suspicion from [ms, bytes] samples of the retained heap (every space but the young
 * generation, whose short-lived garbage and warm-up growth mean nothing): the floor of each
 * one-second window approximates the heap right after GC; a floor that rises steadily (positive slope, R^2 >= 0.8, over 1 MB in all)
 * is what a leak looks like. Saw-tooth churn with a flat floor is not.
 */
export function analyzeTimeline(samples: Array<[number, number]>): HeapTimeline | null {
  if (samples.length < 2) return null;
  const bytes = samples.map((s) => s[1]);
  const floors: Array<[number, number]> = [];
  for (let i = 0; i + WINDOW <= samples.length; i += WINDOW) {
    const window = samples.slice(i, i + WINDOW);
    const min = window.reduce((m, s) => (s[1] < m[1] ? s : m));
    floors.push([min[0] / 1000, min[1]]);
  }
  const { slope, r2 } = linearFit(floors);
  const growth = floors.length > 0 ? floors[floors.length - 1]![1] - floors[0]![1] : 0;
  const growing = floors.length >= MIN_WINDOWS && slope > 0 && r2 >= MIN_R2 && growth >= MIN_GROWTH_BYTES;
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const sentence =
    floors.length < MIN_WINDOWS
      ? `Too short to judge growth (${samples.length} samples over ${(samples[samples.length - 1]![0] / 1000).toFixed(1)} s; need at least ${MIN_WINDOWS} s).`
      : growing
        ? `Leak suspected: the heap floor after GC keeps growing, ${mb(slope)}/s (R² ${r2.toFixed(2)}), from ${mb(floors[0]![1])} to ${mb(floors[floors.length - 1]![1])}.`
        : `No steady growth: the heap floor after GC changes ${mb(slope)}/s (R² ${r2.toFixed(2)}).`;
  return {
    samples: samples.length,
    startBytes: bytes[0]!,
    endBytes: bytes[bytes.length - 1]!,
    peakBytes: Math.max(...bytes),
    slopeBytesPerSecond: Math.round(slope),
    rSquared: Math.round(r2 * 1000) / 1000,
    growing,
    sentence,
  };
}

export function linearFit(points: Array<[number, number]>): { slope: number; r2: number } {
  const n = points.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}
