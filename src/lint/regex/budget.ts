/**
 * Runs JavaScript regexes that RE2 cannot (lookaround, backreferences) under a time budget. They
 * run in one long-lived worker thread, all of a file's patterns in one message (one copy of the
 * text, one round trip); the worker answers pattern by pattern, and each answer must come within
 * the budget. When one does not, the worker is terminated (the only way to stop a backtracking
 * regex), that pattern is reported, and the patterns after it go to a fresh worker. The worker's
 * code is inline (`eval: true`) so it works from the TypeScript sources under vitest and from dist.
 */
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const compiled = new Map();
parentPort.on('message', ({ id, patterns, text, max }) => {
  patterns.forEach(({ source, flags }, index) => {
    try {
      const key = flags + '/' + source;
      let re = compiled.get(key);
      if (!re) compiled.set(key, (re = new RegExp(source, flags.includes('g') ? flags : flags + 'g')));
      re.lastIndex = 0;
      const ranges = [];
      let m;
      while (ranges.length < max * 2 && (m = re.exec(text)) !== null) {
        ranges.push(m.index, m.index + m[0].length);
        if (m[0].length === 0) re.lastIndex++;
      }
      parentPort.postMessage({ id, index, ranges });
    } catch (error) {
      parentPort.postMessage({ id, index, error: String((error && error.message) || error) });
    }
  });
});
`;

export interface JsPattern {
  source: string;
  flags: string;
}

export type BudgetResult = { ok: true; ranges: number[] } | { ok: false; timedOut: boolean; ms: number; message: string };

export class RegexBudgetRunner {
  private worker: Worker | undefined;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly budgetMs: number) {}

  /** Every match of each pattern in `text` as flat [start, end, ...] UTF-16 offsets, at most `max` per pattern. */
  async matchMany(patterns: readonly JsPattern[], text: string, max: number): Promise<BudgetResult[]> {
    const results: BudgetResult[] = [];
    while (results.length < patterns.length) {
      const rest = patterns.slice(results.length);
      results.push(...(await this.runBatch(rest, text, max)));
    }
    return results;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** Results for a prefix of `patterns`: all of them, or up to and including the one that timed out. */
  private async runBatch(patterns: readonly JsPattern[], text: string, max: number): Promise<BudgetResult[]> {
    const { worker, ready } = this.ensureWorker();
    // The budget is for the regex, not for starting a thread on a busy machine.
    await ready;
    const id = this.nextId++;
    const results: BudgetResult[] = [];
    return new Promise<BudgetResult[]>((resolve) => {
      let started = performance.now();
      let timer: NodeJS.Timeout;
      const arm = (): void => {
        clearTimeout(timer);
        started = performance.now();
        timer = setTimeout(() => {
          // The regex is still backtracking: only terminating the thread stops it.
          this.worker = undefined;
          void worker.terminate();
          results.push({ ok: false, timedOut: true, ms: performance.now() - started, message: 'time budget exceeded' });
          done();
        }, this.budgetMs);
      };
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(results);
      };
      const onMessage = (message: { id: number; index: number; ranges?: number[]; error?: string }): void => {
        if (message.id !== id) return;
        results.push(message.ranges ? { ok: true, ranges: message.ranges } : { ok: false, timedOut: false, ms: performance.now() - started, message: message.error ?? 'failed' });
        if (results.length === patterns.length) done();
        else arm();
      };
      const onError = (error: Error): void => {
        this.worker = undefined;
        results.push({ ok: false, timedOut: false, ms: performance.now() - started, message: error.message });
        done();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      arm();
      worker.postMessage({ id, patterns, text, max });
    });
  }

  private ensureWorker(): { worker: Worker; ready: Promise<void> } {
    if (!this.worker) {
      const worker = new Worker(WORKER_CODE, { eval: true });
      worker.unref(); // never keeps the process alive on its own
      this.worker = worker;
      this.ready = new Promise((resolve) => {
        worker.once('online', () => resolve());
        worker.once('error', () => resolve());
      });
    }
    return { worker: this.worker, ready: this.ready };
  }
}
