/**
 * A lint worker thread (run by piscina, see pool.ts): parses and walks the files it is handed with
 * the run's detector rules, which arrive once as `workerData` (options already parsed in the main
 * thread; detectors are looked up here by id, since functions cannot cross threads).
 */
import { workerData } from 'node:worker_threads';
import { detectorById } from './detectors/index.js';
import type { ConfiguredDetector, FileResult } from './engine/core.js';
import { lintFile } from './engine/index.js';
import type { ParseTask, WorkerRule } from './pool.js';

const rules: ConfiguredDetector[] = ((workerData as { rules: WorkerRule[] }).rules ?? []).map(({ detectorId, ...rest }) => {
  const detector = detectorById.get(detectorId);
  if (!detector) throw new Error(`lint worker: no detector ${detectorId}`);
  return { ...rest, detector };
});

export default async function parseInWorker(task: ParseTask): Promise<FileResult> {
  // The main thread already applied the pre-filter; these rules are the ones that may report.
  return lintFile({ code: task.code, filename: task.filename }, task.rules.map((i) => rules[i]!), { prefilter: false });
}
