/**
 * Per-function times -> the report's shares, top lists, roll-ups, Amdahl bounds and the one
 * bottleneck sentence. Runtime-neutral: Node and Python both arrive as FunctionStat maps.
 */
import { label, type FrameCategory, type FunctionStat } from './frames.js';
import type { Hotspot, ProfileReport, Rollup } from './schema.js';

type Shares = ProfileReport['shares'];
type Bottleneck = ProfileReport['bottleneck'];

const round1 = (n: number): number => Math.round(n * 10) / 10;
const pct = (part: number, whole: number): number => (whole > 0 ? round1((part / whole) * 100) : 0);

/** Share p of the whole run gone -> at most 1/(1-p) times faster. */
export function amdahl(partMs: number, wallMs: number): Hotspot['amdahl'] {
  const share = wallMs > 0 ? Math.min(0.999, Math.max(0, partMs / wallMs)) : 0;
  const maxSpeedup = 1 / (1 - share);
  return { share: Math.round(share * 1000) / 1000, maxSpeedup: Math.round(maxSpeedup * 100) / 100, atMostPercentFaster: round1((maxSpeedup - 1) * 100) };
}

export function shares(byCategory: Record<FrameCategory, number>, sampledMs: number): Shares {
  return {
    programPercent: pct(byCategory.code, sampledMs),
    gcPercent: pct(byCategory.gc, sampledMs),
    idlePercent: pct(byCategory.idle, sampledMs),
    nativePercent: pct(byCategory.native + byCategory.root, sampledMs),
  };
}

export function hotspot(stat: FunctionStat, sampledMs: number, wallMs: number): Hotspot {
  return {
    function: stat.name,
    file: stat.file,
    line: stat.line,
    column: stat.column,
    package: stat.package,
    selfMs: round1(stat.selfMs),
    selfPercent: pct(stat.selfMs, sampledMs),
    totalMs: round1(stat.totalMs),
    totalPercent: pct(stat.totalMs, sampledMs),
    ...(stat.calls !== undefined ? { calls: stat.calls } : {}),
    amdahl: amdahl(stat.totalMs, wallMs),
  };
}

export function topLists(stats: Iterable<FunctionStat>, sampledMs: number, wallMs: number, top: number): { topSelf: Hotspot[]; topTotal: Hotspot[] } {
  const code = [...stats].filter((s) => s.category === 'code');
  const bySelf = [...code].sort((a, b) => b.selfMs - a.selfMs).filter((s) => s.selfMs > 0);
  const byTotal = [...code].sort((a, b) => b.totalMs - a.totalMs).filter((s) => s.totalMs > 0);
  return {
    topSelf: bySelf.slice(0, top).map((s) => hotspot(s, sampledMs, wallMs)),
    topTotal: byTotal.slice(0, top).map((s) => hotspot(s, sampledMs, wallMs)),
  };
}

export function rollups(stats: Iterable<FunctionStat>, sampledMs: number, top: number): { files: Rollup[]; packages: Rollup[] } {
  const files = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const s of stats) {
    if (s.category !== 'code' || s.selfMs <= 0) continue;
    const file = s.file ?? '(native)';
    files.set(file, (files.get(file) ?? 0) + s.selfMs);
    const pkg = s.package ?? '(our code)';
    packages.set(pkg, (packages.get(pkg) ?? 0) + s.selfMs);
  }
  const list = (m: Map<string, number>): Rollup[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, selfMs: round1(ms), selfPercent: pct(ms, sampledMs) }));
  return { files: list(files), packages: list(packages) };
}

const IDLE_BOTTLENECK = 50;
const GC_BOTTLENECK = 15;

/** One sentence: what takes the time, and what kind of problem that is. */
export function nameBottleneck(sh: Shares, topSelf: Hotspot[], sampledMs: number, samples: number): Bottleneck {
  const top = topSelf[0];
  const where = (h: Hotspot): Pick<Bottleneck, 'function' | 'file' | 'line'> => ({ function: h.function, file: h.file, line: h.line });
  if (samples < 5 || sampledMs <= 0) {
    return { kind: 'none', sentence: `Too little was sampled (${round1(sampledMs)} ms) to name a bottleneck; run the target longer or under load.`, function: null, file: null, line: null };
  }
  if (sh.idlePercent >= IDLE_BOTTLENECK) {
    const busiest = top ? ` The busiest function was ${label({ name: top.function, file: top.file, line: top.line })} at ${top.selfPercent}%.` : '';
    return {
      kind: 'io-wait',
      sentence: `Waiting on I/O with an idle CPU: nothing ran for ${sh.idlePercent}% of the time, so the run is bound by I/O, timers or other processes, not by computation.${busiest}`,
      ...(top ? where(top) : { function: null, file: null, line: null }),
    };
  }
  if (sh.gcPercent >= GC_BOTTLENECK && (!top || sh.gcPercent >= top.selfPercent)) {
    return {
      kind: 'gc',
      sentence: `GC pressure: garbage collection takes ${sh.gcPercent}% of the time; allocate less (profile with --heap to find the allocation sites).`,
      function: null,
      file: null,
      line: null,
    };
  }
  if (!top) return { kind: 'none', sentence: 'No function took measurable time.', function: null, file: null, line: null };
  const name = label({ name: top.function, file: top.file, line: top.line });
  const bound = `removing it entirely would make the run at most ${top.amdahl.atMostPercentFaster}% faster`;
  if (top.package === null) {
    return { kind: 'our-code', sentence: `CPU in our code: ${name} takes ${top.selfPercent}% of the time on its own (${top.totalPercent}% with callees); ${bound}.`, ...where(top) };
  }
  return {
    kind: 'dependency',
    sentence: `CPU in a dependency: ${top.package}'s ${name} takes ${top.selfPercent}% of the time on its own; look at how our code calls it (see topTotal); ${bound}.`,
    ...where(top),
  };
}
