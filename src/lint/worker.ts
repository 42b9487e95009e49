/**
 * A lint worker thread (run by piscina, see pool.ts): parses and walks the batches of files it is
 * handed with the run's detector rules, which arrive once as `workerData` (options already parsed
 * in the main thread; detectors are looked up here by id, since functions cannot cross threads),
 * with the Python parser's wasm already compiled.
 */
import { workerData } from 'node:worker_threads';
import { detectorById } from './detectors/index.js';
import type { ConfiguredDetector, FileResult } from './engine/core.js';
import { lintFile } from './engine/index.js';
import { preparePython, usePythonWasm } from './engine/python.js';
import type { BatchResult, ParseBatch, WorkerData } from './pool.js';

const data = workerData as WorkerData;
const rules: ConfiguredDetector[] = (data.rules ?? []).map(({ detectorId, ...rest }) => {
  const detector = detectorById.get(detectorId);
  if (!detector) throw new Error(`lint worker: no detector ${detectorId}`);
  return { ...rest, detector };
});
if (data.wasm) usePythonWasm(data.wasm);
// Load the parser now, while the first task is still on its way; a failure shows on that task.
preparePython().catch(() => {});

export default async function parseInWorker(batch: ParseBatch): Promise<BatchResult> {
  const out: BatchResult = [];
  for (const task of batch.files) {
    try {
      // The main thread already applied the pre-filter; these rules are the ones that may report.
      out.push({ result: await lintFile({ code: task.code, filename: task.filename }, task.rules.map((i) => rules[i]!), { prefilter: false }) });
    } catch (error) {
      out.push({ failed: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
