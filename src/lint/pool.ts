/**
 * Parsing spread over worker threads (piscina), for runs with many files to parse. Small runs and
 * single files stay in-process: a worker pays its imports and the parser again (~0.3 s for
 * Python, ~0.7 s for TypeScript), which only a large run earns back. The main thread keeps
 * reading, hashing, the cache, the pre-filter, regex rules and suppressions; workers parse and walk.
 *
 * The main thread counts as one of the parsing threads: a pool of N threads starts N - 1 workers,
 * and whenever the main thread would wait for them it parses a file still queued for them instead
 * (`helpWith`). On 2 cores that is one worker, not two: a second worker only time-shares the cores
 * with a main thread that has its own work, and costs its start-up and its JIT compiles again.
 * Files go to a worker in small batches, and only as it finishes the previous ones, so the queue
 * stays here where the main thread can take from it.
 *
 * Cancelling a run destroys its pool: queued files are dropped and every thread is terminated at
 * once (a parse in progress can only be stopped by ending its thread), as a cancelled MCP call wants.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ConfiguredDetector, FileResult } from './engine/core.js';
import { lintFile } from './engine/index.js';
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

/** What opening a pool waits for: piscina's module and the compiled Python wasm. */
type Prepared = [{ Piscina: typeof import('piscina').Piscina }, PythonWasm | undefined];
let prepared: Promise<Prepared> | undefined;

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
  private constructor(
    private readonly piscina: import('piscina').Piscina<ParseBatch, BatchResult>,
    private readonly rules: readonly ConfiguredDetector[],
    /** Worker threads started. */
    readonly workers: number,
  ) {}

  /** Threads that parse: the workers and the calling thread. */
  get threads(): number {
    return this.workers + 1;
  }

  /**
   * A pool for these rules with `threads - 1` workers, or undefined when one cannot help (one
   * core, no built worker, rules that cannot be cloned).
   */
  static async open(rules: readonly ConfiguredDetector[], threads = defaultThreads()): Promise<LintPool | undefined> {
    const filename = workerFile();
    if (threads < 2 || !filename) return undefined;
    const data: WorkerRule[] = rules.map(({ detector, ...rest }) => ({ ...rest, detectorId: detector.id }));
    try {
      structuredClone(data);
    } catch {
      return undefined; // options holding functions: lint in-process
    }
    const [{ Piscina }, wasm] = await LintPool.prepare();
    const workerData: WorkerData = { rules: data, ...(wasm ? { wasm } : {}) };
    const workers = threads - 1;
    const piscina = new Piscina<ParseBatch, BatchResult>({
      filename,
      workerData,
      minThreads: workers,
      maxThreads: workers,
      // The run ends with destroy(); idle threads need not linger meanwhile either.
      idleTimeout: 1000,
    });
    // A worker's answer to a task dropped by destroy() arrives as an 'error' event ("Unexpected
    // message from Worker"); unheard, an EventEmitter error would crash the process.
    piscina.on('error', () => {});
    const pool = new LintPool(piscina, rules, workers);
    pool.track();
    return pool;
  }

  /**
   * Loads piscina and compiles the Python wasm (once per process), so that opening a pool later
   * does not wait for them; a run calls it when a pool starts to look likely.
   */
  static prepare(): Promise<Prepared> {
    prepared ??= Promise.all([import('piscina'), compileWasm()]);
    return prepared;
  }

  /** Parses one file, in a worker or in this thread (see helpWith), whichever gets to it first. */
  parse(task: ParseTask): Promise<FileResult> {
    if (this.destroyed) return Promise.reject(new Error('lint pool destroyed'));
    return new Promise<FileResult>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      // Files asked for in the same turn of the event loop are sent together.
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(() => {
          this.pumping = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Parses the next queued file in this thread, if more than `leave` are queued; false when it
   * did not (the rest is left to the workers). For a caller that would otherwise wait for them.
   */
  async helpWith(leave = 0): Promise<boolean> {
    // Let the workers' answers in first (they free queue slots and refill the workers); a loop of
    // calls would otherwise keep the event loop, and so the workers, waiting.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.queue.length <= leave) return false;
    const next = this.queue.shift();
    if (!next || this.destroyed) {
      if (next) next.reject(new Error('lint pool destroyed'));
      return false;
    }
    try {
      next.resolve(await lintFile({ code: next.task.code, filename: next.task.filename }, next.task.rules.map((i) => this.rules[i]!), { prefilter: false }));
    } catch (error) {
      next.reject(error);
    }
    return true;
  }

  /** Ends every thread now, running tasks included (they reject); later calls wait for the same. */
  destroy(): Promise<void> {
    this.track();
    const dropped = this.queue;
    this.queue = [];
    for (const { reject } of dropped) reject(new Error('lint pool destroyed'));
    this.destroyed ??= this.piscina.destroy();
    return this.destroyed;
  }

  private destroyed: Promise<void> | undefined;
  private queue: Pending[] = [];
  private pumping = false;
  /** Batches with the workers, not yet answered. */
  private sent = 0;

  /**
   * Keeps every worker with one batch to run and one behind it, and no more: the rest waits here.
   * A batch is at most MAX_BATCH files, and smaller when the queue is short, so the threads
   * finish together at the end of a run.
   */
  private pump(): void {
    while (!this.destroyed && this.queue.length > 0 && this.sent < this.workers * 2) {
      const size = Math.min(MAX_BATCH, Math.max(1, Math.ceil(this.queue.length / (this.workers * 2))));
      const batch = this.queue.splice(0, size);
      this.sent++;
      this.piscina.run({ files: batch.map((p) => p.task) }).then(
        (results) => {
          batch.forEach((p, i) => settle(p, results[i]));
          this.sent--;
          this.pump();
        },
        (error: unknown) => {
          batch.forEach((p) => p.reject(error));
          this.sent--;
          this.pump();
        },
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
 * Both wasm files compiled in this thread (in the background, while piscina loads): the workers and
 * this thread instantiate the shared modules instead of each compiling its own copy and tiering it
 * up alone.
 * Undefined when that fails; the workers then load the files themselves.
 */
async function compileWasm(): Promise<PythonWasm | undefined> {
  try {
    const { compilePythonWasm, usePythonWasm } = await import('./engine/python.js');
    const wasm = await compilePythonWasm();
    usePythonWasm(wasm); // this thread parses too (helpWith)
    return wasm;
  } catch {
    return undefined;
  }
}

/** Parsing threads, this one included: every core; PERF_HUNTER_LINT_THREADS overrides (1: never use workers). */
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
