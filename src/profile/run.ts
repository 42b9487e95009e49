/**
 * `runProfile`: runs a command under the profiler and answers with one ProfileReport.
 * Node targets get the preload through NODE_OPTIONS (every Node process in the tree is profiled);
 * python targets run under `-m cProfile`. The target runs in its own process group; it is stopped
 * at its exit, at the time limit, when `stop` fires or the load is done (gracefully: profiles get
 * written), or killed when `signal` aborts (nothing is written). Imports nothing from MCP or the CLI.
 */
import type { Skill } from '../skills/model.js';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { analyzeCpuProfile, CpuProfile, type CpuAnalysis } from './cpuprofile.js';
import { flameGraphHtml, speedscopeFromCpuProfiles, speedscopeFromFlame } from './flamegraph.js';
import type { FlameNode, FrameCategory, FunctionStat } from './frames.js';
import { analyzeTimeline, HeapProfile, locationsFromCpuProfile, topAllocationSites } from './heap.js';
import { probeEnv, readProbe } from '../probe/collect.js';
import { driveLoad, loopbackTarget, waitForPort } from './load.js';
import { checkOutDir, defaultOutDir, writeRunFolder } from './output.js';
import { spawnGroup, stopGroup, type GroupExit } from './process-group.js';
import { analyzePstats, isPythonCommand, readPstats } from './python.js';
import {
  ProfileCancelledError,
  ProfileError,
  ProfileInput,
  type ProfileOptions,
  type ProfileReport,
} from './schema.js';
import { nameBottleneck, rollups, shares, topLists } from './summarize.js';
import { confineFolder } from '../shared/confine-folder.js';

export const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'preload.cjs');
const HEAP_INTERVAL_BYTES = 32 * 1024;
const PORT_WAIT_MS = 30_000;
const PROGRESS_EVERY_MS = 1000;

export interface ProfileProgress {
  elapsedSeconds: number;
  totalSeconds: number;
  message: string;
}

export interface RunProfileOptions {
  /** Where a relative `cwd` resolves; default process.cwd(). */
  cwd?: string;
  /** The target's cwd must lie inside one of these (after realpath); default [cwd]. */
  roots?: readonly string[];
  /** Cancel: kill the whole tree at once, write nothing, throw ProfileCancelledError. */
  signal?: AbortSignal;
  /** Stop early but gracefully (the CLI's first Ctrl-C): the profile is written and reported. */
  stop?: AbortSignal;
  onProgress?: (progress: ProfileProgress) => void;
  /** Output folder; default <cwd>/.perf-hunter/profiles/<timestamp>. */
  outDir?: string;
  /** How long a stopped target may take to write its profile before SIGKILL (default 5 s). */
  graceMs?: number;
  /** Loaded skills: when given, the report says which skill owns the bottleneck's topic, if not ours. */
  skills?: readonly Skill[];
}

interface Collected {
  stoppedBy: ProfileReport['stoppedBy'];
  exit: GroupExit | null;
  wallMs: number;
  load: ProfileReport['load'];
  stderrTail: string[];
}

