/**
 * `runLoadTest`: check the target, drive load (closed: autocannon; open: our own constant-rate
 * scheduler), and turn the measurements into a report with an SLO verdict and, given a baseline,
 * a before/after comparison. Imports nothing from MCP or the CLI; errors carry a fix hint.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { checkTarget, type CheckedTarget, type Lookup } from './allow.js';
import { compare } from './compare.js';
import { latencyOf, newHistogram, percentileCurve } from './histogram.js';
import type { Measured, RunHooks } from './measured.js';
import { prepareRequests, type PreparedRequest } from './requests.js';
import {
  LoadTestError,
  LoadTestInput,
  LoadTestReport,
  type Comparison,
  type Latency,
  type LoadTestOptions,
  type LoadTestProgress,
  type Sample,
} from './schema.js';
import { checkSlo, parseSlo, type Slo } from './slo.js';
import { startTarget } from './start-target.js';
import { latencySvg } from './svg.js';

export interface RunLoadTestOptions {
  /** Aborting cancels: the load stops at once and the run throws LoadTestCancelledError. */
  signal?: AbortSignal;
  /** Aborting ends the run early and reports what was measured (Ctrl-C in the CLI). */
  stop?: AbortSignal;
  onProgress?: (progress: LoadTestProgress) => void;
  /** Where a relative `outDir` or baseline file resolves (default process.cwd()). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Name resolution for the allow-list check (tests inject one). */
  lookup?: Lookup;
  /** With `start`: its cwd must lie inside one of these (default [cwd]). */
  roots?: readonly string[];
}

/** Parses input the way the MCP tool and the CLI both need: one clear line per problem. */
export function parseLoadTestInput(input: unknown): LoadTestOptions {
  const parsed = LoadTestInput.safeParse(input);
  if (!parsed.success) {
    throw new LoadTestError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  }
  const options = parsed.data;
  if (options.workers !== undefined && options.workers > 1 && options.rate !== undefined) {
    throw new LoadTestError('workers applies to the closed model only; the open model (rate) runs its own scheduler in one thread');
  }
  if (options.amount !== undefined && options.amount < options.connections && options.rate === undefined) {
    throw new LoadTestError(`amount (${options.amount}) must be at least connections (${options.connections})`);
  }
  return options;
}

export async function runLoadTest(input: unknown, run: RunLoadTestOptions = {}): Promise<LoadTestReport> {
  const options = parseLoadTestInput(input);
  const cwd = run.cwd ?? process.cwd();
  const slo = options.slo !== undefined ? parseSlo(options.slo) : null;
  const checkOptions = { allowHosts: options.allowHosts, env: run.env ?? process.env, ...(run.lookup ? { lookup: run.lookup } : {}) };
  // Every target is checked before the first packet, the baseline's too.
  const target = await checkTarget(options.url, checkOptions);
  const baselineTarget = options.baseline && 'url' in options.baseline ? await checkTarget(options.baseline.url, checkOptions) : null;
  const savedBaseline = options.baseline && 'file' in options.baseline ? await readSavedReport(path.resolve(cwd, options.baseline.file)) : null;
  const started = options.start
    ? await startTarget(options.start, target.connectUrl, { cwd, roots: run.roots ?? [cwd], ...(run.signal ? { signal: run.signal } : {}), ...(run.env ? { env: run.env } : {}) })
    : null;
  try {
    const report = await measure(options, target, baselineTarget, savedBaseline, slo, run);
    // Stopped before the files are written: the probe's counts belong in report.json too.
    report.queries = started ? await started.stop() : null;
    if (options.outDir !== undefined) await writeOutputs(report, path.resolve(cwd, options.outDir));
    return report;
  } catch (error) {
    await started?.stop({ graceful: false });
    throw error;
  }
}

