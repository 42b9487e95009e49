/**
 * What `load_test` takes and answers. The MCP tool, the CLI (`--json`) and a saved report (usable
 * later as a `baseline`) all carry exactly `LoadTestReport`; types come from these schemas.
 */
import { z } from 'zod';
import { ProbeReport } from '../probe/schema.js';

export const MAX_DURATION_SECONDS = 300;
export const MAX_CONNECTIONS = 1000;
export const MAX_RATE = 100_000;

/** Thrown for bad input or a refused target; the message says what to change. */
export class LoadTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadTestError';
  }
}

/** Thrown when the caller's signal aborts the run: the load stopped at once and nothing is reported. */
export class LoadTestCancelledError extends Error {
  constructor(message = 'load test cancelled: the load was stopped') {
    super(message);
    this.name = 'LoadTestCancelledError';
  }
}

const Headers = z.record(z.string(), z.string());

export const RequestSpec = z.object({
  method: z.string().optional().describe('HTTP method for this request (default: the run\'s method).'),
  path: z.string().optional().describe('Path and query, e.g. "/items?id=2" (default: the URL\'s).'),
  headers: Headers.optional(),
  body: z.string().optional(),
});
export type RequestSpec = z.infer<typeof RequestSpec>;

/** A latency bound: a number of milliseconds or a string with a unit ("200ms", "1.5s", "800us"). */
const LatencyBound = z.union([z.number().positive(), z.string()]);

export const SloObject = z.object({
  p50: LatencyBound.optional(),
  p90: LatencyBound.optional(),
  'p97.5': LatencyBound.optional(),
  p99: LatencyBound.optional(),
  'p99.9': LatencyBound.optional(),
  max: LatencyBound.optional(),
  errors: z.union([z.number().min(0), z.string()]).optional().describe('Highest failed-request rate: "0.1%" or 0.001.'),
  rps: z.number().min(0).optional().describe('Lowest acceptable requests/s.'),
});

export const SloInput = z
  .union([z.string(), SloObject])
  .describe('Service-level objectives: "p99=200ms,p50=50ms,errors=0.1%,rps>=500" or the same as an object.');

export const Baseline = z.union([
  z.object({ file: z.string().min(1).describe('A saved report (the --json output / report.json of an earlier run).') }),
  z.object({ url: z.string().min(1).describe('A second URL, run in alternation with `url` (A B A B rounds).') }),
]);

