/**
 * Service-level objectives: "p99=200ms,p50=50ms,errors=0.1%,rps>=500" (or the same as an object)
 * normalised once, then checked against a report with each violation spelled out.
 */
import { z } from 'zod';
import { LoadTestError, type Latency, type SloInput, type SloVerdict } from './schema.js';

export const LATENCY_FIGURES = ['p50', 'p90', 'p97.5', 'p99', 'p99.9', 'max'] as const;
export type LatencyFigure = (typeof LATENCY_FIGURES)[number];

/** Upper bounds in ms per latency figure, highest failed rate (0..1), lowest requests/s. */
export interface Slo {
  latencyMs: Partial<Record<LatencyFigure, number>>;
  errorRate?: number;
  minRps?: number;
}

export function parseDurationMs(value: string | number, figure: string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$/.exec(value);
  if (!match) throw new LoadTestError(`slo ${figure}: "${value}" is not a duration (e.g. 200ms, 1.5s)`);
  const n = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000;
}

export function parseRate(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(value);
  if (!match) throw new LoadTestError(`slo errors: "${value}" is not a rate (e.g. 0.1% or 0.001)`);
  return match[2] ? Number(match[1]) / 100 : Number(match[1]);
}

/** Parses the string form; `<`, `<=` and `=` all mean "at most" for latency and errors, `>=`/`>`/`=` "at least" for rps. */
export function parseSlo(input: z.infer<typeof SloInput>): Slo {
  const slo: Slo = { latencyMs: {} };
  const entries: Array<[string, string | number]> =
    typeof input === 'string'
      ? input
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
          .map((part) => {
            const match = /^([a-z0-9.]+)\s*(<=|>=|=|<|>)\s*(.+)$/i.exec(part);
            if (!match) throw new LoadTestError(`slo: cannot read "${part}" (write e.g. p99=200ms, errors=0.1%, rps>=500)`);
            const [, key, op, value] = match as unknown as [string, string, string, string];
            const lower = key.toLowerCase();
            if (lower === 'rps' ? op.startsWith('<') : op.startsWith('>')) throw new LoadTestError(`slo: "${part}" bounds ${key} the wrong way`);
            return [lower, value.trim()];
          })
      : Object.entries(input).filter((e): e is [string, string | number] => e[1] !== undefined);
  for (const [key, value] of entries) {
    if ((LATENCY_FIGURES as readonly string[]).includes(key)) slo.latencyMs[key as LatencyFigure] = parseDurationMs(value, key);
    else if (key === 'errors') slo.errorRate = parseRate(value);
    else if (key === 'rps') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new LoadTestError(`slo rps: "${value}" is not a number`);
      slo.minRps = n;
    } else throw new LoadTestError(`slo: unknown figure "${key}" (use ${LATENCY_FIGURES.join(', ')}, errors, rps)`);
  }
  if (Object.keys(slo.latencyMs).length === 0 && slo.errorRate === undefined && slo.minRps === undefined) throw new LoadTestError('slo is empty');
  return slo;
}

const fmtMs = (ms: number): string => `${Number(ms.toFixed(ms < 10 ? 2 : 1))}ms`;
const fmtPct = (rate: number): string => `${Number((rate * 100).toFixed(3))}%`;

export function describeSlo(slo: Slo): string[] {
  return [
    ...Object.entries(slo.latencyMs).map(([figure, limit]) => `${figure} <= ${fmtMs(limit)}`),
    ...(slo.errorRate !== undefined ? [`errors <= ${fmtPct(slo.errorRate)}`] : []),
    ...(slo.minRps !== undefined ? [`rps >= ${slo.minRps}`] : []),
  ];
}

export function checkSlo(slo: Slo, figures: { latencyMs: Latency; errorRate: number; rps: number }): SloVerdict {
  const violations: SloVerdict['violations'] = [];
  for (const [figure, limit] of Object.entries(slo.latencyMs) as Array<[LatencyFigure, number]>) {
    const actual = figures.latencyMs[figure];
    if (actual > limit) {
      violations.push({ figure, limit: fmtMs(limit), actual: fmtMs(actual), message: `${figure} latency ${fmtMs(actual)} exceeds ${fmtMs(limit)}` });
    }
  }
  if (slo.errorRate !== undefined && figures.errorRate > slo.errorRate) {
    violations.push({
      figure: 'errors',
      limit: fmtPct(slo.errorRate),
      actual: fmtPct(figures.errorRate),
      message: `error rate ${fmtPct(figures.errorRate)} exceeds ${fmtPct(slo.errorRate)}`,
    });
  }
  if (slo.minRps !== undefined && figures.rps < slo.minRps) {
    const actual = figures.rps.toFixed(1);
    violations.push({ figure: 'rps', limit: String(slo.minRps), actual, message: `throughput ${actual} req/s is below ${slo.minRps}` });
  }
  return { pass: violations.length === 0, objectives: describeSlo(slo), violations };
}