async function measure(
  options: LoadTestOptions,
  target: CheckedTarget,
  baselineTarget: CheckedTarget | null,
  savedBaseline: LoadTestReport | null,
  slo: Slo | null,
  run: RunLoadTestOptions,
): Promise<LoadTestReport> {
  await ensureListening(target, options.timeoutSeconds);
  if (baselineTarget) await ensureListening(baselineTarget, options.timeoutSeconds);
  const requests = prepareRequests(target, options);

  const sides = baselineTarget ? 2 : 1;
  const totalSeconds = options.warmupSeconds * sides + options.durationSeconds * sides;
  let elapsedBefore = 0;
  const hooksFor = (label: string): RunHooks => ({
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.stop ? { stop: run.stop } : {}),
    onSecond: (elapsed, answered) =>
      run.onProgress?.({
        elapsedSeconds: Math.min(totalSeconds, Math.round(elapsedBefore + elapsed)),
        totalSeconds,
        message: `${label}: ${answered} responses, ${(answered / Math.max(elapsed, 1e-3)).toFixed(0)} req/s`,
      }),
  });
  const drive = async (t: CheckedTarget, reqs: PreparedRequest[], seconds: number, label: string): Promise<Measured> => {
    const measured = await driveOnce(t, reqs, options, seconds, hooksFor(label));
    elapsedBefore += measured.durationSeconds;
    return measured;
  };

  if (options.warmupSeconds > 0) {
    await drive(target, requests, options.warmupSeconds, 'warm-up');
    if (baselineTarget) await drive(baselineTarget, prepareRequests(baselineTarget, options), options.warmupSeconds, 'warm-up (baseline)');
  }

  let measured: Measured;
  let comparison: Comparison | null = null;
  if (baselineTarget) {
    const baselineRequests = prepareRequests(baselineTarget, options);
    const roundSeconds = options.durationSeconds / options.rounds;
    const current: Measured[] = [];
    const base: Measured[] = [];
    for (let round = 0; round < options.rounds && !run.stop?.aborted; round++) {
      // A B B A A B ...: each side goes first in every other round, so slow drift of a shared
      // machine hits both alike and whatever running second does (a warmer generator, a busier
      // kernel) does not side with one of them (a fixed A B order once had two identical
      // servers called different in CI).
      const runCurrent = async () => current.push(await drive(target, requests, roundSeconds, `round ${round + 1}/${options.rounds} (current)`));
      const runBaseline = async () => base.push(await drive(baselineTarget, baselineRequests, roundSeconds, `round ${round + 1}/${options.rounds} (baseline)`));
      if (round % 2 === 0) {
        await runCurrent();
        await runBaseline();
      } else {
        await runBaseline();
        await runCurrent();
      }
    }
    measured = merge(current);
    const baseMerged = merge(base);
    const baseLatency = latencyOf(baseMerged.latency);
    comparison = compare({
      against: options.baseline && 'url' in options.baseline ? options.baseline.url : 'baseline',
      method: 'alternating-rounds',
      current: { samples: current.map(roundSample), ...headline(measured) },
      baseline: { samples: base.map(roundSample), rps: baseMerged.answered / baseMerged.durationSeconds, p50: baseLatency.p50, p99: baseLatency.p99 },
    });
  } else {
    measured = await drive(target, requests, options.durationSeconds, options.rate ? `open model at ${options.rate} req/s` : 'closed model');
  }

  const report = buildReport(options, measured, slo);
  if (savedBaseline) {
    comparison = compare({
      against: options.baseline && 'file' in options.baseline ? options.baseline.file : 'baseline',
      method: 'saved-report',
      current: { samples: report.samples, rps: report.requests.perSecond.mean, p50: report.latencyMs.p50, p99: report.latencyMs.p99 },
      baseline: {
        samples: savedBaseline.samples,
        rps: savedBaseline.requests.perSecond.mean,
        p50: savedBaseline.latencyMs.p50,
        p99: savedBaseline.latencyMs.p99,
      },
    });
  }
  report.comparison = comparison;
  report.pass = (report.slo?.pass ?? true) && !(comparison?.regression ?? false);
  report.verdict = verdictLine(report);
  curves.set(report, measured.latencySummary ? summaryCurve(measured.latencySummary) : percentileCurve(measured.latency));
  return report;
}

