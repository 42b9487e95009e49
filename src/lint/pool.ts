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

/** A rule as it crosses to a worker: everything but the detector object, named by id instead. */
export type WorkerRule = Omit<ConfiguredDetector, 'detector'> & { detectorId: string };

export interface ParseTask {
  code: string;
  filename: string;
  /** Indexes into the pool's rules. */
  rules: number[];
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

export class LintPool {
  private constructor(private readonly piscina: import('piscina').Piscina<ParseTask, FileResult>, readonly threads: number) {}

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
    const { Piscina } = await import('piscina');
    const piscina = new Piscina<ParseTask, FileResult>({
      filename,
      workerData: { rules: data },
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

  parse(task: ParseTask): Promise<FileResult> {
    const result = this.piscina.run(task);
    this.track(); // a thread that crashed is replaced
    return result;
  }

  /** Ends every thread now, running tasks included (they reject); later calls wait for the same. */
  destroy(): Promise<void> {
    this.track();
    this.destroyed ??= this.piscina.destroy();
    return this.destroyed;
  }

  private destroyed: Promise<void> | undefined;

  private track(): void {
    for (const worker of this.piscina.threads) started.add(worker);
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