export async function runProfile(input: ProfileInput, options: RunProfileOptions = {}): Promise<ProfileReport> {
  const parsed = ProfileInput.safeParse(input);
  if (!parsed.success) throw new ProfileError(`invalid profile input: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  const opts = parsed.data;
  const base = options.cwd ?? process.cwd();
  const cwd = await confineCwd(path.resolve(base, opts.cwd ?? '.'), options.roots ?? [base]);
  const runtime = isPythonCommand(opts.command) ? 'python' : 'node';
  if (runtime === 'python' && opts.kind === 'heap') throw new ProfileError('heap profiling is for Node targets; for Python use tracemalloc');
  const loadTarget = opts.load ? loopbackTarget(opts.load.url) : null;
  const outDir = path.resolve(base, options.outDir ?? defaultOutDir(cwd));
  await checkOutDir(outDir);
  if (options.signal?.aborted) throw new ProfileCancelledError();

  const work = await mkdtemp(path.join(os.tmpdir(), 'perf-hunter-profile-'));
  try {
    const { command, args, env } = prepare(opts, runtime, work);
    const collected = await execute(opts, command, args, cwd, env, work, loadTarget, options);
    return await buildReport(opts, runtime, cwd, work, outDir, collected, env, options.skills);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function confineCwd(dir: string, roots: readonly string[]): Promise<string> {
  return confineFolder(dir, roots, 'cwd', (message) => new ProfileError(message));
}

function prepare(opts: ProfileOptions, runtime: 'node' | 'python', work: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (runtime === 'python') {
    return { command: opts.command, args: ['-m', 'cProfile', '-o', path.join(work, 'profile.pstats'), ...opts.args], env };
  }
  const require = `--require ${JSON.stringify(PRELOAD)}`; // NODE_OPTIONS accepts double-quoted values
  env.NODE_OPTIONS = [env.NODE_OPTIONS, require].filter(Boolean).join(' ');
  env.PERF_HUNTER_PROFILE_DIR = work;
  env.PERF_HUNTER_PROFILE_CPU_INTERVAL_US = String(opts.intervalUs);
  if (opts.kind === 'heap') env.PERF_HUNTER_PROFILE_HEAP_INTERVAL = String(HEAP_INTERVAL_BYTES);
  if (opts.heapTimeline) env.PERF_HUNTER_PROFILE_HEAP_TIMELINE = '1';
  if (opts.load) {
    // A server under load: the probe counts its queries per request into the same work folder.
    try {
      return { command: opts.command, args: opts.args, env: probeEnv(env, work) };
    } catch (error) {
      throw new ProfileError((error as Error).message);
    }
  }
  return { command: opts.command, args: opts.args, env };
}

/** Starts the target and waits for whichever comes first: exit, time limit, stop, load done, cancel. */
async function execute(
  opts: ProfileOptions,
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  work: string,
  loadTarget: ReturnType<typeof loopbackTarget> | null,
  options: RunProfileOptions,
): Promise<Collected> {
  let group;
  try {
    group = await spawnGroup(command, args, cwd, env);
  } catch (error) {
    throw new ProfileError((error as Error).message);
  }
  const started = Date.now();
  let exit: GroupExit | null = null;
  let exitedAt = 0;
  void group.exited.then((e) => {
    exit = e;
    exitedAt = Date.now();
  });
  const totalSeconds = opts.load ? opts.load.durationSeconds : opts.durationSeconds;
  let phase = opts.load ? 'waiting for the port' : 'running';
  const progress = setInterval(() => {
    const elapsedSeconds = Math.round((Date.now() - started) / 1000);
    options.onProgress?.({ elapsedSeconds, totalSeconds, message: `${phase}: ${elapsedSeconds} s` });
  }, PROGRESS_EVERY_MS);

  const local = new AbortController(); // ends the waits below
  const onCancel = (): void => local.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  options.stop?.addEventListener('abort', onCancel, { once: true });
  void group.exited.then(() => local.abort());

  let stoppedBy: Collected['stoppedBy'] = 'exit';
  let load: ProfileReport['load'] = null;
  try {
    if (opts.load && loadTarget) {
      const ready = await waitForPort(loadTarget.host, loadTarget.port, PORT_WAIT_MS, () => local.signal.aborted);
      if (!ready && !options.signal?.aborted && !options.stop?.aborted) {
        await stopGroup(group.pgid, { graceful: false });
        const why = exit ? `exited (code ${(exit as GroupExit).code ?? (exit as GroupExit).signal}) before opening` : `did not open`;
        throw new ProfileError(`the target ${why} ${loadTarget.host}:${loadTarget.port} within ${PORT_WAIT_MS / 1000} s${stderrNote(group.stderrTail())}`);
      }
      if (ready) {
        phase = 'under load';
        load = await driveLoad(loadTarget, opts.load, local.signal);
        stoppedBy = 'load-done';
      }
    } else {
      const limit = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          stoppedBy = 'time-limit';
          resolve();
        }, opts.durationSeconds * 1000);
        local.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await limit;
    }
    if (options.stop?.aborted && exit === null) stoppedBy = 'stop';
    if (exit !== null && stoppedBy !== 'load-done') stoppedBy = 'exit';
    const cancelled = Boolean(options.signal?.aborted);
    const requestStop = (): Promise<void> => writeFile(path.join(work, 'stop'), '');
    await stopGroup(group.pgid, { graceful: !cancelled, graceMs: options.graceMs ?? 5000, requestStop });
    await group.exited;
    if (cancelled) throw new ProfileCancelledError();
  } catch (error) {
    await stopGroup(group.pgid, { graceful: false });
    if (options.signal?.aborted) throw new ProfileCancelledError();
    throw error;
  } finally {
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onCancel);
    options.stop?.removeEventListener('abort', onCancel);
  }
  const finalExit = exit as GroupExit | null;
  if (stoppedBy === 'exit' && finalExit && finalExit.code !== 0) {
    throw new ProfileError(`the target exited with ${finalExit.code === null ? `signal ${finalExit.signal}` : `code ${finalExit.code}`}${stderrNote(group.stderrTail())}`);
  }
  return { stoppedBy, exit: finalExit, wallMs: (exitedAt || Date.now()) - started, load, stderrTail: group.stderrTail() };
}

function stderrNote(lines: string[]): string {
  return lines.length > 0 ? `; last stderr lines: ${lines.slice(-8).join(' | ')}` : '; it printed nothing on stderr';
}

interface ProcessData {
  pid: number;
  ppid: number | null;
  argv: string[];
  startedAt: number;
  endedAt: number;
  monoStartUs: number;
  monoEndUs: number;
  eventLoopDelay: ProfileReport['eventLoopDelay'];
  heapTimeline: Array<[number, number]> | null;
  profile: CpuProfile | null;
  heap: HeapProfile | null;
  rawCpu: string | null;
  rawHeap: string | null;
}

const ProcJson = z.looseObject({
  pid: z.number(),
  ppid: z.number().nullable().default(null),
  argv: z.array(z.string()).default([]),
  startedAt: z.number().default(0),
  endedAt: z.number().default(0),
  monoStartUs: z.number().default(0),
  monoEndUs: z.number().default(0),
  eventLoopDelay: z.object({ p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number(), meanMs: z.number() }).nullable().default(null),
  heapTimeline: z.array(z.tuple([z.number(), z.number()])).nullable().default(null),
});

async function readProcesses(work: string): Promise<ProcessData[]> {
  const names = await readdir(work);
  const pids = new Set<number>();
  for (const name of names) {
    const m = /^(?:cpu|heap|proc)-(\d+)\.(?:cpuprofile|heapprofile|json)$/.exec(name);
    if (m) pids.add(Number(m[1]));
  }
  const read = (name: string): Promise<string | null> => (names.includes(name) ? readFile(path.join(work, name), 'utf8') : Promise.resolve(null));
  const out: ProcessData[] = [];
  for (const pid of [...pids].sort((a, b) => a - b)) {
    const [proc, rawCpu, rawHeap] = await Promise.all([read(`proc-${pid}.json`), read(`cpu-${pid}.cpuprofile`), read(`heap-${pid}.heapprofile`)]);
    const info = proc ? ProcJson.safeParse(JSON.parse(proc)) : null;
    const p = info?.success ? info.data : null;
    out.push({
      pid,
      ppid: p?.ppid ?? null,
      argv: p?.argv ?? [],
      startedAt: p?.startedAt ?? 0,
      endedAt: p?.endedAt ?? 0,
      monoStartUs: p?.monoStartUs ?? 0,
      monoEndUs: p?.monoEndUs ?? 0,
      eventLoopDelay: p?.eventLoopDelay ?? null,
      heapTimeline: p?.heapTimeline ?? null,
      profile: rawCpu ? CpuProfile.parse(JSON.parse(rawCpu)) : null,
      heap: rawHeap ? HeapProfile.parse(JSON.parse(rawHeap)) : null,
      rawCpu,
      rawHeap,
    });
  }
  return out;
}

/**
 * The lifetimes of the profiled processes that ran inside p's lifetime: p launched them (npm, npx,
 * tsx, a wrapper script) and waited, so p's samples in these windows are left out.
 */
function childWindows(p: ProcessData, all: ProcessData[]): Array<[number, number]> {
  if (!p.monoEndUs) return [];
  return all
    .filter((q) => q !== p && q.profile && q.monoStartUs > p.monoStartUs && q.monoEndUs > 0 && q.monoEndUs <= p.monoEndUs)
    .map((q) => [q.monoStartUs, q.monoEndUs]);
}

function mergeStats(target: Map<string, FunctionStat>, from: Map<string, FunctionStat>): void {
  for (const [key, s] of from) {
    const t = target.get(key);
    if (t) {
      t.selfMs += s.selfMs;
      t.totalMs += s.totalMs;
    } else target.set(key, { ...s });
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

async function buildReport(
  opts: ProfileOptions,
  runtime: 'node' | 'python',
  cwd: string,
  work: string,
  outDir: string,
  collected: Collected,
  env: NodeJS.ProcessEnv,
  skills: readonly Skill[] | undefined,
): Promise<ProfileReport> {
  const { stderrTail } = collected;
  const notes: string[] = [];
  const files = new Map<string, string | Buffer>();
  const exporter = `perf-hunter@${packageVersion()}`;
  const title = `perf-hunter profile: ${[opts.command, ...opts.args].join(' ')}`;

  let stats = new Map<string, FunctionStat>();
  const byCategory: Record<FrameCategory, number> = { code: 0, gc: 0, idle: 0, native: 0, root: 0 };
  let sampledMs = 0;
  let samples = 0;
  let flame: FlameNode;
  let processes: ProfileReport['processes'] = [];
  let eventLoopDelay: ProfileReport['eventLoopDelay'] = null;
  let heap: ProfileReport['heap'] = null;
  const cpuprofiles: string[] = [];
  const heapprofiles: string[] = [];
  let pstatsName: string | null = null;
  let speedscope: object;

  if (runtime === 'python') {
    const raw = path.join(work, 'profile.pstats');
    try {
      await stat(raw);
    } catch {
      throw new ProfileError(`cProfile wrote no profile (did the program run?)${stderrNote(stderrTail)}`);
    }
    const data = await readPstats(opts.command, raw, path.join(work, 'pstats.json'), env).catch((error: Error) => {
      throw new ProfileError(`cannot read the cProfile output: ${error.message}`);
    });
    const analysis = analyzePstats(data, cwd);
    stats = analysis.stats;
    Object.assign(byCategory, analysis.byCategory);
    sampledMs = analysis.sampledMs;
    samples = Number.MAX_SAFE_INTEGER; // deterministic: every call counted
    flame = analysis.flame;
    files.set('profile.pstats', await readFile(raw));
    pstatsName = 'profile.pstats';
    speedscope = speedscopeFromFlame(title, flame, exporter);
    notes.push('Python: cProfile is deterministic (every call is traced, which slows call-heavy code), not sampled; the flame graph is rebuilt from the caller graph.');
  } else {
    const procs = await readProcesses(work);
    const profiled = procs.filter((p) => p.profile);
    if (profiled.length === 0) {
      throw new ProfileError(
        `no Node process wrote a profile: profile runs Node (node, npx, npm, tsx, ...) and python3 programs${stderrNote(stderrTail)}`,
      );
    }
    const analyses: Array<{ p: ProcessData; a: CpuAnalysis }> = profiled.map((p) => ({
      p,
      a: analyzeCpuProfile(p.profile!, cwd, { skipWindows: childWindows(p, profiled) }),
    }));
    for (const { p, a } of analyses) {
      mergeStats(stats, a.stats);
      for (const k of Object.keys(byCategory) as FrameCategory[]) byCategory[k] += a.byCategory[k];
      sampledMs += a.sampledMs;
      samples += p.profile!.samples.length;
      const procTop = topLists(a.stats.values(), a.sampledMs, a.wallMs, 5).topSelf;
      processes.push({
        pid: p.pid,
        ppid: p.ppid,
        argv: p.argv,
        wallMs: round1(a.wallMs),
        sampledMs: round1(a.sampledMs),
        shares: shares(a.byCategory, a.sampledMs),
        top: procTop.map((h) => ({ function: h.function, file: h.file, line: h.line, selfPercent: h.selfPercent })),
        eventLoopDelay: p.eventLoopDelay,
      });
      const name = `cpu-${p.pid}.cpuprofile`;
      files.set(name, p.rawCpu!);
      cpuprofiles.push(path.join(outDir, name));
      if (childWindows(p, profiled).length > 0) {
        notes.push(`process ${p.pid} (${p.argv.slice(1, 3).join(' ')}) launched other profiled processes; its time while they ran is left out.`);
      }
    }
    // The process that did the most work speaks for the event loop.
    const main = [...analyses].sort((x, y) => y.a.byCategory.code - x.a.byCategory.code)[0]!;
    eventLoopDelay = main.p.eventLoopDelay;
    flame =
      analyses.length === 1
        ? analyses[0]!.a.flame
        : {
            name: '(all processes)',
            file: null,
            line: null,
            value: analyses.reduce((s, x) => s + x.a.flame.value, 0),
            children: analyses.map(({ p, a }) => ({ ...a.flame, name: `process ${p.pid}: ${p.argv.slice(1).join(' ').slice(0, 80)}` })),
          };
    speedscope = speedscopeFromCpuProfiles(
      analyses.map(({ p }) => ({ name: `${p.pid}: ${p.argv.slice(1).join(' ').slice(0, 120)}`, profile: p.profile! })),
      cwd,
      exporter,
    );
    if (opts.kind === 'heap') {
      const heaps = procs.filter((p) => p.heap);
      const { totalBytes, topSites } = topAllocationSites(
        heaps.map((p) => ({ heap: p.heap!, ...(p.profile ? { locations: locationsFromCpuProfile(p.profile) } : {}) })),
        cwd,
        opts.top,
      );
      for (const p of heaps) {
        const name = `heap-${p.pid}.heapprofile`;
        files.set(name, p.rawHeap!);
        heapprofiles.push(path.join(outDir, name));
      }
      heap = { totalBytes, samplingIntervalBytes: HEAP_INTERVAL_BYTES, topSites, timeline: null };
      notes.push('Heap: sampled allocations, including objects collected later; a site\'s line is where its function starts.');
    }
    if (opts.heapTimeline) {
      const timeline = main.p.heapTimeline ? analyzeTimeline(main.p.heapTimeline) : null;
      heap = heap ? { ...heap, timeline } : { totalBytes: 0, samplingIntervalBytes: 0, topSites: [], timeline };
    }
    if (processes.length > 1) notes.push(`${processes.length} Node processes were profiled; the top lists merge them, processes[] has each.`);
  }

  const { topSelf, topTotal } = topLists(stats.values(), sampledMs, collected.wallMs, opts.top);
  const sh = shares(byCategory, sampledMs);
  const { files: fileRollup, packages } = rollups(stats.values(), sampledMs, opts.top);
  const bottleneck = nameBottleneck(sh, topSelf, sampledMs, samples);
  const handoff = await handoffFor(skills, bottleneck.sentence, topSelf);
  if (collected.stoppedBy === 'time-limit') notes.push(`The target was stopped at the ${opts.durationSeconds} s time limit.`);
  if (collected.load && collected.load.errors + collected.load.timeouts > 0) {
    notes.push(`Load: ${collected.load.errors} error(s), ${collected.load.timeouts} timeout(s) during the run.`);
  }

  const queries = runtime === 'node' && opts.load ? await readProbe(work) : null;

  const report: ProfileReport = {
    kind: opts.kind,
    runtime,
    command: [opts.command, ...opts.args],
    cwd,
    stoppedBy: collected.stoppedBy,
    exitCode: collected.exit?.code ?? null,
    exitSignal: collected.exit?.signal ?? null,
    wallMs: round1(collected.wallMs),
    sampledMs: round1(sampledMs),
    sampling: runtime === 'node',
    intervalUs: runtime === 'node' ? opts.intervalUs : null,
    shares: sh,
    bottleneck,
    handoff,
    topSelf,
    topTotal,
    files: fileRollup,
    packages,
    processes,
    eventLoopDelay,
    heap,
    load: collected.load,
    queries,
    output: {
      dir: outDir,
      report: path.join(outDir, 'report.json'),
      cpuprofiles,
      heapprofiles,
      speedscope: path.join(outDir, 'profile.speedscope.json'),
      flamegraph: path.join(outDir, 'flamegraph.html'),
      pstats: pstatsName ? path.join(outDir, pstatsName) : null,
    },
    notes,
    stderrTail,
  };
  files.set('profile.speedscope.json', JSON.stringify(speedscope));
  files.set(
    'flamegraph.html',
    flameGraphHtml({
      title,
      subtitle: `${report.wallMs} ms wall, ${report.sampledMs} ms ${report.sampling ? 'sampled' : 'profiled'}; ${bottleneck.sentence}`,
      root: flame,
      hottest: topSelf.slice(0, 10).map((h) => ({ function: h.function, file: h.file, line: h.line, selfPercent: h.selfPercent })),
    }),
  );
  files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
  await writeRunFolder(outDir, files);
  return report;
}

let version: string | undefined;
function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/**
 * The hottest functions and packages, read by the loaded skills' collaboration triggers: time
 * spent in a vector store's client or a Temporal worker is a topic for another specialist.
 */
async function handoffFor(
  skills: readonly Skill[] | undefined,
  sentence: string,
  hotspots: ReadonlyArray<{ function: string; package: string | null }>,
): Promise<ProfileReport['handoff']> {
  if (!skills || skills.length === 0) return null;
  const { handoffHintFor } = await import('../handoff/run.js');
  const names = hotspots.slice(0, 5).map((h) => (h.package ? `${h.function} in ${h.package}` : h.function));
  try {
    return handoffHintFor(skills, [sentence, ...names].join('\n')) ?? null;
  } catch {
    // A skill set without the Performance Hunter has no collaboration to read: no hint, not an error.
    return null;
  }
}