/** The latency curve of each report, kept for writeOutputs without putting it in the report. */
const curves = new WeakMap<LoadTestReport, Array<[number, number]>>();

async function writeOutputs(report: LoadTestReport, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  report.output = { report: path.join(dir, 'report.json'), svg: path.join(dir, 'latency.svg') };
  await writeFile(report.output.svg!, latencySvg(curves.get(report) ?? [], `${report.method} ${report.url}: ${report.verdict}`));
  await writeFile(report.output.report!, `${JSON.stringify(report, null, 2)}\n`);
}

async function driveOnce(target: CheckedTarget, requests: PreparedRequest[], options: LoadTestOptions, seconds: number, hooks: RunHooks): Promise<Measured> {
  const common = { connections: options.connections, pipelining: options.pipelining, timeoutSeconds: options.timeoutSeconds, durationSeconds: seconds };
  try {
    if (options.rate !== undefined) {
      const { runOpen } = await import('./open.js');
      return await runOpen(target, requests, { ...common, rate: options.rate, ...(options.amount !== undefined ? { amount: options.amount } : {}) }, hooks);
    }
    const { runClosed } = await import('./closed.js');
    return await runClosed(
      target,
      requests,
      { ...common, ...(options.amount !== undefined ? { amount: options.amount } : {}), ...(options.workers ? { workers: options.workers } : {}) },
      hooks,
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'LoadTestCancelledError') throw error;
    if (error instanceof LoadTestError) throw error;
    throw new LoadTestError(`the load generator failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** One TCP connect before the load: "nothing listens there" is one clear error, not a run full of refused connections. */
async function ensureListening(target: CheckedTarget, timeoutSeconds: number): Promise<void> {
  const port = Number(target.connectUrl.port || (target.connectUrl.protocol === 'https:' ? 443 : 80));
  const host = target.connectUrl.hostname.replace(/^\[|\]$/g, '');
  const problem = await new Promise<string | null>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string | null): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutSeconds * 1000, () => done('timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
  if (problem) throw new LoadTestError(`cannot connect to ${target.url.host} (${host}:${port}): ${problem}; is the server running and listening there?`);
}

async function readSavedReport(file: string): Promise<LoadTestReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new LoadTestError(`baseline file not found: ${file} (save one with --json > FILE or --out DIR)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LoadTestError(`baseline file ${file} is not JSON (it must be an earlier report: --json output or report.json)`);
  }
  const parsed = LoadTestReport.safeParse(json);
  if (!parsed.success) throw new LoadTestError(`baseline file ${file} is not a load-test report: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  return parsed.data;
}

function merge(runs: Measured[]): Measured {
  const first = runs[0]!;
  const latency = newHistogram();
  const service = first.service ? newHistogram() : null;
  const statusCodes: Record<string, number> = {};
  for (const r of runs) {
    latency.add(r.latency);
    if (service && r.service) service.add(r.service);
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  const sum = (f: (r: Measured) => number): number => runs.reduce((s, r) => s + f(r), 0);
  return {
    ...first,
    durationSeconds: sum((r) => r.durationSeconds),
    sent: sum((r) => r.sent),
    answered: sum((r) => r.answered),
    latency,
    service,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    bytes: sum((r) => r.bytes),
    cpuMicros: sum((r) => r.cpuMicros),
    perSecond: runs.flatMap((r) => fullSeconds(r)),
    latencySummary: null,
    rpsSummary: null,
    open: first.open
      ? {
          target: first.open.target,
          late: sum((r) => r.open?.late ?? 0),
          waitedForConnection: sum((r) => r.open?.waitedForConnection ?? 0),
          notSent: sum((r) => r.open?.notSent ?? 0),
          sendWindowSeconds: sum((r) => r.open?.sendWindowSeconds ?? 0),
        }
      : null,
  };
}

function roundSample(r: Measured): Sample {
  const l = latencyOf(r.latency);
  return { rps: round(r.answered / r.durationSeconds, 1), p50Ms: l.count ? l.p50 : null, p99Ms: l.count ? l.p99 : null, responses: l.count };
}

function headline(r: Measured): { rps: number; p50: number; p99: number } {
  const l = latencyOf(r.latency);
  return { rps: r.answered / r.durationSeconds, p50: l.p50, p99: l.p99 };
}

/** The last second of a run is partial (a 10 s run lasts 10.1 s): it would drag min and stdev down. */
function fullSeconds(r: Measured): Measured['perSecond'] {
  const full = Math.floor(r.durationSeconds + 0.1);
  return full >= 1 ? r.perSecond.slice(0, full) : r.perSecond;
}

function buildReport(options: LoadTestOptions, m: Measured, slo: Slo | null): LoadTestReport {
  const latencyMs: Latency = m.latencySummary ?? latencyOf(m.latency);
  const seconds = fullSeconds(m);
  const counts = seconds.map((s) => s.count);
  const mean = m.answered / m.durationSeconds;
  const stdev = counts.length > 1 ? Math.sqrt(counts.reduce((s, c) => s + (c - mean) ** 2, 0) / (counts.length - 1)) : 0;
  const perSecond = m.rpsSummary ?? { mean, stdev, min: counts.length ? Math.min(...counts) : mean };
  const non2xx = Object.entries(m.statusCodes).reduce((s, [code, n]) => (code.startsWith('2') ? s : s + n), 0);
  const failedStatus = Object.entries(m.statusCodes).reduce((s, [code, n]) => (Number(code) >= 400 ? s + n : s), 0);
  const attempted = Math.max(1, m.answered + m.errors + m.timeouts);
  const errorRate = (m.errors + m.timeouts + failedStatus) / attempted;
  const cores = options.workers && options.workers > 1 && !options.rate ? options.workers : 1;
  const cpuPercent = (m.cpuMicros / (m.durationSeconds * 1e6)) * 100;
  const warnings: string[] = [];
  let rate: LoadTestReport['rate'] = null;
  // Closed model: a generator thread near 100% CPU is the limit. Open model: its timer loop polls,
  // so CPU says little; falling behind its own schedule (not for want of a connection) is the sign.
  let saturated = !m.open && cpuPercent / cores >= 90;
  if (m.open) {
    const achieved = m.sent / m.open.sendWindowSeconds;
    const shortfallPercent = Math.max(0, (1 - achieved / m.open.target) * 100);
    rate = { target: m.open.target, achieved: round(achieved, 1), shortfallPercent: round(shortfallPercent, 1), late: m.open.late, waitedForConnection: m.open.waitedForConnection, notSent: m.open.notSent };
    const behind = m.open.late - m.open.waitedForConnection;
    if (behind > 0.1 * m.sent) saturated = true;
    if (shortfallPercent >= 5) warnings.push(`achieved ${achieved.toFixed(1)} req/s, ${shortfallPercent.toFixed(1)}% short of the target ${m.open.target} req/s`);
    if (m.open.late > 0.01 * m.sent) {
      warnings.push(
        `${m.open.late} of ${m.sent} requests went out more than 1 ms after their scheduled time` +
          (m.open.waitedForConnection ? ` (${m.open.waitedForConnection} waited for a free connection: raise connections if the server can take more)` : '') +
          '; their wait counts in the latency',
      );
    }
    if (m.open.notSent > 0) warnings.push(`${m.open.notSent} due requests were never sent (no free connection until one timeout after the window): the server cannot take this rate over ${options.connections} connection(s)`);
  } else {
    warnings.push(
      'closed model: each connection waits for its answer before sending again, so a stalled server is asked less often while it stalls and this latency understates the tail (coordinated omission); set rate for a true tail',
    );
  }
  if (saturated && m.open) {
    warnings.push(
      `the load generator fell behind its own schedule (not for want of a connection) for ${m.open.late - m.open.waitedForConnection} of ${m.sent} requests: this machine is busy or the rate is too high for one thread; the latency includes that lateness`,
    );
  } else if (saturated) {
    warnings.push(
      `the load generator used ${cpuPercent.toFixed(0)}% CPU${cores > 1 ? ` over ${cores} threads` : ' (one core)'}: it may be the limit, not the server` +
        '; add workers to use more cores',
    );
  }
  if (m.latencyResolution === 'millisecond') warnings.push('with workers, latency comes from autocannon\'s own histogram: whole milliseconds, 2xx responses only');
  if (m.answered === 0) warnings.push('no response at all: is the server running and listening at this URL?');
  const report: LoadTestReport = {
    url: options.url,
    method: options.method.toUpperCase(),
    model: options.rate !== undefined ? 'open' : 'closed',
    connections: options.connections,
    pipelining: options.pipelining,
    workers: cores,
    durationSeconds: round(m.durationSeconds, 3),
    warmupSeconds: options.warmupSeconds,
    requests: { total: m.answered, perSecond: { mean: round(perSecond.mean, 1), stdev: round(perSecond.stdev, 1), min: round(perSecond.min, 1) } },
    latencyMs,
    serviceTimeMs: m.service ? latencyOf(m.service) : null,
    latencyResolution: m.latencyResolution,
    errors: m.errors,
    timeouts: m.timeouts,
    statusCodes: m.statusCodes,
    non2xx,
    errorRate: round(errorRate, 6),
    bytesPerSecond: round(m.bytes / m.durationSeconds, 0),
    rate,
    generator: { cpuPercent: round(cpuPercent, 1), cores, saturated },
    samples: seconds.map((s) => {
      const l = s.latency && s.latency.totalCount ? latencyOf(s.latency) : null;
      return { rps: s.count, p50Ms: l?.p50 ?? null, p99Ms: l?.p99 ?? null, responses: s.latency?.totalCount ?? s.count };
    }),
    warnings,
    slo: slo ? checkSlo(slo, { latencyMs, errorRate, rps: mean }) : null,
    comparison: null,
    verdict: '',
    pass: true,
    output: { report: null, svg: null },
    queries: null,
  };
  return report;
}

export function verdictLine(r: LoadTestReport): string {
  const fmt = (ms: number): string => `${Number(ms.toFixed(ms < 10 ? 2 : 1))} ms`;
  const figures =
    `${r.requests.perSecond.mean.toFixed(0)} req/s, p50 ${fmt(r.latencyMs.p50)}, p99 ${fmt(r.latencyMs.p99)}, ` +
    `errors ${(r.errorRate * 100).toFixed(2)}%`;
  const model = r.model === 'open' ? `open model at ${r.rate?.target} req/s` : 'closed model: tail understated';
  const problems = [...(r.slo?.violations.map((v) => v.message) ?? []), ...(r.comparison?.regression ? [r.comparison.summary] : [])];
  if (problems.length) return `FAIL: ${problems.join('; ')} (${figures}; ${model})`;
  const checked = r.slo || r.comparison ? 'PASS: ' : '';
  const compared = r.comparison ? `; ${r.comparison.summary}` : '';
  return `${checked}${figures} (${model})${compared}`;
}

function summaryCurve(l: Latency): Array<[number, number]> {
  return [
    [0, 0],
    [50, l.p50],
    [90, l.p90],
    [97.5, l['p97.5']],
    [99, l.p99],
    [99.9, l['p99.9']],
    [100, l.max],
  ];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
