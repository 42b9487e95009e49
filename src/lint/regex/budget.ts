/**
 * Runs a JavaScript regex that RE2 cannot (lookaround, backreferences) under a time budget. The
 * regex runs in one long-lived worker thread; when an answer does not come within the budget the
 * worker is terminated (the only way to stop a backtracking regex) and the next call starts a new
 * one. The worker's code is inline (`eval: true`) so it works from the TypeScript sources under
 * vitest and from dist alike.
 */
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, source, flags, text, max }) => {
  try {
    const re = new RegExp(source, flags.includes('g') ? flags : flags + 'g');
    const ranges = [];
    let m;
    while ((m = re.exec(text)) !== null && ranges.length < max * 2) {
      ranges.push(m.index, m.index + m[0].length);
      if (m[0].length === 0) re.lastIndex++;
    }
    parentPort.postMessage({ id, ranges });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

export type BudgetResult = { ok: true; ranges: number[] } | { ok: false; timedOut: boolean; ms: number; message: string };

export class RegexBudgetRunner {
  private worker: Worker | undefined;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly budgetMs: number) {}

  /** Every match of `source` in `text` as flat [start, end, ...] UTF-16 offsets, at most `max` matches. */
  async matchAll(source: string, flags: string, text: string, max: number): Promise<BudgetResult> {
    const { worker, ready } = this.ensureWorker();
    // The budget is for the regex, not for starting a thread on a busy machine.
    await ready;
    const id = this.nextId++;
    const started = performance.now();
    return new Promise<BudgetResult>((resolve) => {
      const finish = (result: BudgetResult): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(result);
      };
      const onMessage = (message: { id: number; ranges?: number[]; error?: string }): void => {
        if (message.id !== id) return;
        if (message.ranges) finish({ ok: true, ranges: message.ranges });
        else finish({ ok: false, timedOut: false, ms: performance.now() - started, message: message.error ?? 'failed' });
      };
      const onError = (error: Error): void => {
        this.worker = undefined;
        finish({ ok: false, timedOut: false, ms: performance.now() - started, message: error.message });
      };
      const timer = setTimeout(() => {
        // The regex is still backtracking: only terminating the thread stops it.
        this.worker = undefined;
        void worker.terminate();
        finish({ ok: false, timedOut: true, ms: performance.now() - started, message: 'time budget exceeded' });
      }, this.budgetMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, source, flags, text, max });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
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
