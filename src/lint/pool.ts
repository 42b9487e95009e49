/**
 * Parsing spread over worker threads (piscina), for runs with many files to parse. Small runs and
 * single files stay in-process: a worker pays the parser's import again (~0.7 s for TypeScript),
 * which only a large run earns back. The main thread keeps reading, hashing, the cache, the
 * pre-filter, regex rules and suppressions; workers only parse and walk.
 *
 * Cancelling a run destroys its pool: queued tasks are dropped and every thread is terminated at
 * once (a parse in progress can only be stopped by ending its thread), as a cancelled MCP call wants.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ConfiguredDetector, FileResult } from './engine/core.js';
import type { PythonWasm } from './engine/python.js';

/** A rule as it crosses to a worker: everything but the detector object, named by id instead. */
export type WorkerRule = Omit<ConfiguredDetector, 'detector'> & { detectorId: string };

export interface ParseTask {
  code: string;
  filename: string;
  /** Indexes into the pool's rules. */
  rules: number[];
}

/** What every worker gets once, at start. */
export interface WorkerData {
  rules: WorkerRule[];
  /** The Python parser's wasm, compiled once here; absent, each worker compiles its own. */
  wasm?: PythonWasm;
}

/** Below this many Python files to parse a run stays in-process: starting workers (each loads the parser) costs more than it saves. */
export const WORKERS_FROM = 50;

/** Every thread any pool of this process started (a Worker's threadId turns -1 once it has exited). */
const started = new Set<import('node:worker_threads').Worker>();

/** Worker threads alive in this process across pools (tests check a cancelled run leaves none). */
export function liveWorkerThreads(): number {
  for (const worker of started) if (worker.threadId === -1) started.delete(worker);
  return started.size;
}

/** Several files in one message: fewer wake-ups of a sleeping thread, fewer round trips. */
export interface ParseBatch {
  files: ParseTask[];
}

/** Per file of a batch, in order: its result, or why it could not be parsed (the others still count). */
export type BatchResult = ({ result: FileResult } | { failed: string })[];

/** Files per message at most; small enough that the threads finish together at the end of a run. */
export const MAX_BATCH = 8;

interface Pending {
  task: ParseTask;
  resolve: (result: FileResult) => void;
  reject: (error: unknown) => void;
}

export class LintPool {
  private constructor(private readonly piscina: import('piscina').Piscina<ParseBatch, BatchResult>, readonly threads: number) {}

  /** A pool for these rules, or undefined when one cannot help (one core, no built worker, rules that cannot be cloned). */
  static async open(rules: readonly ConfiguredDetector[], threads = defaultThreads()): Promise<LintPool | undefined> {
    const filename = workerFile();
    if (threads < 2 || !filename) return undefined;
    const data: WorkerRule[] = rules.map(({ detector, ...rest }) => ({ ...rest, detectorId: detector.id }));
    try {
      structuredClone(data);
    } catch {
      return undefined; // options holding functions: lint in-process
    }
    const [{ Piscina }, wasm] = await Promise.all([import('piscina'), compileWasm()]);
    const workerData: WorkerData = { rules: data, ...(wasm ? { wasm } : {}) };
    const piscina = new Piscina<ParseBatch, BatchResult>({
      filename,
      workerData,
      minThreads: threads,
      maxThreads: threads,
      // The run ends with destroy(); idle threads need not linger meanwhile either.
      idleTimeout: 1000,
    });
    // A worker's answer to a task dropped by destroy() arrives as an 'error' event ("Unexpected
    // message from Worker"); unheard, an EventEmitter error would crash the process.
    piscina.on('error', () => {});
    const pool = new LintPool(piscina, threads);
    pool.track();
    return pool;
  }

  /**
   * Parses one file. Files asked for in the same turn of the event loop travel together (see
   * flush), so callers keep asking file by file.
   */
  parse(task: ParseTask): Promise<FileResult> {
    if (this.destroyed) return Promise.reject(new Error('lint pool destroyed'));
    return new Promise<FileResult>((resolve, reject) => {
      this.pending.push({ task, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Ends every thread now, running tasks included (they reject); later calls wait for the same. */
  destroy(): Promise<void> {
    this.track();
    const dropped = this.pending;
    this.pending = [];
    for (const { reject } of dropped) reject(new Error('lint pool destroyed'));
    this.destroyed ??= this.piscina.destroy();
    return this.destroyed;
  }

  private destroyed: Promise<void> | undefined;
  private pending: Pending[] = [];

  /**
   * Sends what is pending, split so every thread gets at least two batches (one to run, one
   * queued behind it) and none more than MAX_BATCH files.
   */
  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0 || this.destroyed) {
      for (const { reject } of pending) reject(new Error('lint pool destroyed'));
      return;
    }
    const size = Math.min(MAX_BATCH, Math.max(1, Math.ceil(pending.length / (this.threads * 2))));
    for (let from = 0; from < pending.length; from += size) {
      const batch = pending.slice(from, from + size);
      this.piscina.run({ files: batch.map((p) => p.task) }).then(
        (results) => batch.forEach((p, i) => settle(p, results[i])),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
    }
    this.track(); // a thread that crashed is replaced
  }

  private track(): void {
    for (const worker of this.piscina.threads) started.add(worker);
  }
}

function settle(pending: Pending, outcome: BatchResult[number] | undefined): void {
  if (outcome && 'result' in outcome) pending.resolve(outcome.result);
  else pending.reject(new Error(outcome?.failed ?? 'the lint worker gave no result for this file'));
}

/**
 * Both wasm files compiled in this thread (in the background, while piscina loads): the workers
 * instantiate the shared modules instead of each compiling its own copy and tiering it up alone.
 * Undefined when that fails; the workers then load the files themselves.
 */
async function compileWasm(): Promise<PythonWasm | undefined> {
  try {
    const { compilePythonWasm } = await import('./engine/python.js');
    return await compilePythonWasm();
  } catch {
    return undefined;
  }
}

/** Every core; PERF_HUNTER_LINT_THREADS overrides (1: never use workers). */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.PERF_HUNTER_LINT_THREADS);
  if (Number.isInteger(given) && given >= 1) return given;
  return os.availableParallelism();
}

/** The built worker beside this file; under vitest (TypeScript sources) the one in dist/, if built. */
function workerFile(): string | undefined {
  for (const candidate of ['./worker.js', '../../dist/lint/worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return undefined;
}