export const StartSpec = z.object({
  command: z.string().min(1, { error: 'start.command is empty: pass the program, e.g. "node"' }).describe('Program that serves `url`: node, npx, npm ... (no shell).'),
  args: z.array(z.string()).default([]).describe('Its arguments, e.g. ["server.js", "--port", "3000"].'),
  cwd: z.string().optional().describe('Its working directory, inside the allowed roots (default the working directory).'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables.'),
  readyPattern: z.string().optional().describe('A regular expression: wait for a line of its output matching it (then for the port). Default: wait for the port of `url`.'),
  readyTimeoutSeconds: z.number().min(1).max(300).default(60).describe('How long it may take to become ready (default 60 s).'),
});
export type StartSpec = z.output<typeof StartSpec>;

export const LoadTestInput = z.object({
  url: z.string().min(1).describe('Target URL, http:// or https://. Loopback only unless the host is allow-listed.'),
  method: z.string().default('GET').describe('HTTP method (default GET).'),
  headers: Headers.default({}).describe('Request headers.'),
  body: z.string().optional().describe('Request body.'),
  requests: z.array(RequestSpec).min(1).max(100).optional().describe('Requests to cycle through instead of one fixed request.'),
  connections: z.number().int().min(1).max(MAX_CONNECTIONS).default(10).describe(`Concurrent connections (default 10, at most ${MAX_CONNECTIONS}).`),
  durationSeconds: z.number().min(0.5).max(MAX_DURATION_SECONDS).default(10).describe(`Seconds of measured load (default 10, at most ${MAX_DURATION_SECONDS}).`),
  amount: z.number().int().min(1).max(10_000_000).optional().describe('Stop after this many requests instead of after a duration (closed model).'),
  pipelining: z.number().int().min(1).max(100).default(1).describe('Requests in flight per connection (default 1).'),
  warmupSeconds: z.number().min(0).max(60).default(0).describe('Seconds of load before measuring (not counted).'),
  timeoutSeconds: z.number().min(0.1).max(120).default(10).describe('Per-request timeout (default 10 s).'),
  rate: z
    .number()
    .positive()
    .max(MAX_RATE)
    .optional()
    .describe('Constant arrival rate in requests/s (open model): latency is timed from each request\'s scheduled send time, so the tail is true.'),
  workers: z.number().int().min(1).max(16).optional().describe('Closed model: worker threads for the generator, to use more cores.'),
  slo: SloInput.optional(),
  baseline: Baseline.optional().describe('Compare with a saved report or with a second URL.'),
  rounds: z.number().int().min(3).max(10).default(5).describe('With a baseline URL: rounds per side (each durationSeconds/rounds long).'),
  allowHosts: z.array(z.string()).default([]).describe('Extra allowed hosts: names, IPs or CIDRs (loopback is always allowed).'),
  outDir: z.string().optional().describe('Folder to write report.json and latency.svg into.'),
  start: StartSpec.optional().describe(
    'Start the server first and stop it (with its children) at the end; the runtime probe is preloaded into Node targets, so the report gains queries and outbound calls per request by route and a runtime N+1 verdict.',
  ),
});
export type LoadTestInput = z.input<typeof LoadTestInput>;
export type LoadTestOptions = z.output<typeof LoadTestInput>;

export const Latency = z.object({
  p50: z.number(),
  p90: z.number(),
  'p97.5': z.number(),
  p99: z.number(),
  'p99.9': z.number(),
  max: z.number(),
  mean: z.number(),
  /** Requests the figures cover (responses, whatever their status). */
  count: z.number().int(),
});
export type Latency = z.infer<typeof Latency>;

/** One second of the run (or one round of an alternating comparison). */
export const Sample = z.object({
  rps: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Responses whose latencies the percentiles come from (absent in older reports: per-second samples, where it equals rps). */
  responses: z.number().int().optional(),
});
export type Sample = z.infer<typeof Sample>;

export const SloViolation = z.object({
  figure: z.string(),
  limit: z.string(),
  actual: z.string(),
  message: z.string(),
});

export const SloVerdict = z.object({
  pass: z.boolean(),
  objectives: z.array(z.string()),
  violations: z.array(SloViolation),
});
export type SloVerdict = z.infer<typeof SloVerdict>;

export const FigureComparison = z.object({
  figure: z.enum(['rps', 'p50', 'p99']),
  baseline: z.number(),
  current: z.number(),
  /** current / baseline. */
  ratio: z.number(),
  /** Two-sided p-value of a Mann-Whitney U test on the per-round (or per-second) samples. */
  pValue: z.number().nullable(),
  significant: z.boolean(),
  worse: z.boolean(),
  /** Why the figure was not compared (too few responses per sample for this percentile). */
  note: z.string().optional(),
});
export type FigureComparison = z.infer<typeof FigureComparison>;

export const Comparison = z.object({
  against: z.string(),
  method: z.enum(['alternating-rounds', 'saved-report']),
  rounds: z.number().int(),
  figures: z.array(FigureComparison),
  regression: z.boolean(),
  summary: z.string(),
});
export type Comparison = z.infer<typeof Comparison>;

export const LoadTestReport = z.object({
  url: z.string(),
  method: z.string(),
  model: z.enum(['closed', 'open']),
  connections: z.number().int(),
  pipelining: z.number().int(),
  workers: z.number().int(),
  /** The run's measured wall time (a 10 s run may last 11 s); every rate divides by it. */
  durationSeconds: z.number(),
  warmupSeconds: z.number(),
  requests: z.object({
    total: z.number().int(),
    perSecond: z.object({ mean: z.number(), stdev: z.number(), min: z.number() }),
  }),
  /** Milliseconds, sub-millisecond precision. Open model: from each request's scheduled send time. */
  latencyMs: Latency,
  /** Open model: the uncorrected service time (from the actual send) for comparison. */
  serviceTimeMs: Latency.nullable(),
  latencyResolution: z.enum(['microsecond', 'millisecond']),
  errors: z.number().int(),
  timeouts: z.number().int(),
  statusCodes: z.record(z.string(), z.number().int()),
  non2xx: z.number().int(),
  /** (errors + timeouts + status >= 400) / requests sent. */
  errorRate: z.number(),
  bytesPerSecond: z.number(),
  rate: z
    .object({
      target: z.number(),
      achieved: z.number(),
      /** How far the achieved rate fell short of the target, in percent (0 when on target). */
      shortfallPercent: z.number(),
      /** Requests sent more than 1 ms after their scheduled time. */
      late: z.number().int(),
      /** Of those, requests that waited because every connection was busy. */
      waitedForConnection: z.number().int(),
      /** Due requests never sent: still waiting for a connection one timeout after the window ended. */
      notSent: z.number().int(),
    })
    .nullable(),
  generator: z.object({
    cpuPercent: z.number(),
    cores: z.number().int(),
    saturated: z.boolean(),
  }),
  samples: z.array(Sample),
  warnings: z.array(z.string()),
  slo: SloVerdict.nullable(),
  comparison: Comparison.nullable(),
  verdict: z.string(),
  pass: z.boolean(),
  output: z.object({ report: z.string().nullable(), svg: z.string().nullable() }),
  /** With `start` on a Node target: what the runtime probe counted per route (null otherwise, and in older reports). */
  queries: ProbeReport.nullable().default(null),
});
export type LoadTestReport = z.infer<typeof LoadTestReport>;

export interface LoadTestProgress {
  elapsedSeconds: number;
  totalSeconds: number;
  message: string;
}
