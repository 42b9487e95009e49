/**
 * Latency recorded in microseconds in an HDR histogram (3 significant digits), so percentiles keep
 * sub-millisecond precision whatever the spread, at constant memory however long the run.
 */
import hdr from 'hdr-histogram-js';
import type { Latency } from './schema.js';

export type LatencyHistogram = ReturnType<typeof hdr.build>;

export function newHistogram(): LatencyHistogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export function recordMs(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

const ms = (us: number): number => Math.round(us) / 1000;

export function latencyOf(histogram: LatencyHistogram): Latency {
  const count = histogram.totalCount;
  if (count === 0) return { p50: 0, p90: 0, 'p97.5': 0, p99: 0, 'p99.9': 0, max: 0, mean: 0, count: 0 };
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    'p97.5': ms(histogram.getValueAtPercentile(97.5)),
    p99: ms(histogram.getValueAtPercentile(99)),
    'p99.9': ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
    count,
  };
}

/** Percentile curve points for the SVG: (percentile, ms), dense towards the tail. */
export function percentileCurve(histogram: LatencyHistogram): Array<[number, number]> {
  if (histogram.totalCount === 0) return [];
  const points: Array<[number, number]> = [];
  for (let nines = 0; nines <= 5; nines += 0.05) {
    const p = 100 * (1 - 10 ** -nines);
    points.push([p, ms(histogram.getValueAtPercentile(p))]);
    if (histogram.totalCount * (1 - p / 100) < 1) break;
  }
  points.push([100, ms(histogram.maxValue)]);
  return points;
}
