/**
 * `perf-hunter validate` answered from the record of an identical earlier run (see
 * src/lint/replay/replay.ts for what "identical" and "unchanged" mean). Returns false, having
 * printed nothing, whenever it cannot vouch for the answer; the full run then goes on.
 */
import { writeSync } from 'node:fs';
import path from 'node:path';
import { isatty } from 'node:tty';
import type { LintReport } from '../lint/schema.js';
import { findValidRecord, recordKey, recordLocation } from '../lint/replay/replay.js';
import { renderReport } from './render-report.js';

export async function replayValidate(args: string[]): Promise<boolean> {
  const started = performance.now();
  try {
    const cwd = process.cwd();
    const location = recordLocation(args, process.env, cwd);
    if (location === undefined) return false;
    // isatty(1), not process.stdout.isTTY: touching process.stdout builds a stream (~10 ms).
    const record = findValidRecord<LintReport>(location, recordKey(args, process.env, cwd, isatty(1)));
    if (!record) return false;
    const { report } = record;
    const replayed: LintReport = {
      ...report,
      stats: {
        files: report.stats.files,
        ms: Math.round((performance.now() - started) * 10) / 10,
        // Every file was known unchanged (by its stamps), as a cache hit is known by its hash.
        cache: { hits: report.stats.files, misses: 0, evictions: 0, location: path.dirname(location) },
        replayed: true,
      },
    };
    const text = await renderReport(replayed, record.render);
    writeAll(text);
    process.exitCode = record.exitCode;
    return true;
  } catch {
    return false;
  }
}

/** Straight to fd 1; a non-blocking pipe that fills up (EAGAIN) gets the rest through process.stdout. */
function writeAll(text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch (error) {
    // Output has begun, so the replay stands: never fall back to a second, full report.
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(bytes.subarray(offset));
    // Anything else (EPIPE: the reader left) is the reader's business, as with process.stdout.
  }
}
