/**
 * What one measured run of either generator hands to the report: raw counts and histograms, so
 * the report, the SLO check and a comparison all read the same numbers.
 */
import { newHistogram, type LatencyHistogram } from './histogram.js';
import type { Latency } from './schema.js';

export interface Measured {
  /** Wall time from the first request to the last answer. */
  durationSeconds: number;
  /** Requests sent (answered or not). */
  sent: number;
  answered: number;
  latency: LatencyHistogram;
  /** Set when per-request times were not available (autocannon workers): its own whole-ms summary. */
  latencySummary: Latency | null;
  /** Open model only: time from the actual send, uncorrected. */
  service: LatencyHistogram | null;
  latencyResolution: 'microsecond' | 'millisecond';
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  bytes: number;
  /** Generator CPU (user + system) over the run, microseconds, all threads of this process. */
  cpuMicros: number;
  /** Set when only the generator's own per-second summary is known (autocannon workers). */
  rpsSummary: { mean: number; stdev: number; min: number } | null;
  perSecond: Array<{ count: number; latency: LatencyHistogram | null }>;
  open: { target: number; late: number; waitedForConnection: number; notSent: number; sendWindowSeconds: number } | null;
}

export interface RunHooks {
  /** Aborting cancels: the load stops at once and the run throws LoadTestCancelledError. */
  signal?: AbortSignal;
  /** Aborting ends the run early; what was measured is reported. */
  stop?: AbortSignal;
  /** Called about once a second with the answered count so far. */
  onSecond?: (elapsedSeconds: number, answered: number) => void;
}

/** Per-second buckets grow on demand: index = whole seconds since the start. */
export function secondBucket(perSecond: Measured['perSecond'], index: number, withLatency: boolean): Measured['perSecond'][number] {
  while (perSecond.length <= index) perSecond.push({ count: 0, latency: withLatency ? newHistogram() : null });
  return perSecond[index]!;
}

export function isTimeoutError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
