/**
 * What `profile` takes and answers. The MCP tool, the CLI (`--json`) and report.json all carry
 * exactly `ProfileReport`; types come from these schemas.
 */
import { z } from 'zod';
import { ProbeReport } from '../probe/schema.js';

export const DEFAULT_DURATION_SECONDS = 30;
export const MAX_DURATION_SECONDS = 600;
export const DEFAULT_INTERVAL_US = 1000;
export const DEFAULT_TOP = 15;

export const LoadInput = z.object({
  url: z.string().min(1).describe('URL to drive with autocannon while the target runs; loopback hosts only (127.0.0.1, ::1, localhost).'),
  connections: z.number().int().min(1).max(1000).default(10).describe('Concurrent connections (default 10).'),
  durationSeconds: z.number().min(1).max(MAX_DURATION_SECONDS).default(10).describe('How long to drive load (default 10 s).'),
});
export type LoadInput = z.infer<typeof LoadInput>;

export const ProfileInput = z.object({
  command: z.string().min(1, { error: 'command is empty: pass the program, e.g. "node"' }).describe('Program to run: node, npx, npm, python3, ... (no shell).'),
  args: z.array(z.string()).default([]).describe('Its arguments, e.g. ["app.js", "--port", "3000"].'),
  cwd: z.string().optional().describe('Working directory inside the allowed roots; default the server\'s working directory.'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables for the target.'),
  durationSeconds: z
    .number()
    .min(0.1)
    .max(MAX_DURATION_SECONDS)
    .default(DEFAULT_DURATION_SECONDS)
    .describe(`Time limit: the target is stopped gracefully (SIGINT) after this many seconds (default ${DEFAULT_DURATION_SECONDS}).`),
  kind: z.enum(['cpu', 'heap']).default('cpu').describe('"cpu": where time goes (default); "heap": where memory is allocated.'),
  intervalUs: z.number().int().min(50).max(100_000).default(DEFAULT_INTERVAL_US).describe('CPU sampling interval in microseconds (default 1000).'),
  heapTimeline: z.boolean().default(false).describe('Also sample heap size every 100 ms and say whether it keeps growing (leak suspicion).'),
  top: z.number().int().min(1).max(100).default(DEFAULT_TOP).describe(`Length of each top list (default ${DEFAULT_TOP}).`),
  load: LoadInput.optional().describe(
    'Drive HTTP load at the target (a server) while profiling; the run ends when the load ends. Node targets also get the runtime probe: queries and outbound calls per request by route, and a runtime N+1 verdict.',
  ),
});
export type ProfileInput = z.input<typeof ProfileInput>;
export type ProfileOptions = z.output<typeof ProfileInput>;

export const Amdahl = z.object({
  /** Share of the run's wall time spent in the function, callees included. */
  share: z.number(),
  /** 1 / (1 - share): the whole run's speed-up if the function took no time at all. */
  maxSpeedup: z.number(),
  atMostPercentFaster: z.number(),
});

export const Hotspot = z.object({
  function: z.string(),
  file: z.string().nullable(),
  /** 1-based. */
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  /** `express`, `@scope/pkg`, `node` (Node internals), `python` (stdlib); null for the program's own code. */
  package: z.string().nullable(),
  selfMs: z.number(),
  selfPercent: z.number(),
  totalMs: z.number(),
  totalPercent: z.number(),
  /** Python (cProfile) only: how often it was called. */
  calls: z.number().int().optional(),
  amdahl: Amdahl,
});
export type Hotspot = z.infer<typeof Hotspot>;

export const Rollup = z.object({
  name: z.string(),
  selfMs: z.number(),
  selfPercent: z.number(),
});
export type Rollup = z.infer<typeof Rollup>;

export const Shares = z.object({
  /** JavaScript / Python code, ours and dependencies'. */
  programPercent: z.number(),
  gcPercent: z.number(),
  /** Nothing to run: the process waited (I/O, timers, a child process). */
  idlePercent: z.number(),
  /** V8's "(program)": native work that is not JavaScript (compiling, the runtime, native addons). */
  nativePercent: z.number(),
});

export const BottleneckKind = z.enum(['our-code', 'dependency', 'gc', 'io-wait', 'none']);
export const Bottleneck = z.object({
  kind: BottleneckKind,
  sentence: z.string(),
  function: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
});

export const EventLoopDelay = z.object({
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
  meanMs: z.number(),
});

export const ProcessSummary = z.object({
  pid: z.number().int(),
  ppid: z.number().int().nullable(),
  argv: z.array(z.string()),
  wallMs: z.number(),
  sampledMs: z.number(),
  shares: Shares,
  top: z.array(z.object({ function: z.string(), file: z.string().nullable(), line: z.number().int().nullable(), selfPercent: z.number() })),
  eventLoopDelay: EventLoopDelay.nullable(),
});

export const AllocationSite = z.object({
  function: z.string(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  package: z.string().nullable(),
  bytes: z.number(),
  percent: z.number(),
  /** Callers, outermost first, ending at this site: "fn (file:line)". */
  paths: z.array(z.array(z.string())),
});

export const HeapTimeline = z.object({
  samples: z.number().int(),
  startBytes: z.number(),
  endBytes: z.number(),
  peakBytes: z.number(),
  /** Trend of the post-GC floor (window minima), bytes per second. */
  slopeBytesPerSecond: z.number(),
  rSquared: z.number(),
  growing: z.boolean(),
  sentence: z.string(),
});

export const HeapSummary = z.object({
  /** All sampled allocations, including objects collected later (sampling, so an estimate). */
  totalBytes: z.number(),
  samplingIntervalBytes: z.number(),
  topSites: z.array(AllocationSite),
  timeline: HeapTimeline.nullable(),
});

export const LoadSummary = z.object({
  url: z.string(),
  connections: z.number().int(),
  durationSeconds: z.number(),
  requests: z.number(),
  requestsPerSecond: z.number(),
  latencyMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
});

export const ProfileFiles = z.object({
  dir: z.string(),
  report: z.string(),
  cpuprofiles: z.array(z.string()),
  heapprofiles: z.array(z.string()),
  speedscope: z.string().nullable(),
  flamegraph: z.string().nullable(),
  pstats: z.string().nullable(),
});

export const ProfileReport = z.object({
  kind: z.enum(['cpu', 'heap']),
  runtime: z.enum(['node', 'python']),
  command: z.array(z.string()),
  cwd: z.string(),
  /** Why the target stopped. */
  stoppedBy: z.enum(['exit', 'time-limit', 'stop', 'load-done']),
  exitCode: z.number().int().nullable(),
  exitSignal: z.string().nullable(),
  wallMs: z.number(),
  sampledMs: z.number(),
  /** False for Python: cProfile is deterministic (every call traced, with overhead), not sampled. */
  sampling: z.boolean(),
  intervalUs: z.number().nullable(),
  shares: Shares,
  bottleneck: Bottleneck,
  /** Set when the bottleneck's topic belongs to another loaded skill (a vector store client -> vector-specialist). */
  handoff: z.object({ skill: z.string(), reason: z.string() }).nullable(),
  topSelf: z.array(Hotspot),
  topTotal: z.array(Hotspot),
  files: z.array(Rollup),
  packages: z.array(Rollup),
  processes: z.array(ProcessSummary),
  eventLoopDelay: EventLoopDelay.nullable(),
  heap: HeapSummary.nullable(),
  load: LoadSummary.nullable(),
  /** With `load` on a Node target: queries and outbound calls per request, by route, and the runtime N+1 verdict. */
  queries: ProbeReport.nullable().default(null),
  output: ProfileFiles,
  notes: z.array(z.string()),
  stderrTail: z.array(z.string()),
});
export type ProfileReport = z.infer<typeof ProfileReport>;

/** Bad input or a target that could not be profiled; the message says what to change. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** The run was cancelled: the target tree was killed and nothing was written. */
export class ProfileCancelledError extends Error {
  constructor() {
    super('profile cancelled: the target was stopped and nothing was written');
    this.name = 'ProfileCancelledError';
  }
}
